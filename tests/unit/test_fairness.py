"""Fairness by strategy and trial arm, with intervals and a minimum group size."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from graph.accountability.audit import Actor
from graph.accountability.fairness import fairness_html, fairness_report
from graph.accountability.serving import ListServer, ServeRequest, ServingPolicy
from graph.accountability.trial import TrialConfig
from graph.backends.memory.graph_store import MemoryStore
from ontology.model import Taxonomy
from tests.matching_data import POSTINGS, TODAY, O, cv

DAY = date.fromisoformat(TODAY)
ACTOR = Actor("tok", "consultant", "0101")


def test_shares_per_strategy_and_arm_with_intervals_and_small_groups_suppressed(tmp_path: Path,
                                                                               mini_taxonomy: Taxonomy) -> None:
    store = MemoryStore(tmp_path).open()
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_postings(POSTINGS)
    server = ListServer(store, store, ServingPolicy(trial=TrialConfig("t", "seed", 0.5, 4)))
    cooks = [replace(cv("c", ["dishes", "meat", "foodsafety"], seeks=(O("cook"),)), id=f"cook-{i:02d}")
             for i in range(12)]
    nobodies = [replace(cv("n", ["drivebus"]), id=f"far-{i}", lat=57.7, lon=10.6) for i in range(3)]  # Skagen
    for c in cooks + nobodies:
        server.serve(c, ACTOR, ServeRequest(valid_on=TODAY), today=DAY)
        server.serve(c, ACTOR, ServeRequest(kind="alternatives", valid_on=TODAY), today=DAY)
    groups = {c.id: {"band": "A"} for c in cooks} | {c.id: {"band": "B"} for c in nobodies}
    rep = fairness_report(store, groups, min_group=10)
    a, b = rep["by"]["band"]["A"], rep["by"]["band"]["B"]
    assert b == {"citizens": 3, "suppressed": True}
    shown = a["shown_direct_matches"]
    # Control citizens got automatch, treated ones graph lists: each strategy counted on its own lists.
    assert set(shown) == {"graph", "automatch"} and shown["graph"]["n"] + shown["automatch"]["n"] == 12
    assert shown["graph"]["share"] == 1.0 and 0.0 < shown["graph"]["low"] < 1.0 == shown["graph"]["high"]
    assert set(a["shown_direct_matches_by_arm"]) == {"treatment", "control"}
    assert a["shown_direct_matches_by_arm"]["control"]["graph"]["n"] == 0
    assert a["graph_top_score_median"] is not None
    html = fairness_html(rep)
    assert "under 10 borgere: ikke vist" in html and json.dumps(rep)
