"""Matching written once over the store: both backends give identical suggestions, and every path
step of every suggestion is an edge the store holds."""

from __future__ import annotations

from functools import partial

import pytest

from graph.backends.memory.graph_store import MemoryStore
from graph.learning.model import RankingModel
from graph.learning.rank import learned_match
from graph.matching.alternatives import find_alternatives
from graph.matching.automatch import automatch
from graph.matching.explain import PathStep, result_json
from graph.matching.match import match_postings
from graph.matching.pathcheck import unsupported_steps
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import FEATURE_NAMES
from graph.store import Store
from ontology.model import Taxonomy
from tests.matching_data import POSTINGS, TODAY, O, cv

# The fixture's occupation profiles are tiny; let alternatives consider them.
SETTINGS = MatchSettings(alt_min_essential=2)
CVS = [
    cv("cook", ["dishes", "meat", "foodsafety", "teamwork", "cleankitchen", "customers", "danish"],
       seeks=(O("cook"),), max_km=40),
    cv("dev", ["python", "sql", "webdesign", "teamwork"], seeks=(O("softdev"),), worked=(O("webdev"),)),
    cv("porter", [], titles=("kitchen porter",)),
]
# A fixed model (no training here): weights that differ from the hand weights, every feature used.
MODEL = RankingModel(FEATURE_NAMES, tuple(round(1.0 / len(FEATURE_NAMES), 6) for _ in FEATURE_NAMES), 5.0,
                     {"window": "conformance"}, employers={"Employer p-web": [6, 5], "Employer p-dev-py": [4, 0]})
STRATEGIES = {"graph": match_postings, "automatch": automatch, "alternatives": find_alternatives,
              "learned": partial(learned_match, model=MODEL)}


@pytest.fixture(scope="module")
def matching_store(mini_store: Store) -> Store:
    """The conformance store of each backend, plus the matching fixture's postings and CVs."""
    mini_store.upsert_postings(POSTINGS)
    mini_store.upsert_cvs(CVS)
    return mini_store


@pytest.fixture(scope="module")
def reference(mini_taxonomy: Taxonomy) -> dict[tuple[str, str], dict[str, object]]:
    """The answers of a fresh embedded store, computed once: what every backend must return."""
    from tests.conformance import documents

    ref = MemoryStore().open()
    ref.upsert_taxonomy(mini_taxonomy)
    ref.upsert_cvs(documents.cvs())
    ref.upsert_postings(documents.postings())
    ref.upsert_postings(POSTINGS)
    ref.upsert_cvs(CVS)
    out = {(c.id, name): result_json(fn(ref, c, settings=SETTINGS, valid_on=TODAY))
           for c in CVS for name, fn in STRATEGIES.items()}
    ref.close()
    return out


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
@pytest.mark.parametrize("cv_id", [c.id for c in CVS])
def test_same_answers_on_every_backend(matching_store: Store, reference: dict[tuple[str, str], object],
                                       cv_id: str, strategy: str) -> None:
    c = next(x for x in CVS if x.id == cv_id)
    got = result_json(STRATEGIES[strategy](matching_store, c, settings=SETTINGS, valid_on=TODAY))
    assert got == reference[(cv_id, strategy)]


def test_the_reference_is_not_empty(reference: dict[tuple[str, str], dict[str, object]]) -> None:
    # Guards the comparison above against agreeing on nothing.
    assert reference[("cook", "graph")]["suggestions"]
    assert reference[("cook", "alternatives")]["alternatives"]
    assert reference[("porter", "automatch")]["suggestions"]
    assert any(s["parts"]["employer_experience"] > 0  # type: ignore[index]
               for s in reference[("dev", "learned")]["suggestions"])  # the employer path (posting_metas) ran
    assert any(m["via"] != "exact" for s in reference[("dev", "graph")]["suggestions"]  # type: ignore[index]
               for m in s["matched"])


@pytest.mark.parametrize("cv_id", [c.id for c in CVS])
def test_every_path_step_exists_in_the_store(matching_store: Store, cv_id: str) -> None:
    c = next(x for x in CVS if x.id == cv_id)
    steps: list[PathStep] = []
    for s in match_postings(matching_store, c, settings=SETTINGS, valid_on=TODAY).suggestions:
        steps += [st for m in s.matched for st in m.path]
    for a in find_alternatives(matching_store, c, settings=SETTINGS, valid_on=TODAY).alternatives:
        steps += [st for m in a.matched for st in m.path]
    if cv_id != "porter":
        assert steps
    assert unsupported_steps(matching_store, steps) == []


def test_a_step_the_store_lacks_is_reported(matching_store: Store) -> None:
    bogus = [PathStep("cv:cook", "HAS_SKILL", "http://data.europa.eu/esco/skill/mini-python"),
             PathStep("posting:p-cook-1", "REQUIRES_SKILL:optional", "http://data.europa.eu/esco/skill/mini-meat"),
             PathStep("http://data.europa.eu/esco/skill/mini-meat", "BROADER",
                      "http://data.europa.eu/esco/skill/mini-python")]
    good = PathStep("posting:p-cook-1", "REQUIRES_SKILL:essential", "http://data.europa.eu/esco/skill/mini-meat")
    assert unsupported_steps(matching_store, [*bogus, good]) == bogus
