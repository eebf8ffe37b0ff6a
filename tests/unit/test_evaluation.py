"""``jobmatch evaluate placements``: hand-computed figures, the temporal replay, seeded statistics,
bad lines, the groups file kept away from matching, document formats, and generated placements.

The fixture (tests/fixtures/evaluation) is five cases over the mini ESCO taxonomy, everyone living in
København Ø (2100) with a 20 km radius, postings in Frederiksberg unless said otherwise:

====  ==========  ========================  =====================  ================  ==================
case  hired on    CV (skills; desired)      hired into             graph list        automatch list
====  ==========  ========================  =====================  ================  ==================
c1    2026-02-10  cook skills; cook         p-cook-a (cook)        cook-a, porter    cook-a, porter
c2    2026-02-20  porter+cook; kitchen      p-cook-a (cook)        porter, cook-a    porter
c3    2026-03-15  dev skills; softdev       p-web (webdev, 2512)   dev, web          dev, porter
c4    2026-04-10  shop; title only          occupation shop only   shop              shop, porter
c5    2026-06-01  cook skills; cook         p-cook-b (inline)      cook-b, porter    cook-b, porter
====  ==========  ========================  =====================  ================  ==================

Why: graph ranks a desired-occupation posting covering all essentials first (c1, c5), the porter
posting (desired, 2/2 essentials) above cook-a (no occupation fit) for c2, and web (same ISCO unit
group, partial skills) below dev for c3; c4 has no desired occupation, so only the shop posting
shares skills. automatch lists title/desired-occupation matches, then unskilled jobs (the porter,
ISCO 9): "Web designer" matches none of softdev's labels and "Cook" none of the porter's.
p-cook-old (a perfect cook posting in 2100 itself) closed 2026-01-31: before every hire.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import api.cli.evaluation as evaluation_cli
from api.cli import main
from graph.backends.memory.graph_store import MemoryStore
from graph.evaluation import (
    STRATEGIES,
    Options,
    RecordShapeReader,
    collect_cases,
    collect_postings,
    evaluate,
    load_postings,
    read_groups,
    replay,
)
from graph.evaluation.splits import random_split, temporal_split
from graph.evaluation.stats import bootstrap_mean, mcnemar_exact, sign_flip_p, wilson
from graph.ledger import Feedback
from graph.matching.alternatives import find_alternatives
from graph.matching.explain import MatchResult
from graph.matching.geo import Gazetteer
from loaders.documents import RawDocument, read_documents
from loaders.placements import generate_placements
from loaders.synthetic import Generator
from ontology.model import Taxonomy
from tests.fixtures.documents.keyword_extractor import KeywordExtractor
from tests.matching_data import O

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "evaluation"
GEO = Path(__file__).resolve().parent.parent / "fixtures" / "documents" / "geo"
PLACEMENTS, POSTINGS, GROUPS = FIX / "placements.jsonl", FIX / "postings.jsonl", FIX / "groups.csv"
KS = "1,2,5"


@pytest.fixture
def data_dir(tmp_path: Path, mini_taxonomy: Taxonomy) -> Path:
    """The configured (embedded) store: the mini taxonomy and three consultants' verdicts."""
    path = tmp_path / "data"
    store = MemoryStore(path).open()
    store.upsert_taxonomy(mini_taxonomy)
    for i, (verdict, strategy) in enumerate([("useful", "graph"), ("applied", "graph"), ("not_useful", "automatch")]):
        store.add_feedback(Feedback(id=f"f{i}", at=f"2026-03-0{i + 1}T10:00:00+00:00", recommendation_id=f"r{i}",
                                    cv_id="cv1", target="p-cook-a", verdict=verdict, reason="", actor="t1",
                                    municipality="0101", strategy=strategy))
    store.close()
    return path


