"""Taxonomy lifecycle (issue 7): diff two ESCO versions, the impact on stored data, upgrade in place with
migration of replaced concepts, and local additions as versioned, validated data."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.cli import main
from api.wiring import what_if_store
from graph.accountability.audit import Actor, canonical
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery, AuditRecord
from graph.records import CvRecord, CvSkill, Evidence, PostingRecord, PostingRequirement, WorkedAs
from graph.taxonomy.impact import impact_of, render_impact
from graph.taxonomy.upgrade import MappingError, plan_upgrade, read_mapping, upgrade
from ontology.diff import TaxonomyDiff, diff_taxonomies, render_diff
from ontology.esco_csv import read_esco_package
from ontology.local_additions import (
    LocalAdditionsError,
    load_local_additions,
    local_additions_version,
    parse_additions,
    validate_additions,
)
from ontology.model import RequirementKind, Taxonomy
from ontology.package import read_taxonomy
from tests.conftest import MINI_ESCO

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "taxonomy"
ESCO = "http://data.europa.eu/esco/"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
Rows = list[dict[str, str]]


# -- making a new version from the mini package ----------------------------------------------------------
def _edit(path: Path, change: Callable[[Rows], Rows]) -> None:
    """Rewrite one CSV of the copied package through ``change`` (same header, same quoting)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or ()), list(reader)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(change(rows))

OPERATOR = Actor("cli:test", "admin", "")


def _set(uri: str, **values: str) -> Callable[[Rows], Rows]:
    return lambda rows: [r | values if r["conceptUri"] == uri else r for r in rows]


def _renumber(root: Path, old: str, new: str) -> None:
    """Give a concept a new URI everywhere in the package, as ESCO did to its skill groups in 1.1.1."""
    pattern = re.compile(re.escape(old) + r"(?![\w-])")
    for path in root.rglob("*.csv"):
        path.write_text(pattern.sub(new, path.read_text("utf-8")), "utf-8")


@pytest.fixture
def mini_new(tmp_path: Path) -> Path:
    """ESCO "1.1.1" made from the mini 1.1.0 package by hand: one skill relabelled, one removed, one
    added (with a relation), a relation's kind changed, a reuse level changed."""
    root = tmp_path / "esco-mini-1.1.1"
    shutil.copytree(MINI_ESCO, root)
    skills = root / "en" / "skills_en.csv"
    _edit(skills, _set(f"{ESCO}skill/mini-forklift", preferredLabel="operate a forklift truck",
                       altLabels="drive a forklift\nforklift driving\noperate forklift"))
    _edit(skills, _set(f"{ESCO}skill/mini-stock", reuseLevel="transversal"))
    # R is removed from the concept file; its relation rows stay, as ESCO 1.1.1 left the 67 rows of
    # the occupation it removed.
    _edit(skills, lambda rows: [r for r in rows if r["conceptUri"] != f"{ESCO}skill/mini-rlang"] + [
        {**rows[0], "conceptUri": f"{ESCO}skill/mini-welding", "skillType": "skill/competence",
         "reuseLevel": "sector-specific", "preferredLabel": "weld metal parts", "altLabels": "welding",
         "description": "Ability: weld metal parts."}])
    rel = root / "relations" / "occupationSkillRelations.csv"
    _edit(rel, lambda rows: [r | {"relationType": "optional"} if (r["occupationUri"], r["skillUri"]) == (
        f"{ESCO}occupation/mini-nurse", f"{ESCO}skill/mini-teamwork") else r for r in rows] + [
        {"occupationUri": f"{ESCO}occupation/mini-warehouse", "relationType": "optional", "skillType": "",
         "skillUri": f"{ESCO}skill/mini-welding"}])
    return root


def _mini(root: Path) -> Taxonomy:
    return read_taxonomy(root, ("en", "da"))


