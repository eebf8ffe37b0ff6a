"""The learned ranking: the fit recovers a known choice process, the model file keeps what it learned
and refuses what was edited, a learned suggestion's contributions sum to its score, the evaluation fits
only on the earlier period, and the hiring-history generator does what its docstring says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from api.cli import main
from graph.backends.memory.graph_store import MemoryStore
from graph.codec import posting_to_dict
from graph.evaluation import Options, evaluate, load_postings, write_report
from graph.evaluation.cases import RecordShapeReader, collect_cases
from graph.evaluation.shapes import posting_record
from graph.learning.model import EMPLOYER_PRIOR, Group, RankingModel, employer_share, fit, model_of
from graph.learning.moves import MIN_CELL, count_moves, move_share
from graph.learning.rank import learned_match
from graph.learning.training import Choice, train
from graph.matching.alternatives import find_alternatives
from graph.matching.geo import Gazetteer
from graph.matching.match import haversine_np, match_postings
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import FEATURE_NAMES, FEATURES, PART_NAMES, SCORE_PARTS
from loaders.documents import RawDocument
from loaders.hiring import generate_history
from loaders.placements import GeneratedPlacements, write_generated
from loaders.synthetic import Generator
from ontology.errors import ValidationError
from ontology.model import Taxonomy
from tests.matching_data import O

GEO = Path(__file__).resolve().parent.parent / "fixtures" / "documents" / "geo"
START = date(2025, 1, 1)


# -- the fit -----------------------------------------------------------------------------------------
def _simulated(weights: np.ndarray, cases: int, seed: int) -> list[Group]:
    """Choices drawn from a conditional logit with the given weights (Gumbel noise, argmax)."""
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(cases):
        x = rng.random((int(rng.integers(5, 40)), len(weights)))
        u = x @ weights + rng.gumbel(size=len(x))
        groups.append(Group(x, int(np.argmax(u)), np.zeros(len(x))))
    return groups


def test_the_fit_recovers_the_weights_of_a_known_choice_process() -> None:
    true = np.array([3.0, 1.0, 0.0, 2.0])
    result = fit(_simulated(true, 4000, seed=1), 4)
    assert result.converged
    # Each weight within 0.35 of the truth (about 3 standard errors at 4,000 cases).
    assert np.all(np.abs(result.raw - true) < 0.35), result.raw
    assert result.loss < result.null_loss


def test_a_feature_that_hurts_in_the_data_gets_weight_zero_not_a_negative_one() -> None:
    result = fit(_simulated(np.array([2.0, -2.0]), 2000, seed=2), 2)
    assert result.raw[0] > 1.0
    assert result.raw[1] == 0.0  # bounded below: a feature can be dropped, never turned against the citizen


def test_sampled_candidates_carry_their_offset() -> None:
    # Two identical groups, except that in the second the losing row stands for 9 identical rows: the
    # offset log(9) makes the fit see the same likelihood as with the 9 rows written out.
    x = np.array([[1.0], [0.0]])
    full = Group(np.array([[1.0]] + [[0.0]] * 9), 0, np.zeros(10))
    sampled = Group(x, 0, np.array([0.0, np.log(9.0)]))
    assert fit([full] * 50, 1).raw[0] == pytest.approx(fit([sampled] * 50, 1).raw[0], rel=1e-4)


def test_no_usable_case_is_a_clear_error() -> None:
    with pytest.raises(ValidationError):
        fit([], 3)


# -- the model file ----------------------------------------------------------------------------------
def _model() -> RankingModel:
    raw = np.linspace(1.0, 2.0, len(FEATURE_NAMES))
    from graph.learning.model import Fit

    return model_of(Fit(raw, 1.0, 2.0, 10, True), FEATURE_NAMES, {"window": "test"})


def test_the_model_file_round_trips_and_its_id_is_its_content(tmp_path: Path) -> None:
    m = _model()
    assert sum(m.weights) == pytest.approx(1.0, abs=1e-5)
    m.save(tmp_path / "m.json")
    again = RankingModel.load(tmp_path / "m.json")
    assert again == m and again.id == m.id and m.id.startswith("learned-")
    data = json.loads((tmp_path / "m.json").read_text())
    data["weights"][0] += 0.01
    with pytest.raises(ValidationError) as e:
        RankingModel.from_json(data)
    assert e.value.field == "id"


@pytest.mark.parametrize(("change", "field"), [
    ({"format": "other/1"}, "format"),
    ({"features": ["essential_skills", "shoe_size"]}, "features"),
    ({"weights": [-0.1] + [0.1] * (len(FEATURE_NAMES) - 1)}, "weights"),
    ({"weights": [0.5]}, "weights"),
    ({"scale": "big"}, "scale"),
    ({"moves": {"2422": {"citizens": 3, "to": {"2631": 9}}}}, "moves"),
    ({"moves": []}, "moves"),
    ({"employers": {"Novo Nordisk": [2, 3]}}, "employers"),
    ({"employers": {"Novo Nordisk": "many"}}, "employers"),
])
def test_a_bad_model_file_names_the_field(change: dict[str, object], field: str) -> None:
    data = {k: v for k, v in _model().as_json().items() if k != "id"}
    with pytest.raises(ValidationError) as e:
        RankingModel.from_json({**data, **change})
    assert e.value.field == field


def test_every_feature_is_a_named_part_with_labels_and_a_reason() -> None:
    learned_parts = {p.name for p in SCORE_PARTS if p.strategy == "learned"}
    assert learned_parts == set(FEATURE_NAMES)
    assert all(f.da and f.en and f.reason for f in FEATURES)
    assert len(PART_NAMES) == len(set(PART_NAMES))


# -- generated history, training and the learned strategy ----------------------------------------------
@pytest.fixture(scope="module")
def history(mini_taxonomy: Taxonomy) -> GeneratedPlacements:
    gen = Generator(mini_taxonomy, Gazetteer.load(GEO), seed=11, as_of=START)
    return generate_history(gen, cases=500, postings=1500, start=START)


@pytest.fixture(scope="module")
def store(mini_taxonomy: Taxonomy, history: GeneratedPlacements) -> Iterator[MemoryStore]:
    s = MemoryStore(None).open()
    s.upsert_taxonomy(mini_taxonomy)
    load_postings(s, history.postings)
    yield s
    s.close()


def _cases(history: GeneratedPlacements) -> list:  # type: ignore[type-arg]
    ids = {p.id for p in history.postings}
    parsed = collect_cases([RawDocument(i, c) for i, c in enumerate(history.cases, start=1)],
                           RecordShapeReader(), ids, "generated")
    assert not parsed.rejections
    return parsed.cases


def test_the_history_follows_its_documented_process(history: GeneratedPlacements) -> None:
    corpus = {p.id: p for p in history.postings}
    assert all(p.occupation for p in history.postings)  # every posting coded: "same occupation" is measurable
    hired = [c for c in history.cases if "posting_id" in c["hired"]]
    outside = [c for c in history.cases if "posting_id" not in c["hired"]]
    assert hired and outside
    for c in hired:
        p = corpus[c["hired"]["posting_id"]]
        cv = c["cv"]
        # Hired into a posting open on the day and within the commute the citizen stated.
        assert p.published <= c["hired_on"] <= p.valid_through
        assert p.lat is not None and p.lon is not None
        km = float(haversine_np(cv["lat"], cv["lon"], np.array([p.lat]), np.array([p.lon]))[0])
        assert km <= cv["max_km"] + 1e-6


def test_contributions_of_a_learned_suggestion_sum_to_its_score(store: MemoryStore,
                                                                history: GeneratedPlacements) -> None:
    cases = _cases(history)
    model, ts = train(store, [Choice(c.cv, c.hired_on, c.hire.posting_id) for c in cases])
    assert ts.groups and ts.describe()["cases_used"] == len(ts.groups)
    shown = 0
    for c in cases[:60]:
        res = learned_match(store, c.cv, model=model, valid_on=c.hired_on, limit=10)
        assert res.strategy == "learned"
        for s in res.suggestions:
            assert set(s.parts) == set(model.features)
            assert sum(s.parts.values()) == pytest.approx(s.score, abs=1e-5)
            shown += 1
    assert shown > 50


def test_learned_and_graph_list_the_same_postings_in_their_own_order(store: MemoryStore,
                                                                      history: GeneratedPlacements) -> None:
    cases = _cases(history)
    model, _ = train(store, [Choice(c.cv, c.hired_on, c.hire.posting_id) for c in cases])
    reordered = 0
    for c in cases[:80]:
        g = match_postings(store, c.cv, valid_on=c.hired_on, limit=100)
        m = learned_match(store, c.cv, model=model, valid_on=c.hired_on, limit=100)
        assert g.candidates == m.candidates
        assert sorted(s.posting.id for s in g.suggestions) == sorted(s.posting.id for s in m.suggestions)
        reordered += [s.posting.id for s in g.suggestions] != [s.posting.id for s in m.suggestions]
    assert reordered  # the weights do change the order somewhere


def test_evaluation_fits_learned_on_the_earlier_period_only(store: MemoryStore, history: GeneratedPlacements,
                                                            tmp_path: Path) -> None:
    cases = _cases(history)
    options = Options(strategies=("graph", "learned", "automatch"), ks=(5, 10), resamples=200, permutations=200)
    result = evaluate(store, cases, options, alternatives=None)
    learned = result.report["learned"]
    cut = result.report["split"]["rule"].split("on or before ")[1].split(";")[0]
    assert learned["trained_here"] and learned["model"]["trained"]["last_hired_on"] <= cut
    # The same model comes out when the later period is not there at all: nothing of it was seen.
    earlier = [c for c in cases if c.hired_on <= cut]
    alone, _ = train(store, [Choice(c.cv, c.hired_on, c.hire.posting_id, c.hire.occupation) for c in earlier],
                     seed=options.seed,
                     provenance={"window": f"cases hired on or before {cut}"})
    assert alone.id == learned["model"]["id"]
    later = result.report["populations"]["later"]["strategies"]
    assert set(later) == {"graph", "learned", "automatch"}
    assert any(c["a"] == "graph" and c["b"] == "learned" for c in result.report["populations"]["later"]["comparisons"])
    write_report(result.report, result.outcomes, tmp_path / "report")
    md = (tmp_path / "report" / "report.md").read_text("utf-8")
    assert "## The learned strategy" in md and f"cases hired on or before {cut}" in md and learned["model"]["id"] in md


# -- the commands --------------------------------------------------------------------------------------
@pytest.fixture
def files(tmp_path: Path, history: GeneratedPlacements, mini_taxonomy: Taxonomy) -> tuple[Path, dict[str, Path]]:
    data_dir = tmp_path / "data"
    s = MemoryStore(data_dir).open()
    s.upsert_taxonomy(mini_taxonomy)
    s.close()
    return data_dir, write_generated(history, tmp_path / "in")


def test_train_writes_a_model_that_evaluate_can_use(files: tuple[Path, dict[str, Path]], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, paths = files
    code = main(["--data-dir", str(data_dir), "train", "placements", str(paths["placements"]), "--postings",
                 str(paths["postings"]), "--until", "2025-08-31", "--out", str(tmp_path / "model.json")])
    assert code == 0
    model = RankingModel.load(tmp_path / "model.json")
    t = model.trained
    assert t["last_hired_on"] <= "2025-08-31" and t["until"] == "2025-08-31"
    assert t["cases_used"] > 0 and len(t["data_sha256"]) == 64 and t["code_version"]
    assert model.id in capsys.readouterr().out
    code = main(["--data-dir", str(data_dir), "evaluate", "placements", str(paths["placements"]), "--postings",
                 str(paths["postings"]), "--strategy", "graph,learned", "--model", str(tmp_path / "model.json"),
                 "--resamples", "200", "--permutations", "200", "--out", str(tmp_path / "report")])
    assert code == 0
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["learned"]["model"]["id"] == model.id and not report["learned"]["trained_here"]


def test_train_with_no_case_before_until_names_the_field(files: tuple[Path, dict[str, Path]], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, paths = files
    code = main(["--data-dir", str(data_dir), "train", "placements", str(paths["placements"]), "--postings",
                 str(paths["postings"]), "--until", "1999-01-01", "--out", str(tmp_path / "model.json")])
    assert code == 2 and "until" in capsys.readouterr().err
    assert not (tmp_path / "model.json").exists()


def test_a_posting_of_the_history_reads_back_as_written(history: GeneratedPlacements) -> None:
    p = history.postings[0]
    assert posting_record(posting_to_dict(p)) == p


# -- moves between occupations (alternatives) ------------------------------------------------------------
def test_moves_count_citizens_per_field_and_leave_out_small_cells() -> None:
    cases = ([({"2422"}, "2631")] * 6 + [({"2422"}, "2422")] * 10 + [({"2422", "2611"}, "1213")] * 4
             + [(set(), "2631")] * 3 + [({"2422"}, "")] * 2)
    moves = count_moves(cases)
    # 20 citizens from 2422 (those without a hired group are not counted); 6 moved to 2631; the 4 who
    # moved to 1213 are under the minimum cell and left out; staying in the field is not a move.
    assert moves == {"2422": {"citizens": 20, "to": {"2631": 6}}}
    assert move_share(moves, {"2422", "9999"}, "2631") == (pytest.approx(0.3), "2422")
    assert move_share(moves, {"2611"}, "2631") == (0.0, "")


def test_moves_of_a_trained_model_come_from_its_cases(store: MemoryStore, history: GeneratedPlacements) -> None:
    # The mini taxonomy's generated citizens are all cooks; make some of them move, by hand: 6 cooks hired
    # as kitchen porters (9412) and 2 as shop assistants (5223, under the minimum cell).
    cases = _cases(history)
    cooks = [c for c in cases if c.cv.seeks == (O("cook"),)]
    choices = [Choice(c.cv, c.hired_on, c.hire.posting_id, c.hire.occupation) for c in cases]
    choices += [Choice(c.cv, c.hired_on, "", O("kitchen")) for c in cooks[:6]]
    choices += [Choice(c.cv, c.hired_on, "", O("shop")) for c in cooks[6:8]]
    model, _ = train(store, choices)
    assert model.moves == {"5120": {"citizens": len([c for c in choices if O("cook") in c.cv.seeks
                                                     or O("cook") in {w.occupation for w in c.cv.worked_as}]),
                                    "to": {"9412": 6}}}
    assert model.trained["moves"] == {"from_groups": 1, "min_cell": MIN_CELL}
    again = RankingModel.from_json(json.loads(json.dumps(model.as_json())))
    assert again == model and again.id == model.id


def test_moves_add_a_part_that_lifts_the_alternative_others_moved_to(store: MemoryStore,
                                                                    history: GeneratedPlacements) -> None:
    c = next(c for c in _cases(history) if c.cv.seeks)
    settings = MatchSettings(alt_min_essential=2, alt_min_shared=1)
    plain = find_alternatives(store, c.cv, settings=settings, valid_on=c.hired_on, lang="en", limit=8)
    assert plain.alternatives and all("observed_moves" not in a.parts for a in plain.alternatives)
    concepts = store.concepts(set(c.cv.seeks))
    focus = {concepts[o].isco_group for o in c.cv.seeks}
    last = plain.alternatives[-1]
    moves = {f: {"citizens": 10, "to": {last.isco_group: 10}} for f in focus}
    lifted = find_alternatives(store, c.cv, settings=settings, valid_on=c.hired_on, lang="en", limit=8, moves=moves)
    [moved] = [a for a in lifted.alternatives if a.occupation.uri == last.occupation.uri]
    assert moved.rank < last.rank and moved.parts["observed_moves"] == settings.alt_w_moves
    assert moved.score == pytest.approx(last.score + settings.alt_w_moves, abs=1e-5)
    assert all(a.parts["observed_moves"] == 0.0 for a in lifted.alternatives if a.isco_group != last.isco_group)


# -- employers' taste for experience ----------------------------------------------------------------------
def test_an_employers_share_is_shrunk_toward_everyones_and_leaves_ones_own_hire_out() -> None:
    employers = {"A": [10, 9], "B": [10, 1]}  # overall 10 of 20 = 0.5
    assert employer_share(employers, "A") == pytest.approx((9 + EMPLOYER_PRIOR * 0.5) / (10 + EMPLOYER_PRIOR))
    assert employer_share(employers, "Z") == pytest.approx(0.5)  # unknown: the overall share
    # Leaving one's own experienced hire at A out changes A's counts and the overall share, and B's shrinkage.
    prior = 9 / 19
    assert employer_share(employers, "A", ("A", 1)) == pytest.approx((8 + EMPLOYER_PRIOR * prior) / (9 + EMPLOYER_PRIOR))
    assert employer_share(employers, "B", ("A", 1)) == pytest.approx((1 + EMPLOYER_PRIOR * prior) / (10 + EMPLOYER_PRIOR))
    # A hire at an employer the file leaves out changes nothing.
    assert employer_share(employers, "B", ("small", 1)) == employer_share(employers, "B")


def test_the_employer_feature_counts_only_postings_in_a_past_occupation(store: MemoryStore,
                                                                        history: GeneratedPlacements) -> None:
    cases = _cases(history)
    model, _ = train(store, [Choice(c.cv, c.hired_on, c.hire.posting_id, c.hire.occupation) for c in cases])
    assert model.employers and sum(v[0] for v in model.employers.values()) <= len(cases)
    assert all(v[0] >= MIN_CELL for v in model.employers.values())  # no small employer in the file
    seen = 0
    for c in cases[:80]:
        res = learned_match(store, c.cv, model=model, valid_on=c.hired_on, limit=20)
        past = {w.occupation for w in c.cv.worked_as}
        for sug in res.suggestions:
            w = model.weight()["employer_experience"]
            expected = w * model.employer_share(sug.posting.employer) if sug.posting.occupation in past else 0.0
            assert sug.parts["employer_experience"] == pytest.approx(expected, abs=1e-6)
            seen += sug.posting.occupation in past
    assert seen


def test_sample_placements_writes_the_history_and_its_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import MINI_ESCO

    monkeypatch.setenv("JOBMATCH_ESCO_DIR", str(MINI_ESCO))
    monkeypatch.setenv("JOBMATCH_GEO_DIR", str(GEO))
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "hist"
    assert main(["sample", "placements", "--cases", "60", "--postings", "400", "--start", "2025-01-01",
                 "--out", str(out)]) == 0
    lines = (out / "placements.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 60 and len((out / "postings.jsonl").read_text("utf-8").splitlines()) == 400
    process = json.loads((out / "process.json").read_text("utf-8"))
    assert process["seed"] == 7 and process["start"] == "2025-01-01" and "utility" in process
    assert "60 placements and 400 postings" in capsys.readouterr().out
    assert main(["sample", "placements", "--cases", "0", "--out", str(out)]) == 2
    assert "cases" in capsys.readouterr().err
