"""Erasure of a citizen's data: no personal field or evidence sentence of the CV remains in the data
dir's files, the exports or the API, and the audit trail still verifies."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from api.cli import main
from graph.backends.memory.graph_store import JOURNAL, MemoryStore
from tests.api.conftest import Tokens, bearer
from tests.api.test_consultant import cv_doc


def _everything_in(data: Path) -> bytes:
    """Every byte of the data dir, with the audit bodies decompressed (they are stored zlib-packed)."""
    out = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    db = sqlite3.connect(data / JOURNAL)
    try:
        out += b"".join(zlib.decompress(body) for (body,) in db.execute("SELECT body FROM audit"))
    finally:
        db.close()
    return out


def test_erasure_leaves_nothing_of_the_cv_and_the_trail_verifies(client: FlaskClient, tokens: Tokens,
                                                                  store: MemoryStore) -> None:
    assert store.data_dir is not None
    baseline = _everything_in(store.data_dir)  # labels and postings: what was there before the CV
    written = client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant)).get_json()
    cv_id = written["id"]
    stored = store.get_cvs([cv_id])[cv_id]
    # The CV's own sentences (a declared skill's "sentence" can be its ESCO label, held anyway).
    sentences = sorted({e.sentence for s in stored.skills for e in s.evidence
                        if e.sentence and e.sentence.encode() not in baseline})
    assert sentences
    lists = [client.get(f"/api/v1/cvs/{cv_id}/{kind}", headers=bearer(tokens.consultant)).get_json()
             for kind in ("matches", "alternatives")]
    before = _everything_in(store.data_dir)
    assert any(s.encode() in before for s in sentences)  # the test can see them before

    r = client.post(f"/api/v1/cvs/{cv_id}/erasure", json={"reason": "the citizen asked"},
                    headers=bearer(tokens.consultant))
    assert r.status_code == 200
    report = r.get_json()
    assert report["records_blanked"] == 2 and report["legacy_records_kept"] == 0

    after = _everything_in(store.data_dir)
    for s in sentences:
        assert s.encode() not in after, s
    assert client.get(f"/api/v1/cvs/{cv_id}", headers=bearer(tokens.consultant)).status_code == 404
    assert client.get(f"/api/v1/cvs/{cv_id}/export", headers=bearer(tokens.consultant)).status_code == 404
    record = client.get(f"/api/v1/recommendations/{lists[0]['recommendation_id']}",
                        headers=bearer(tokens.ethics)).get_json()
    assert record["body"] == {"erased": True} and record["hash_valid"]
    assert not any(s in json.dumps(record) for s in sentences)
    assert client.post(f"/api/v1/recommendations/{lists[0]['recommendation_id']}/replay",
                       headers=bearer(tokens.ethics)).status_code == 404
    verified = client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics)).get_json()
    assert verified["ok"], verified
    # Another municipality's consultant cannot erase (nor learn that the citizen exists).
    other = client.post("/api/v1/cvs", json=cv_doc(id="0101-A0002"), headers=bearer(tokens.consultant)).get_json()
    assert client.post(f"/api/v1/cvs/{other['id']}/erasure", json={},
                       headers=bearer(tokens.consultant_aarhus)).status_code == 404


def test_a_body_blanked_without_an_erasure_record_is_caught(client: FlaskClient, tokens: Tokens,
                                                            store: MemoryStore) -> None:
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    assert store.erase_audit_bodies([served["recommendation_id"]]) == 1
    report = client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics)).get_json()
    assert not report["ok"] and "without an erasure record" in report["problem"]


def test_the_cli_erases_only_with_yes(client: FlaskClient, tokens: Tokens, store: MemoryStore,
                                      monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant))
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(store.data_dir))
    assert main(["citizen", "erase", "cv-cook"]) == 0
    assert "would erase" in capsys.readouterr().out
    assert store.get_cvs(["cv-cook"])
    assert main(["citizen", "erase", "cv-cook", "--yes"]) == 0
    assert "1 list bodies blanked" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
