"""Tokens: 401 without a valid one (with a Bearer challenge), 403 for the wrong role, the role matrix,
and that only the hash of a secret is ever stored."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from api.auth import create_token, hash_secret
from graph.backends.memory.graph_store import MemoryStore
from ontology.errors import ValidationError
from tests.api.conftest import Tokens, bearer

# (method, path, json body or None) — one representative request per endpoint needing a token.
ENDPOINTS: dict[str, tuple[str, str, object]] = {
    "post_cv": ("POST", "/api/v1/cvs", {}),
    "put_cv": ("PUT", "/api/v1/cvs/cv-cook", {}),
    "post_postings": ("POST", "/api/v1/postings", {}),
    "get_cv": ("GET", "/api/v1/cvs/cv-cook", None),
    "matches": ("GET", "/api/v1/cvs/cv-cook/matches", None),
    "alternatives": ("GET", "/api/v1/cvs/cv-cook/alternatives", None),
    "feedback": ("POST", "/api/v1/recommendations/x/feedback", {}),
    "explanation": ("GET", "/api/v1/recommendations/x/explanation?rank=1", None),
    "export": ("GET", "/api/v1/cvs/cv-cook/export", None),
    "recommendations": ("GET", "/api/v1/recommendations", None),
    "recommendation": ("GET", "/api/v1/recommendations/x", None),
    "replay": ("POST", "/api/v1/recommendations/x/replay", None),
    "feedback_summary": ("GET", "/api/v1/feedback/summary", None),
    "verify": ("GET", "/api/v1/audit/verify", None),
    "concepts": ("GET", "/api/v1/concepts?q=cook", None),
    "concept": ("GET", "/api/v1/concepts/http%3A%2F%2Fdata.europa.eu%2Fesco%2Foccupation%2Fmini-cook", None),
    "versions": ("GET", "/api/v1/ontology/versions", None),
    "load": ("POST", "/api/v1/ontology/load", {}),
}
CONSULTANT = {"post_cv", "put_cv", "post_postings", "get_cv", "matches", "alternatives", "feedback", "explanation",
              "export"}
ETHICS = {"recommendations", "recommendation", "replay", "feedback_summary", "verify", "get_cv", "explanation",
          "export"}
TAXONOMY = {"concepts", "concept", "versions", "load"}
MATRIX = {"consultant": CONSULTANT, "ethics": ETHICS, "taxonomy": TAXONOMY, "admin": set(ENDPOINTS)}


def _call(client: FlaskClient, name: str, headers: dict[str, str]) -> int:
    method, path, body = ENDPOINTS[name]
    return client.open(path, method=method, json=body, headers=headers).status_code


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_no_token_is_401_with_a_bearer_challenge(client: FlaskClient, name: str) -> None:
    method, path, body = ENDPOINTS[name]
    r = client.open(path, method=method, json=body)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.mimetype == "application/problem+json"


@pytest.mark.parametrize("header", ["Bearer nope", "Basic dXNlcjpwYXNz", "Bearer", "token abc", "Bearer a b"])
def test_invalid_tokens_are_401(client: FlaskClient, tokens: Tokens, header: str) -> None:
    r = client.get("/api/v1/cvs/cv-cook", headers={"Authorization": header})
    assert r.status_code == 401
    assert "Bearer" in r.headers["WWW-Authenticate"]


def test_revoked_token_is_401(client: FlaskClient, tokens: Tokens) -> None:
    assert client.get("/api/v1/cvs/cv-cook", headers=bearer(tokens.revoked)).status_code == 401


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_role_matrix(client: FlaskClient, tokens: Tokens, role: str) -> None:
    secret = getattr(tokens, role)
    for name in sorted(ENDPOINTS):
        status = _call(client, name, bearer(secret))
        if name in MATRIX[role]:
            assert status not in (401, 403), f"{role} should reach {name} (got {status})"
        else:
            assert status == 403, f"{role} must not reach {name} (got {status})"


def test_only_the_hash_is_stored(store: MemoryStore) -> None:
    record, secret = create_token(store, "ethics", name="reviewer")
    assert store.get_token(hash_secret(secret)) == record
    assert secret not in repr(store.tokens())
    assert record.token_hash != secret and len(secret) > 40


@pytest.mark.parametrize(("role", "municipality", "field"), [
    ("consultant", "", "municipality"), ("consultant", "København", "municipality"), ("boss", "", "role"),
])
def test_bad_token_requests_are_refused(store: MemoryStore, role: str, municipality: str, field: str) -> None:
    with pytest.raises(ValidationError) as e:
        create_token(store, role, municipality)
    assert e.value.field == field


def test_the_bearer_scheme_is_case_insensitive(client: FlaskClient, tokens: Tokens) -> None:
    for scheme in ("bearer", "BEARER", "Bearer"):
        r = client.get("/api/v1/cvs/cv-cook", headers={"Authorization": f"{scheme} {tokens.consultant}"})
        assert r.status_code == 200, scheme
