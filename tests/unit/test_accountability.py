"""Audit trail, replay, trial assignment and the crowding guard on a real embedded store."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from graph.accountability.audit import Actor, append_drafts, draft_of, verify_chain
from graph.accountability.replay import replay
from graph.accountability.serving import CONTROL_NOTE, ListServer, Served, ServeRequest, ServingPolicy
from graph.accountability.trial import TrialConfig, arm_for, assign
from graph.backends.memory.graph_store import JOURNAL, MemoryStore
from graph.ledger import AuditQuery
from graph.matching.match import match_postings
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import TRIAL_ASSIGNMENT
from tests.matching_data import POSTINGS, TODAY, O, cv
from tests.tamper import rewrite_bodies

CONSULTANT = Actor(id="tok-1", role="consultant", municipality="0101")
DAY = date.fromisoformat(TODAY)


def serve(store: MemoryStore, cv: object, actor: Actor, request: ServeRequest, *, trial: TrialConfig | None = None,
          crowding_cap: int | None = None, today: date | None = None) -> Served:
    """The one serving use case over ``store`` (graph store and ledger) under a policy with ``trial``."""
    policy = ServingPolicy(trial=trial, crowding_cap=crowding_cap)
    return ListServer(store, store, policy).serve(cv, actor, request, today=today)  # type: ignore[arg-type]


@pytest.fixture
def store(postings_store: MemoryStore) -> MemoryStore:
    return postings_store


def _cook() -> object:
    return cv("cook-1", ["dishes", "meat", "foodsafety", "teamwork"], seeks=(O("cook"),))


def test_served_recommendation_is_in_the_audit_trail_with_paths_and_versions(store: MemoryStore) -> None:
    served = serve(store, _cook(), CONSULTANT, ServeRequest(valid_on=TODAY), today=DAY)  # type: ignore[arg-type]
    rec = store.get_audit(served.record.id)
    assert rec is not None
    assert (rec.cv_id, rec.actor, rec.role, rec.municipality) == ("cook-1", "tok-1", "consultant", "0101")
    assert rec.ontology_version == "1.1.0" and rec.algorithm_version and rec.settings_hash
    body = json.loads(rec.body)
    top = body["result"]["suggestions"][0]
    assert top["posting"]["id"] == "p-cook-1"
    assert top["matched"][0]["path"][0] == ["cv:cook-1", "HAS_SKILL", top["matched"][0]["cv_skill"]["uri"]]
    assert body["cv_snapshot"]["id"] == "cook-1"


def test_tampering_with_a_record_makes_verify_fail(store: MemoryStore, tmp_path: Path) -> None:
    for _ in range(3):
        serve(store, _cook(), CONSULTANT, ServeRequest(valid_on=TODAY), today=DAY)  # type: ignore[arg-type]
    assert verify_chain(store).ok
    assert verify_chain(store).checked == 3
    db = sqlite3.connect(tmp_path / JOURNAL)
    assert rewrite_bodies(db, "p-cook-1", "p-cook-X", seq=2) == 1
    db.close()
    report = verify_chain(store)
    assert not report.ok
    assert report.first_bad_seq == 2


def test_replay_of_an_unchanged_setup_is_identical(store: MemoryStore) -> None:
    served = serve(store, _cook(), CONSULTANT, ServeRequest(valid_on=TODAY), today=DAY)  # type: ignore[arg-type]
    rep = replay(store, store, served.record)
    assert rep.identical, rep.differences
    alt = serve(store, _cook(), CONSULTANT, ServeRequest(kind="alternatives", valid_on=TODAY), today=DAY)  # type: ignore[arg-type]
    assert replay(store, store, alt.record).identical


def test_replay_shows_what_differs_after_a_change(store: MemoryStore) -> None:
    served = serve(store, _cook(), CONSULTANT, ServeRequest(valid_on=TODAY), today=DAY)  # type: ignore[arg-type]
    p = next(x for x in POSTINGS if x.id == "p-cook-1")
    store.upsert_postings([replace(p, requirements=p.requirements[:1])])
    rep = replay(store, store, served.record, current_settings=MatchSettings(w_distance=0.2))
    assert not rep.identical
    [diff] = [d for d in rep.differences if d["item"] == "p-cook-1"]
    # Written straight into the store, past the attributed writes: nothing recorded explains it.
    assert diff["reason"] == "no recorded change explains it"
    # The running service's settings are shown as such (replay itself used the recorded ones).
    assert rep.recorded_versions["settings"] != rep.current_versions["settings"]


def test_trial_assignment_is_stable_and_near_the_share(tmp_path: Path) -> None:
    cfg = TrialConfig(name="pilot-2026", seed="s3cret-seed", treatment_share=0.3)
    ids = [f"cv_{i:05d}" for i in range(10_000)]
    arms = [arm_for(cfg, "0101", i) for i in ids]
    share = arms.count("treatment") / len(arms)
    assert abs(share - 0.3) <= 0.02
    store = MemoryStore(tmp_path).open()
    first = [assign(store, cfg, "0101", i, CONSULTANT).arm for i in ids[:200]]
    store.close()
    again = MemoryStore(tmp_path).open()
    # A changed share must not move anyone already assigned.
    moved = TrialConfig(name="pilot-2026", seed="s3cret-seed", treatment_share=0.9)
    assert [assign(again, moved, "0101", i, CONSULTANT).arm for i in ids[:200]] == first
    assert len(again.trial_assignments("pilot-2026")) == 200


def test_control_group_gets_no_graph_recommendations(store: MemoryStore) -> None:
    cfg = TrialConfig(name="t", seed="k", treatment_share=0.0)  # everyone in control
    served = serve(store, _cook(), CONSULTANT, ServeRequest(valid_on=TODAY), trial=cfg, today=DAY)  # type: ignore[arg-type]
    assert served.arm == "control"
    assert served.result.strategy == "automatch"
    assert CONTROL_NOTE in served.result.notes
    alt = serve(store, _cook(), CONSULTANT, ServeRequest(kind="alternatives", valid_on=TODAY), trial=cfg, today=DAY)  # type: ignore[arg-type]
    assert alt.result.alternatives == ()


def test_crowding_cap_holds(store: MemoryStore) -> None:
    cfg = TrialConfig(name="t", seed="k", treatment_share=1.0)  # everyone treated
    shown_to: dict[str, int] = {}
    for i in range(6):
        citizen = replace(_cook(), id=f"cook-{i}")  # type: ignore[type-var]
        served = serve(store, citizen, CONSULTANT, ServeRequest(valid_on=TODAY), trial=cfg, crowding_cap=2,
                       today=DAY)
        for s in served.result.suggestions:
            shown_to[s.posting.id] = shown_to.get(s.posting.id, 0) + 1
        if i >= 2:
            assert "p-cook-1" in served.held_back
    assert shown_to["p-cook-1"] == 2
    assert max(shown_to.values()) <= 2
    # The same citizen asking again still sees what they were shown.
    again = serve(store, replace(_cook(), id="cook-0"), CONSULTANT, ServeRequest(valid_on=TODAY), trial=cfg,  # type: ignore[type-var]
                  crowding_cap=2, today=DAY)
    assert "p-cook-1" in [s.posting.id for s in again.result.suggestions]
    kinds = [r.strategy for r in store.audit_records(AuditQuery())]
    assert len(kinds) - kinds.count(TRIAL_ASSIGNMENT) == 7  # seven lists served
    assert kinds.count(TRIAL_ASSIGNMENT) == 6  # and six citizens assigned, once each


def test_a_draft_cannot_be_stored_before_it_is_chained(store: MemoryStore) -> None:
    draft = draft_of(match_postings(store, _cook(), valid_on=TODAY), Actor("batch", "batch", ""))  # type: ignore[arg-type]
    assert (draft.seq, draft.prev_hash, draft.hash) == (0, "", "")
    with pytest.raises(ValueError, match="not the next"):
        store.append_audits([draft])
    assert store.last_audit() is None
    [stored] = append_drafts(store, [draft])
    assert (stored.seq, stored.id, stored.body) == (1, draft.id, draft.body) and verify_chain(store).ok
