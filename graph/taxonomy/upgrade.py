"""Upgrade the store to a new taxonomy version in place, migrating links to replaced concepts.

ESCO's CSV package carries no replacement mapping (no ``replacedBy`` column; ``status`` is ``released``
throughout 1.1.x), so a link to a URI the new version lacks is migrated by, in this order:

1. ``mapping``: the maintainer's TSV (``oldUri``, ``newUri``, optional ``note``), validated line by line;
2. ``label``: exactly one concept of the same kind, new in this version, has the same preferred label
   (case and spacing ignored), or, among several, exactly one also has the same code — ESCO 1.1.1 gave
   418 skill groups new URIs this way.

Anything else is listed as not migrated and left as it is: a link is never dropped silently.

Order, so nothing is half-done: read and plan everything first (the plan needs the *old* labels, which
the store forgets once the new version is loaded), then load the taxonomy (idempotent), then write the
changed CVs and postings in batches, each batch one transaction. Re-running finds nothing left to
migrate and the same version already active, and writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from graph.accountability.audit import Actor
from graph.accountability.writes import MIGRATED, write_cvs, write_postings
from graph.ledger import Ledger
from graph.records import CvRecord, CvSkill, OntologyVersion, PostingRecord, PostingRequirement
from graph.store import Store
from graph.taxonomy.impact import PAGE, cv_links, fetch_pages, posting_links
from ontology.errors import ValidationError
from ontology.esco_csv import ESCO_URI
from ontology.local_additions import LOCAL_NAMESPACE, LOCAL_URI, Problem
from ontology.model import Concept, RequirementKind, Taxonomy

Method = Literal["mapping", "label"]
Owner = Literal["cv", "posting"]
# The kind a link's target must have, by the link's role.
_ROLE_KIND: Mapping[str, str] = {"skill": "Skill", "requirement": "Skill", "seeks": "Occupation",
                                 "worked_as": "Occupation", "occupation": "Occupation"}
MAPPING_COLUMNS = ("oldUri", "newUri", "note")
# route(owner, item id, role, uri) -> the URI the link points at after the upgrade
_Route = Callable[[Owner, str, str, str], str]


class MappingError(ValidationError):
    """A replacement mapping file cannot be used; ``detail`` names the file and line of each problem."""

    title = "Invalid replacement mapping"


@dataclass(frozen=True, slots=True)
class Replacement:
    old: str
    new: str
    method: Method
    evidence: str  # "mapping.tsv:3", or the label both concepts share


@dataclass(frozen=True, slots=True)
class MigratedLink:
    owner: Owner
    id: str
    role: str
    old: str
    new: str
    method: Method
    evidence: str


@dataclass(frozen=True, slots=True)
class StrandedLink:
    """A link to a concept the new version lacks, left as it is because no replacement was found."""

    owner: Owner
    id: str
    role: str
    uri: str
    label: str
    reason: str


@dataclass(frozen=True)
class UpgradePlan:
    """What an upgrade will write: the rewritten records, and every link it migrates or cannot."""

    from_version: str
    to_version: str
    load_taxonomy: bool
    cvs: tuple[CvRecord, ...]
    postings: tuple[PostingRecord, ...]
    migrated: tuple[MigratedLink, ...]
    stranded: tuple[StrandedLink, ...]


@dataclass(frozen=True)
class UpgradeReport:
    plan: UpgradePlan
    dry_run: bool
    taxonomy_loaded: bool
    cvs_updated: int
    postings_updated: int
    versions: tuple[OntologyVersion, ...]

    @property
    def writes(self) -> int:
        return int(self.taxonomy_loaded) + self.cvs_updated + self.postings_updated

    def as_json(self) -> dict[str, Any]:
        p = self.plan
        by_method: dict[str, int] = {}
        for m in p.migrated:
            by_method[m.method] = by_method.get(m.method, 0) + 1
        return {
            "from_version": p.from_version, "to_version": p.to_version, "dry_run": self.dry_run,
            "taxonomy_loaded": self.taxonomy_loaded, "cvs_updated": self.cvs_updated,
            "postings_updated": self.postings_updated,
            "migrated_by_method": by_method,
            "migrated": [dataclasses.asdict(m) for m in p.migrated],
            "not_migrated": [dataclasses.asdict(s) for s in p.stranded],
            "versions": [{"version": v.version, "checksum": v.checksum, "loaded_at": v.loaded_at,
                          "source": v.source, "active": v.active} for v in self.versions],
        }


# -- the mapping file -------------------------------------------------------------------------------
def read_mapping(path: Path) -> dict[str, tuple[str, int]]:
    """Read a replacement mapping TSV: ``oldUri -> (newUri, line)``. ``#`` lines are comments.

    :raise MappingError: naming the line of every problem (missing file or column, malformed URI, an
        old URI mapped twice, a URI mapped to itself).
    """
    if not path.is_file():
        raise MappingError(f"mapping file not found: {path}", field="mapping")
    problems: list[Problem] = []
    out: dict[str, tuple[str, int]] = {}
    header: list[str] | None = None
    for n, raw in enumerate(path.read_text("utf-8-sig").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in raw.split("\t")]
        if header is None:
            header = cells
            if not {"oldUri", "newUri"} <= set(header):
                raise MappingError(f"{path.name}:{n}: missing column(s) oldUri / newUri "
                                   f"(expected {' / '.join(MAPPING_COLUMNS)})", field="mapping")
            continue
        row = dict(zip(header, cells, strict=False))
        old, new = row.get("oldUri", ""), row.get("newUri", "")
        bad = [u for u in (old, new) if not (ESCO_URI.match(u) or LOCAL_URI.match(u))]
        if bad:
            problems.append(Problem(path.name, n, f"malformed URI {bad[0]!r}"))
        elif old == new:
            problems.append(Problem(path.name, n, f"{old} is mapped to itself"))
        elif old in out:
            problems.append(Problem(path.name, n, f"{old} is mapped twice (first on line {out[old][1]})"))
        else:
            out[old] = (new, n)
    _raise(problems)
    return out


def _raise(problems: Sequence[Problem]) -> None:
    if problems:
        raise MappingError(f"{len(problems)} problem(s) in the replacement mapping:\n  "
                           + "\n  ".join(str(p) for p in problems), field="mapping")


# -- planning -----------------------------------------------------------------------------------------
def plan_upgrade(
    store: Store,
    new: Taxonomy,
    *,
    mapping: Mapping[str, tuple[str, int]] | None = None,
    mapping_source: str = "mapping",
    old: Taxonomy | None = None,
    lang: str = "en",
    page: int = PAGE,
) -> UpgradePlan:
    """Plan the upgrade of ``store`` to ``new`` without writing anything.

    Old labels (for the label heuristic) come from ``old`` if given, else from the store's active
    taxonomy — so plan before loading ``new``.

    :raise MappingError: if a mapping line points at a concept ``new`` lacks, or at one of the wrong kind
        for a link it would migrate.
    """
    mapping = mapping or {}
    _check_mapping_targets(mapping, mapping_source, new)
    versions = store.ontology_versions()
    active = versions[-1] if versions else None
    load = active is None or (active.version, active.checksum) != (new.version, new.checksum)

    live = set(new.concepts)
    cvs = [cv for cv in fetch_pages(store.get_cvs, store.cv_ids(), page) if _stale(cv_links(cv), live)]
    posting_ids = store.posting_ids()
    postings = [p for p in fetch_pages(store.get_postings, posting_ids, page) if _stale(posting_links(p), live)]
    stale = {uri for cv in cvs for _r, uri in cv_links(cv) if uri not in live}
    stale |= {uri for p in postings for _r, uri in posting_links(p) if uri not in live}

    old_concepts = dict(old.concepts) if old is not None else store.concepts(sorted(stale))
    replacements, reasons = _resolve(stale, old_concepts, new, old, store, mapping, mapping_source, lang)

    migrated: list[MigratedLink] = []
    stranded: list[StrandedLink] = []

    def route(owner: Owner, item_id: str, role: str, uri: str) -> str:
        """The URI this link should point at after the upgrade, recording what happened to it."""
        if uri in live:
            return uri
        r = replacements.get(uri)
        if r is not None:
            # A label match has the old concept's kind by construction; a mapping line is the
            # maintainer's word, so check it: the old concept's kind, else what the link's role needs.
            expected = old_concepts[uri].kind if uri in old_concepts else _ROLE_KIND[role]
            if r.method == "mapping" and new.concepts[r.new].kind != expected:
                raise MappingError(f"{r.evidence}: {r.new} is of kind {new.concepts[r.new].kind}, but {uri} "
                                   f"({role} of {owner} {item_id}) needs a {expected}", field="mapping")
            migrated.append(MigratedLink(owner, item_id, role, uri, r.new, r.method, r.evidence))
            return r.new
        label = old_concepts[uri].label(lang) if uri in old_concepts else uri
        stranded.append(StrandedLink(owner, item_id, role, uri, label, reasons[uri]))
        return uri

    new_cvs = [c for c in (_rewrite_cv(cv, route) for cv in cvs) if c is not None]
    new_postings = [p for p in (_rewrite_posting(p, route) for p in postings) if p is not None]
    return UpgradePlan(
        from_version=active.version if active else "", to_version=new.version, load_taxonomy=load,
        cvs=tuple(new_cvs), postings=tuple(new_postings), migrated=tuple(migrated), stranded=tuple(stranded),
    )


def _check_mapping_targets(mapping: Mapping[str, tuple[str, int]], source: str, new: Taxonomy) -> None:
    problems = [Problem(source, line, f"newUri {target} is not in ESCO {new.version}")
                for _old, (target, line) in sorted(mapping.items(), key=lambda kv: kv[1][1])
                if target not in new.concepts]
    _raise(problems)


def _norm(label: str) -> str:
    return " ".join(label.split()).casefold()


def _resolve(
    stale: set[str], old_concepts: Mapping[str, Concept], new: Taxonomy, old: Taxonomy | None, store: Store,
    mapping: Mapping[str, tuple[str, int]], mapping_source: str, lang: str,
) -> tuple[dict[str, Replacement], dict[str, str]]:
    """A replacement for each stale URI that has one; a reason for each that has none."""
    by_label: dict[tuple[str, str], list[str]] = {}
    for c in new.concepts.values():
        ls = c.labels.get(lang)
        # Stubs count: ESCO 1.1.1 uses 7 skill groups it forgot to list, and they are real nodes there.
        if ls and ls.preferred:
            by_label.setdefault((c.kind, _norm(ls.preferred)), []).append(c.uri)
    candidates: dict[str, list[str]] = {}
    for uri in stale:
        before = old_concepts.get(uri)
        old_ls = before.labels.get(lang) if before is not None else None
        if before is not None and old_ls is not None and old_ls.preferred and uri not in mapping:
            candidates[uri] = sorted(by_label.get((before.kind, _norm(old_ls.preferred)), []))
    # "New in this version": unknown to the old taxonomy (or to the store, which still holds it).
    every = sorted({u for cands in candidates.values() for u in cands})
    known_before = set(old.concepts) & set(every) if old is not None else set(store.concepts(every))
    replacements: dict[str, Replacement] = {}
    reasons: dict[str, str] = {}
    for uri in sorted(stale):
        if uri in mapping:
            target, line = mapping[uri]
            replacements[uri] = Replacement(uri, target, "mapping", f"{mapping_source}:{line}")
            continue
        if uri.startswith(LOCAL_NAMESPACE):
            reasons[uri] = "local concept not in the new taxonomy (load the local additions with it)"
            continue
        if uri not in old_concepts:
            reasons[uri] = (f"not in ESCO {new.version}, and the old concept is not known to the store "
                            "(give the old package with --from, or a mapping)")
            continue
        fresh = [u for u in candidates.get(uri, []) if u not in known_before]
        label, code = old_concepts[uri].label(lang), old_concepts[uri].code
        same_code = [u for u in fresh if code and new.concepts[u].code == code]
        if len(fresh) == 1:
            replacements[uri] = Replacement(uri, fresh[0], "label", f'same preferred label "{label}" [{lang}]')
        elif len(same_code) == 1:
            # ESCO reuses a skill group's label on several levels (S1, S1.0, S1.0.0); the code tells them apart.
            replacements[uri] = Replacement(uri, same_code[0], "label",
                                            f'same preferred label "{label}" [{lang}] and code {code}')
        elif fresh:
            reasons[uri] = f'ambiguous: {len(fresh)} new concepts are labelled "{label}": {", ".join(fresh)}'
        else:
            reasons[uri] = f"removed in ESCO {new.version}; no mapping line and no new concept labelled \"{label}\""
    return replacements, reasons


def _stale(links: Iterable[tuple[str, str]], live: set[str]) -> bool:
    return any(uri not in live for _role, uri in links)


# -- rewriting records ------------------------------------------------------------------------------
def _rewrite_cv(cv: CvRecord, route: _Route) -> CvRecord | None:
    """The CV with its links routed; a skill reached twice keeps one entry with all its evidence
    (as :func:`graph.matching.match.cv_skill_map` reads it). None if nothing changes."""
    skills: dict[str, CvSkill] = {}
    for s in cv.skills:
        uri = route("cv", cv.id, "skill", s.skill)
        cur = skills.get(uri)
        skills[uri] = (dataclasses.replace(s, skill=uri) if cur is None
                       else dataclasses.replace(cur, evidence=cur.evidence + s.evidence))
    seeks = tuple(dict.fromkeys(route("cv", cv.id, "seeks", o) for o in cv.seeks))
    worked_as = tuple(dataclasses.replace(w, occupation=route("cv", cv.id, "worked_as", w.occupation))
                      for w in cv.worked_as)
    out = dataclasses.replace(cv, skills=tuple(skills[u] for u in sorted(skills)), seeks=seeks, worked_as=worked_as)
    return None if out == cv else out


def _rewrite_posting(p: PostingRecord, route: _Route) -> PostingRecord | None:
    """The posting with its links routed; a skill required twice keeps one requirement, essential if
    either was, with all the evidence. None if nothing changes."""
    reqs: dict[str, PostingRequirement] = {}
    for r in p.requirements:
        uri = route("posting", p.id, "requirement", r.skill)
        cur = reqs.get(uri)
        if cur is None:
            reqs[uri] = dataclasses.replace(r, skill=uri)
        else:
            kind: RequirementKind = "essential" if "essential" in (cur.kind, r.kind) else "optional"
            reqs[uri] = dataclasses.replace(cur, kind=kind, evidence=cur.evidence + r.evidence)
    occupation = route("posting", p.id, "occupation", p.occupation) if p.occupation else ""
    out = dataclasses.replace(p, requirements=tuple(reqs.values()), occupation=occupation)
    return None if out == p else out


# -- applying -----------------------------------------------------------------------------------------
def apply_upgrade(store: Store, new: Taxonomy, plan: UpgradePlan, *, ledger: Ledger, actor: Actor,
                  page: int = PAGE) -> UpgradeReport:
    """Write ``plan``: the taxonomy (unless already active), then CVs and postings in batches of ``page``,
    each document's write an event in ``ledger`` ("migrated", by ``actor``).

    :raise StoreUnavailableError: if the store fails; completed batches stay, and re-planning picks up
        what is left.
    """
    if plan.load_taxonomy:
        store.upsert_taxonomy(new)
    for start in range(0, len(plan.cvs), page):
        write_cvs(store, ledger, plan.cvs[start:start + page], actor, action=MIGRATED)
    for start in range(0, len(plan.postings), page):
        write_postings(store, ledger, plan.postings[start:start + page], actor, action=MIGRATED)
    return UpgradeReport(plan=plan, dry_run=False, taxonomy_loaded=plan.load_taxonomy,
                         cvs_updated=len(plan.cvs), postings_updated=len(plan.postings),
                         versions=tuple(store.ontology_versions()))


def upgrade(
    store: Store, new: Taxonomy, *, ledger: Ledger, actor: Actor, mapping_path: Path | None = None,
    old: Taxonomy | None = None, lang: str = "en", dry_run: bool = False, page: int = PAGE,
) -> UpgradeReport:
    """Plan and (unless ``dry_run``) apply the upgrade of ``store`` to ``new``.

    :raise MappingError: if the mapping file is invalid (nothing is written).
    """
    mapping = read_mapping(mapping_path) if mapping_path is not None else {}
    plan = plan_upgrade(store, new, mapping=mapping, mapping_source=mapping_path.name if mapping_path else "",
                        old=old, lang=lang, page=page)
    if dry_run:
        return UpgradeReport(plan=plan, dry_run=True, taxonomy_loaded=False, cvs_updated=0, postings_updated=0,
                             versions=tuple(store.ontology_versions()))
    return apply_upgrade(store, new, plan, ledger=ledger, actor=actor, page=page)


def render_upgrade(report: UpgradeReport, limit: int = 50) -> str:
    """The report as text: what was written, each migrated link with its method, each link left as is."""
    p = report.plan
    verb = "would" if report.dry_run else "did"
    loaded = p.load_taxonomy if report.dry_run else report.taxonomy_loaded
    out = [f"Upgrade {p.from_version or '(empty store)'} → {p.to_version}" + (" (dry run: nothing written)"
                                                                              if report.dry_run else ""),
           f"  taxonomy: {'loaded' if loaded else 'already active, not reloaded'}",
           f"  {verb} update {len(p.cvs):,} CV(s) and {len(p.postings):,} posting(s)"]
    out.append(f"  links migrated: {len(p.migrated):,} "
               f"(mapping {sum(m.method == 'mapping' for m in p.migrated):,}, "
               f"label {sum(m.method == 'label' for m in p.migrated):,}); not migrated: {len(p.stranded):,}")
    out.append("  versions: " + ", ".join(_version_name(v) for v in report.versions))

    def section(title: str, lines: list[str]) -> None:
        if lines:
            out.extend(["", f"{title} ({len(lines):,})"])
            out.extend(lines if limit <= 0 else lines[:limit])
            if 0 < limit < len(lines):
                out.append(f"  … and {len(lines) - limit:,} more (--json lists all)")

    section("Migrated links", [f"  {m.owner} {m.id} {m.role}: {m.old} → {m.new}  [{m.method}: {m.evidence}]"
                               for m in p.migrated])
    section("Not migrated (left as they are)", [f"  {s.owner} {s.id} {s.role}: {s.uri} \"{s.label}\" — {s.reason}"
                                                for s in p.stranded])
    return "\n".join(out) + "\n"


def _version_name(v: OntologyVersion) -> str:
    """``1.1.1``, with the local additions loaded with it and whether it is the active one."""
    additions = v.source.rpartition(" + local additions ")[2] if " + local additions " in v.source else ""
    return v.version + (f" + {additions}" if additions else "") + (" (active)" if v.active else "")
