"""Hold real responses to the OpenAPI document: status documented, content type listed, body valid
against the schema, required headers present. Used by the validating test client on every response."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from api.openapi import openapi_document

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>")


def template_of(rule: str) -> str:
    """Flask rule → OpenAPI path template: ``/cvs/<cv_id>`` → ``/cvs/{cv_id}``."""
    return _CONVERTER.sub(r"{\1}", rule)


@cache
def document() -> dict[str, Any]:
    return openapi_document()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    doc = document()
    while "$ref" in node and node["$ref"].startswith("#/components/responses/"):
        node = doc["components"]["responses"][node["$ref"].rsplit("/", 1)[1]]
    return node


def validate_schema(schema: dict[str, Any], instance: Any) -> None:
    root = {**schema, "components": document()["components"]}
    errors = sorted(Draft202012Validator(root).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        raise AssertionError(f"response does not match the document at {list(e.absolute_path)}: {e.message}")


def check_response(app: Flask, method: str, path: str, resp: TestResponse) -> None:
    """:raise AssertionError: if ``resp`` is not what the document says ``method path`` answers."""
    if method in ("HEAD", "OPTIONS"):
        return
    doc = document()
    adapter = app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(path, method=method, return_rule=True)
    except HTTPException:  # 404, 405 (and a redirect): no operation answers this
        rule = None
    if rule is None:
        # No operation: an unknown route (404) or another method (405). Both are problems.
        assert resp.mimetype == "application/problem+json", f"{method} {path}: {resp.mimetype}"
        validate_schema({"$ref": "#/components/schemas/Problem"}, resp.get_json())
        if resp.status_code == 405:
            assert resp.headers.get("Allow"), "a 405 must keep its Allow header"
        return
    template = template_of(rule.rule)
    op = doc["paths"].get(template, {}).get(method.lower())
    assert op is not None, f"{method} {template} is not in the OpenAPI document"
    spec = op["responses"].get(str(resp.status_code))
    assert spec is not None, f"{method} {template}: status {resp.status_code} is not documented"
    spec = _resolve(spec)
    for name, header in spec.get("headers", {}).items():
        if header.get("required"):
            assert name in resp.headers, f"{method} {template} {resp.status_code}: header {name} missing"
    content = spec.get("content", {})
    if not content:
        return
    media = content.get(resp.mimetype) or content.get("*/*")
    assert media is not None, f"{method} {template} {resp.status_code}: content type {resp.mimetype} not documented"
    if (resp.mimetype or "").endswith("json"):
        validate_schema(media["schema"], resp.get_json())
