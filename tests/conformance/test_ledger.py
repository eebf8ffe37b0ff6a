"""The ledger half of the store (graph/ledger.py): audit chain, feedback, tokens, trial, exposures —
the same behaviour from every backend."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from graph.ledger import AuditQuery, AuditRecord, Feedback, TokenRecord, TrialAssignment, WriteEvent
from graph.store import Store


def _audit(seq: int, *, cv: str = "cv-a", actor: str = "tok-1", municipality: str = "0101",
           at: str = "") -> AuditRecord:
    return AuditRecord(
        id=f"rec-{seq:03d}", seq=seq, at=at or f"2026-03-{seq:02d}T10:00:00+00:00", cv_id=cv, actor=actor,
        role="consultant", municipality=municipality, strategy="graph", settings_hash="s" * 8,
        algorithm_version="1", ontology_version="1.1.0", local_additions_version="", body='{"k": "v æ"}',
        prev_hash=f"h{seq - 1}", hash=f"h{seq}")


def test_concurrent_appenders_make_one_chain(two_connections: tuple[Store, Store]) -> None:
    """Two connections, two threads each, appending at once (as serving processes and their threads do):
    each append chains after the head it read under the store's append lock; none is lost or refused."""
    first, _ = two_connections
    appended: list[AuditRecord] = []
    lock = threading.Lock()

    def chain_one(last: AuditRecord | None) -> list[AuditRecord]:
        seq = last.seq + 1 if last else 1
        return [replace(_audit(seq), id=f"rec-{threading.get_ident()}-{seq}", prev_hash=last.hash if last else "",
                        hash=f"h{seq}")]

    def append(store: Store) -> None:
        for _ in range(8):
            records = store.append_chained(chain_one)
            with lock:
                appended.extend(records)

    threads = [threading.Thread(target=append, args=(s,)) for s in (*two_connections, *two_connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.seq for r in appended) == list(range(1, 33))
    stored = first.audit_records(AuditQuery())
    assert [r.seq for r in stored] == list(range(1, 33))
    assert all(b.prev_hash == a.hash for a, b in zip(stored, stored[1:], strict=False))  # one unbroken chain


def test_audit_chain(empty_store: Store) -> None:
    store = empty_store
    assert store.last_audit() is None
    records = [_audit(1), _audit(2, cv="cv-b", actor="tok-2"), _audit(3, municipality="0751"), _audit(4)]
    for r in records:
        store.append_audit(r)
    with pytest.raises(ValueError, match="not the next"):
        store.append_audit(_audit(6))
    with pytest.raises(ValueError, match="not the next"):
        store.append_audit(_audit(4))
    assert store.last_audit() == records[-1]
    assert store.get_audit("rec-002") == records[1]
    assert store.get_audit("nope") is None
    assert store.audit_records(AuditQuery()) == records
    assert store.audit_records(AuditQuery(cv_id="cv-a")) == [records[0], records[2], records[3]]
    assert store.audit_records(AuditQuery(actor="tok-2")) == [records[1]]
    assert store.audit_records(AuditQuery(municipality="0751")) == [records[2]]
    assert store.audit_records(AuditQuery(since="2026-03-02T10:00:00+00:00", until="2026-03-04")) == records[1:3]
    assert store.audit_records(AuditQuery(limit=2, offset=1)) == records[1:3]
    assert store.audit_records(AuditQuery(limit=0)) == []
    assert store.audit_records(AuditQuery(after_seq=2)) == records[2:]
    assert store.audit_records(AuditQuery(after_seq=1, limit=2)) == records[1:3]
    assert store.audit_records(AuditQuery(cv_id="cv-a", after_seq=1)) == [records[2], records[3]]
    assert store.audit_records(AuditQuery(after_seq=4)) == []
    assert store.audit_records(AuditQuery(cv_id="cv-a", limit=-1, offset=-5)) == [records[0], records[2], records[3]]
    # Newest first, for the ethics list: the same records, the paging counted from the newest.
    assert store.audit_records(AuditQuery(newest_first=True)) == records[::-1]
    assert store.audit_records(AuditQuery(newest_first=True, limit=2, offset=1)) == records[::-1][1:3]
    assert store.audit_records(AuditQuery(cv_id="cv-a", newest_first=True)) == [records[3], records[2], records[0]]
    # Record kinds left out (the ethics list hides reads unless asked)
    assert store.audit_records(AuditQuery(exclude_kinds=("graph",))) == []
    assert store.audit_records(AuditQuery(exclude_kinds=("read", "purge"), newest_first=True, limit=2)) == \
        records[::-1][:2]
    assert store.purge_audit("2026-03-03") == 2
    assert store.audit_records(AuditQuery()) == records[2:]
    assert store.purge_audit("2000-01-01") == 0
    store.append_audit(_audit(5))
    assert store.last_audit() == _audit(5)


def test_audit_batches_are_all_or_nothing(empty_store: Store) -> None:
    store = empty_store
    store.append_audits([])
    assert store.last_audit() is None
    with pytest.raises(ValueError, match="not the next"):
        store.append_audits([_audit(1), _audit(2), _audit(4)])  # a gap inside the batch
    assert store.last_audit() is None
    store.append_audits([_audit(1), _audit(2), _audit(3)])
    with pytest.raises(ValueError, match="not the next"):
        store.append_audits([_audit(3), _audit(4)])  # starts behind the head
    store.append_audits([_audit(4)])
    assert store.audit_records(AuditQuery()) == [_audit(i) for i in (1, 2, 3, 4)]


def test_feedback(empty_store: Store) -> None:
    store = empty_store

    def fb(i: str, at: str, rec: str, verdict: str = "useful") -> Feedback:
        return Feedback(id=i, at=at, recommendation_id=rec, cv_id="cv-a", target="p01", verdict=verdict,
                        reason="", actor="tok-1", municipality="0101", strategy="graph")

    store.add_feedback(fb("f2", "2026-03-01T10:00:00", "rec-1"))
    store.add_feedback(fb("f1", "2026-03-01T10:00:00", "rec-1"))
    store.add_feedback(fb("f0", "2026-03-02T09:00:00", "rec-2"))
    store.add_feedback(fb("f3", "2026-02-28T09:00:00", "rec-1"))
    store.add_feedback(fb("f3", "2026-02-28T09:00:00", "rec-1", "applied"))  # replaces by id
    assert [f.id for f in store.feedback_records()] == ["f3", "f1", "f2", "f0"]
    assert [f.id for f in store.feedback_records("rec-1")] == ["f3", "f1", "f2"]
    assert store.feedback_records("rec-1")[0].verdict == "applied"
    assert store.feedback_records("none") == []
    assert store.purge_feedback("2026-03-01T10:00:00") == 1  # f3 only: the cut-off itself is kept
    assert [f.id for f in store.feedback_records()] == ["f1", "f2", "f0"]
    assert store.purge_feedback("2000-01-01") == 0


def test_tokens(empty_store: Store) -> None:
    store = empty_store
    t2 = TokenRecord(id="t2", token_hash="hash-2", role="consultant", municipality="0101", name="Ann",
                     created="2026-03-01T10:00:00+00:00")
    t1 = TokenRecord(id="t1", token_hash="hash-1", role="ethics", municipality="", name="Bo",
                     created="2026-03-01T11:00:00+00:00")
    store.put_token(t2)
    store.put_token(t1)
    assert store.tokens() == [t1, t2]
    assert store.get_token("hash-2") == t2
    assert store.get_token("hash-3") is None
    assert store.revoke_token("t2") is True
    assert store.revoke_token("t9") is False
    assert store.get_token("hash-2") == TokenRecord(**{**_fields(t2), "revoked": True})
    with pytest.raises(Exception):  # noqa: B017 - the backends' own constraint errors differ
        store.put_token(t1)
    assert store.tokens()[0] == t1


def _fields(t: TokenRecord) -> dict[str, object]:
    return {"id": t.id, "token_hash": t.token_hash, "role": t.role, "municipality": t.municipality,
            "name": t.name, "created": t.created, "revoked": t.revoked}


def test_trial_assignments_never_change(empty_store: Store) -> None:
    store = empty_store
    a = TrialAssignment(cv_id="cv-b", trial="t2026", arm="treatment", stratum="0101", assigned_at="2026-03-01")
    assert store.assign_trial(a) == a
    again = TrialAssignment(cv_id="cv-b", trial="t2026", arm="control", stratum="0101", assigned_at="2026-03-02")
    assert store.assign_trial(again) == a
    other = TrialAssignment(cv_id="cv-a", trial="t2026", arm="control", stratum="0751", assigned_at="2026-03-02")
    assert store.assign_trial(other) == other
    elsewhere = TrialAssignment(cv_id="cv-b", trial="t2027", arm="control", stratum="0101", assigned_at="2027-01-01")
    assert store.assign_trial(elsewhere) == elsewhere
    assert store.trial_assignments("t2026") == [other, a]
    assert store.trial_assignments("none") == []
    # Block randomisation counts a stratum's assignments and records each one's position.
    assert (store.trial_count("t2026", "0101"), store.trial_count("t2026", "0751"), store.trial_count("t2026", "x")) \
        == (1, 1, 0)
    placed = TrialAssignment(cv_id="cv-c", trial="t2026", arm="control", stratum="0101", assigned_at="2026-03-03",
                             position=1)
    assert store.assign_trial(placed) == placed and store.trial_count("t2026", "0101") == 2
    assert store.trial_assignments("t2026")[-1].position == 1 and a.position == -1


def test_exposures(empty_store: Store) -> None:
    store = empty_store
    store.add_exposures("2026-W10", "cv-a", ["p01", "p02", "p01"])
    store.add_exposures("2026-W10", "cv-a", ["p01"])  # idempotent per pair
    store.add_exposures("2026-W10", "cv-b", ["p01"])
    store.add_exposures("2026-W11", "cv-c", ["p02"])
    store.add_exposures("2026-W10", "cv-c", [])
    got = store.exposure_counts("2026-W10", ["p03", "p02", "p01", "p02"])
    assert got == {"p01": 2, "p02": 1}
    assert list(got) == ["p01", "p02"]
    assert store.exposure_counts("2026-W10", ["p01", "p02"], exclude_cv="cv-a") == {"p01": 1}
    assert store.exposure_counts("2026-W10", ["p02"], exclude_cv="cv-b") == {"p02": 1}
    assert store.exposure_counts("2026-W12", ["p01"]) == {}
    assert store.exposure_counts("2026-W10", []) == {}


def test_write_events(empty_store: Store) -> None:
    store = empty_store

    def ev(i: int, kind: str, target: str, action: str = "created") -> WriteEvent:
        return WriteEvent(id=f"w{i}", at=f"2026-03-0{i}T10:00:00+00:00", kind=kind, target=target, action=action,
                          content_hash=f"{i:064d}", actor="tok-1", role="consultant", municipality="0101")

    events = [ev(1, "cv", "cv-a"), ev(2, "posting", "p1"), ev(3, "posting", "p1", "replaced"), ev(4, "posting", "p2")]
    store.add_write_events(events)
    store.add_write_events(events[:1])  # idempotent per id
    assert store.write_events("posting", ["p1", "p2", "p-none"]) == events[1:]
    assert store.write_events("posting", ["p1"], since="2026-03-03") == [events[2]]
    assert store.write_events("cv", ["cv-a", "p1"]) == [events[0]]
    assert store.write_events("cv", []) == []
    store.add_write_events([])
    assert store.purge_write_events("2026-03-03") == 2  # retention: w1 and w2
    assert store.write_events("posting", ["p1", "p2"]) == events[2:]
    assert store.purge_write_events("2000-01-01") == 0
