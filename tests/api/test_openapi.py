"""The OpenAPI document is valid, describes exactly the app's routes with the roles the views
enforce, is served, and the contract check used on every test response really checks."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from api.openapi import openapi_document
from tests.api.contract import check_response, template_of

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def test_document_is_valid_openapi_31() -> None:
    doc = openapi_document()
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def _routes(app: Flask) -> set[tuple[str, str]]:
    return {(template_of(rule.rule), m) for rule in app.url_map.iter_rules() for m in (rule.methods or set()) & METHODS}


def _documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, m.upper()) for path, ops in doc["paths"].items() for m in ops}


def test_every_route_is_documented_and_nothing_else(app: Flask) -> None:
    routes, documented = _routes(app), _documented(openapi_document())
    assert routes - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "documented operations the app does not have"


def test_documented_roles_are_the_enforced_roles(app: Flask) -> None:
    doc = openapi_document()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        enforced = getattr(view, "required_roles", None)
        for method in (rule.methods or set()) & METHODS:
            op = doc["paths"][template_of(rule.rule)][method.lower()]
            if enforced is None:
                assert op["security"] == [] and "x-roles" not in op, f"{method} {rule.rule} is public"
            else:
                assert op["x-roles"] == list(enforced), f"{method} {rule.rule}"
                assert op["security"] == [{"bearer": []}]
                assert {"401", "403", "503"} <= set(op["responses"])


def test_document_is_served_without_a_token(client: FlaskClient) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.get_json()["paths"].keys() == openapi_document()["paths"].keys()


def test_contract_check_rejects_a_response_the_document_does_not_allow(app: Flask, client: FlaskClient) -> None:
    good = client.get("/health")
    bad = app.response_class('{"status": "maybe"}', status=200, mimetype="application/json")
    with pytest.raises(AssertionError, match="does not match"):
        check_response(app, "GET", "/health", bad)  # type: ignore[arg-type]
    teapot = app.response_class("{}", status=418, mimetype="application/json")
    with pytest.raises(AssertionError, match="not documented"):
        check_response(app, "GET", "/health", teapot)  # type: ignore[arg-type]
    assert good.status_code == 200
