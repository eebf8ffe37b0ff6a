"""A tamper-evident trail: cutting records off either end or from the middle, or rewriting one and
recomputing every later hash, each make verification fail and name the place; a purge leaves a record of
itself that verifies; checkpoints are signed and a forged one is caught."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from api.cli import main
from graph.accountability.audit import (
    Actor,
    append_drafts,
    body_digest,
    draft_of,
    record_hash,
    tombstone,
    verify_chain,
)
from graph.accountability.checkpoint import Checkpoint, append_checkpoint, read_checkpoints, signed_head
from graph.accountability.proof import check, prove, prove_consistency
from graph.backends.memory.graph_store import JOURNAL, MemoryStore
from graph.ledger import AuditQuery, AuditRecord
from graph.matching.match import match_postings
from ontology.errors import NotFoundError
from ontology.model import Taxonomy
from tests.matching_data import POSTINGS, TODAY, O, cv

KEY = b"audit-test-key-0123456789abcdefghij"
ACTOR = Actor("tok-1", "consultant", "0101")
OPERATOR = Actor("cli:test", "admin", "")


@pytest.fixture
def store(tmp_path: Path, mini_taxonomy: Taxonomy) -> MemoryStore:
    s = MemoryStore(tmp_path).open()
    s.upsert_taxonomy(mini_taxonomy)
    s.upsert_postings(POSTINGS)
    result = match_postings(s, cv("cook-1", ["dishes", "meat", "foodsafety"], seeks=(O("cook"),)), valid_on=TODAY)
    # Three lists from last year, three from today.
    old = [draft_of(result, ACTOR, at=f"2025-0{i}-01T10:00:00.000+00:00") for i in (1, 2, 3)]
    append_drafts(s, [*old, *(draft_of(result, ACTOR) for _ in range(3))])
    return s


def _db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / JOURNAL)


def _checked(store: MemoryStore, tmp_path: Path) -> list[Checkpoint]:
    cp = signed_head(store, KEY)
    assert cp is not None and cp.seq == 6
    append_checkpoint(tmp_path / "checkpoints.jsonl", cp)
    return read_checkpoints(tmp_path / "checkpoints.jsonl")


def test_an_intact_trail_holds_its_checkpoints(store: MemoryStore, tmp_path: Path) -> None:
    report = verify_chain(store, checkpoints=_checked(store, tmp_path), key=KEY)
    assert report.ok and report.checked == 6 and report.checkpoints == 1 and report.anchor == "genesis"


def test_cutting_off_the_newest_record_is_caught_by_a_checkpoint(store: MemoryStore, tmp_path: Path) -> None:
    checkpoints = _checked(store, tmp_path)
    with _db(tmp_path) as db:
        db.execute("DELETE FROM audit WHERE seq = 6")
    assert verify_chain(store).ok  # a chain alone cannot tell
    report = verify_chain(store, checkpoints=checkpoints, key=KEY)
    assert not report.ok and report.first_bad_seq == 6 and "records after 5 were removed" in report.problem


def test_cutting_off_the_oldest_record_without_a_purge_record_is_caught(store: MemoryStore, tmp_path: Path) -> None:
    with _db(tmp_path) as db:
        db.execute("DELETE FROM audit WHERE seq = 1")
    report = verify_chain(store)
    assert not report.ok and report.first_bad_seq == 2 and "without a purge record" in report.problem


def test_a_middle_record_removed_is_caught(store: MemoryStore, tmp_path: Path) -> None:
    with _db(tmp_path) as db:
        db.execute("DELETE FROM audit WHERE seq = 3")
    report = verify_chain(store)
    assert not report.ok and report.first_bad_seq == 4 and "does not link" in report.problem


def test_a_rewrite_with_every_later_hash_recomputed_is_caught(store: MemoryStore, tmp_path: Path) -> None:
    checkpoints = _checked(store, tmp_path)
    records = store.audit_records(AuditQuery())
    # Someone with the database edits record 2 and recomputes the chain from there on, consistently.
    forged: list[AuditRecord] = records[:1]
    for rec in records[1:]:
        body = rec.body.replace("p-cook-1", "p-forged") if rec.seq == 2 else rec.body
        new = replace(rec, body=body, body_hash=body_digest(body), prev_hash=forged[-1].hash, hash="")
        forged.append(replace(new, hash=record_hash(new)))
    with _db(tmp_path) as db:
        db.execute("DELETE FROM audit")
    store.append_audits(forged)
    assert verify_chain(store).ok  # the chain is consistent again
    report = verify_chain(store, checkpoints=checkpoints, key=KEY)
    assert not report.ok and report.first_bad_seq == 6 and "rewritten" in report.problem


def test_a_forged_checkpoint_is_caught(store: MemoryStore, tmp_path: Path) -> None:
    cp = _checked(store, tmp_path)[0]
    path = tmp_path / "forged.jsonl"
    append_checkpoint(path, replace(cp, seq=9))  # claims a longer chain, signature of the real one
    report = verify_chain(store, checkpoints=read_checkpoints(path), key=KEY)
    assert not report.ok and "not authentic" in report.problem
    assert not verify_chain(store, checkpoints=[cp], key=b"another-key-0123456789abcdefghijkl").ok


def test_a_purge_leaves_a_record_that_verifies(store: MemoryStore, tmp_path: Path) -> None:
    checkpoints = _checked(store, tmp_path)
    mark = tombstone(store, "2026-01-01T00:00:00+00:00", OPERATOR, "retention")
    assert mark is not None and mark.seq == 7 and mark.strategy == "purge"
    assert json.loads(mark.body)["purge"]["count"] == 3 and json.loads(mark.body)["purge"]["through_seq"] == 3
    assert store.purge_audit("2026-01-01T00:00:00+00:00") == 3
    report = verify_chain(store, checkpoints=checkpoints, key=KEY)
    assert report.ok and report.anchor == "purge through record 3" and report.checkpoints == 1
    # The same cut without the record of it is not accepted.
    with _db(tmp_path) as db:
        db.execute("DELETE FROM audit WHERE seq = 4")
    assert not verify_chain(store).ok


def test_the_purge_command_asks_refuses_zero_days_and_leaves_a_record(
        store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JOBMATCH_AUDIT_KEY", KEY.decode())
    store.close()
    assert main(["audit", "purge", "--older-than-days", "0", "--yes"]) == 2
    assert main(["audit", "purge", "--older-than-days", "-5", "--yes"]) == 2
    assert main(["audit", "purge", "--older-than-days", "30"]) == 0
    assert "would delete" in capsys.readouterr().out
    assert len(MemoryStore(tmp_path).open().audit_records(AuditQuery())) == 6  # nothing without --yes
    assert main(["audit", "checkpoint"]) == 0
    assert main(["audit", "purge", "--older-than-days", "30", "--yes", "--reason", "retention test"]) == 0
    assert "deleted 3 audit records" in capsys.readouterr().out
    again = MemoryStore(tmp_path).open()
    kept = again.audit_records(AuditQuery())
    assert [r.seq for r in kept] == [4, 5, 6, 7] and kept[-1].actor.startswith("cli:")
    assert json.loads(kept[-1].body)["purge"]["reason"] == "retention test"
    again.close()
    assert main(["audit", "verify", "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified["ok"] and verified["checkpoints"] == 2 and verified["anchor"] == "purge through record 3"


def test_the_signed_head_matches_the_chain(store: MemoryStore) -> None:
    cp = signed_head(store, KEY)
    head = store.last_audit()
    assert cp is not None and head is not None and (cp.seq, cp.hash) == (head.seq, head.hash)
    assert set(asdict(cp)) == {"seq", "hash", "at", "signature"}


def test_a_proof_shows_a_record_is_in_the_trail_and_a_forged_one_fails(store: MemoryStore, tmp_path: Path) -> None:
    checkpoints = _checked(store, tmp_path)
    second = store.audit_records(AuditQuery())[1]
    proof = prove(store, second.id, checkpoints, KEY)
    assert check(proof, KEY)[0]
    assert all(r["body"] == "" for r in proof["chain"])  # no personal data in a proof
    forged = json.loads(json.dumps(proof))
    forged["chain"][0]["strategy"] = "automatch"  # what was served is claimed otherwise
    assert check(forged, KEY) == (False, "record 2 does not match its hash")
    cut = {**proof, "chain": proof["chain"][:-1]}
    assert not check(cut, KEY)[0]
    assert not check(proof, b"another-key-0123456789abcdefghijkl")[0]


def test_a_consistency_proof_shows_a_later_checkpoint_extends_an_earlier_one(store: MemoryStore,
                                                                            tmp_path: Path) -> None:
    checked = _checked(store, tmp_path)  # 6 records
    result = match_postings(store, cv("cook-2", ["dishes"], seeks=(O("cook"),)), valid_on=TODAY)
    append_drafts(store, [draft_of(result, ACTOR), draft_of(result, ACTOR)])
    later = signed_head(store, KEY)
    assert later is not None and later.seq == 8
    append_checkpoint(tmp_path / "checkpoints.jsonl", later)
    checkpoints = read_checkpoints(tmp_path / "checkpoints.jsonl")
    proof = prove_consistency(store, checkpoints, KEY)
    assert (proof["old"]["seq"], proof["new"]["seq"], [r["seq"] for r in proof["chain"]]) == (6, 8, [7, 8])
    assert check(proof, KEY)[0] and all(r["body"] == "" for r in proof["chain"])
    assert check(prove_consistency(store, checkpoints, KEY, old_seq=6, new_seq=6), KEY)[0]  # nothing between
    # A trail rewritten from record 5 on cannot link the earlier checkpoint to a later one.
    forged = json.loads(json.dumps(proof))
    forged["chain"][0]["prev_hash"] = "0" * 64
    assert check(forged, KEY) == (False, "record 7 does not match its hash")
    short = {**proof, "chain": proof["chain"][:1]}
    assert check(short, KEY) == (False, "the chain does not reach the later checkpoint")
    assert not check(proof, b"another-key-0123456789abcdefghijkl")[0]
    with pytest.raises(NotFoundError):
        prove_consistency(store, checked, KEY)  # one checkpoint: nothing to compare


def test_the_prove_commands(store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JOBMATCH_AUDIT_KEY", KEY.decode())
    first = store.audit_records(AuditQuery())[0].id
    store.close()
    assert main(["audit", "prove", first]) == 2  # no checkpoint yet: a clear error
    assert "no signed checkpoint covers" in capsys.readouterr().err
    assert main(["audit", "checkpoint"]) == 0
    capsys.readouterr()
    assert main(["audit", "prove", first]) == 0
    path = tmp_path / "proof.json"
    path.write_text(capsys.readouterr().out, "utf-8")
    assert main(["audit", "check-proof", str(path)]) == 0
    assert "proof holds" in capsys.readouterr().out
    # a consistency proof needs two checkpoints; then it holds from the command line too
    assert main(["audit", "prove-consistency"]) == 2
    assert "no two signed checkpoints" in capsys.readouterr().err
    assert main(["audit", "export"]) == 0  # a read: a new record, so the next checkpoint is further on
    capsys.readouterr()
    assert main(["audit", "checkpoint"]) == 0
    capsys.readouterr()
    assert main(["audit", "prove-consistency"]) == 0
    path.write_text(capsys.readouterr().out, "utf-8")
    assert main(["audit", "check-proof", str(path)]) == 0
    assert "extends the 6 records" in capsys.readouterr().out
