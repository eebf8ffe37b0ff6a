"""The ethics reviewer's API: search served recommendations, read one in full, verify the chain.

An ethics token with a municipality sees that municipality's records; one without sees all.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from api.auth import current_actor, require_roles
from api.blueprints.params import instant_arg, int_arg, str_arg
from api.service import current_service, record_json, record_summary
from graph.ledger import AuditQuery

bp = Blueprint("ethics", __name__)

# A page of records: enough to scan a day's lists of one job centre, small enough to render.
MAX_PAGE = 500
DEFAULT_PAGE = 100


@bp.get("/recommendations")
@require_roles("ethics")
def list_recommendations() -> Response:
    """Served lists by citizen pseudonym, time window (since inclusive, until exclusive) and actor."""
    limit = int_arg("limit", DEFAULT_PAGE, 1, MAX_PAGE)
    offset = int_arg("offset", 0, 0, 10_000_000)
    query = AuditQuery(cv_id=str_arg("cv_id"), actor=str_arg("actor"), since=instant_arg("since"),
                       until=instant_arg("until"), limit=limit or DEFAULT_PAGE, offset=offset or 0)
    records = current_service().recommendations(current_actor(), query)
    return jsonify({"limit": query.limit, "offset": query.offset, "count": len(records),
                    "recommendations": [record_summary(r) for r in records]})


@bp.get("/recommendations/<rec_id>")
@require_roles("ethics")
def get_recommendation(rec_id: str) -> Response:
    """One served list in full: every suggestion's score parts, paths and evidence, the versions, the
    chain link and the feedback consultants gave on it."""
    rec, feedback = current_service().recommendation(current_actor(), rec_id)
    return jsonify(record_json(rec, feedback))


@bp.get("/audit/verify")
@require_roles("ethics")
def verify_audit() -> Response:
    """Walk the hash chain; ``ok`` false names the first record that does not hold."""
    return jsonify(asdict(current_service().verify()))