# -- diff: a hand-made change, exactly -----------------------------------------------------------------
MINI_DIFF = """\
ESCO 1.1.0 → 1.1.1 (labels compared in: en, da)

Concepts                         added  removed
  Occupation                         0        0
  Skill                              1        1
  IscoGroup                          0        0
  SkillGroup                         0        0
Labels changed [en]: Skill 1 (preferred 1, alternative 1, hidden 0)
Attributes changed: reuse_level 1

Relations                        added  removed  changed  dropped
  occupation-skill (REQUIRES)        1        0        1        1
  skill-skill (RELATED)              0        0        0        0
  hierarchy (BROADER)                0        0        0        1
  collections (IN_COLLECTION)        0        0        0        0
  (changed = essential ↔ optional; dropped = gone with a removed concept)

Removed concepts (1)
  - Skill  R  <http://data.europa.eu/esco/skill/mini-rlang>

Added concepts (1)
  + Skill  weld metal parts  <http://data.europa.eu/esco/skill/mini-welding>

Label changes (1)
  ~ [en] Skill  operate a forklift truck: preferred "operate forklift" → "operate a forklift truck"; \
alt +"operate forklift"

Attribute changes (1)
  ~ Skill  perform stock control  reuse_level: cross-sector → transversal

Relation changes: occupation-skill (REQUIRES) (3)
  + warehouse worker → weld metal parts  (optional)
  ~ nurse responsible for general care → work in teams  (essential → optional)
  x software developer → R  (optional; gone with a removed concept)

Relation changes: hierarchy (BROADER) (1)
  x R → computer programming  (gone with a removed concept)
"""


def test_diff_of_a_hand_made_version_reports_each_change(mini_new: Path) -> None:
    diff = diff_taxonomies(_mini(MINI_ESCO), _mini(mini_new))
    assert render_diff(diff) == MINI_DIFF
    counts = diff.counts()
    assert counts["relations"]["REQUIRES"] == {"added": 1, "removed": 0, "changed": 1, "dropped": 1}
    assert diff.removed_uris() == {f"{ESCO}skill/mini-rlang"}
    assert diff.affected()[f"{ESCO}occupation/mini-nurse"] == ("requires",)
    assert diff.affected()[f"{ESCO}skill/mini-forklift"] == ("relabelled",)


def test_diff_json_lists_every_change_with_uris_and_labels(mini_new: Path) -> None:
    diff = diff_taxonomies(_mini(MINI_ESCO), _mini(mini_new), ("en",))
    out = json.loads(json.dumps(diff.as_json()))
    assert (out["old_version"], out["new_version"], out["languages"]) == ("1.1.0", "1.1.1", ["en"])
    assert out["relabelled"] == [{
        "uri": f"{ESCO}skill/mini-forklift", "kind": "Skill", "lang": "en", "label": "operate a forklift truck",
        "old_preferred": "operate forklift", "new_preferred": "operate a forklift truck",
        "alt_added": ["operate forklift"], "alt_removed": [], "hidden_added": [], "hidden_removed": []}]
    changed = [r for r in out["relations"] if r["change"] == "changed"]
    assert changed == [{"relation": "REQUIRES", "change": "changed", "source": f"{ESCO}occupation/mini-nurse",
                        "target": f"{ESCO}skill/mini-teamwork", "source_label": "nurse responsible for general care",
                        "target_label": "work in teams", "old_kind": "essential", "new_kind": "optional"}]


def test_diff_of_a_version_with_itself_is_empty() -> None:
    tax = _mini(MINI_ESCO)
    diff = diff_taxonomies(tax, tax)
    assert (diff.added, diff.removed, diff.relabelled, diff.attributes, diff.relations) == ((), (), (), (), ())
    assert diff.affected() == {}


