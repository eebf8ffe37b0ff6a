"""The taxonomy endpoints: label search (Danish and English), one concept, versions, loading."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.settings import Settings
from graph.backends.memory.graph_store import MemoryStore
from tests.api.conftest import Tokens, ValidatingClient, bearer
from tests.conftest import MINI_ESCO, MINI_ESCO_12
from tests.matching_data import O, S


def test_search_in_danish_and_english(client: FlaskClient, tokens: Tokens) -> None:
    da = client.get("/api/v1/concepts?q=kok&kind=Occupation", headers=bearer(tokens.taxonomy)).get_json()
    assert da["concepts"][0]["uri"] == O("cook") and da["concepts"][0]["label"] == "kok"
    en = client.get("/api/v1/concepts?q=cook&lang=en&limit=3", headers=bearer(tokens.taxonomy)).get_json()
    assert en["concepts"][0]["label"] == "cook" and en["count"] <= 3
    skills = client.get("/api/v1/concepts?q=python&kind=Skill", headers=bearer(tokens.taxonomy)).get_json()
    assert [c["uri"] for c in skills["concepts"]] == [S("python")]


@pytest.mark.parametrize(("query", "field"), [
    ("", "q"), ("?q=", "q"), ("?q=%20", "q"), ("?q=cook&kind=Animal", "kind"), ("?q=cook&limit=0", "limit"),
])
def test_bad_search_is_422(client: FlaskClient, tokens: Tokens, query: str, field: str) -> None:
    r = client.get(f"/api/v1/concepts{query}", headers=bearer(tokens.taxonomy))
    assert r.status_code == 422 and r.get_json()["field"] == field


def test_one_concept_by_encoded_uri(client: FlaskClient, tokens: Tokens) -> None:
    r = client.get(f"/api/v1/concepts/{quote(O('cook'), safe='')}?lang=en", headers=bearer(tokens.taxonomy))
    assert r.status_code == 200
    body = r.get_json()
    assert body["uri"] == O("cook") and body["labels"]["da"]["preferred"] == "kok"
    meat = next(x for x in body["relations"] if x["uri"] == S("meat"))
    assert meat["relation"] == "REQUIRES" and meat["label"]
    missing = client.get(f"/api/v1/concepts/{quote(O('astronaut'), safe='')}", headers=bearer(tokens.taxonomy))
    assert missing.status_code == 404


def test_versions(client: FlaskClient, tokens: Tokens) -> None:
    body = client.get("/api/v1/ontology/versions", headers=bearer(tokens.taxonomy)).get_json()
    assert [(v["version"], v["active"]) for v in body["versions"]] == [("1.1.0", True)]


def test_load_a_package_under_the_allowed_root(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    r = client.post("/api/v1/ontology/load", json={"esco_dir": MINI_ESCO_12.name, "languages": ["en"]},
                    headers=bearer(tokens.taxonomy))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == "1.2.0" and r.get_json()["occupations"] > 0
    assert [v.version for v in store.ontology_versions() if v.active] == ["1.2.0"]


@pytest.mark.parametrize(("body", "field"), [
    ({"esco_dir": "../../../../etc"}, "/esco_dir"),
    ({"esco_dir": "/etc"}, "/esco_dir"),
    ({"esco_dir": "no-such-package"}, "/esco_dir"),
    ({"esco_dir": ""}, "/esco_dir"),
    ({}, "/esco_dir"),
    ({"esco_dir": MINI_ESCO.name, "labels": ["../../../../etc/passwd"]}, "/labels/0"),
    ({"esco_dir": MINI_ESCO.name, "languages": "en"}, "/languages"),
    ({"esco_dir": MINI_ESCO.name, "languages": ["e n"]}, "/languages"),
    ({"esco_dir": MINI_ESCO.name, "force": True}, "/force"),
])
def test_load_refuses_paths_outside_the_root_and_bad_bodies(client: FlaskClient, tokens: Tokens,
                                                            body: dict[str, object], field: str) -> None:
    r = client.post("/api/v1/ontology/load", json=body, headers=bearer(tokens.taxonomy))
    assert r.status_code == 422
    assert r.get_json()["field"] == field


def test_load_is_off_without_an_esco_root(settings: Settings, store: MemoryStore, tokens: Tokens) -> None:
    app: Flask = create_app(replace(settings, esco_dir=None), store=store)
    app.test_client_class = ValidatingClient
    r = app.test_client().post("/api/v1/ontology/load", json={"esco_dir": "x"}, headers=bearer(tokens.admin))
    assert r.status_code == 422 and r.get_json()["field"] == "/esco_dir"


def test_load_of_an_unreadable_package_is_a_problem(settings: Settings, store: MemoryStore, tokens: Tokens,
                                                    tmp_path: Path) -> None:
    root = tmp_path / "esco"
    (root / "empty").mkdir(parents=True)
    app: Flask = create_app(replace(settings, esco_dir=root / "1.1.1"), store=store)
    app.test_client_class = ValidatingClient
    r = app.test_client().post("/api/v1/ontology/load", json={"esco_dir": "empty"}, headers=bearer(tokens.admin))
    assert r.status_code == 400
    assert r.get_json()["type"].endswith(":bad-request")
