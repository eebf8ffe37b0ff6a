"""Every error the API returns is an RFC 9457 problem (``application/problem+json``).

Domain code raises :class:`ontology.errors.JobmatchError` subclasses and never knows HTTP; this module
maps them, Werkzeug's HTTP errors (404, 405 with its ``Allow`` header, 413 …) and the driver's
"server unavailable" to problem details. Clients never see a stack trace, Cypher or a driver message:
an unexpected exception becomes a 500 with a correlation id, and only the server log has the
traceback. Log lines name the route and the problem, never the detail text (a validation message may
quote a CV).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from ontology.errors import JobmatchError, StoreUnavailableError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# A problem's ``type`` is a URN naming the kind of problem; clients branch on it, not on ``title``.
TYPE_PREFIX = "urn:jobmatch:problem:"
# Seconds a client should wait before retrying when the store is down (a Neo4j restart takes ~10-30 s).
RETRY_AFTER_SECONDS = 30
# Details are cut to this length: enough for a useful message, never a whole document echoed back.
MAX_DETAIL_CHARS = 500

_SLUGS = {
    400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 406: "not-acceptable", 409: "conflict", 413: "payload-too-large",
    415: "unsupported-media-type", 422: "validation", 429: "too-many-requests", 500: "internal",
    503: "unavailable",
}


class ApiError(JobmatchError):
    """An HTTP-level error raised by the API layer itself (auth, content negotiation), with headers."""

    headers: Mapping[str, str] = {}

    def __init__(self, detail: str, *, field: str | None = None, headers: Mapping[str, str] | None = None
                 ) -> None:
        super().__init__(detail, field=field)
        if headers is not None:
            self.headers = dict(headers)


class UnauthenticatedError(ApiError):
    status = 401
    title = "Authentication required"
    headers: Mapping[str, str] = {"WWW-Authenticate": 'Bearer realm="jobmatch"'}


class ForbiddenError(ApiError):
    status = 403
    title = "Forbidden"


class UnsupportedMediaTypeError(ApiError):
    status = 415
    title = "Unsupported media type"


class MalformedBodyError(ApiError):
    status = 400
    title = "Malformed request body"


def problem(status: int, title: str, detail: str = "", *, field: str | None = None,
            slug: str | None = None, headers: Mapping[str, str] | None = None,
            extra: Mapping[str, Any] | None = None) -> Response:
    """A problem+json response. ``extra`` adds members (e.g. ``correlation_id``)."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or _SLUGS.get(status, "error")),
        "title": title,
        "status": status,
        "detail": _cut(detail or title),
    }
    if field:
        body["field"] = field
    if request:
        body["instance"] = request.path
    body.update(extra or {})
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def _route() -> str:
    # The rule, not the URL: a URL can carry a pseudonym or a search term; the rule carries neither.
    rule = request.url_rule
    return rule.rule if rule is not None else "(no route)"


def _on_jobmatch_error(e: JobmatchError) -> Response:
    headers = dict(getattr(e, "headers", {}) or {})
    status = e.status
    if isinstance(e, StoreUnavailableError):
        headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
        log.warning("%s %s: store unavailable", request.method, _route())
        # The detail of a store error names the server; the client needs only "try again later".
        return problem(503, e.title, "the data store is unavailable; try again shortly", headers=headers)
    if status >= 500:
        # A configuration error is the operator's to fix; the client gets no internals.
        cid = uuid.uuid4().hex
        log.error("%s %s: %s (%s) correlation_id=%s", request.method, _route(), type(e).__name__, e.field, cid)
        return problem(500, "Internal server error", "the service is misconfigured; quote the correlation id",
                       extra={"correlation_id": cid})
    log.info("%s %s -> %d %s (field %s)", request.method, _route(), status, e.title, e.field or "-")
    return problem(status, e.title, e.detail, field=e.field, headers=headers)


def _on_http_error(e: HTTPException) -> Response:
    status = e.code or 500
    headers: dict[str, str] = {}
    # Keep what the exception says the client needs (Allow on a 405, WWW-Authenticate, Retry-After);
    # drop Content-Type/Length, which belong to Werkzeug's HTML body we replace.
    for k, v in e.get_headers():
        if k.lower() not in ("content-type", "content-length"):
            headers[k] = v
    detail = _HTTP_DETAILS.get(status, e.description or "")
    return problem(status, e.name, detail, headers=headers)


_HTTP_DETAILS = {
    404: "no such resource",
    405: "this method is not allowed on this resource; see the Allow header",
    413: "the request body is larger than the service accepts",
}


def _on_unexpected(e: Exception) -> Response:
    cid = uuid.uuid4().hex
    # The traceback stays in the server log, keyed by the id the client can quote to support.
    log.exception("%s %s: unexpected %s correlation_id=%s", request.method, _route(), type(e).__name__, cid)
    return problem(500, "Internal server error", "an unexpected error occurred; quote the correlation id",
                   extra={"correlation_id": cid})


def _on_driver_unavailable(e: Exception) -> Response:
    log.warning("%s %s: store unavailable (%s)", request.method, _route(), type(e).__name__)
    return problem(503, StoreUnavailableError.title, "the data store is unavailable; try again shortly",
                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def register_error_handlers(app: Flask) -> None:
    """Install the problem+json handlers on ``app``."""
    app.register_error_handler(JobmatchError, _on_jobmatch_error)
    app.register_error_handler(HTTPException, _on_http_error)
    try:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired
    except ImportError:  # pragma: no cover - the driver is a dependency; the embedded store needs none
        pass
    else:
        # A store should wrap these itself; this is the net under a driver error that slips through.
        app.register_error_handler(ServiceUnavailable, _on_driver_unavailable)
        app.register_error_handler(SessionExpired, _on_driver_unavailable)
    app.register_error_handler(Exception, _on_unexpected)
