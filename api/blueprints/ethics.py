"""The ethics reviewer's API: search served recommendations, read one in full, replay it, verify the
chain, and the consultants' feedback in aggregate.

An ethics token with a municipality sees that municipality's records (and feedback); one without sees
all. Another municipality's record answers 404, as an unknown one does.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from api.auth import current_actor, require_roles
from api.blueprints.params import choice_arg, instant_arg, int_arg, lang_arg, str_arg
from api.service import current_service, record_summary
from graph.ledger import AuditQuery
from graph.matching.vocabulary import READ

bp = Blueprint("ethics", __name__)

# A page of records: enough to scan a day's lists of one job centre, small enough to render.
MAX_PAGE = 500
DEFAULT_PAGE = 100
# The reviewer usually looks at what was served lately: newest first unless asked otherwise.
ORDERS = ("newest", "oldest")
READS = ("hide", "show")
AGAINST = ("recorded", "today")


@bp.get("/recommendations")
@require_roles("ethics")
def list_recommendations() -> Response:
    """Served lists by citizen pseudonym, time window (since inclusive, until exclusive) and actor."""
    limit = int_arg("limit", DEFAULT_PAGE, 1, MAX_PAGE)
    offset = int_arg("offset", 0, 0, 10_000_000)
    newest = choice_arg("order", ORDERS, "newest") == "newest"
    # Every look at a CV or at records is a record of the trail: shown on request, or the list would fill
    # with its own reading.
    hidden = (READ,) if choice_arg("reads", READS, "hide") == "hide" else ()
    query = AuditQuery(cv_id=str_arg("cv_id"), actor=str_arg("actor"), since=instant_arg("since"),
                       until=instant_arg("until"), limit=limit or DEFAULT_PAGE, offset=offset or 0,
                       newest_first=newest, exclude_kinds=hidden)
    records = current_service().recommendations(current_actor(), query)
    return jsonify({"limit": query.limit, "offset": query.offset, "count": len(records),
                    "recommendations": [record_summary(r) for r in records]})


@bp.get("/recommendations/<rec_id>")
@require_roles("ethics")
def get_recommendation(rec_id: str) -> Response:
    """One served list in full: every suggestion's score parts, paths and evidence, the versions, the
    chain link (and whether the record matches its hash), the feedback consultants gave on it and the
    labels of every concept on its paths.

    :raise 404: if the record is unknown or of another municipality.
    """
    return jsonify(current_service().recommendation(current_actor(), rec_id, lang_arg()))


@bp.post("/recommendations/<rec_id>/replay")
@require_roles("ethics")
def replay_recommendation(rec_id: str) -> Response:
    """Recompute a served list with its recorded inputs and compare: ``identical``, the versions then
    and now, and what differs item by item. Writes nothing.

    :raise 404: if the record is unknown, of another municipality, or cannot be replayed.
    """
    against = choice_arg("against", AGAINST, "recorded")
    return jsonify(current_service().replay(current_actor(), rec_id, against))


@bp.get("/feedback/summary")
@require_roles("ethics")
def feedback_summary() -> Response:
    """Consultants' verdicts counted per strategy and per (strategy, ISCO major group)."""
    return jsonify(current_service().feedback_summary(current_actor()))


@bp.get("/flags")
@require_roles("ethics")
def list_flags() -> Response:
    """The items consultants flagged for ethics review, with their reasons, newest first."""
    return jsonify({"flags": current_service().flags(current_actor())})


@bp.get("/audit/checkpoint")
@require_roles("ethics")
def audit_checkpoint() -> Response:
    """The chain's head now — length, hash, time — signed with the server's audit key, to archive and to
    hold a later ``audit verify`` to (nothing is written here; ``jobmatch audit checkpoint`` appends)."""
    return jsonify(current_service().checkpoint())


@bp.get("/audit/verify")
@require_roles("ethics")
def verify_audit() -> Response:
    """Walk the hash chain; ``ok`` false names the first record that does not hold."""
    return jsonify(asdict(current_service().verify()))