@pytest.fixture
def sandbox(mini_taxonomy: Taxonomy) -> Iterator[MemoryStore]:
    """A store holding the fixture corpus plus the posting c5 gives inline, as the command builds it."""
    store = MemoryStore(None).open()
    store.upsert_taxonomy(mini_taxonomy)
    corpus, rejected, _ = collect_postings(read_documents(POSTINGS), RecordShapeReader(), str(POSTINGS))
    assert not rejected
    cases = collect_cases(read_documents(PLACEMENTS), RecordShapeReader(), set(corpus), str(PLACEMENTS))
    load_postings(store, [*corpus.values(), *cases.inline_postings.values()])
    yield store
    store.close()


def _cases() -> list[Any]:
    corpus, _, _ = collect_postings(read_documents(POSTINGS), RecordShapeReader(), str(POSTINGS))
    return collect_cases(read_documents(PLACEMENTS), RecordShapeReader(), set(corpus), str(PLACEMENTS)).cases


def _run(data_dir: Path, out: Path, *extra: str, placements: Path = PLACEMENTS, postings: Path = POSTINGS) -> int:
    return main(["--data-dir", str(data_dir), "evaluate", "placements", str(placements), "--postings", str(postings),
                 "--k", KS, "--out", str(out), "--resamples", "500", "--permutations", "1000", *extra])


def _fig(count: int, n: int) -> dict[str, Any]:
    """A share as the report states it, with the Wilson interval computed here from its formula."""
    z = 1.959963984540054
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return {"value": round(p, 6), "count": count, "n": n, "method": "wilson",
            "ci": [round(max(0.0, centre - half), 6), round(min(1.0, centre + half), 6)]}


