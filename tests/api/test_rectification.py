"""Rectification of a citizen's data (GDPR art. 16): skills the citizen says were read wrongly are removed,
never inferred again, and the rectification is a record of the audit trail (its reason only as a hash)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from api.cli import main
from graph.accountability.audit import body_digest, verify_chain
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery
from tests.api.conftest import Tokens, bearer
from tests.matching_data import S

URL = "/api/v1/cvs/cv-cook/rectification"


def test_a_skill_read_wrongly_is_removed_remembered_and_recorded(client: FlaskClient, tokens: Tokens,
                                                                 store: MemoryStore) -> None:
    assert S("dishes") in {s.skill for s in store.get_cvs(["cv-cook"])["cv-cook"].skills}
    r = client.post(URL, json={"remove_skills": [S("dishes")], "reason": "Borgeren har aldrig lavet mad"},
                    headers=bearer(tokens.consultant))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["removed"] == [S("dishes")] and body["id"] == "cv-cook"
    cv = store.get_cvs(["cv-cook"])["cv-cook"]
    assert S("dishes") not in {s.skill for s in cv.skills} and S("dishes") in cv.rejected
    event = store.get_audit(body["rectification_record"])
    assert event is not None and event.strategy == "rectification" and event.municipality == "0101"
    assert json.loads(event.body)["rectification"] == {
        "removed": [S("dishes")], "reason_hash": body_digest("Borgeren har aldrig lavet mad")}
    assert "aldrig" not in event.body  # the reason itself is not kept
    assert verify_chain(store).ok
    # the matches no longer rest on it
    m = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    assert all(x["cv_skill"]["uri"] != S("dishes") for s in m["suggestions"] for x in s["matched"])


@pytest.mark.parametrize(("doc", "field"), [
    ({"remove_skills": ["http://data.europa.eu/esco/skill/not-on-this-cv"]}, "/remove_skills"),
    ({"remove_skills": []}, "/remove_skills"),
    ({"remove_skills": "dishes"}, "/remove_skills"),
    ({"remove_skills": [S("dishes")], "reason": 7}, "/reason"),
    ({"remove_skills": [S("dishes")], "why": "x"}, "/why"),
])
def test_bad_rectifications_are_422_naming_the_field_and_change_nothing(client: FlaskClient, tokens: Tokens,
                                                                       store: MemoryStore, doc: object,
                                                                       field: str) -> None:
    before = store.get_cvs(["cv-cook"])["cv-cook"]
    r = client.post(URL, json=doc, headers=bearer(tokens.consultant))
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert any(e.get("field") == field for e in r.get_json().get("errors", [r.get_json()])), r.get_json()
    assert store.get_cvs(["cv-cook"])["cv-cook"] == before


def test_another_municipality_cannot_rectify_and_ethics_may_not(client: FlaskClient, tokens: Tokens) -> None:
    doc = {"remove_skills": [S("dishes")]}
    assert client.post(URL, json=doc, headers=bearer(tokens.consultant_aarhus)).status_code == 404
    assert client.post(URL, json=doc, headers=bearer(tokens.ethics)).status_code == 403


def test_the_cli_rectifies_through_the_same_use_case(store: MemoryStore, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert store.data_dir is not None
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(store.data_dir))
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    assert main(["citizen", "rectify", "cv-dev", "--remove-skill", S("python")]) == 0
    assert "removed 1 skill(s)" in capsys.readouterr().out
    again = MemoryStore(store.data_dir).open()
    try:
        assert S("python") not in {s.skill for s in again.get_cvs(["cv-dev"])["cv-dev"].skills}
        kinds = [r.strategy for r in again.audit_records(AuditQuery(cv_id="cv-dev"))]
        assert kinds == ["rectification"]
    finally:
        again.close()
