"""Retention of every kind of data by one command, on an embedded store in a temporary data directory."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from api.cli import main
from api.settings import Settings
from graph.accountability.audit import Actor, append_drafts, body_digest, canonical
from graph.accountability.serving import ListServer, ServeRequest, ServingPolicy
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery, AuditRecord, Feedback, WriteEvent
from graph.matching.vocabulary import RETENTION
from ontology.errors import ConfigurationError
from ontology.model import Taxonomy
from tests.matching_data import POSTINGS, O, cv, posting

TODAY = datetime.now(UTC).date()
CONSULTANT = Actor(id="tok-1", role="consultant", municipality="0101")


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _feedback(fid: str, at: datetime) -> Feedback:
    return Feedback(id=fid, at=at.isoformat(timespec="milliseconds"), recommendation_id="r", cv_id="fresh",
                    target="p-cook-1", verdict="useful", reason="", actor="tok-1", municipality="0101",
                    strategy="graph")


def _old_record(at: datetime) -> AuditRecord:
    text = canonical({"note": "an old record"})
    return AuditRecord(id=uuid.uuid4().hex, seq=0, at=at.isoformat(timespec="milliseconds"), cv_id="", actor="tok-1",
                       role="consultant", municipality="0101", strategy="graph", settings_hash="",
                       algorithm_version="", ontology_version="", local_additions_version="", body=text,
                       prev_hash="", hash="", body_hash=body_digest(text))


@pytest.fixture
def data_dir(tmp_path: Path, mini_taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> Path:
    now = datetime.now(UTC)
    store = MemoryStore(tmp_path).open()
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_postings([*POSTINGS,
                           posting("p-ancient", "Cook (long gone)", "cook", ["dishes"], published=_day(400),
                                   valid_through=_day(200)),
                           posting("p-future", "Cook (open)", "cook", ["dishes"], published=_day(1),
                                   valid_through=_day(-30))])
    cook = ["dishes", "meat", "foodsafety", "teamwork"]
    old = replace(cv("old", cook, seeks=(O("cook"),)), updated=_day(400))
    store.upsert_cvs([old, replace(cv("fresh", cook), updated=_day(0)), replace(cv("undated", cook), updated="")])
    append_drafts(store, [_old_record(now - timedelta(days=400))])
    ListServer(store, store, ServingPolicy()).serve(old, CONSULTANT, ServeRequest(valid_on=_day(0)), today=TODAY)
    store.add_write_events([WriteEvent(f"w-{days}", (now - timedelta(days=days)).isoformat(), "posting", "p-future",
                                       "created", "0" * 64, "tok-1", "consultant", "0101") for days in (400, 1)])
    store.add_feedback(_feedback("fb-old", now - timedelta(days=800)))
    store.add_feedback(_feedback("fb-new", now - timedelta(days=1)))
    store.close()
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    return tmp_path


def test_without_yes_retention_says_what_would_go_and_deletes_nothing(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retention"]) == 0
    out = capsys.readouterr().out
    assert "would delete" in out and "CVs not updated since before" in out and ": 1 (1 without a date" in out
    store = MemoryStore(data_dir).open()
    try:
        assert store.cv_ids() == ["fresh", "old", "undated"]
        assert "p-ancient" in store.posting_ids()
        assert len(store.feedback_records()) == 2
        assert not any(r.strategy == RETENTION for r in store.audit_records(AuditQuery(limit=100)))
    finally:
        store.close()


def test_retention_erases_deletes_and_purges_each_kind_and_the_trail_still_verifies(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = MemoryStore(data_dir).open()
    expired = {p.id for p in before.get_postings(before.posting_ids()).values()
               if date.fromisoformat(p.valid_through) < TODAY - timedelta(days=90)}
    old_list = next(r for r in before.audit_records(AuditQuery(cv_id="old", limit=10)))
    before.close()
    assert "p-ancient" in expired and "p-future" not in expired

    assert main(["retention", "--yes", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] and report["record"]
    assert report["cvs"] == ["old"] and report["cvs_erased"] == 1 and report["undated_cvs"] == 1
    assert report["postings_deleted"] == len(expired)
    assert (report["feedback_deleted"], report["audit_purged"], report["lists_blanked"]) == (1, 1, 1)
    assert report["write_events_purged"] == 1

    store = MemoryStore(data_dir).open()
    try:
        assert store.cv_ids() == ["fresh", "undated"]
        left = set(store.posting_ids())
        assert not left & expired and "p-future" in left
        assert [f.id for f in store.feedback_records()] == ["fb-new"]
        assert [e.id for e in store.write_events("posting", ["p-future"])] == ["w-1"]
        kept = store.audit_records(AuditQuery(limit=100))
        assert [r.strategy for r in kept if r.strategy in (RETENTION, "erasure", "purge")] == \
            [RETENTION, "erasure", "purge"]
        blanked = store.get_audit(old_list.id)
        assert blanked is not None and blanked.body == ""  # the list served about the erased CV
    finally:
        store.close()
    assert main(["audit", "verify"]) == 0
    capsys.readouterr()
    # again: nothing is older than its period any more, and nothing new is recorded
    assert main(["retention", "--yes", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert not again["record"] and again["cvs"] == [] and again["postings"] == 0


@pytest.mark.parametrize("var", ["JOBMATCH_CV_RETENTION_DAYS", "JOBMATCH_POSTING_RETENTION_DAYS",
                                 "JOBMATCH_FEEDBACK_RETENTION_DAYS", "JOBMATCH_AUDIT_RETENTION_DAYS"])
def test_a_retention_period_below_one_day_is_refused_naming_the_setting(var: str) -> None:
    with pytest.raises(ConfigurationError) as e:
        Settings.from_env({var: "0"})
    assert e.value.field == var
