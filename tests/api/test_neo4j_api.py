"""The API over the real Neo4j store (the server scripts/run-tests starts): the same flows a consultant
and an ethics reviewer use, answered by the other backend. Never skipped; fails loudly without Neo4j."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.auth import create_token
from api.settings import Settings
from graph.backends.neo4j import Neo4jStore
from ontology.model import Taxonomy
from tests.api.conftest import ValidatingClient, bearer, current_postings, sample_cvs
from tests.conformance import neo4j_server
from tests.matching_data import O, S

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo4j_store(request: pytest.FixtureRequest, mini_taxonomy: Taxonomy) -> Neo4jStore:
    store = neo4j_server.fresh_store(request.config)
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_postings(current_postings())
    store.upsert_cvs(sample_cvs())
    return store  # the session's store: the session closes it


@pytest.fixture
def neo4j_client(settings: Settings, neo4j_store: Neo4jStore) -> FlaskClient:
    app: Flask = create_app(settings, store=neo4j_store)
    app.test_client_class = ValidatingClient
    return app.test_client()


def test_consultant_and_ethics_flows_on_neo4j(neo4j_client: FlaskClient, neo4j_store: Neo4jStore) -> None:
    consultant, c_secret = create_token(neo4j_store, "consultant", "0101")
    _, e_secret = create_token(neo4j_store, "ethics")
    _, t_secret = create_token(neo4j_store, "taxonomy")
    client = neo4j_client

    assert client.get("/ready").get_json()["ontology_version"] == "1.1.0"
    assert client.get("/api/v1/cvs/cv-aarhus", headers=bearer(c_secret)).status_code == 404

    r = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(c_secret))
    assert r.status_code == 200
    body = r.get_json()
    top = body["suggestions"][0]
    assert top["posting"]["id"] == "p-cook-1"
    assert next(m for m in top["matched"] if m["skill"]["uri"] == S("meat"))["evidence"][0]["text"] == "meat"

    rec = body["recommendation_id"]
    fb = client.post(f"/api/v1/recommendations/{rec}/feedback", json={"target": "p-cook-1", "verdict": "useful"},
                     headers=bearer(c_secret))
    assert fb.status_code == 201
    assert [f.actor for f in neo4j_store.feedback_records(rec)] == [consultant.id]

    listed = client.get("/api/v1/recommendations?cv_id=cv-cook", headers=bearer(e_secret)).get_json()
    # Newest first: the verdict (an event of the chain) after the list it is about.
    assert [(x["strategy"], x["id"] == rec) for x in listed["recommendations"]] == [("feedback", False),
                                                                                    ("graph", True)]
    full = client.get(f"/api/v1/recommendations/{rec}", headers=bearer(e_secret)).get_json()
    assert [f["verdict"] for f in full["feedback"]] == ["useful"]
    assert client.get("/api/v1/audit/verify", headers=bearer(e_secret)).get_json()["ok"] is True

    concept = client.get(f"/api/v1/concepts/{quote(O('cook'), safe='')}", headers=bearer(t_secret)).get_json()
    assert concept["labels"]["da"]["preferred"] == "kok"
