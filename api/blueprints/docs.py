"""The OpenAPI 3.1 document of this API, built from code (see :mod:`api.openapi`)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from api.openapi import openapi_document

bp = Blueprint("docs", __name__)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The API description: every route, parameter, body, response and the bearer scheme."""
    doc = current_app.extensions.get("jobmatch.openapi")
    if doc is None:
        doc = current_app.extensions["jobmatch.openapi"] = openapi_document()
    return jsonify(doc)
