"""The consultant's endpoints: ingest, view, matches, alternatives, feedback — success and error shapes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery
from tests.api.conftest import Tokens, bearer
from tests.conftest import FIXTURES
from tests.matching_data import O, S

DOCS = FIXTURES / "documents"


def cv_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DOCS / "cv_en.json").read_text("utf-8"))
    doc.update({"id": "0101-A0001", "municipality": "0101", "postcode": "2100"})
    doc.update(changes)
    return doc


def posting_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DOCS / "posting_da.json").read_text("utf-8"))
    doc.update({"published": date.today().isoformat(), "location": {"postcode": "2100"}})
    doc.update(changes)
    return doc


# -- CV ingestion ----------------------------------------------------------------------------------

def test_post_cv_pseudonymises_and_stores(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    r = client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant))
    assert r.status_code == 201
    body = r.get_json()
    assert body["id"].startswith("cv_") and "0101-A0001" not in r.get_data(as_text=True)
    assert r.headers["Location"] == f"/api/v1/cvs/{body['id']}"
    stored = store.get_cvs([body["id"]])[body["id"]]
    assert stored.municipality == "0101" and O("cook") in stored.seeks
    # Scrubbed: the e-mail in the profile never reaches the stored evidence.
    assert "john.smith@example.com" not in json.dumps([e.sentence for s in stored.skills for e in s.evidence])

    again = client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant))
    assert again.status_code == 200 and again.get_json() == {**body, "created": False}


def test_put_cv_replaces_by_pseudonym(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    cv_id = client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant)).get_json()["id"]
    r = client.put(f"/api/v1/cvs/{cv_id}", json=cv_doc(max_km=5), headers=bearer(tokens.consultant))
    assert r.status_code == 200
    assert store.get_cvs([cv_id])[cv_id].max_km == 5


def test_put_cv_with_another_citizens_document_is_422(client: FlaskClient, tokens: Tokens) -> None:
    r = client.put("/api/v1/cvs/cv-cook", json=cv_doc(), headers=bearer(tokens.consultant))
    assert r.status_code == 422
    assert r.get_json()["field"] == "/id"


def test_cv_validation_names_the_field(client: FlaskClient, tokens: Tokens) -> None:
    r = client.post("/api/v1/cvs", json=cv_doc(max_km=-3), headers=bearer(tokens.consultant))
    assert r.status_code == 422
    problem = r.get_json()
    assert problem["field"] == "/max_km" and problem["type"].endswith(":validation")
    r = client.post("/api/v1/cvs", json=cv_doc(postcode="0000"), headers=bearer(tokens.consultant))
    assert r.status_code == 422 and r.get_json()["field"] == "/postcode"


def test_protected_attribute_is_refused_without_echoing_it(client: FlaskClient, tokens: Tokens) -> None:
    r = client.post("/api/v1/cvs", json=cv_doc(religion="Pastafarian"), headers=bearer(tokens.consultant))
    assert r.status_code == 422
    assert r.get_json()["field"] == "/religion"
    assert "Pastafarian" not in r.get_data(as_text=True)


def test_consultant_cannot_write_another_municipalitys_cv(client: FlaskClient, tokens: Tokens) -> None:
    doc = cv_doc(id="0751-B1", municipality="0751", postcode="8000")
    r = client.post("/api/v1/cvs", json=doc, headers=bearer(tokens.consultant))
    assert r.status_code == 403
    assert r.get_json()["field"] == "/municipality"
    assert client.post("/api/v1/cvs", json=doc, headers=bearer(tokens.consultant_aarhus)).status_code == 201


def test_a_citizen_another_municipality_holds_is_written_like_an_unknown_one(client: FlaskClient, tokens: Tokens,
                                                                           store: MemoryStore) -> None:
    aarhus = client.post("/api/v1/cvs", json=cv_doc(id="REF-7", municipality="0751", postcode="8000"),
                         headers=bearer(tokens.consultant_aarhus))
    assert aarhus.status_code == 201
    held = client.post("/api/v1/cvs", json=cv_doc(id="REF-7"), headers=bearer(tokens.consultant))
    unknown = client.post("/api/v1/cvs", json=cv_doc(id="REF-8"), headers=bearer(tokens.consultant))
    # The same answer as for a citizen nobody holds: created, in the job centre's own municipality.
    assert held.status_code == unknown.status_code == 201
    assert set(held.get_json()) == set(unknown.get_json())
    assert held.get_json()["municipality"] == "0101" and held.get_json()["id"] != aarhus.get_json()["id"]
    # Aarhus's CV is untouched; each job centre finds its own by the reference.
    assert store.get_cvs([aarhus.get_json()["id"]])[aarhus.get_json()["id"]].municipality == "0751"
    own = client.post("/api/v1/cvs/lookup", json={"citizen_ref": "REF-7"}, headers=bearer(tokens.consultant))
    theirs = client.post("/api/v1/cvs/lookup", json={"citizen_ref": "REF-7"}, headers=bearer(tokens.consultant_aarhus))
    assert own.get_json()["id"] == held.get_json()["id"] and theirs.get_json()["id"] == aarhus.get_json()["id"]
    again = client.post("/api/v1/cvs", json=cv_doc(id="REF-7"), headers=bearer(tokens.consultant))
    assert again.status_code == 200 and again.get_json()["id"] == held.get_json()["id"]


def test_ingest_does_not_log_cv_text(client: FlaskClient, tokens: Tokens, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant))
    client.post("/api/v1/cvs", json=cv_doc(max_km="far"), headers=bearer(tokens.consultant))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("John Smith", "0101-A0001", "12 years of experience", "john.smith@example.com", tokens.consultant):
        assert secret not in logged


# -- postings ---------------------------------------------------------------------------------------

def test_post_one_posting(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    r = client.post("/api/v1/postings", json=posting_doc(), headers=bearer(tokens.consultant))
    assert r.status_code == 201
    body = r.get_json()
    assert body["stored"] == 1 and body["postings"][0]["id"] == "jobnet:48213"
    assert store.get_postings(["jobnet:48213"])["jobnet:48213"].employer == "Lager A/S"


def test_post_a_list_of_postings_is_all_or_nothing(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    good, bad = posting_doc(id="1"), posting_doc(id="2")
    del bad["title"]
    r = client.post("/api/v1/postings", json=[good, bad], headers=bearer(tokens.consultant))
    assert r.status_code == 422
    assert r.get_json()["field"] == "/1/title"
    assert store.get_postings(["jobnet:1"]) == {}
    r = client.post("/api/v1/postings", json=[good, posting_doc(id="3")], headers=bearer(tokens.consultant))
    assert r.status_code == 201 and r.get_json()["stored"] == 2


@pytest.mark.parametrize("body", [[], [1], "text", 3])
def test_postings_body_must_be_objects(client: FlaskClient, tokens: Tokens, body: Any) -> None:
    r = client.post("/api/v1/postings", json=body, headers=bearer(tokens.consultant))
    assert r.status_code == 422


# -- reading a CV ----------------------------------------------------------------------------------

def test_get_cv_shows_evidence_and_labels(client: FlaskClient, tokens: Tokens) -> None:
    r = client.get("/api/v1/cvs/cv-cook?lang=da", headers=bearer(tokens.consultant))
    assert r.status_code == 200
    body = r.get_json()
    meat = next(s for s in body["skills"] if s["skill"] == S("meat"))
    assert meat["evidence"][0]["sentence"] == "I have experience with meat."
    assert body["labels"][O("cook")] == "kok"


def test_other_municipalitys_cv_is_404_like_an_unknown_one(client: FlaskClient, tokens: Tokens) -> None:
    other = client.get("/api/v1/cvs/cv-aarhus", headers=bearer(tokens.consultant))
    unknown = client.get("/api/v1/cvs/cv-nobody", headers=bearer(tokens.consultant))
    assert other.status_code == unknown.status_code == 404
    assert other.get_json()["detail"] == unknown.get_json()["detail"]
    for path in ("matches", "alternatives"):
        assert client.get(f"/api/v1/cvs/cv-aarhus/{path}", headers=bearer(tokens.consultant)).status_code == 404
    assert client.get("/api/v1/cvs/cv-aarhus", headers=bearer(tokens.consultant_aarhus)).status_code == 200


def test_ethics_reads_cvs_but_cannot_match(client: FlaskClient, tokens: Tokens) -> None:
    assert client.get("/api/v1/cvs/cv-aarhus", headers=bearer(tokens.ethics)).status_code == 200
    assert client.get("/api/v1/cvs/cv-cook", headers=bearer(tokens.ethics_aarhus)).status_code == 404
    assert client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.ethics)).status_code == 403


# -- matches ---------------------------------------------------------------------------------------

def test_matches_are_explained_and_audited(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    r = client.get("/api/v1/cvs/cv-cook/matches?limit=5&radius_km=20", headers=bearer(tokens.consultant))
    assert r.status_code == 200
    body = r.get_json()
    assert body["strategy"] == "graph" and body["valid_on"] == date.today().isoformat()
    top = body["suggestions"][0]
    assert top["posting"]["id"] == "p-cook-1"
    meat = next(m for m in top["matched"] if m["skill"]["uri"] == S("meat"))
    assert meat["evidence"][0]["text"] == "meat"
    assert meat["path"][0] == ["cv:cv-cook", "HAS_SKILL", S("meat")]
    assert [m["uri"] for m in top["missing_essential"]] == [S("foodsafety")]
    assert body["labels"][S("meat")]  # every URI in the answer has a label for the page
    rec = store.get_audit(body["recommendation_id"])
    assert rec is not None
    assert rec.actor == tokens.consultant_id and rec.role == "consultant" and rec.municipality == "0101"
    assert tokens.consultant not in rec.body
    assert json.loads(rec.body)["request"] == {"kind": "matches", "strategy": "graph", "radius_km": 20.0,
                                               "limit": 5, "valid_on": None, "lang": "da", "isco": None,
                                               "max_age_days": None, "sort": "score"}
    assert body["trial_arm"] is None  # no trial configured


def test_automatch_strategy(client: FlaskClient, tokens: Tokens) -> None:
    r = client.get("/api/v1/cvs/cv-cook/matches?strategy=automatch", headers=bearer(tokens.consultant))
    assert r.status_code == 200
    body = r.get_json()
    assert body["strategy"] == "automatch"
    assert body["suggestions"][0]["reason"] in ("title", "unskilled")


def test_near_match_is_marked(client: FlaskClient, tokens: Tokens) -> None:
    body = client.get("/api/v1/cvs/cv-dev/matches", headers=bearer(tokens.consultant)).get_json()
    prog = next(s for s in body["suggestions"] if s["posting"]["id"] == "p-dev-prog")
    near = next(m for m in prog["matched"] if m["skill"]["uri"] == S("programming"))
    assert near["via"] == "broader" and near["cv_skill"]["uri"] == S("python")


def test_valid_on_is_an_admins_tool(client: FlaskClient, tokens: Tokens) -> None:
    later = (date.today() + timedelta(days=400)).isoformat()
    r = client.get(f"/api/v1/cvs/cv-cook/matches?valid_on={later}", headers=bearer(tokens.consultant))
    assert r.status_code == 403 and r.get_json()["field"] == "valid_on"
    r = client.get(f"/api/v1/cvs/cv-cook/matches?valid_on={later}", headers=bearer(tokens.admin))
    assert r.status_code == 200
    assert r.get_json()["valid_on"] == later and r.get_json()["suggestions"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=abc", "limit"), ("limit=101", "limit"), ("radius_km=0", "radius_km"),
    ("radius_km=501", "radius_km"), ("radius_km=nan", "radius_km"), ("strategy=magic", "strategy"),
    ("lang=fr", "lang"), ("valid_on=2026-13-01", "valid_on"),
])
def test_bad_match_parameters_are_422_naming_the_field(client: FlaskClient, tokens: Tokens, query: str,
                                                      field: str) -> None:
    r = client.get(f"/api/v1/cvs/cv-cook/matches?{query}", headers=bearer(tokens.admin))
    assert r.status_code == 422
    assert r.get_json()["field"] == field


def test_alternatives_are_audited(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    r = client.get("/api/v1/cvs/cv-dev/alternatives?limit=3", headers=bearer(tokens.consultant))
    assert r.status_code == 200
    body = r.get_json()
    assert body["strategy"] == "alternatives"
    assert store.get_audit(body["recommendation_id"]) is not None
    assert client.get("/api/v1/cvs/cv-dev/alternatives?limit=0",
                      headers=bearer(tokens.consultant)).status_code == 422


# -- feedback --------------------------------------------------------------------------------------

def _served(client: FlaskClient, tokens: Tokens) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    return body


def test_feedback_is_stored_with_the_actor(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    served = _served(client, tokens)
    rec = served["recommendation_id"]
    r = client.post(f"/api/v1/recommendations/{rec}/feedback",
                    json={"target": "p-cook-1", "verdict": "useful", "reason": "good fit"},
                    headers=bearer(tokens.consultant))
    assert r.status_code == 201
    [fb] = store.feedback_records(rec)
    assert (fb.target, fb.verdict, fb.actor, fb.cv_id, fb.strategy) == (
        "p-cook-1", "useful", tokens.consultant_id, "cv-cook", "graph")


def test_a_feedback_reason_is_scrubbed_before_it_is_stored(client: FlaskClient, tokens: Tokens,
                                                           store: MemoryStore) -> None:
    rec = _served(client, tokens)["recommendation_id"]
    reason = "borgeren (CPR 010190–1234, tlf. 22 33 44 55) vil gerne søge"
    r = client.post(f"/api/v1/recommendations/{rec}/feedback",
                    json={"target": "p-cook-1", "verdict": "useful", "reason": reason}, headers=bearer(tokens.consultant))
    assert r.status_code == 201
    [fb] = store.feedback_records(rec)
    assert "1234" not in fb.reason and "22 33 44 55" not in fb.reason
    assert "[CPR]" in fb.reason and "[PHONE]" in fb.reason and "vil gerne søge" in fb.reason
    export = client.get("/api/v1/cvs/cv-cook/export", headers=bearer(tokens.consultant)).get_data(as_text=True)
    assert "010190" not in export


@pytest.mark.parametrize(("body", "field"), [
    ({"target": "p-cook-1", "verdict": "great"}, "/verdict"),
    ({"target": "p-nurse", "verdict": "useful"}, "/target"),
    ({"verdict": "useful"}, "/target"),
    ({"target": "p-cook-1", "verdict": "useful", "reason": "x" * 501}, "/reason"),
    ({"target": "p-cook-1", "verdict": "useful", "score": 5}, "/score"),
])
def test_bad_feedback_is_422(client: FlaskClient, tokens: Tokens, body: dict[str, Any], field: str) -> None:
    rec = _served(client, tokens)["recommendation_id"]
    r = client.post(f"/api/v1/recommendations/{rec}/feedback", json=body, headers=bearer(tokens.consultant))
    assert r.status_code == 422
    assert r.get_json()["field"] == field


def test_feedback_on_unknown_or_foreign_recommendation_is_404(client: FlaskClient, tokens: Tokens) -> None:
    rec = _served(client, tokens)["recommendation_id"]
    body = {"target": "p-cook-1", "verdict": "useful"}
    assert client.post("/api/v1/recommendations/nope/feedback", json=body,
                       headers=bearer(tokens.consultant)).status_code == 404
    assert client.post(f"/api/v1/recommendations/{rec}/feedback", json=body,
                       headers=bearer(tokens.consultant_aarhus)).status_code == 404


def test_audit_query_sees_every_served_list(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    _served(client, tokens)
    client.get("/api/v1/cvs/cv-cook/alternatives", headers=bearer(tokens.consultant))
    assert [r.strategy for r in store.audit_records(AuditQuery(cv_id="cv-cook"))] == ["graph", "alternatives"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"published": "1000-01-01"}, "/published"),
    ({"published": "2999-01-01"}, "/published"),
    ({"valid_through": "2099-12-31"}, "/valid_through"),
    ({"occupation": "http://data.europa.eu/esco/occupation/made-up-0000"}, "/occupation"),
])
def test_implausible_postings_are_refused_naming_the_field(client: FlaskClient, tokens: Tokens,
                                                           changes: dict[str, Any], field: str) -> None:
    r = client.post("/api/v1/postings", json=posting_doc(**changes), headers=bearer(tokens.consultant))
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.get_json()["field"] == field


def test_a_posting_for_a_loaded_occupation_is_accepted(client: FlaskClient, tokens: Tokens) -> None:
    r = client.post("/api/v1/postings", json=posting_doc(occupation=O("cook")), headers=bearer(tokens.consultant))
    assert r.status_code == 201


def test_the_consultant_steers_the_list_and_the_record_says_how(client: FlaskClient, tokens: Tokens,
                                                                 store: MemoryStore) -> None:
    url = "/api/v1/cvs/cv-chef/matches"
    plain = client.get(url + "?radius_km=60", headers=bearer(tokens.consultant)).get_json()
    assert len(plain["suggestions"]) >= 2
    groups = {p.id: store.concepts([p.occupation])[p.occupation].isco_group
              for p in store.get_postings([s["posting"]["id"] for s in plain["suggestions"]]).values() if p.occupation}
    major = sorted({g[:1] for g in groups.values()})[0]
    steered = client.get(url + f"?radius_km=60&isco={major}&sort=distance",
                         headers=bearer(tokens.consultant)).get_json()
    ids = [s["posting"]["id"] for s in steered["suggestions"]]
    assert ids and all(groups.get(i, "").startswith(major) for i in ids)
    assert [s["rank"] for s in steered["suggestions"]] == list(range(1, len(ids) + 1))
    distances = [s["distance_km"] for s in steered["suggestions"]]
    assert distances == sorted(distances)
    rec = store.get_audit(steered["recommendation_id"])
    assert rec is not None
    request = json.loads(rec.body)["request"]
    assert (request["isco"], request["sort"], request["radius_km"]) == (major, "distance", 60.0)
    # Only postings published in the last day: none of the sample's (published 20 days ago).
    assert client.get(url + "?max_age_days=1", headers=bearer(tokens.consultant)).get_json()["suggestions"] == []
    for bad, field in (("?isco=2x", "isco"), ("?isco=12345", "isco"), ("?max_age_days=0", "max_age_days"),
                       ("?sort=random", "sort")):
        r = client.get(url + bad, headers=bearer(tokens.consultant))
        assert r.status_code == 422 and r.get_json()["field"] == field
    # A replay of a steered list recomputes it with the same filters and order.
    replayed = client.post(f"/api/v1/recommendations/{steered['recommendation_id']}/replay",
                           headers=bearer(tokens.ethics)).get_json()
    assert replayed["identical"], replayed["differences"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"declared_skills": ["http://data.europa.eu/esco/skill/retired-0000"]}, "/declared_skills/0"),
    ({"desired_occupations": ["http://data.europa.eu/esco/occupation/retired-0000"]}, "/desired_occupations/0"),
])
def test_a_concept_the_loaded_esco_does_not_hold_is_refused(client: FlaskClient, tokens: Tokens,
                                                            changes: dict[str, Any], field: str) -> None:
    # A URI an upgrade retired (or never existed) would re-break what the upgrade migrated.
    r = client.post("/api/v1/cvs", json=cv_doc(**changes), headers=bearer(tokens.consultant))
    assert r.status_code == 422 and r.get_json()["field"] == field
    assert "loaded ESCO version" in r.get_json()["detail"]
