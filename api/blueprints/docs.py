"""The OpenAPI 3.1 document of this API, built from code (see :mod:`api.openapi`), and the vocabularies."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from api.openapi import openapi_document
from graph.matching.vocabulary import vocabulary_json

bp = Blueprint("docs", __name__)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The API description: every route, parameter, body, response and the bearer scheme."""
    doc = current_app.extensions.get("jobmatch.openapi")
    if doc is None:
        doc = current_app.extensions["jobmatch.openapi"] = openapi_document()
    return jsonify(doc)


@bp.get("/vocabulary")
def vocabulary() -> Response:
    """Strategies, score parts, verdicts and bounds with Danish and English labels — what the pages name
    things by, defined once in :mod:`graph.matching.vocabulary`. Public: it holds no data."""
    resp = jsonify(vocabulary_json())
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
