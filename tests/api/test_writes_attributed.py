"""Writes are attributed: every CV and posting write is a ledger event (who, when, content hash); a posting
is replaced only by its owner (the job centre that wrote it) or an admin; replay names the writes that
explain a difference."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.cli import main
from graph.accountability.audit import Actor
from graph.accountability.writes import content_hash, write_cvs, write_postings
from graph.backends.memory.graph_store import MemoryStore
from graph.codec import posting_to_dict
from graph.ledger import AuditQuery
from tests.api.conftest import GEO, PSEUDONYM_KEY, Tokens, bearer
from tests.api.test_consultant import cv_doc, posting_doc
from tests.conftest import FIXTURES

PID = "jobnet:48213"


def test_a_posting_is_replaced_only_by_its_owner_or_an_admin(client: FlaskClient, tokens: Tokens,
                                                             store: MemoryStore) -> None:
    assert client.post("/api/v1/postings", json=posting_doc(), headers=bearer(tokens.consultant)).status_code == 201
    assert store.get_postings([PID])[PID].owner == "municipality:0101"

    other = client.post("/api/v1/postings", json=posting_doc(title="Forged"), headers=bearer(tokens.consultant_aarhus))
    assert other.status_code == 403 and other.mimetype == "application/problem+json"
    assert other.get_json()["field"] == "/id"
    many = client.post("/api/v1/postings", json=[posting_doc(id="9"), posting_doc(title="Forged")],
                       headers=bearer(tokens.consultant_aarhus))
    assert many.status_code == 403 and many.get_json()["field"] == "/1/id"
    assert store.get_postings(["jobnet:9"]) == {}  # all or nothing
    assert store.get_postings([PID])[PID].title != "Forged"

    # A colleague at the same job centre may correct it; an admin may replace anyone's, keeping the owner.
    assert client.post("/api/v1/postings", json=posting_doc(title="Rettet"),
                       headers=bearer(tokens.consultant)).status_code == 201
    assert client.post("/api/v1/postings", json=posting_doc(title="Admin"), headers=bearer(tokens.admin)).status_code == 201
    stored = store.get_postings([PID])[PID]
    assert stored.title == "Admin" and stored.owner == "municipality:0101"

    events = store.write_events("posting", [PID])
    assert [(e.action, e.actor, e.municipality) for e in events] == [
        ("created", tokens.consultant_id, "0101"), ("replaced", tokens.consultant_id, "0101"),
        ("replaced", events[2].actor, "")]
    assert events[-1].content_hash == content_hash(posting_to_dict(stored))


def test_cv_writes_and_confirmations_are_events(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    first = client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant)).get_json()
    client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant))
    events = store.write_events("cv", [first["id"]])
    assert [e.action for e in events] == ["created", "replaced"]
    assert all(e.actor == tokens.consultant_id and e.role == "consultant" for e in events)
    # No content in an event: the CV's text stays in the store, where erasure reaches it.
    stored = store.get_cvs([first["id"]])[first["id"]]
    sentences = {e.sentence for s in stored.skills for e in s.evidence if e.sentence}
    assert sentences and not any(s in json.dumps([asdict(e) for e in events]) for s in sentences)


def test_replay_names_the_write_that_changed_a_list(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    top = served["suggestions"][0]["posting"]["id"]
    changed = store.get_postings([top])[top]
    # The job centre's colleague edits the posting's requirements after the list was served.
    store_write = replace(changed, requirements=changed.requirements[:1])
    write_postings(store, store, [store_write], Actor(tokens.consultant_id, "consultant", "0101"))
    report = client.post(f"/api/v1/recommendations/{served['recommendation_id']}/replay",
                         headers=bearer(tokens.ethics)).get_json()
    assert not report["identical"]
    [diff] = [d for d in report["differences"] if d["item"] == top]
    assert diff["written"][0]["actor"] == tokens.consultant_id and diff["written"][0]["action"] == "replaced"
    assert diff["reason"] == "posting changed since the list was served"
    assert [w["target"] for w in report["writes"]] == [top]


def test_the_cli_ingest_is_attributed_to_the_operator(store: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"JOBMATCH_STORE": "memory", "JOBMATCH_DATA_DIR": str(store.data_dir),
                       "JOBMATCH_GEO_DIR": str(GEO), "JOBMATCH_PSEUDONYM_KEY": PSEUDONYM_KEY,
                       "JOBMATCH_READING_MODEL": "lexical"}.items():
        monkeypatch.setenv(key, value)
    assert main(["ingest", "postings", str(FIXTURES / "documents" / "postings.jsonl")]) in (0, 1)
    events = store.write_events("posting", ["jobnet:48213", "jobindex:r123", "jobnet:40001"])
    assert len(events) == 3 and all(e.actor.startswith("cli:") and e.role == "admin" for e in events)


def test_a_print_for_the_citizen_is_an_audit_event(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    rec = served["recommendation_id"]
    r = client.post(f"/api/v1/recommendations/{rec}/exports", json={"format": "print"},
                    headers=bearer(tokens.consultant))
    assert r.status_code == 201 and r.get_json()["recommendation_id"] == rec
    event = store.get_audit(r.get_json()["id"])
    assert event is not None and (event.strategy, event.cv_id, event.municipality, event.actor) == (
        "export", "cv-cook", "0101", tokens.consultant_id)
    assert json.loads(event.body) == {"export": {"recommendation_id": rec, "format": "print"}}
    bad = client.post(f"/api/v1/recommendations/{rec}/exports", json={"format": "fax"},
                      headers=bearer(tokens.consultant))
    assert bad.status_code == 422 and bad.get_json()["field"] == "/format"
    other = client.post(f"/api/v1/recommendations/{rec}/exports", json={"format": "print"},
                        headers=bearer(tokens.consultant_aarhus))
    assert other.status_code == 404
    # An event is no served list: it cannot be exported or replayed, and the chain still verifies.
    assert client.post(f"/api/v1/recommendations/{event.id}/exports", json={"format": "print"},
                       headers=bearer(tokens.consultant)).status_code == 404
    assert client.post(f"/api/v1/recommendations/{event.id}/replay", headers=bearer(tokens.ethics)).status_code == 404
    assert client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics)).get_json()["ok"]


def test_replay_names_an_added_posting_and_a_new_taxonomy(client: FlaskClient, tokens: Tokens,
                                                          store: MemoryStore) -> None:
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    top = store.get_postings([served["suggestions"][0]["posting"]["id"]])
    [original] = top.values()
    twin = replace(original, id="jobnet:twin", title="Kok, ny stilling")
    write_postings(store, store, [twin], Actor(tokens.consultant_id, "consultant", "0101"))
    report = client.post(f"/api/v1/recommendations/{served['recommendation_id']}/replay",
                         headers=bearer(tokens.ethics)).get_json()
    [added] = [d for d in report["differences"] if d["item"] == "jobnet:twin"]
    assert added["change"] == "newly suggested" and added["reason"] == "posting added since the list was served"

    # A new ESCO version (here the same package under another version name) explains what moved.
    tax = store.export_taxonomy()
    assert tax is not None
    store.upsert_taxonomy(replace(tax, version="9.9.9"))
    again = client.post(f"/api/v1/recommendations/{served['recommendation_id']}/replay",
                        headers=bearer(tokens.ethics)).get_json()
    assert again["current_versions"]["ontology"] == "9.9.9"
    reasons = {d["reason"] for d in again["differences"] if d["item"] != "jobnet:twin"}
    assert reasons <= {"taxonomy version changed"} and reasons


def test_the_citizens_export_lists_the_print_as_an_event(client: FlaskClient, tokens: Tokens) -> None:
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    client.post(f"/api/v1/recommendations/{served['recommendation_id']}/exports", json={"format": "print"},
                headers=bearer(tokens.consultant))
    body = client.get("/api/v1/cvs/cv-cook/export", headers=bearer(tokens.consultant)).get_json()
    assert [r["id"] for r in body["recommendations"]] == [served["recommendation_id"]]
    assert [e["kind"] for e in body["events"]] == ["export"]


def test_a_verdict_is_an_event_of_the_chain_without_its_reason(client: FlaskClient, tokens: Tokens,
                                                               store: MemoryStore) -> None:
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    reason = "Borgeren ønsker deltid"
    r = client.post(f"/api/v1/recommendations/{served['recommendation_id']}/feedback",
                    json={"target": "p-cook-1", "verdict": "dismissed", "reason": reason},
                    headers=bearer(tokens.consultant))
    assert r.status_code == 201
    [event] = [e for e in store.audit_records(AuditQuery(cv_id="cv-cook")) if e.strategy == "feedback"]
    body = json.loads(event.body)["feedback"]
    assert (body["verdict"], body["target"], body["id"]) == ("dismissed", "p-cook-1", r.get_json()["id"])
    assert reason not in event.body and body["reason_sha256"]
    assert client.get("/api/v1/audit/verify", headers=bearer(tokens.ethics)).get_json()["ok"]
    exported = client.get("/api/v1/cvs/cv-cook/export", headers=bearer(tokens.consultant)).get_json()
    assert [e["kind"] for e in exported["events"]] == ["feedback"]


def _against_today(client: FlaskClient, tokens: Tokens, rec: str) -> dict[str, object]:
    r = client.post(f"/api/v1/recommendations/{rec}/replay?against=today", headers=bearer(tokens.ethics))
    assert r.status_code == 200, r.get_json()
    body: dict[str, object] = r.get_json()
    return body


def test_against_today_each_difference_has_its_reason(client: FlaskClient, tokens: Tokens,
                                                      store: MemoryStore) -> None:
    served = client.get("/api/v1/cvs/cv-chef/matches", headers=bearer(tokens.consultant)).get_json()
    rec = served["recommendation_id"]
    assert _against_today(client, tokens, rec)["identical"] is True
    ids = [s["posting"]["id"] for s in served["suggestions"]]
    assert len(ids) >= 2
    actor = Actor(tokens.consultant_id, "consultant", "0101")
    first, second = (store.get_postings([i])[i] for i in ids[:2])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    # one posting expired, one retitled by a colleague, one new posting, and one removed
    write_postings(store, store, [replace(first, valid_through=yesterday),
                                  replace(second, title=second.title + " (ny titel)"),
                                  replace(second, id="jobnet:twin", title="Kok, ny stilling")], actor)
    removed = ids[2] if len(ids) > 2 else None
    if removed:
        store.delete_postings([removed])
    report = _against_today(client, tokens, rec)
    assert report["identical"] is False and "compared with the list as it would be served" in report["notes"][0]
    by_item = {d["item"]: d for d in report["differences"]}  # type: ignore[union-attr]
    assert by_item[first.id]["reason"] == "posting expired" and by_item[first.id]["title"] == first.title
    assert by_item[first.id]["change"] == "no longer suggested"
    assert by_item[second.id]["reason"] == "posting changed since the list was served"
    assert by_item[second.id]["posting_fields"] == ["title"]
    assert by_item["jobnet:twin"]["reason"] == "posting added since the list was served"
    if removed:
        assert by_item[removed]["reason"] == "posting removed"
    # replay with the recorded inputs knows only that the posting was written since
    replayed = client.post(f"/api/v1/recommendations/{rec}/replay", headers=bearer(tokens.ethics)).get_json()
    [was] = [d for d in replayed["differences"] if d["item"] == first.id]
    assert was["reason"] == "posting changed since the list was served"


def test_against_today_names_a_changed_cv(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant)).get_json()
    cv = store.get_cvs(["cv-cook"])["cv-cook"]
    write_cvs(store, store, [replace(cv, skills=cv.skills[:1])], Actor(tokens.consultant_id, "consultant", "0101"))
    report = _against_today(client, tokens, served["recommendation_id"])
    assert report["differences"]
    assert {d["reason"] for d in report["differences"]} == {"CV changed since the list was served"}  # type: ignore[union-attr]


def test_against_today_names_changed_settings(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    served = client.get("/api/v1/cvs/cv-chef/matches", headers=bearer(tokens.consultant)).get_json()
    assert served["suggestions"]
    # The service now runs with a minimum score nothing reaches: the list would be empty, and why is named.
    service = app.extensions["jobmatch"]
    service.match_settings = replace(service.match_settings, min_score=0.99)
    report = _against_today(client, tokens, served["recommendation_id"])
    assert report["current_versions"]["settings"] != report["recorded_versions"]["settings"]  # type: ignore[index]
    assert len(report["differences"]) == len(served["suggestions"])  # type: ignore[arg-type]
    assert {d["reason"] for d in report["differences"]} == {"settings changed"}  # type: ignore[union-attr]
