"""API tokens: one secret per person or system, a role, and (for consultants) a municipality.

A token is sent as ``Authorization: Bearer <secret>``. Only ``sha256(secret)`` is stored (through the
ledger), so a copy of the database grants nothing; the secret is printed once by
``jobmatch tokens create``. Requests are attributed to the token *id*, never the secret.

Roles: ``consultant`` (the consultant endpoints, CVs of their own municipality only), ``ethics``
(recommendation review, the audit chain, read-only CV view), ``taxonomy`` (concepts, ontology
versions and loading), ``admin`` (everything). A CV of another municipality answers 404, exactly as
an unknown pseudonym does: a 403 would confirm to 12 other municipalities that a citizen is
registered somewhere, which is itself personal data.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from api.errors import ForbiddenError, UnauthenticatedError
from graph.accountability.audit import Actor, now_iso
from graph.ledger import Ledger, TokenRecord
from ontology.errors import NotFoundError, ValidationError

ROLES = ("consultant", "ethics", "taxonomy", "admin")
# Secrets carry 256 random bits; the prefix makes a leaked token recognisable to secret scanners.
SECRET_PREFIX = "jm_"  # noqa: S105 - a public prefix, not a secret
SECRET_BYTES = 32
_MUNICIPALITY = re.compile(r"^[0-9]{4}$")
# The scheme is case-insensitive (RFC 9110 §11.1): "bearer", "BEARER" and "Bearer" are one scheme.
_BEARER = re.compile(r"^Bearer +([A-Za-z0-9._~+/=-]+) *$", re.IGNORECASE)

P = ParamSpec("P")
R = TypeVar("R")


def hash_secret(secret: str) -> str:
    """The stored form of a secret. A fast hash is enough: secrets are random, not passwords."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(ledger: Ledger, role: str, municipality: str = "", name: str = "") -> tuple[TokenRecord, str]:
    """Store a new token and return it with its secret (the only time the secret exists).

    :raise ValidationError: for an unknown role, a consultant without a municipality, or a
        municipality that is not a 4-digit kommune code.
    """
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}", field="role")
    municipality = municipality.strip()
    if role == "consultant" and not municipality:
        raise ValidationError("a consultant token needs the consultant's municipality", field="municipality")
    if municipality and not _MUNICIPALITY.match(municipality):
        raise ValidationError("municipality must be a 4-digit kommune code, e.g. 0101", field="municipality")
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    record = TokenRecord(id="tok_" + uuid.uuid4().hex[:12], token_hash=hash_secret(secret), role=role,
                         municipality=municipality, name=name.strip()[:200], created=now_iso())
    ledger.put_token(record)
    return record, secret


def authenticate(ledger: Ledger, header: str | None) -> Actor:
    """The actor behind an ``Authorization`` header.

    :raise UnauthenticatedError: (401) if the header is missing, malformed, unknown or revoked.
    """
    if not header:
        raise UnauthenticatedError("send an API token as 'Authorization: Bearer <token>'")
    m = _BEARER.match(header)
    if m is None:
        raise UnauthenticatedError("the Authorization header must be 'Bearer <token>'",
                               headers={"WWW-Authenticate": 'Bearer realm="jobmatch", error="invalid_request"'})
    record = ledger.get_token(hash_secret(m.group(1)))
    if record is None or record.revoked:
        raise UnauthenticatedError("the token is unknown or revoked",
                               headers={"WWW-Authenticate": 'Bearer realm="jobmatch", error="invalid_token"'})
    return Actor(id=record.id, role=record.role, municipality=record.municipality)


def require_roles(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a view: authenticate the request, allow ``roles`` (and admin), set ``g.actor``.

    :raise UnauthenticatedError: (401) without a valid token.
    :raise ForbiddenError: (403) for a valid token of another role.
    """
    allowed = frozenset(roles) | {"admin"}

    def wrap(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            from api.service import current_service  # the service is per app; resolved per request

            actor = authenticate(current_service().store, request.headers.get("Authorization"))
            if actor.role not in allowed:
                raise ForbiddenError(f"a {actor.role} token cannot use this endpoint")
            g.actor = actor
            return view(*args, **kwargs)

        inner.required_roles = tuple(sorted(allowed))  # type: ignore[attr-defined]  # read by the OpenAPI test
        return inner

    return wrap


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def can_see_municipality(actor: Actor, municipality: str) -> bool:
    """A token with a municipality sees only that municipality; one without (ethics, admin) sees all."""
    return not actor.municipality or actor.municipality == municipality


def check_municipality(actor: Actor, municipality: str, what: str = "CV") -> None:
    """:raise NotFoundError: (404, not 403 — see the module doc) if ``actor`` may not see it."""
    if not can_see_municipality(actor, municipality):
        raise NotFoundError(f"no such {what}")
