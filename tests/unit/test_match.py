"""Direct matches, alternatives and the automatch baseline on the mini ESCO fixture (memory store)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.backends.memory.graph_store import MemoryStore
from graph.matching.alternatives import find_alternatives
from graph.matching.automatch import automatch
from graph.matching.match import match_postings
from graph.matching.scoring import MatchSettings
from ontology.errors import ValidationError
from tests.matching_data import ROSKILDE, TODAY, O, S, cv


@pytest.fixture
def store(postings_store: MemoryStore) -> MemoryStore:
    return postings_store


def test_cook_cv_gets_cook_postings_first(store: MemoryStore) -> None:
    c = cv("c1", ["dishes", "meat", "foodsafety", "teamwork"], seeks=(O("cook"),))
    res = match_postings(store, c, valid_on=TODAY)
    ids = [s.posting.id for s in res.suggestions]
    assert ids[0] == "p-cook-1"
    assert "p-cook-far" not in ids  # Aarhus is outside 20 km
    assert "p-cook-old" not in ids  # expired
    top = res.suggestions[0]
    assert top.occupation_fit == "desired"
    assert top.score == pytest.approx(sum(top.parts.values()), abs=1e-5)
    assert top.missing_essential == ()


def test_every_suggestion_is_explained_by_paths_and_evidence(store: MemoryStore) -> None:
    c = cv("c1", ["dishes", "meat", "teamwork"], seeks=(O("cook"),))
    top = match_postings(store, c, valid_on=TODAY).suggestions[0]
    assert top.posting.id == "p-cook-1"
    assert [m.skill.uri for m in top.matched] == sorted([S("dishes"), S("meat"), S("teamwork")])
    meat = next(m for m in top.matched if m.skill.uri == S("meat"))
    assert meat.path[0].source == "cv:c1" and meat.path[0].relation == "HAS_SKILL"
    assert meat.path[-1].source == "posting:p-cook-1" and meat.path[-1].relation == "REQUIRES_SKILL:essential"
    assert meat.evidence[0].text == "meat"
    assert [m.uri for m in top.missing_essential] == [S("foodsafety")]
    assert next(m for m in top.matched if m.skill.uri == S("teamwork")).transversal


def test_removing_evidence_skill_removes_path_and_lowers_score(store: MemoryStore) -> None:
    full = cv("c1", ["dishes", "meat", "foodsafety"], seeks=(O("cook"),))
    less = replace(full, skills=tuple(s for s in full.skills if s.skill != S("meat")))
    a = match_postings(store, full, valid_on=TODAY).suggestions[0]
    b = next(s for s in match_postings(store, less, valid_on=TODAY).suggestions if s.posting.id == a.posting.id)
    assert S("meat") in {m.skill.uri for m in a.matched}
    assert S("meat") not in {m.skill.uri for m in b.matched if m.via == "exact"}
    assert b.score < a.score


def test_near_match_through_hierarchy_is_discounted_and_marked(store: MemoryStore) -> None:
    # CV knows Python; "Software developer" asks for computer programming (Python's broader skill).
    c = cv("c2", ["python", "sql", "webdesign"])
    res = match_postings(store, c, valid_on=TODAY)
    prog = next(s for s in res.suggestions if s.posting.id == "p-dev-prog")
    near = next(m for m in prog.matched if m.skill.uri == S("programming"))
    assert near.via == "broader" and near.credit < 1.0
    assert [p.relation for p in near.path] == ["HAS_SKILL", "BROADER", "REQUIRES_SKILL:essential"]
    # JavaScript is a sibling of Python under computer programming.
    web = next(s for s in res.suggestions if s.posting.id == "p-web")
    js = next(m for m in web.matched if m.skill.uri == S("javascript"))
    assert js.via == "sibling"


def test_transversal_alone_does_not_make_a_suggestion(store: MemoryStore) -> None:
    c = cv("c3", ["teamwork"])
    assert match_postings(store, c, valid_on=TODAY).suggestions == ()


def test_radius_and_limit(store: MemoryStore) -> None:
    c = cv("c4", ["customers", "till", "display"])
    assert all(s.posting.id != "p-shop" for s in match_postings(store, c, valid_on=TODAY).suggestions)
    wide = match_postings(store, c, valid_on=TODAY, radius_km=40)
    assert wide.suggestions[0].posting.id == "p-shop"
    assert len(match_postings(store, cv("c5", ["foodsafety"]), valid_on=TODAY, limit=1).suggestions) == 1
    with pytest.raises(ValidationError, match="limit"):
        match_postings(store, c, limit=0)


def test_deterministic_ties_by_id(store: MemoryStore) -> None:
    c = cv("c6", ["foodsafety"])
    a = match_postings(store, c, valid_on=TODAY)
    b = match_postings(store, c, valid_on=TODAY)
    assert a == b


def test_alternatives_outside_focus_with_gaps(store: MemoryStore) -> None:
    c = cv("c7", ["dishes", "meat", "veg", "foodsafety", "teamwork", "cleankitchen", "customers", "danish"],
           seeks=(O("cook"),), at=ROSKILDE, max_km=50)
    small_profiles = MatchSettings(alt_min_essential=2)  # the fixture's profiles are tiny
    res = find_alternatives(store, c, valid_on=TODAY, settings=small_profiles)
    uris = [a.occupation.uri for a in res.alternatives]
    assert O("cook") not in uris  # the focus itself is never an alternative
    assert uris[0] == O("kitchen")  # both essentials covered, different ISCO unit group
    kitchen = res.alternatives[0]
    assert (kitchen.essential_covered, kitchen.essential_total) == (2, 2)
    assert kitchen.missing_essential == ()
    assert all(m.path[-1].relation.startswith("REQUIRES:") for m in kitchen.matched)
    assert kitchen.postings_nearby == 1 and kitchen.postings[0].id == "p-kitchen"
    shop = next(a for a in res.alternatives if a.occupation.uri == O("shop"))
    assert {m.uri for m in shop.missing_essential} == {S("till"), S("display")}
    assert res.alternatives == find_alternatives(store, c, valid_on=TODAY, settings=small_profiles).alternatives


def test_alternatives_exclude_same_isco_unit_group(store: MemoryStore) -> None:
    c = cv("c9", ["programming", "sql", "teamwork", "javascript", "webdesign"], seeks=(O("softdev"),))
    res = find_alternatives(store, c, valid_on=TODAY, settings=MatchSettings(alt_min_essential=2))
    assert O("webdev") not in [a.occupation.uri for a in res.alternatives]  # same unit group 2512


def test_automatch_titles_then_unskilled(store: MemoryStore) -> None:
    c = cv("c8", [], titles=("kitchen porter",), seeks=())
    res = automatch(store, c, valid_on=TODAY)
    reasons = [(s.posting.id, s.reason) for s in res.suggestions]
    assert reasons[0] == ("p-kitchen", "title")
    assert ("p-unskilled", "unskilled") in reasons
    assert all(r != "title" for pid, r in reasons[1:])
