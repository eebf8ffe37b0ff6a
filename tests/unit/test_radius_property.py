"""Widening the search never reorders or hides what was already inside it: the radius filters, it does
not score (property test over generated postings and CVs on the mini ESCO fixture)."""

from __future__ import annotations

import math
import random
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.backends.memory.graph_store import MemoryStore
from graph.learning.model import RankingModel
from graph.learning.rank import learned_match
from graph.matching.match import match_postings
from graph.matching.vocabulary import FEATURE_NAMES
from ontology.package import read_taxonomy
from tests.conftest import MINI_DA_LABELS, MINI_ESCO
from tests.matching_data import KBH, TODAY, O, cv, posting

SKILLS = ["dishes", "meat", "foodsafety", "teamwork", "cleankitchen", "python", "sql", "javascript", "webdesign",
          "customers", "till", "stock", "pick", "forklift", "nursing", "medication", "drivebus", "traffic"]
OCCUPATIONS = ["cook", "kitchen", "softdev", "webdev", "shop", "warehouse", "nurse", "bus", ""]


@cache
def _store() -> MemoryStore:
    """60 postings scattered up to ~80 km around Copenhagen, with random requirements (fixed seed)."""
    rnd = random.Random(20261206)
    store = MemoryStore().open()
    store.upsert_taxonomy(read_taxonomy(MINI_ESCO, ("en", "da"), [MINI_DA_LABELS]))
    postings = []
    for i in range(60):
        km, bearing = rnd.uniform(0, 80), rnd.uniform(0, 2 * math.pi)
        at = (KBH[0] + km * math.cos(bearing) / 111.0,
              KBH[1] + km * math.sin(bearing) / (111.0 * math.cos(math.radians(KBH[0]))))
        postings.append(posting(f"p{i:02d}", f"job {i}", rnd.choice(OCCUPATIONS), rnd.sample(SKILLS, 3),
                                rnd.sample(SKILLS, 2), at=at))
    store.upsert_postings(postings)
    return store


@settings(max_examples=150, deadline=None)
@given(skills=st.lists(st.sampled_from(SKILLS), min_size=1, max_size=6, unique=True),
       seeks=st.sampled_from(OCCUPATIONS), r1=st.floats(1.0, 90.0), widen=st.floats(0.5, 100.0))
def test_suggestions_within_a_radius_keep_their_order_in_a_wider_one(skills: list[str], seeks: str, r1: float,
                                                                     widen: float) -> None:
    citizen = cv("prop", skills, seeks=(O(seeks),) if seeks else ())
    narrow = [s.posting.id for s in match_postings(_store(), citizen, radius_km=r1, limit=100, valid_on=TODAY).suggestions]
    wide = [s.posting.id for s in match_postings(_store(), citizen, radius_km=r1 + widen, limit=100,
                                                 valid_on=TODAY).suggestions]
    # Everything suggested within r1 is still suggested (nothing hidden) and in the same order.
    assert [p for p in wide if p in set(narrow)] == narrow


# A model weighing distance more than the hand weights do: its distance features are kilometres only too.
_MODEL = RankingModel(FEATURE_NAMES, tuple(0.3 if f in ("near_home", "commute") else 0.05 for f in FEATURE_NAMES),
                      4.0, {"window": "property test"})


@settings(max_examples=100, deadline=None)
@given(skills=st.lists(st.sampled_from(SKILLS), min_size=1, max_size=6, unique=True),
       seeks=st.sampled_from(OCCUPATIONS), r1=st.floats(1.0, 90.0), widen=st.floats(0.5, 100.0))
def test_learned_suggestions_within_a_radius_keep_their_order_in_a_wider_one(skills: list[str], seeks: str,
                                                                             r1: float, widen: float) -> None:
    citizen = cv("prop", skills, seeks=(O(seeks),) if seeks else ())

    def ids(radius: float) -> list[str]:
        res = learned_match(_store(), citizen, model=_MODEL, radius_km=radius, limit=100, valid_on=TODAY)
        return [s.posting.id for s in res.suggestions]

    narrow, wide = ids(r1), ids(r1 + widen)
    assert [p for p in wide if p in set(narrow)] == narrow
