"""The ethics reviewer's endpoints: search, full record, replay, chain verification, feedback summary,
municipality scope."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.settings import Settings
from graph.accountability.checkpoint import Checkpoint, is_authentic
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery
from graph.matching.scoring import MatchSettings
from tests.api.conftest import Tokens, ValidatingClient, bearer, current_postings
from tests.matching_data import S
from tests.tamper import rewrite_bodies


def _serve(client: FlaskClient, secret: str, cv_id: str, what: str = "matches") -> str:
    r = client.get(f"/api/v1/cvs/{cv_id}/{what}", headers=bearer(secret))
    assert r.status_code == 200
    rec: str = r.get_json()["recommendation_id"]
    return rec


def _list(client: FlaskClient, secret: str, query: str = "") -> dict[str, Any]:
    r = client.get(f"/api/v1/recommendations{query}", headers=bearer(secret))
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def test_search_by_pseudonym_actor_and_time(client: FlaskClient, tokens: Tokens) -> None:
    a = _serve(client, tokens.consultant, "cv-cook")
    b = _serve(client, tokens.consultant, "cv-dev", "alternatives")
    c = _serve(client, tokens.consultant_aarhus, "cv-aarhus")
    # Newest first by default (what a reviewer looks at lately), oldest first on request.
    assert [r["id"] for r in _list(client, tokens.ethics)["recommendations"]] == [c, b, a]
    assert [r["id"] for r in _list(client, tokens.ethics, "?order=oldest")["recommendations"]] == [a, b, c]
    assert [r["id"] for r in _list(client, tokens.ethics, "?cv_id=cv-dev")["recommendations"]] == [b]
    assert [r["id"] for r in _list(client, tokens.ethics, f"?actor={tokens.consultant_id}")["recommendations"]] == [b, a]
    assert _list(client, tokens.ethics, "?since=2000-01-01&until=2000-01-02")["recommendations"] == []
    assert len(_list(client, tokens.ethics, "?since=2000-01-01T00:00:00Z")["recommendations"]) == 3
    page = _list(client, tokens.ethics, "?limit=1&offset=1")
    assert [r["id"] for r in page["recommendations"]] == [b] and page["limit"] == 1 and page["offset"] == 1
    summary = _list(client, tokens.ethics, "?cv_id=cv-cook")["recommendations"][0]
    assert summary["strategy"] == "graph" and summary["suggestions"] > 0 and summary["municipality"] == "0101"


def test_ethics_token_with_a_municipality_sees_only_it(client: FlaskClient, tokens: Tokens) -> None:
    _serve(client, tokens.consultant, "cv-cook")
    c = _serve(client, tokens.consultant_aarhus, "cv-aarhus")
    own = _list(client, tokens.ethics_aarhus)["recommendations"]
    assert [r["id"] for r in own] == [c]
    other = _list(client, tokens.ethics, "?order=oldest")["recommendations"][0]["id"]
    assert client.get(f"/api/v1/recommendations/{other}", headers=bearer(tokens.ethics_aarhus)).status_code == 404


def test_admin_served_list_is_filed_under_the_citizens_municipality(client: FlaskClient, tokens: Tokens) -> None:
    _serve(client, tokens.admin, "cv-aarhus")
    [rec] = _list(client, tokens.ethics_aarhus)["recommendations"]
    assert rec["role"] == "admin" and rec["municipality"] == "0751"


def test_full_record_has_paths_evidence_versions_and_feedback(client: FlaskClient, tokens: Tokens) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")
    client.post(f"/api/v1/recommendations/{rec}/feedback", json={"target": "p-cook-1", "verdict": "applied"},
                headers=bearer(tokens.consultant))
    r = client.get(f"/api/v1/recommendations/{rec}", headers=bearer(tokens.ethics))
    assert r.status_code == 200
    body = r.get_json()
    result = body["body"]["result"]
    assert result["suggestions"][0]["matched"][0]["path"][0][1] == "HAS_SKILL"
    assert result["suggestions"][0]["matched"][0]["evidence"]
    assert body["ontology_version"] == "1.1.0" and body["algorithm_version"] and body["settings_hash"]
    assert body["hash"] and body["prev_hash"]
    assert [f["verdict"] for f in body["feedback"]] == ["applied"]
    assert client.get("/api/v1/recommendations/nope", headers=bearer(tokens.ethics)).status_code == 404


def test_a_signed_checkpoint_of_the_head(settings: Settings, store: MemoryStore, tokens: Tokens) -> None:
    app = create_app(replace(settings, audit_key="api-audit-key-0123456789abcdefghijk"), store=store)
    app.test_client_class = ValidatingClient
    client = app.test_client()
    _serve(client, tokens.consultant, "cv-cook")
    cp = client.get("/api/v1/audit/checkpoint", headers=bearer(tokens.ethics)).get_json()
    head = store.last_audit()
    assert head is not None and (cp["seq"], cp["hash"]) == (head.seq, head.hash)
    assert is_authentic(Checkpoint(**cp), b"api-audit-key-0123456789abcdefghijk")
    assert client.get("/api/v1/audit/checkpoint", headers=bearer(tokens.consultant)).status_code == 403


def test_verify_reports_an_intact_and_a_tampered_chain(client: FlaskClient, tokens: Tokens,
                                                       store: MemoryStore) -> None:
    for _ in range(3):
        _serve(client, tokens.consultant, "cv-cook")
    r = client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics))
    assert r.get_json() == {"ok": True, "checked": 3, "first_bad_seq": None, "problem": "", "checkpoints": 0,
                            "anchor": "genesis"}
    # Without an audit key checkpoints are off: nothing to sign.
    assert client.get("/api/v1/audit/checkpoint", headers=bearer(tokens.ethics)).status_code == 404
    # Tamper with the stored record directly, as someone with database access could.
    assert rewrite_bodies(store._conn(), "p-cook-1", "p-fake", seq=2) == 1
    report = client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics)).get_json()
    assert report["ok"] is False and report["first_bad_seq"] == 2


@pytest.mark.parametrize(("query", "field"), [
    ("?since=yesterday", "since"), ("?until=2026-02-30", "until"), ("?limit=0", "limit"),
    ("?limit=501", "limit"), ("?offset=-1", "offset"), ("?cv_id=" + "x" * 201, "cv_id"),
])
def test_bad_search_parameters_are_422(client: FlaskClient, tokens: Tokens, query: str, field: str) -> None:
    r = client.get(f"/api/v1/recommendations{query}", headers=bearer(tokens.ethics))
    assert r.status_code == 422
    assert r.get_json()["field"] == field


# -- the full record's extras ----------------------------------------------------------------------

def test_full_record_names_the_path_concepts_and_checks_its_hash(client: FlaskClient, tokens: Tokens,
                                                                 store: MemoryStore) -> None:
    rec = _serve(client, tokens.consultant, "cv-dev")
    body = client.get(f"/api/v1/recommendations/{rec}?lang=en", headers=bearer(tokens.ethics)).get_json()
    assert body["hash_valid"] is True
    nodes = {n for s in body["body"]["result"]["suggestions"] for m in s["matched"] for step in m["path"]
             for n in (step[0], step[2]) if n.startswith("http")}
    assert nodes and nodes <= set(body["labels"])
    assert body["labels"][S("programming")]  # the parent skill of a near match is named too
    assert rewrite_bodies(store._conn(), "p-dev-py", "p-fake") >= 1
    assert client.get(f"/api/v1/recommendations/{rec}", headers=bearer(tokens.ethics)).get_json()["hash_valid"] is False


# -- replay ----------------------------------------------------------------------------------------

def _replay(client: FlaskClient, secret: str, rec: str) -> Any:
    return client.post(f"/api/v1/recommendations/{rec}/replay", headers=bearer(secret))


@pytest.mark.parametrize("what", ["matches", "alternatives"])
def test_replay_of_an_unchanged_list_is_identical(app: Flask, client: FlaskClient, tokens: Tokens,
                                                  store: MemoryStore, what: str) -> None:
    # The fixture's occupation profiles are tiny; the default minimum of 5 essentials hides them all.
    app.extensions["jobmatch"].match_settings = MatchSettings(alt_min_essential=2)
    rec = _serve(client, tokens.consultant, "cv-chef", what)
    result = json.loads(store.get_audit(rec).body)["result"]  # type: ignore[union-attr]
    assert result["suggestions" if what == "matches" else "alternatives"]
    r = _replay(client, tokens.ethics, rec)
    assert r.status_code == 200
    body = r.get_json()
    assert body["record_id"] == rec and body["identical"] is True and body["differences"] == []
    assert body["recorded_versions"] == body["current_versions"]
    assert body["recorded_versions"]["ontology"] == "1.1.0"
    assert set(body["recorded_versions"]) == {"ontology", "algorithm", "settings", "local_additions", "reading_model",
                                              "ranking_model", "occupation_vectors"}
    assert len(_list(client, tokens.ethics)["recommendations"]) == 1  # replay records nothing


def test_replay_shows_what_differs_after_a_posting_changed(client: FlaskClient, tokens: Tokens,
                                                           store: MemoryStore) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")
    [cook] = [p for p in current_postings() if p.id == "p-cook-1"]
    store.upsert_postings([replace(cook, requirements=cook.requirements[:1])])  # the employer asks for less
    body = _replay(client, tokens.admin, rec).get_json()
    assert body["identical"] is False
    [diff] = [d for d in body["differences"] if d["item"] == "p-cook-1"]
    assert diff["change"] == "changed" and "score" in diff["fields"] and diff["rank_was"] == 1


def test_replay_roles_and_municipality_scope(client: FlaskClient, tokens: Tokens) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")
    assert _replay(client, tokens.consultant, rec).status_code == 403
    assert _replay(client, tokens.taxonomy, rec).status_code == 403
    assert client.post(f"/api/v1/recommendations/{rec}/replay").status_code == 401
    assert _replay(client, tokens.ethics_aarhus, rec).status_code == 404
    assert _replay(client, tokens.ethics, "no-such-record").status_code == 404
    assert client.get(f"/api/v1/recommendations/{rec}/replay", headers=bearer(tokens.ethics)).status_code == 405


# -- feedback summary ------------------------------------------------------------------------------

def test_feedback_summary_counts_per_strategy_within_the_tokens_municipality(client: FlaskClient,
                                                                            tokens: Tokens) -> None:
    empty = client.get("/api/v1/feedback/summary", headers=bearer(tokens.ethics)).get_json()
    assert empty == {"municipality": None, "total": 0, "per_strategy": {}, "per_strategy_and_isco_major_group": []}
    kbh = _serve(client, tokens.consultant, "cv-cook")
    aarhus = _serve(client, tokens.consultant_aarhus, "cv-aarhus")
    for rec, secret, target, verdict in (
            (kbh, tokens.consultant, "p-cook-1", "useful"), (kbh, tokens.consultant, "p-cook-1", "not_useful"),
            (aarhus, tokens.consultant_aarhus, "p-cook-far", "applied")):
        r = client.post(f"/api/v1/recommendations/{rec}/feedback", json={"target": target, "verdict": verdict},
                        headers=bearer(secret))
        assert r.status_code == 201, r.get_json()
    everyone = client.get("/api/v1/feedback/summary", headers=bearer(tokens.ethics)).get_json()
    assert everyone["total"] == 3
    assert everyone["per_strategy"]["graph"] == {"useful": 1, "not_useful": 1, "applied": 1, "discussed": 0,
                                                 "dismissed": 0, "flagged": 0, "total": 3,
                                                 "useful_or_applied_share": 0.6667}
    [group] = everyone["per_strategy_and_isco_major_group"]
    assert group["strategy"] == "graph" and group["isco_major_group"] == "5" and group["total"] == 3
    own = client.get("/api/v1/feedback/summary", headers=bearer(tokens.ethics_aarhus)).get_json()
    assert own["municipality"] == "0751" and own["total"] == 1 and own["per_strategy"]["graph"]["applied"] == 1
    assert client.get("/api/v1/feedback/summary", headers=bearer(tokens.consultant)).status_code == 403
    assert client.get("/api/v1/feedback/summary", headers=bearer(tokens.admin)).get_json()["total"] == 3


def test_decisions_and_flags_reach_the_ethics_queue(client: FlaskClient, tokens: Tokens) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")
    url = f"/api/v1/recommendations/{rec}/feedback"
    for verdict in ("discussed", "applied"):
        assert client.post(url, json={"target": "p-cook-1", "verdict": verdict},
                           headers=bearer(tokens.consultant)).status_code == 201
    for verdict in ("dismissed", "flagged"):  # these say why
        r = client.post(url, json={"target": "p-cook-1", "verdict": verdict}, headers=bearer(tokens.consultant))
        assert r.status_code == 422 and r.get_json()["field"] == "/reason"
    assert client.post(url, json={"target": "p-cook-1", "verdict": "flagged",
                                  "reason": "same posting for everyone this week"},
                       headers=bearer(tokens.consultant)).status_code == 201
    [flag] = client.get("/api/v1/flags", headers=bearer(tokens.ethics)).get_json()["flags"]
    assert (flag["recommendation_id"], flag["verdict"], flag["reason"]) == (
        rec, "flagged", "same posting for everyone this week")
    assert client.get("/api/v1/flags", headers=bearer(tokens.ethics_aarhus)).get_json()["flags"] == []
    assert client.get("/api/v1/flags", headers=bearer(tokens.consultant)).status_code == 403


def test_every_read_of_a_cv_or_a_record_is_an_event_of_the_chain(client: FlaskClient, tokens: Tokens,
                                                                 store: MemoryStore) -> None:
    served = _serve(client, tokens.consultant, "cv-cook")
    assert client.get("/api/v1/cvs/cv-cook", headers=bearer(tokens.consultant)).status_code == 200
    assert client.get(f"/api/v1/recommendations/{served}", headers=bearer(tokens.ethics)).status_code == 200
    # the list hides reads unless asked (every look at it is one), and shows them when asked
    assert [r["id"] for r in _list(client, tokens.ethics)["recommendations"]] == [served]
    shown = _list(client, tokens.ethics, "?reads=show&order=oldest")["recommendations"]
    assert [r["strategy"] for r in shown] == ["graph", "read", "read", "read"]
    reads = [json.loads(r.body)["read"] for r in store.audit_records(AuditQuery(limit=100)) if r.strategy == "read"]
    assert reads[:3] == [{"what": "cv", "ids": ["cv-cook"]}, {"what": "record", "ids": [served]},
                         {"what": "records", "ids": [served]}]
    cv_read = next(r for r in store.audit_records(AuditQuery(limit=100)) if r.strategy == "read")
    assert (cv_read.cv_id, cv_read.municipality, cv_read.role) == ("cv-cook", "0101", "consultant")
    r = client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics))
    assert r.status_code == 200 and r.get_json()["ok"] is True
