"""Blueprints, one per audience: consultant, ethics, taxonomy; plus health, the OpenAPI document and
the consultant's page. Each view parses and authorises, then calls :mod:`api.service`."""

from __future__ import annotations

from flask import Flask

from api.blueprints import consultant, docs, ethics, health, page, taxonomy

API_PREFIX = "/api/v1"


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(health.bp)
    app.register_blueprint(page.bp)
    app.register_blueprint(docs.bp, url_prefix=API_PREFIX)
    app.register_blueprint(consultant.bp, url_prefix=API_PREFIX)
    app.register_blueprint(ethics.bp, url_prefix=API_PREFIX)
    app.register_blueprint(taxonomy.bp, url_prefix=API_PREFIX)
