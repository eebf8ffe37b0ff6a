"""Liveness and readiness for the orchestrator. Neither needs a token; neither shows personal data."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.errors import problem
from api.service import current_service
from ontology.errors import StoreUnavailableError

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Response:
    """Liveness: the process answers, and which reading and ranking models are configured (settings, shown
    so nobody has to guess). Touches no store, so a database outage does not restart it."""
    service = current_service()
    model = service.policy.ranking_model
    return jsonify({"status": "ok", "reading_model": service.settings.reading_model,
                    "ranking_model": model.id if model is not None else None})


@bp.get("/ready")
def ready() -> Response:
    """Readiness: the store answers and an ESCO version is loaded; otherwise a 503 problem."""
    try:
        report = current_service().readiness()
    except StoreUnavailableError:
        return problem(503, "Not ready", "the data store is unavailable", slug="not-ready",
                       headers={"Retry-After": "30"}, extra={"store": current_service().settings.store})
    if not report["esco_loaded"]:
        return problem(503, "Not ready", "no ESCO taxonomy is loaded (jobmatch ontology load)", slug="not-ready",
                       extra=report)
    reading = report["reading"]
    if reading["model"] != "lexical" and not reading["indexes"]:
        return problem(503, "Not ready", "the reading model's concept index is not built (jobmatch reading build)",
                       slug="not-ready", extra=report)
    return jsonify({"status": "ready", **report})
