"""The consultant's API: ingest CVs and postings, view a CV, matches, alternatives, feedback, the
citizen's plain-language explanation of a suggestion and the citizen's data export.

A consultant sees only CVs of their own municipality (another municipality's CV is a 404, see
:mod:`api.auth`); every served list is recorded in the audit trail and carries its
``recommendation_id``, which feedback and explanations refer to.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from api.auth import current_actor, require_roles
from api.blueprints.params import (
    choice_arg,
    date_arg,
    float_arg,
    int_arg,
    json_body,
    lang_arg,
    object_body,
    str_arg,
)
from api.errors import ForbiddenError
from api.service import MAX_REASON_CHARS, current_service, feedback_json
from graph.accountability.serving import Kind, ServeRequest
from graph.matching.vocabulary import BOUND, GRAPH, REQUEST_STRATEGIES, SCORE_SORT, SORT_NAMES, VERDICT_NAMES
from graph.records import CvRecord, PostingRecord
from ontology.errors import ValidationError

bp = Blueprint("consultant", __name__)

# An ISCO-08 group: major (1 digit) to unit group (4 digits).
ISCO_PREFIX = re.compile(r"[0-9]{1,4}")
# A list of postings in one request: enough for a portal's hourly batch, small enough for one body.
MAX_POSTINGS_PER_REQUEST = 1000
# Ranks run from 1 to a list's length, which matching caps at 100; past this a rank is a bad value, not
# merely an absent one.
MAX_RANK = 1000
# Inferred skills settled in one request (a CV shows at most 25; a bound, not a workflow limit).
MAX_SETTLED = 100
# A job centre's citizen reference ("0101-A4711"); longer is not a reference.
MAX_REF_CHARS = 100


def _created(cv: CvRecord, created: bool) -> Response:
    resp = jsonify({"id": cv.id, "created": created, "municipality": cv.municipality, "skills": len(cv.skills),
                    "seeks": list(cv.seeks), "updated": cv.updated})
    resp.status_code = 201 if created else 200
    resp.headers["Location"] = url_for("consultant.get_cv", cv_id=cv.id)
    return resp


@bp.post("/cvs")
@require_roles("consultant")
def post_cv() -> Response:
    """Ingest a CV document; its reference is pseudonymised. 201 if new, 200 if it replaced one."""
    cv, created = current_service().ingest_cv(current_actor(), object_body())
    return _created(cv, created)


@bp.put("/cvs/<cv_id>")
@require_roles("consultant")
def put_cv(cv_id: str) -> Response:
    """Create or replace the CV whose pseudonym is ``cv_id`` (the document's reference must hash to it).

    The URL names the pseudonym, never the citizen reference: URLs end up in proxy logs.
    """
    cv, created = current_service().ingest_cv(current_actor(), object_body(), expect_id=cv_id)
    return _created(cv, created)


@bp.post("/postings")
@require_roles("consultant")
def post_postings() -> Response:
    """Ingest one posting document or a list of them (all or none)."""
    body = json_body()
    many = isinstance(body, list)
    docs: list[Any] = body if many else [body]
    if many and not 1 <= len(docs) <= MAX_POSTINGS_PER_REQUEST:
        raise ValidationError(f"send between 1 and {MAX_POSTINGS_PER_REQUEST} postings", field="/")
    if not all(isinstance(d, dict) for d in docs):
        raise ValidationError("each posting must be a JSON object", field="/")
    records = current_service().ingest_postings(current_actor(), docs, pointer_prefix=many)
    resp = jsonify({"stored": len(records), "postings": [_posting_summary(p) for p in records]})
    resp.status_code = 201
    return resp


def _posting_summary(p: PostingRecord) -> dict[str, Any]:
    return {"id": p.id, "title": p.title, "employer": p.employer, "occupation": p.occupation,
            "published": p.published, "valid_through": p.valid_through,
            "essential": sum(1 for r in p.requirements if r.kind == "essential"),
            "optional": sum(1 for r in p.requirements if r.kind == "optional")}


@bp.get("/cvs/<cv_id>")
@require_roles("consultant", "ethics")
def get_cv(cv_id: str) -> Response:
    """What is stored for a CV: skills with their evidence, occupations sought and worked as."""
    return jsonify(current_service().read_cv(current_actor(), cv_id, lang_arg()))


@bp.post("/cvs/lookup")
@require_roles("consultant", "ethics")
def lookup_cv() -> Response:
    """Find a CV by the job centre's own citizen reference (in the body, never in the URL): its pseudonym.
    Another municipality's citizen answers exactly like an unknown one (404)."""
    body = object_body()
    unknown = sorted(set(body) - {"citizen_ref"})
    if unknown:
        raise ValidationError("is not an accepted field", field="/" + unknown[0])
    ref = body.get("citizen_ref")
    if not isinstance(ref, str) or not ref.strip() or len(ref) > MAX_REF_CHARS:
        raise ValidationError(f"citizen_ref must be the job centre's reference (1-{MAX_REF_CHARS} characters)",
                              field="/citizen_ref")
    cv = current_service().lookup(current_actor(), ref)
    return jsonify({"id": cv.id, "municipality": cv.municipality, "updated": cv.updated})


@bp.post("/cvs/<cv_id>/skills/confirm")
@require_roles("consultant")
def confirm_skills(cv_id: str) -> Response:
    """Confirm inferred skills with the citizen: ``{"skills": [uri, …]}`` or ``{"all": true}``. A confirmed
    skill is the citizen's own from then on (declared, with who and when)."""
    return _settle(cv_id, confirm=True)


@bp.post("/cvs/<cv_id>/skills/reject")
@require_roles("consultant")
def reject_skills(cv_id: str) -> Response:
    """Reject inferred skills the citizen does not have: ``{"skills": [uri, …]}``; never inferred again."""
    return _settle(cv_id, confirm=False)


def _settle(cv_id: str, *, confirm: bool) -> Response:
    body = object_body()
    unknown = sorted(set(body) - ({"skills", "all"} if confirm else {"skills"}))
    if unknown:
        raise ValidationError("is not an accepted field", field="/" + unknown[0])
    every = body.get("all", False)
    if not isinstance(every, bool):
        raise ValidationError("all must be true or false", field="/all")
    skills = body.get("skills")
    if every:
        if skills is not None:
            raise ValidationError("give skills or all, not both", field="/skills")
        uris: list[str] | None = None
    else:
        if not isinstance(skills, list) or not skills or not all(isinstance(u, str) and u for u in skills):
            raise ValidationError("skills must be a non-empty list of skill URIs", field="/skills")
        if len(skills) > MAX_SETTLED:
            raise ValidationError(f"at most {MAX_SETTLED} skills at a time", field="/skills")
        uris = list(skills)
    svc = current_service()
    cv, done = svc.settle_inferred(current_actor(), cv_id, uris, confirm=confirm)
    return jsonify({"id": cv.id, "confirmed" if confirm else "rejected": done,
                    "inferred_left": sum(1 for s in cv.skills if s.source == "inferred")})


@bp.get("/cvs/<cv_id>/export")
@require_roles("consultant", "ethics")
def export_cv(cv_id: str) -> Response:
    """Everything held about a pseudonym, for the citizen's access request: the CV with its evidence,
    the lists served about them, the feedback on those lists and their trial assignment.

    :raise 404: if the CV is unknown or of another municipality.
    """
    svc = current_service()
    return jsonify(svc.citizen_export(current_actor(), cv_id, lang_arg()))


def _valid_on() -> str | None:
    valid_on = date_arg("valid_on")
    # Matching "as of another day" replays the past or previews the future: an admin's tool only.
    if valid_on is not None and current_actor().role != "admin":
        raise ForbiddenError("only an admin may set valid_on", field="valid_on")
    return valid_on


@bp.get("/cvs/<cv_id>/matches")
@require_roles("consultant")
def get_matches(cv_id: str) -> Response:
    """Ranked current postings near the citizen, each with its paths, evidence and gaps (audited)."""
    strategy = choice_arg("strategy", REQUEST_STRATEGIES, GRAPH)
    return _serve(cv_id, "matches", strategy)


@bp.get("/cvs/<cv_id>/alternatives")
@require_roles("consultant")
def get_alternatives(cv_id: str) -> Response:
    """Occupations outside the citizen's focus their skills transfer to, with gaps and postings nearby."""
    return _serve(cv_id, "alternatives", GRAPH)


def _serve(cv_id: str, kind: Kind, strategy: str) -> Response:
    svc = current_service()
    radius, limit, age = BOUND["radius_km"], BOUND["limit"], BOUND["max_age_days"]
    isco = str_arg("isco", 4)
    if isco is not None and not ISCO_PREFIX.fullmatch(isco):
        raise ValidationError("isco must be an ISCO-08 group code: 1 to 4 digits", field="isco")
    request = ServeRequest(kind=kind, strategy=strategy, radius_km=float_arg("radius_km", radius.minimum, radius.maximum),
                           limit=int_arg("limit", None, int(limit.minimum), int(limit.maximum)), valid_on=_valid_on(),
                           lang=lang_arg(), isco=isco,
                           max_age_days=int_arg("max_age_days", None, int(age.minimum), int(age.maximum)),
                           sort=choice_arg("sort", SORT_NAMES, SCORE_SORT))
    return jsonify(svc.matches(current_actor(), cv_id, request))


@bp.get("/recommendations/<rec_id>/explanation")
@require_roles("consultant", "ethics")
def get_explanation(rec_id: str) -> Response:
    """The citizen's explanation of the item at ``rank`` of a served list, in plain Danish (always
    Danish: it is written for the citizen, whatever language the consultant's page is in).

    :raise 404: if the list is unknown or of another municipality, or has nothing at that rank.
    """
    rank = int_arg("rank", None, 1, MAX_RANK)
    if rank is None:
        raise ValidationError("rank (the item's place in the list, from 1) is required", field="rank")
    return jsonify(current_service().explanation(current_actor(), rec_id, rank))


@bp.post("/cvs/<cv_id>/erasure")
@require_roles("consultant")
def post_erasure(cv_id: str) -> Response:
    """Erase the citizen's data (GDPR art. 17): the CV and the bodies of every list served about them;
    the audit trail keeps a record of the erasure and still verifies. ``{"reason": "…"}`` (optional)."""
    body = object_body()
    unknown = sorted(set(body) - {"reason"})
    if unknown:
        raise ValidationError("is not an accepted field", field="/" + unknown[0])
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS:
        raise ValidationError(f"reason must be a string of at most {MAX_REASON_CHARS} characters", field="/reason")
    return jsonify(current_service().erase(current_actor(), cv_id, reason))


@bp.post("/cvs/<cv_id>/rectification")
@require_roles("consultant")
def post_rectification(cv_id: str) -> Response:
    """Rectify the citizen's data (GDPR art. 16): ``{"remove_skills": [uri, …], "reason": "…"}`` removes
    skills the citizen says were read wrongly, whatever the reading; they are never inferred again and the
    rectification is a record of the audit trail."""
    body = object_body()
    unknown = sorted(set(body) - {"remove_skills", "reason"})
    if unknown:
        raise ValidationError("is not an accepted field", field="/" + unknown[0])
    skills = body.get("remove_skills")
    if not isinstance(skills, list) or not skills or not all(isinstance(u, str) and u for u in skills):
        raise ValidationError("remove_skills must be a non-empty list of skill URIs", field="/remove_skills")
    if len(skills) > MAX_SETTLED:
        raise ValidationError(f"at most {MAX_SETTLED} skills at a time", field="/remove_skills")
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS:
        raise ValidationError(f"reason must be a string of at most {MAX_REASON_CHARS} characters", field="/reason")
    cv, removed, record = current_service().rectify(current_actor(), cv_id, list(skills), reason)
    return jsonify({"id": cv.id, "removed": removed, "rectification_record": record})


@bp.post("/recommendations/<rec_id>/exports")
@require_roles("consultant")
def post_export(rec_id: str) -> Response:
    """Record that the list was handed to the citizen (``{"format": "print"}``): an event of the audit
    trail, with who and when. The page records it before it prints."""
    body = object_body()
    unknown = sorted(set(body) - {"format"})
    if unknown:
        raise ValidationError("is not an accepted field", field="/" + unknown[0])
    fmt = body.get("format")
    if not isinstance(fmt, str):
        raise ValidationError("format is required", field="/format")
    resp = jsonify(current_service().record_export(current_actor(), rec_id, fmt))
    resp.status_code = 201
    return resp


@bp.post("/recommendations/<rec_id>/feedback")
@require_roles("consultant")
def post_feedback(rec_id: str) -> Response:
    """A verdict on one posting or occupation of a served list: useful, not_useful or applied."""
    body = object_body()
    target, verdict, reason = body.get("target"), body.get("verdict"), body.get("reason", "")
    if not isinstance(target, str) or not target:
        raise ValidationError("target (a posting id or occupation URI of the list) is required", field="/target")
    if verdict not in VERDICT_NAMES:
        raise ValidationError(f"verdict must be one of {', '.join(VERDICT_NAMES)}", field="/verdict")
    if not isinstance(reason, str):
        raise ValidationError("reason must be a string", field="/reason")
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(f"reason must have at most {MAX_REASON_CHARS} characters", field="/reason")
    unknown = sorted(set(body) - {"target", "verdict", "reason"})
    if unknown:
        raise ValidationError("is not an accepted field", field="/" + unknown[0])
    fb = current_service().add_feedback(current_actor(), rec_id, target, verdict, reason)
    resp = jsonify(feedback_json(fb))
    resp.status_code = 201
    return resp
