"""The ethics reviewer's endpoints: search, full record, chain verification, municipality scope."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from graph.backends.memory import MemoryStore
from tests.api.conftest import Tokens, bearer


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
    assert [r["id"] for r in _list(client, tokens.ethics)["recommendations"]] == [a, b, c]
    assert [r["id"] for r in _list(client, tokens.ethics, "?cv_id=cv-dev")["recommendations"]] == [b]
    assert [r["id"] for r in _list(client, tokens.ethics, f"?actor={tokens.consultant_id}")["recommendations"]] == [a, b]
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
    other = _list(client, tokens.ethics)["recommendations"][0]["id"]
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


def test_verify_reports_an_intact_and_a_tampered_chain(client: FlaskClient, tokens: Tokens,
                                                       store: MemoryStore) -> None:
    for _ in range(3):
        _serve(client, tokens.consultant, "cv-cook")
    r = client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics))
    assert r.get_json() == {"ok": True, "checked": 3, "first_bad_seq": None, "problem": ""}
    # Tamper with the stored record directly, as someone with database access could.
    store._conn().execute("UPDATE audit SET body = replace(body, 'p-cook-1', 'p-fake') WHERE seq = 2")
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