def _shares(fig: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {k: (v["count"], v["n"]) for k, v in fig.items() if k.startswith("hit@")}


# -- the figures, by hand ------------------------------------------------------------------------
def test_command_figures_match_hand_computation(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(data_dir, out, "--groups", str(GROUPS)) == 0
    report = json.loads((out / "report.json").read_text("utf-8"))
    pop = report["populations"]["all"]
    graph, auto = pop["strategies"]["graph"], pop["strategies"]["automatch"]

    # Posting figures: c1, c2, c3, c5 (c4 has no posting). graph ranks 1, 2, 2, 1; automatch 1, -, -, 1.
    assert pop["posting_cases"] == 4 and pop["occupation_cases"] == 5
    assert _shares(graph["posting"]) == {"hit@1": (2, 4), "hit@2": (4, 4), "hit@5": (4, 4)}
    assert _shares(auto["posting"]) == {"hit@1": (2, 4), "hit@2": (2, 4), "hit@5": (2, 4)}
    assert graph["posting"]["mrr"]["value"] == (1 + 1 / 2 + 1 / 2 + 1) / 4 == 0.75
    assert auto["posting"]["mrr"]["value"] == (1 + 0 + 0 + 1) / 4
    # Occupation: c1 cook 1, c2 cook 2, c3 webdev 2, c4 shop 1, c5 cook 1 | automatch 1, -, -, 1, 1.
    assert _shares(graph["occupation"]) == {"hit@1": (3, 5), "hit@2": (5, 5), "hit@5": (5, 5)}
    assert _shares(auto["occupation"]) == {"hit@1": (3, 5), "hit@2": (3, 5), "hit@5": (3, 5)}
    # ISCO unit group: p-dev is 2512 like webdev, so c3 counts at rank 1 for both strategies.
    assert _shares(graph["isco_unit_group"]) == {"hit@1": (4, 5), "hit@2": (5, 5), "hit@5": (5, 5)}
    assert _shares(auto["isco_unit_group"]) == {"hit@1": (4, 5), "hit@2": (4, 5), "hit@5": (4, 5)}
    assert graph["coverage"] == auto["coverage"] == _fig(5, 5)
    assert graph["posting"]["hit@1"] == _fig(2, 4)

    # Widened horizon: c2 (kitchen → cook) and c3 (softdev → webdev) were hired outside their desired
    # occupation (c4 names none). Alternatives name cook for c2; webdev shares c3's unit group, so the
    # alternatives (outside the focus by design) cannot name it.
    hz = pop["horizon"]
    assert hz["hired_outside_desired"] == _fig(2, 4)
    assert hz["alternatives_named_hire"] == _fig(1, 2)
    assert hz["alternatives_named_hire_outside_focus"] == _fig(1, 1)
    assert hz["no_desired_occupation_recorded"] == 1

    # Paired: graph alone finds c2 and c3 at k=2 → 2 discordant cases, exact McNemar p = 2·(1/2)² = 0.5.
    cmp = {c["metric"]: c for c in pop["comparisons"]}
    hit2 = cmp["posting hit@2"]
    assert (hit2["a"], hit2["b"], hit2["a_only"], hit2["b_only"], hit2["difference"], hit2["p"]) == (
        "graph", "automatch", 2, 0, 0.5, 0.5)
    assert cmp["posting hit@1"]["p"] == 1.0
    assert cmp["posting mrr"]["difference"] == 0.25

    # Temporal split: 70 % of 5 cases → the 4th hiring date (2026-04-10) is the cut; c5 alone is later.
    assert report["split"]["parts"] == {"earlier": 4, "later": 1}
    assert report["headline"] == {"population": "later", "k": 2}
    later = report["populations"]["later"]["strategies"]["graph"]
    assert later["posting"]["hit@1"] == _fig(1, 1)
    assert _shares(report["populations"]["earlier"]["strategies"]["graph"]["posting"])["hit@1"] == (1, 3)

    # Groups: kitchen = c1, c2, c5; office = c3, c4 (no posting).
    team = report["groups"]["columns"]["team"]
    assert team["kitchen"]["cases"] == 3 and team["office"]["cases"] == 2
    assert team["kitchen"]["strategies"]["automatch"]["posting"]["hit@2"] == _fig(2, 3)
    assert team["office"]["strategies"]["graph"]["posting"]["hit@2"] == _fig(1, 1)

    # Consultants' feedback from the configured store.
    use = report["usefulness"]["strategies"]
    assert use["graph"]["counts"] == {"useful": 1, "not_useful": 0, "discussed": 0, "applied": 1,
                                          "dismissed": 0, "flagged": 0}
    assert use["graph"]["useful_or_applied"] == _fig(2, 2)
    assert use["automatch"]["not_useful"] == _fig(1, 1)

    # Versions: c3 names ESCO 1.0.9, which was never loaded.
    onto = report["versions"]["ontology"]
    assert onto["used"] == "1.1.0" and onto["named_not_loaded"] == {"1.0.9": 1}
    assert any("1.0.9" in note and "not loaded" in note for note in onto["notes"])
    assert report["versions"]["algorithms"]["graph"]["algorithm_version"]

    # The per-case file and the readable report agree with the figures.
    rows = [json.loads(x) for x in (out / "cases.jsonl").read_text("utf-8").splitlines()]
    ranks = {r["case_id"]: r["strategies"] for r in rows}
    assert [ranks[c]["graph"]["posting_rank"] for c in ("c1", "c2", "c3", "c4", "c5")] == [1, 2, 2, 0, 1]
    assert [ranks[c]["automatch"]["posting_rank"] for c in ("c1", "c2", "c3", "c4", "c5")] == [1, 0, 0, 0, 1]
    md = (out / "report.md").read_text("utf-8")
    assert "| obtained posting in top 2 | 100.0 % (51.0–100.0) | 50.0 % (15.0–85.0) |" in md
    assert "not loaded" in md and "generated" in md and "lower bound" in md
    for chart in report["charts"]:
        assert (out / chart).read_text("utf-8").startswith("<svg") and f"]({chart})" in md
    assert "group-team-posting.svg" in report["charts"] and "hitk-posting-all.svg" in report["charts"]


# -- the temporal replay -----------------------------------------------------------------------------
def test_replay_never_uses_a_posting_not_valid_on_the_hiring_date(sandbox: MemoryStore) -> None:
    c1 = next(c for c in _cases() if c.case_id == "c1")
    # While p-cook-old was open (until 2026-01-31) it ranks first for c1: same skills, in c1's own postcode.
    earlier = replay(sandbox, [replace(c1, hired_on="2026-01-20")], STRATEGIES, depth=5, alternatives=None)
    assert earlier.outcomes[0].listings["graph"].suggested[0] == "p-cook-old"
    # On the real hiring date it is gone and the obtained posting is first.
    result = replay(sandbox, _cases(), STRATEGIES, depth=5, alternatives=None)
    c1_out = next(o for o in result.outcomes if o.case_id == "c1")
    assert "p-cook-old" not in c1_out.listings["graph"].suggested
    assert c1_out.listings["graph"].posting_rank == 1
    # And in general: every suggestion of every strategy was open on that case's hiring date.
    records = sandbox.get_postings(pid for o in result.outcomes for x in o.listings.values() for pid in x.suggested)
    for o in result.outcomes:
        for listing in o.listings.values():
            for pid in listing.suggested:
                assert records[pid].published <= o.hired_on <= records[pid].valid_through, (o.case_id, pid)


def test_a_hire_whose_posting_had_closed_is_left_out_of_posting_figures(sandbox: MemoryStore) -> None:
    c1 = next(c for c in _cases() if c.case_id == "c1")
    late = replace(c1, case_id="late", hired_on="2026-04-15")  # p-cook-a closed 2026-03-31
    outcome = replay(sandbox, [late], STRATEGIES, depth=5, alternatives=None).outcomes[0]
    assert outcome.posting_status == "not_open"
    assert outcome.occupation == O("cook")  # still counts for the occupation figures


# -- seeded statistics ---------------------------------------------------------------------------
def test_comparisons_and_intervals_are_reproducible_with_a_seed(sandbox: MemoryStore) -> None:
    cases = _cases()
    a = evaluate(sandbox, cases, Options(ks=(1, 2, 5), seed=11, resamples=500, permutations=500))
    b = evaluate(sandbox, cases, Options(ks=(1, 2, 5), seed=11, resamples=500, permutations=500))
    assert a.report["populations"] == b.report["populations"]

    rng = np.random.default_rng(0)
    values = rng.random(200)
    diffs = rng.normal(0.02, 0.3, 300)
    assert bootstrap_mean(values, seed=3) == bootstrap_mean(values, seed=3)
    assert bootstrap_mean(values, seed=3) != bootstrap_mean(values, seed=4)
    assert sign_flip_p(diffs, seed=3) == sign_flip_p(diffs, seed=3)
    parts = random_split(a.outcomes, seed=5)
    assert [o.case_id for o in parts.second] == [o.case_id for o in random_split(b.outcomes, seed=5).second]


def test_statistics_against_known_values() -> None:
    # Wilson 95 % for 8/10 (Newcombe 1998, table I): 0.4902–0.9433.
    ci = wilson(8, 10)
    assert ci is not None and (round(ci.low, 4), round(ci.high, 4)) == (0.4902, 0.9433)
    assert wilson(0, 0) is None
    # McNemar exact: 0 vs 5 discordant → 2·(1/2)^5; symmetric; none discordant → 1.
    assert mcnemar_exact(0, 5) == 2 / 32 == mcnemar_exact(5, 0)
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(6000, 6000) == 1.0  # integer arithmetic: no underflow for large counts
    # Sign flips of (1, 1, 1, 1, 1): only the all-positive and all-negative flips are as extreme: p ≈ 2/32.
    assert sign_flip_p(np.ones(5), seed=1, permutations=20_000) == pytest.approx(2 / 32, abs=0.01)
    assert sign_flip_p(np.zeros(5), seed=1) == 1.0


def test_temporal_split_puts_whole_days_on_one_side(sandbox: MemoryStore) -> None:
    outcomes = replay(sandbox, _cases(), STRATEGIES, depth=2, alternatives=None).outcomes
    sp = temporal_split(outcomes, cut="2026-03-15")
    assert {o.case_id for o in sp.first} == {"c1", "c2", "c3"}
    assert all(o.hired_on > "2026-03-15" for o in sp.second)


# -- bad input -----------------------------------------------------------------------------------------
BAD_PLACEMENTS = [
    (2, ""), (3, "/hired_on"), (4, "/hired_on"), (5, "/hired/posting_id"), (6, "/postings_file"), (7, "/case_id"),
    (8, "/cv/lat"), (9, "/hired/occupation"), (10, "/hired/posting/valid_through"), (12, "/hired/occupation"),
    (13, "/cv/skills/0/skill"),
]
BAD_POSTINGS = [(3, "/published"), (4, "/id"), (5, "")]


def test_bad_lines_are_reported_while_good_ones_are_evaluated(data_dir: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = _run(data_dir, out, placements=FIX / "placements_bad.jsonl", postings=FIX / "postings_bad.jsonl")
    assert code == 1  # some lines rejected, the rest evaluated
    report = json.loads((out / "report.json").read_text("utf-8"))
    rejected = report["rejected"]["lines"]
    assert [(r["line"], r["field"]) for r in rejected if r["file"].endswith("placements_bad.jsonl")] == BAD_PLACEMENTS
    assert [(r["line"], r["field"]) for r in rejected if r["file"].endswith("postings_bad.jsonl")] == BAD_POSTINGS
    assert report["inputs"]["cases_replayed"] == 2  # lines 1 and 11
    assert report["populations"]["all"]["strategies"]["graph"]["posting"]["hit@1"]["n"] == 2
    err = capsys.readouterr().err
    assert "placements_bad.jsonl: line 5: /hired/posting_id: no posting with this id" in err
    assert "postings_bad.jsonl: line 3: /published: required" in err
    # Reasons name fields, never values.
    assert "p-nope" not in err and "mini-astronaut" not in err


def test_unusable_input_is_an_error_not_a_report(data_dir: Path, tmp_path: Path) -> None:
    assert _run(data_dir, tmp_path / "o1", "--k", "0") == 2
    assert _run(data_dir, tmp_path / "o2", "--strategy", "graph,magic") == 2
    assert _run(data_dir, tmp_path / "o3", placements=tmp_path / "missing.jsonl") == 2
    assert not (tmp_path / "o1").exists()


# -- the groups file never reaches matching ------------------------------------------------------------
def test_groups_never_reach_matching(sandbox: MemoryStore, tmp_path: Path) -> None:
    sentinel = "GROUP-SENTINEL"
    groups_file = tmp_path / "groups.jsonl"
    groups_file.write_text("".join(json.dumps({"case_id": c, "band": f"{sentinel}-{c}"}) + "\n"
                                   for c in ("c1", "c2", "c3", "c4", "c5")), "utf-8")
    seen: list[str] = []

    def recording(fn: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> MatchResult:
            seen.append(repr(args[1:]) + repr(kwargs))  # everything but the store
            result: MatchResult = fn(*args, **kwargs)
            return result
        return wrapped

    options = Options(ks=(1, 2, 5), resamples=200, permutations=200)
    strategies = {name: recording(fn) for name, fn in STRATEGIES.items()}
    with_groups = evaluate(sandbox, _cases(), options, groups=read_groups(groups_file), strategies=strategies,
                           alternatives=recording(find_alternatives))
    assert seen and not any(sentinel in call for call in seen)
    assert with_groups.report["groups"]["columns"]["band"][f"{sentinel}-c1"]["cases"] == 1  # it was used, after
    without = evaluate(sandbox, _cases(), options)
    assert [o.listings for o in with_groups.outcomes] == [o.listings for o in without.outcomes]
    assert with_groups.report["populations"] == without.report["populations"]
    # Structurally: the replay takes no groups at all.
    assert not any("group" in p for p in inspect.signature(replay).parameters)


# -- document formats plug in through ingestion ---------------------------------------------------------
def test_placements_in_document_formats_go_through_ingestion(data_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cv_doc = {"id": "0101-A1", "municipality": "0101", "postcode": "2100", "max_km": 20,
              "desired_occupations": [O("cook")], "name": "Mette Hansen",
              "profile": "I prepare meat dishes and prepare vegetables. I comply with food safety and hygiene."}
    posting_doc = {"id": "77", "source": "jobnet", "title": "Cook", "employer": "Kro A/S",
                   "text": "Krav: prepare meat dishes. Krav: prepare vegetables. Krav: food safety.",
                   "location": {"postcode": "2300"}, "published": "2026-02-01", "valid_through": "2026-03-01",
                   "occupation": O("cook")}
    placements = tmp_path / "docs.jsonl"
    placements.write_text(json.dumps({"case_id": "d1", "cv": cv_doc, "hired": {"posting": posting_doc},
                                      "hired_on": "2026-02-10"}) + "\n", "utf-8")
    monkeypatch.setenv("JOBMATCH_GEO_DIR", str(GEO))
    monkeypatch.setenv("JOBMATCH_PSEUDONYM_KEY", "evaluation-test-key-0123456789abcdef")
    monkeypatch.setattr(evaluation_cli, "extractor_for", lambda store, _extra=None, _reading=None: KeywordExtractor.from_store(store))
    out = tmp_path / "out"
    assert _run(data_dir, out, placements=placements) == 0
    case = json.loads((out / "cases.jsonl").read_text("utf-8"))
    assert case["posting_id"] == "jobnet:77"  # the ingestion id rule (<source>:<id>)
    assert case["strategies"]["graph"]["posting_rank"] == 1
    # The citizen's reference and name never reach the outputs.
    for name in ("report.json", "report.md", "cases.jsonl"):
        text = (out / name).read_text("utf-8")
        assert "0101-A1" not in text and "Mette" not in text


def test_document_formats_need_the_pseudonym_key(data_dir: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    placements = tmp_path / "docs.jsonl"
    placements.write_text(json.dumps({"case_id": "d1", "cv": {"id": "0101-A1", "municipality": "0101",
                                                              "postcode": "2100", "max_km": 20},
                                      "hired": {"occupation": O("cook")}, "hired_on": "2026-02-10"}) + "\n")
    monkeypatch.delenv("JOBMATCH_PSEUDONYM_KEY", raising=False)
    assert _run(data_dir, tmp_path / "out", placements=placements) == 2


# -- generated placements ----------------------------------------------------------------------------
def test_generated_placements_are_valid_input_with_the_documented_noise(mini_taxonomy: Taxonomy) -> None:
    gen = Generator(mini_taxonomy, Gazetteer.load(GEO), seed=3, as_of=date(2025, 1, 1))
    data = generate_placements(gen, cases=400, postings=600, start=date(2025, 1, 1))
    assert len(data.cases) == 400 and len(data.postings) == 600
    corpus = {p.id: p for p in data.postings}
    lines = [RawDocument(i, c) for i, c in enumerate(data.cases, start=1)]
    parsed = collect_cases(lines, RecordShapeReader(), set(corpus), "generated")
    assert not parsed.rejections and len(parsed.cases) == 400
    days = sorted(c.hired_on for c in parsed.cases)
    assert days[0] >= "2025-01-01" and days[-1] <= "2025-12-31" and days[0][:7] != days[-1][:7]
    no_posting = [c for c in parsed.cases if not c.hire.posting_id]
    # 15 % hires with no posting: 60 expected of 400; a binomial 99.9 % range is about 35-88.
    assert 35 <= len(no_posting) <= 88
    for c in parsed.cases:
        if c.hire.posting_id:
            p = corpus[c.hire.posting_id]
            assert p.published <= c.hired_on <= p.valid_through
    assert {g["posted"] for g in data.groups} == {"yes", "no"}