def test_cli_diff_prints_the_report_and_json(mini_new: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--data-dir", str(tmp_path / "data"), "taxonomy", "diff", str(MINI_ESCO), str(mini_new), "--lang", "en,da"]
    assert main(args) == 0
    assert capsys.readouterr().out == MINI_DIFF
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["concepts"]["Skill"] == {"added": 1, "removed": 1}


# -- diff: the real ESCO 1.1.0 -> 1.1.1 ------------------------------------------------------------------
def _csv(path: Path) -> Iterator[dict[str, str]]:
    csv.field_size_limit(2**31 - 1)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _uris(root: Path, name: str) -> set[str]:
    return {r["conceptUri"] for r in _csv(root / "en" / f"{name}_en.csv.gz")}


@pytest.fixture(scope="module")
def real_pair(shared_dir: Path) -> tuple[Taxonomy, Taxonomy]:
    esco = shared_dir / "esco"
    return read_esco_package(esco / "1.1.0"), read_esco_package(esco / "1.1.1")


@pytest.fixture(scope="module")
def real_diff(real_pair: tuple[Taxonomy, Taxonomy]) -> TaxonomyDiff:
    return diff_taxonomies(*real_pair, ("en",))


@pytest.mark.esco
def test_real_110_to_111_concepts_and_requirements(real_diff: TaxonomyDiff, shared_dir: Path) -> None:
    old, new = shared_dir / "esco" / "1.1.0", shared_dir / "esco" / "1.1.1"
    # Counted straight from the files, independently of the reader.
    occ_removed = _uris(old, "occupations") - _uris(new, "occupations")
    skills_added = _uris(new, "skills") - _uris(old, "skills")
    triples = {v: {(r["occupationUri"], r["skillUri"], r["relationType"])
                   for r in _csv(v / "relations" / "occupationSkillRelations.csv.gz")} for v in (old, new)}
    added, removed = triples[new] - triples[old], triples[old] - triples[new]
    orphaned = {t for t in triples[new] if t[0] in occ_removed}  # rows of the occupation 1.1.1 removed
    assert (len(occ_removed), len(skills_added), len(added), len(removed), len(orphaned)) == (1, 5, 305, 302, 67)
    assert orphaned <= triples[old]  # unchanged rows in both files: neither added nor removed

    counts = real_diff.counts()
    assert counts["concepts"]["Occupation"] == {"added": 0, "removed": 1}
    assert counts["concepts"]["Skill"] == {"added": 5, "removed": 0}
    assert {r.uri for r in real_diff.removed if r.kind == "Occupation"} == occ_removed
    assert {r.uri for r in real_diff.added if r.kind == "Skill"} == skills_added
    # The 5 new skills were skill groups in 1.1.0: the same URIs, a new kind.
    assert {r.other_kind for r in real_diff.added if r.kind == "Skill"} == {"SkillGroup"}
    assert counts["relations"]["REQUIRES"] == {"added": 305, "removed": 302, "changed": 0, "dropped": 67}
    req = [r for r in real_diff.relations if r.relation == "REQUIRES"]
    assert {(r.source, r.target, r.new_kind) for r in req if r.change == "added"} == added
    assert {(r.source, r.target, r.old_kind) for r in req if r.change == "removed"} == removed


@pytest.mark.esco
def test_real_110_to_111_label_and_attribute_changes(real_diff: TaxonomyDiff, shared_dir: Path) -> None:
    def labels(root: Path, name: str) -> dict[str, tuple[str, frozenset[str], frozenset[str]]]:
        out = {}
        for r in _csv(root / "en" / f"{name}_en.csv.gz"):
            pref = r["preferredLabel"].strip()
            split = [frozenset(x.strip() for x in r.get(col, "").splitlines() if x.strip()) for col in
                     ("altLabels", "hiddenLabels")]
            out[r["conceptUri"]] = (pref, split[0] - {pref}, split[1])  # the preferred label is no alternative
        return out

    expected: dict[str, dict[str, int]] = {}
    for name, kind in (("occupations", "Occupation"), ("skills", "Skill")):
        a, b = labels(shared_dir / "esco/1.1.0", name), labels(shared_dir / "esco/1.1.1", name)
        changed = [(a[u], b[u]) for u in a.keys() & b.keys() if a[u] != b[u]]
        expected[kind] = {"concepts": len(changed), "preferred": sum(x[0] != y[0] for x, y in changed),
                          "alt": sum(x[1] != y[1] for x, y in changed), "hidden": sum(x[2] != y[2] for x, y in changed)}
    assert expected == {"Occupation": {"concepts": 2, "preferred": 0, "alt": 2, "hidden": 0},
                        "Skill": {"concepts": 4, "preferred": 2, "alt": 4, "hidden": 0}}
    assert real_diff.counts()["labels"] == {"en": expected}
    assert real_diff.counts()["attributes"] == {"kind": 5, "skill_type": 2, "isco_group": 23, "code": 23}


@pytest.mark.esco
def test_real_111_replacements_found_by_label(real_pair: tuple[Taxonomy, Taxonomy]) -> None:
    """1.1.1 gave 418 skill groups new URIs under the same labels; links to them migrate by label (and code,
    where one label names several levels). The removed occupation has no successor."""
    old, new = real_pair
    gone = sorted(old.concepts.keys() - new.concepts.keys())
    store = MemoryStore(None).open()
    store.upsert_cvs([CvRecord(id="all", municipality="", postcode="", lat=None, lon=None, max_km=0.0,
                               skills=tuple(CvSkill(u, "declared") for u in gone))])
    plan = plan_upgrade(store, new, old=old)
    by_code = sum(" and code " in m.evidence for m in plan.migrated)
    assert (len(gone), len(plan.migrated), by_code, len(plan.stranded)) == (419, 401, 154, 18)
    assert f"{ESCO}occupation/a9e54177-a185-404d-b6e6-15663d31137e" in {s.uri for s in plan.stranded}


# -- impact on stored CVs, postings and recommendations ----------------------------------------------------
def _cv(cv_id: str, skills: tuple[str, ...] = (), seeks: tuple[str, ...] = (),
        worked_as: tuple[str, ...] = ()) -> CvRecord:
    return CvRecord(id=cv_id, municipality="0101", postcode="1000", lat=55.68, lon=12.57, max_km=30.0,
                    seeks=tuple(f"{ESCO}occupation/{o}" for o in seeks),
                    worked_as=tuple(WorkedAs(f"{ESCO}occupation/{o}", "2019", "2023") for o in worked_as),
                    skills=tuple(CvSkill(f"{ESCO}skill/{s}", "text", (Evidence("experience", 0, len(s), s),), "da")
                                 for s in skills))


def _posting(pid: str, *required: tuple[str, RequirementKind], occupation: str = "") -> PostingRecord:
    return PostingRecord(id=pid, source="test", title=pid, employer="E", postcode="1000", lat=55.68, lon=12.57,
                         published="2026-01-01", valid_through="2099-12-31",
                         occupation=f"{ESCO}occupation/{occupation}" if occupation else "",
                         requirements=tuple(PostingRequirement(f"{ESCO}skill/{s}", k) for s, k in required))


def _audit(store: MemoryStore, seq: int, cv_id: str, at: datetime, uris: list[str]) -> None:
    body = canonical({"result": {"items": [{"paths": [[u, "REQUIRES", "x"] for u in uris]}]}})
    store.append_audit(AuditRecord(
        id=f"rec-{seq}", seq=seq, at=at.isoformat(timespec="milliseconds"), cv_id=cv_id, actor="test",
        role="consultant", municipality="0101", strategy="graph", settings_hash="s", algorithm_version="1",
        ontology_version="1.1.0", local_additions_version="", body=body, prev_hash="", hash=""))


@pytest.fixture(autouse=True)
def _no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads JOBMATCH_* from the environment; tests name everything on the command line."""
    for name in ("JOBMATCH_STORE", "JOBMATCH_ESCO_DIR", "JOBMATCH_LANGS", "JOBMATCH_EXTRA_LABELS",
                 "JOBMATCH_LOCAL_ADDITIONS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MemoryStore]:
    s = MemoryStore(tmp_path / "store").open()
    s.upsert_taxonomy(_mini(MINI_ESCO))
    yield s
    s.close()


def test_impact_lists_affected_cvs_postings_and_recent_recommendations(store: MemoryStore, mini_new: Path) -> None:
    store.upsert_cvs([_cv("cv-1", ("mini-rlang", "mini-forklift")), _cv("cv-2", ("mini-sql",), seeks=("mini-warehouse",)),
                      _cv("cv-3", ("mini-sql",), worked_as=("mini-cook",))])
    store.upsert_postings([_posting("p-1", ("mini-rlang", "optional"), ("mini-sql", "essential")),
                           _posting("p-2", ("mini-sql", "essential"), occupation="mini-softdev")])
    _audit(store, 1, "cv-1", NOW - timedelta(days=200), [f"{ESCO}skill/mini-rlang"])  # too old
    _audit(store, 2, "cv-1", NOW - timedelta(days=10), [f"{ESCO}skill/mini-rlang", f"{ESCO}skill/mini-sql"])
    _audit(store, 3, "cv-3", NOW - timedelta(days=1), [f"{ESCO}skill/mini-sql"])
    diff = diff_taxonomies(_mini(MINI_ESCO), _mini(mini_new))

    report = impact_of(diff, store, store, days=90, now=NOW)

    assert [(i.id, [(x.role, x.uri.rsplit("/", 1)[1], x.reasons) for x in i.links]) for i in report.cvs] == [
        ("cv-1", [("skill", "mini-rlang", ("removed",)), ("skill", "mini-forklift", ("relabelled",))]),
        ("cv-2", [("seeks", "mini-warehouse", ("requires",))]),
    ]
    # p-2 is only touched through its occupation, whose profile lost R: affected, not broken.
    assert [(i.id, i.broken) for i in report.postings] == [("p-1", True), ("p-2", False)]
    assert [i.id for i in report.recommendations] == ["rec-2"]
    assert report.counts() == {
        "cvs": {"scanned": 3, "touched": 2, "affected": 2, "broken": 1,
                "by_reason": {"removed": 1, "relabelled": 1, "requires": 1}},
        "postings": {"scanned": 2, "touched": 2, "affected": 2, "broken": 1, "by_reason": {"removed": 1, "requires": 1}},
        "recommendations": {"scanned": 2, "touched": 1, "affected": 1, "broken": 1, "by_reason": {"removed": 1}},
    }
    text = render_impact(report)
    assert "  ! cv-1: skill \"R\" [removed]; skill \"operate a forklift truck\" [relabelled]" in text
    assert "  ! rec-2 (cv cv-1, 2026-02-19T12:00:00, ESCO 1.1.0): mentioned \"R\" [removed]" in text
    assert json.loads(json.dumps(report.as_json()))["recommendations"][0]["cv_id"] == "cv-1"


# -- upgrade in place ------------------------------------------------------------------------------------
@pytest.fixture
def mini_replaced(mini_new: Path) -> Path:
    """The hand-made 1.1.1 plus re-identified concepts: C++ and bus driver under new URIs with their labels
    (label heuristic), JavaScript under a new URI and a new label (only the mapping file can tell)."""
    _renumber(mini_new, f"{ESCO}skill/mini-cpp", f"{ESCO}skill/mini-cplusplus")
    _renumber(mini_new, f"{ESCO}occupation/mini-bus", f"{ESCO}occupation/mini-busdriver")
    _renumber(mini_new, f"{ESCO}skill/mini-javascript", f"{ESCO}skill/mini-js2")
    _edit(mini_new / "en" / "skills_en.csv", _set(f"{ESCO}skill/mini-js2", preferredLabel="JavaScript programming",
                                                   altLabels="JS"))
    return mini_new


def test_upgrade_migrates_replaced_concepts_and_lists_the_rest(store: MemoryStore, mini_replaced: Path) -> None:
    store.upsert_cvs([
        _cv("cv-1", ("mini-cpp", "mini-javascript", "mini-rlang", "mini-sql"), seeks=("mini-bus",),
            worked_as=("mini-softdev",)),
        # The CV already has the new URI too: one skill remains, with the evidence of both.
        _cv("cv-2", ("mini-cpp", "mini-cplusplus")),
        _cv("cv-3", ("mini-sql",)),
    ])
    store.upsert_postings([_posting("p-1", ("mini-javascript", "essential"), ("mini-rlang", "optional"),
                                    occupation="mini-softdev"),
                           _posting("p-2", ("mini-sql", "essential"))])
    before = store.get_cvs(["cv-3"])
    new = _mini(mini_replaced)

    report = upgrade(store, new, ledger=store, actor=OPERATOR, mapping_path=FIXTURES / "replacements.tsv")

    assert report.taxonomy_loaded and (report.cvs_updated, report.postings_updated) == (2, 1)
    assert [(m.owner, m.id, m.role, m.old.rsplit("/", 1)[1], m.new.rsplit("/", 1)[1], m.method)
            for m in report.plan.migrated] == [
        ("cv", "cv-1", "skill", "mini-cpp", "mini-cplusplus", "label"),
        ("cv", "cv-1", "skill", "mini-javascript", "mini-js2", "mapping"),
        ("cv", "cv-1", "seeks", "mini-bus", "mini-busdriver", "label"),
        ("cv", "cv-2", "skill", "mini-cpp", "mini-cplusplus", "label"),
        ("posting", "p-1", "requirement", "mini-javascript", "mini-js2", "mapping"),
    ]
    assert report.plan.migrated[1].evidence == "replacements.tsv:4"
    assert report.plan.migrated[0].evidence == 'same preferred label "C++" [en]'
    assert [(s.owner, s.id, s.uri.rsplit("/", 1)[1], s.label) for s in report.plan.stranded] == [
        ("cv", "cv-1", "mini-rlang", "R"), ("posting", "p-1", "mini-rlang", "R")]
    assert "no new concept labelled \"R\"" in report.plan.stranded[0].reason

    cvs = store.get_cvs(["cv-1", "cv-2", "cv-3"])
    assert [s.skill.rsplit("/", 1)[1] for s in cvs["cv-1"].skills] == ["mini-cplusplus", "mini-js2", "mini-rlang",
                                                                       "mini-sql"]
    assert cvs["cv-1"].seeks == (f"{ESCO}occupation/mini-busdriver",)
    assert [(s.skill.rsplit("/", 1)[1], len(s.evidence)) for s in cvs["cv-2"].skills] == [("mini-cplusplus", 2)]
    assert cvs["cv-3"] == before["cv-3"]
    p1 = store.get_postings(["p-1"])["p-1"]
    assert [(r.skill.rsplit("/", 1)[1], r.kind) for r in p1.requirements] == [("mini-js2", "essential"),
                                                                           ("mini-rlang", "optional")]
    assert [(v.version, v.active) for v in store.ontology_versions()] == [("1.1.0", False), ("1.1.1", True)]
    # Each migrated document's write is attributed in the ledger; a migration takes no ownership.
    assert sorted((e.target, e.action, e.actor) for e in store.write_events("cv", ["cv-1", "cv-2", "cv-3"])) == [
        ("cv-1", "migrated", "cli:test"), ("cv-2", "migrated", "cli:test")]
    assert [(e.target, e.action) for e in store.write_events("posting", ["p-1"])] == [("p-1", "migrated")]
    assert p1.owner == ""

    again = upgrade(store, new, ledger=store, actor=OPERATOR, mapping_path=FIXTURES / "replacements.tsv")
    assert again.writes == 0 and again.plan.migrated == ()
    assert [s.uri for s in again.plan.stranded] == [s.uri for s in report.plan.stranded]  # still listed
    assert store.get_cvs(["cv-1", "cv-2", "cv-3"]) == cvs
    assert len(store.ontology_versions()) == 2


def test_upgrade_dry_run_writes_nothing(store: MemoryStore, mini_replaced: Path) -> None:
    store.upsert_cvs([_cv("cv-1", ("mini-cpp",))])
    report = upgrade(store, _mini(mini_replaced), ledger=store, actor=OPERATOR, dry_run=True)
    assert report.writes == 0 and len(report.plan.migrated) == 1
    assert store.get_cvs(["cv-1"])["cv-1"].skills[0].skill == f"{ESCO}skill/mini-cpp"
    assert [v.version for v in store.ontology_versions()] == ["1.1.0"]


def test_a_bad_mapping_stops_the_upgrade_before_any_write(store: MemoryStore, mini_replaced: Path,
                                                          tmp_path: Path) -> None:
    store.upsert_cvs([_cv("cv-1", ("mini-javascript",))])
    bad = tmp_path / "bad.tsv"
    bad.write_text(f"oldUri\tnewUri\n{ESCO}skill/mini-javascript\t{ESCO}skill/mini-nowhere\n"
                   f"{ESCO}skill/mini-javascript\t{ESCO}skill/mini-js2\n", "utf-8")
    with pytest.raises(MappingError, match=r"bad.tsv:3: .*mapped twice \(first on line 2\)"):
        read_mapping(bad)
    bad.write_text(f"oldUri\tnewUri\n{ESCO}skill/mini-javascript\t{ESCO}skill/mini-nowhere\n", "utf-8")
    with pytest.raises(MappingError, match=r"bad.tsv:2: newUri .*mini-nowhere is not in ESCO 1.1.1"):
        upgrade(store, _mini(mini_replaced), ledger=store, actor=OPERATOR, mapping_path=bad)
    bad.write_text(f"oldUri\tnewUri\n{ESCO}skill/mini-javascript\t{ESCO}occupation/mini-webdev\n", "utf-8")
    with pytest.raises(MappingError, match=r"bad.tsv:2: .*mini-webdev is of kind Occupation, but .* needs a Skill"):
        upgrade(store, _mini(mini_replaced), ledger=store, actor=OPERATOR, mapping_path=bad)
    assert [v.version for v in store.ontology_versions()] == ["1.1.0"]


# -- local additions ----------------------------------------------------------------------------------------
def test_local_additions_errors_are_each_named_with_their_line() -> None:
    check = validate_additions(FIXTURES / "local_additions_bad.tsv", _mini(MINI_ESCO))
    expected = [
        (2, f"conceptUri {ESCO}skill/mini-nothere is not in ESCO 1.1.0 (label 'spøgelse')"),
        (4, f"label 'SQL-forespørgsler' (da) is mapped to two concepts: {ESCO}skill/mini-sql on line 3 and "
            f"{ESCO}skill/mini-python here"),
        (5, "empty label"),
        (6, "bad language code 'DK'"),
        (7, "local concept urn:jobmatch:local:skill:uden-foraelder has no broader concept"),
        (8, "'broader' applies only to local concepts"),
        (9, "malformed conceptUri 'not-a-uri'"),
        (10, f"broader {ESCO}occupation/mini-cook is of kind Occupation; a local skill must sit under a Skill or "
             "SkillGroup"),
    ]
    assert [p.line for p in check.errors] == [line for line, _ in expected]
    for problem, (_line, start) in zip(check.errors, expected, strict=True):
        assert problem.message.startswith(start), problem
    with pytest.raises(LocalAdditionsError) as e:
        load_local_additions(_mini(MINI_ESCO), FIXTURES / "local_additions_bad.tsv")
    assert all(f"local_additions_bad.tsv:{n}:" in e.value.detail for n in range(2, 11) if n != 3)


def test_local_additions_load_as_labels_and_local_concepts_with_their_version(tmp_path: Path) -> None:
    tax = _mini(MINI_ESCO)
    checksum = tax.checksum
    check = load_local_additions(tax, FIXTURES / "local_additions_ok.tsv")
    assert [str(w) for w in check.warnings] == [
        "local_additions_ok.tsv:6: label 'samarbejde' (da) is already a label of this concept"]
    forklift = tax.concepts[f"{ESCO}skill/mini-forklift"].labels["da"]
    assert (forklift.preferred, forklift.alt[-1]) == ("køre gaffeltruck", "truckfører")
    sql = tax.concepts[f"{ESCO}skill/mini-sql"].labels["da"]
    assert (sql.preferred, sql.alt) == ("", ("databaseforespørgsler",))  # a synonym never becomes preferred
    local = tax.concepts["urn:jobmatch:local:skill:stuehjaelp"]
    assert (local.kind, local.labels["da"].preferred, local.labels["da"].alt) == (
        "Skill", "stuehjælp", ("rengøring af stuer",))
    assert any(b.child == local.uri and b.parent == f"{ESCO}skill/mini-cleankitchen" for b in tax.broader)
    assert tax.checksum != checksum

    store = MemoryStore(tmp_path / "store").open()
    try:
        store.upsert_taxonomy(tax)
        active = store.ontology_versions()[-1]
        assert active.source.endswith("+ local additions local_additions_ok.tsv@2026-11-21.1")
        # The local skill sits in the hierarchy, so matching reaches it from its ESCO parent.
        links = store.skill_neighbours([f"{ESCO}skill/mini-cleankitchen"])
        assert any(x.relation == "narrower" and x.target == local.uri for x in links)
    finally:
        store.close()


def test_local_additions_version_is_declared_or_the_content_hash(tmp_path: Path) -> None:
    assert local_additions_version(FIXTURES / "local_additions_ok.tsv") == "2026-11-21.1"
    bad = FIXTURES / "local_additions_bad.tsv"
    assert local_additions_version(bad) == hashlib.sha256(bad.read_bytes()).hexdigest()
    twice = tmp_path / "twice.tsv"
    twice.write_text("# version: 1\n# version: 2\nconceptUri\tlang\tlabel\tnote\n", "utf-8")
    with pytest.raises(LocalAdditionsError, match=r"twice.tsv:2: version declared twice"):
        local_additions_version(twice)


SHIPPED = Path(__file__).resolve().parents[2] / "loaders" / "data" / "local_additions_da.tsv"


def test_the_shipped_additions_file_and_its_reader_agree_with_the_lifecycle_format() -> None:
    """One file, two readers: the extractor's reader ignores the version line and the broader column."""
    from loaders.extract.additions import parse_local_additions

    parsed, problems = parse_additions(SHIPPED.read_bytes(), SHIPPED.name)
    assert problems == []
    uri = f"{ESCO}skill/0a6d6da4-6c7a-4d8b-8a8e-0d1b4f3c9e21"
    text = f"# version: 2026-11-21.1\nconceptUri\tlang\tlabel\tnote\tbroader\n{uri}\tda\ttruckfører\tx\t\n"
    assert [(a.uri, a.label) for a in parse_local_additions(text, "x.tsv")] == [(uri, "truckfører")]
    assert parse_additions(text.encode(), "x.tsv")[0].version == "2026-11-21.1"


@pytest.mark.esco
def test_the_shipped_additions_validate_against_esco_111(esco_111: Taxonomy) -> None:
    check = validate_additions(SHIPPED, esco_111)
    assert [str(p) for p in check.errors] == []


def test_cli_additions_validate_and_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path / "data"), "taxonomy", "additions"]
    assert main([*base, "validate", str(FIXTURES / "local_additions_bad.tsv"), "--esco", str(MINI_ESCO),
                 "--lang", "en,da"]) == 1
    out = capsys.readouterr().out
    assert "error: local_additions_bad.tsv:6: bad language code 'DK'" in out
    assert main([*base, "load", str(FIXTURES / "local_additions_ok.tsv"), "--esco", str(MINI_ESCO),
                 "--lang", "en,da", "--json"]) == 0
    loaded = json.loads(capsys.readouterr().out)
    assert (loaded["version"], loaded["ok"], loaded["ontology_version"]) == ("2026-11-21.1", True, "1.1.0")
    # Against the store (no ESCO folder): the loaded additions are not "redundant" with themselves.
    assert main([*base, "validate", str(FIXTURES / "local_additions_ok.tsv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_validate_without_a_file_checks_the_additions_in_force(tmp_path: Path, mini_taxonomy: object,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    store = MemoryStore(tmp_path).open()
    store.upsert_taxonomy(mini_taxonomy)  # type: ignore[arg-type]
    store.close()
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOBMATCH_LOCAL_ADDITIONS", raising=False)
    code = main(["taxonomy", "additions", "validate"])
    out, err = capsys.readouterr()
    # The shipped file is validated (against the mini taxonomy most of its ESCO URIs are unknown: 1).
    assert code == 1 and "local_additions_da.tsv" in out and "no local additions file" not in err


def test_the_upgrade_command_is_an_event_of_the_audit_chain(store: MemoryStore, mini_replaced: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert store.data_dir is not None
    store.close()
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(store.data_dir))
    monkeypatch.setenv("JOBMATCH_READING_MODEL", "lexical")
    assert main(["taxonomy", "upgrade", str(mini_replaced), "--no-local-additions", "--lang", "en",
                 "--mapping", str(FIXTURES / "replacements.tsv")]) == 0
    capsys.readouterr()
    again = MemoryStore(store.data_dir).open()
    try:
        [event] = [r for r in again.audit_records(AuditQuery()) if r.strategy == "upgrade"]
        body = json.loads(event.body)["upgrade"]
        assert (body["from"], body["to"]) == ("1.1.0", "1.1.1") and event.actor.startswith("cli:")
    finally:
        again.close()
    assert main(["audit", "verify"]) == 0


def test_impact_rematches_every_cv_on_both_versions_and_reports_list_changes(store: MemoryStore,
                                                                          mini_new: Path) -> None:
    cvs = [_cv("cv-1", ("mini-rlang", "mini-sql")), _cv("cv-2", ("mini-sql",)), _cv("cv-3", ("mini-forklift",)),
           _cv("cv-4", ("mini-stock", "mini-sql"))]
    store.upsert_cvs(cvs)
    store.upsert_postings([_posting("p-1", ("mini-rlang", "essential")),
                           _posting("p-2", ("mini-sql", "essential")),
                           _posting("p-3", ("mini-forklift", "essential")),
                           _posting("p-4", ("mini-stock", "essential"), ("mini-teamwork", "optional"))])
    diff = diff_taxonomies(_mini(MINI_ESCO), _mini(mini_new))
    after = what_if_store(_mini(mini_new), store)
    report = impact_of(diff, store, store, days=90, now=NOW, after=after)

    # Links touched: a relabelled skill (cv-3), a removed one (cv-1, left stranded by the upgrade) and a
    # skill that became transversal (cv-4). Lists changed: only cv-4's — its stock-keeping is now a personal
    # competence, and the posting that asked only for it as essential leaves its list.
    assert [i.id for i in report.cvs] == ["cv-1", "cv-3", "cv-4"]
    changed = [c for c in report.rematched if c.changed]
    assert [(c.cv_id, c.before, c.after, c.left, c.entered) for c in changed] == [
        ("cv-4", ("p-2", "p-4"), ("p-2",), ("p-4",), ())]
    assert [c.cv_id for c in report.rematched] == ["cv-1", "cv-2", "cv-3", "cv-4"]
    counts = report.counts()
    assert (counts["cvs"]["touched"], counts["cvs"]["affected"], counts["cvs"]["lists_changed"]) == (3, 1, 1)
    assert (counts["postings"]["touched"], counts["postings"]["affected"]) == (3, 1)
    data = json.loads(json.dumps(report.as_json()))
    assert data["rematch"]["by_municipality"] == {"0101": {"cvs": 4, "changed": 1, "entered": 0, "left": 1, "moved": 0}}
    assert data["rematch"]["changed"][0]["left"] == ["p-4"]
    text = render_impact(report)
    assert "1 of 4 lists change" in text and "  0101                4        1        0      1      0" in text


def test_the_impact_command_rematches_with_the_upgrades_migrations(store: MemoryStore, mini_new: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store.upsert_cvs([_cv("cv-4", ("mini-stock", "mini-sql"))])
    store.upsert_postings([_posting("p-2", ("mini-sql", "essential")),
                           _posting("p-4", ("mini-stock", "essential"), ("mini-teamwork", "optional"))])
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(store.data_dir))
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    store.close()
    assert main(["taxonomy", "impact", str(MINI_ESCO), str(mini_new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["cvs"]["lists_changed"] == 1 and data["rematch"]["changed"][0]["cv_id"] == "cv-4"
    assert main(["taxonomy", "impact", str(MINI_ESCO), str(mini_new), "--json", "--no-rematch"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rematch"] is None and "lists_changed" not in data["counts"]["cvs"]
