"""Finding a citizen by the job centre's own reference, which is pseudonymised on arrival."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Tokens, bearer
from tests.api.test_consultant import cv_doc


def test_a_reference_finds_the_citizens_pseudonym(client: FlaskClient, tokens: Tokens,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cv_id = client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant)).get_json()["id"]
    r = client.post("/api/v1/cvs/lookup", json={"citizen_ref": "0101-A0001"}, headers=bearer(tokens.consultant))
    assert r.status_code == 200
    assert r.get_json()["id"] == cv_id and r.get_json()["municipality"] == "0101"
    assert "0101-A0001" not in caplog.text and "0101-A0001" not in r.get_data(as_text=True)


def test_another_municipalitys_reference_answers_like_an_unknown_one(client: FlaskClient, tokens: Tokens) -> None:
    client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant))
    theirs = client.post("/api/v1/cvs/lookup", json={"citizen_ref": "0101-A0001"},
                         headers=bearer(tokens.consultant_aarhus))
    nobody = client.post("/api/v1/cvs/lookup", json={"citizen_ref": "0751-Z9999"},
                         headers=bearer(tokens.consultant_aarhus))
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.get_json() == nobody.get_json() | {"instance": theirs.get_json()["instance"]}


@pytest.mark.parametrize(("body", "field"), [({}, "/citizen_ref"), ({"citizen_ref": ""}, "/citizen_ref"),
                                             ({"citizen_ref": "x" * 101}, "/citizen_ref"),
                                             ({"citizen_ref": "a", "cv": 1}, "/cv")])
def test_a_bad_lookup_names_the_field(client: FlaskClient, tokens: Tokens, body: dict[str, object], field: str) -> None:
    r = client.post("/api/v1/cvs/lookup", json=body, headers=bearer(tokens.consultant))
    assert r.status_code == 422 and r.get_json()["field"] == field
