"""Stratified block randomisation: every job centre's arms stay within one block's imbalance, each arm is
reproducible from the seed and its recorded position, and an assignment never changes."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest

from api.settings import Settings
from graph.accountability.audit import Actor, verify_chain
from graph.accountability.trial import TrialConfig, assign, block_arm, block_size_for
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery
from graph.matching.vocabulary import TRIAL_ASSIGNMENT
from ontology.errors import ConfigurationError

CENTRES = [f"0{101 + i}" for i in range(10)]
ACTOR = Actor("tok-1", "consultant", "")


def _assign_all(store: MemoryStore, cfg: TrialConfig, per_centre: int = 30) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for i in range(per_centre):
        for centre in CENTRES:  # citizens of the centres arrive interleaved, as they do
            counts[centre, assign(store, cfg, centre, f"cv-{centre}-{i:03d}", ACTOR.filed_under(centre)).arm] += 1
            # At every moment within one block's imbalance of the share (simple coin flips drift freely).
            t, n = counts[centre, "treatment"], i + 1
            assert abs(t - cfg.treatment_share * n) <= cfg.block_size * max(cfg.treatment_share,
                                                                             1 - cfg.treatment_share), (centre, i)
    return counts


def test_ten_centres_of_thirty_stay_balanced_within_one_block() -> None:
    store = MemoryStore().open()
    cfg = TrialConfig("pilot", "seed-1", 0.5, block_size_for(0.5))
    counts = _assign_all(store, cfg)
    for centre in CENTRES:
        # 30 = 7 full blocks of 2+2 and half a block: the arms differ by at most 2.
        assert abs(counts[centre, "treatment"] - counts[centre, "control"]) <= 2
        assert counts[centre, "treatment"] + counts[centre, "control"] == 30


def test_a_share_of_three_tenths_is_exact_in_whole_blocks() -> None:
    store = MemoryStore().open()
    cfg = TrialConfig("pilot", "seed-2", 0.3, block_size_for(0.3))
    assert cfg.block_size == 10
    counts = _assign_all(store, cfg)
    assert all(counts[c, "treatment"] == 9 for c in CENTRES)  # 3 whole blocks of 3 + 7


def test_arms_are_reproducible_from_the_seed_and_never_change() -> None:
    store = MemoryStore().open()
    cfg = TrialConfig("pilot", "seed-3", 0.5, 4)
    _assign_all(store, cfg, per_centre=12)
    recorded = store.trial_assignments("pilot")
    for centre in CENTRES:
        mine = sorted((a for a in recorded if a.stratum == centre), key=lambda a: a.position)
        assert [a.position for a in mine] == list(range(12))
        assert all(block_arm(cfg, centre, a.position) == a.arm for a in mine)
    # Another block size or share later moves nobody already assigned.
    first = recorded[0]
    events = [r for r in store.audit_records(AuditQuery(limit=1000)) if r.strategy == TRIAL_ASSIGNMENT]
    assert len(events) == len(recorded) == 120
    again = assign(store, replace(cfg, block_size=10, treatment_share=0.3), first.stratum, first.cv_id, ACTOR)
    assert again == first
    # each assignment is an event of the chain, once: its arm, place and block size, filed under the centre
    event = next(json.loads(r.body)["trial"] for r in events if r.cv_id == first.cv_id)
    assert (event["arm"], event["position"], event["block_size"], event["stratum"]) == \
        (first.arm, first.position, 4, first.stratum)
    assert next(r.municipality for r in events if r.cv_id == first.cv_id) == first.stratum
    assert len([r for r in store.audit_records(AuditQuery(limit=1000)) if r.strategy == TRIAL_ASSIGNMENT]) == 120
    assert verify_chain(store).ok
    # A different seed draws different blocks.
    other = TrialConfig("pilot", "seed-4", 0.5, 4)
    assert [block_arm(other, "0101", p) for p in range(40)] != [block_arm(cfg, "0101", p) for p in range(40)]


def test_a_block_size_that_cannot_hold_the_share_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="JOBMATCH_TRIAL_BLOCK_SIZE"):
        Settings(trial_treatment_share=0.5, trial_block_size=3)
    with pytest.raises(ConfigurationError, match="JOBMATCH_TRIAL_BLOCK_SIZE"):
        Settings(trial_treatment_share=0.333)
    assert block_size_for(0.25) == 4 and block_size_for(0.5, 6) == 6
