"""Every error is problem+json: 404, 405 (Allow kept), 413, 400, 415, 422, 500 (correlation id) and
503 (store down) — and none of them shows a stack trace, Cypher or CV text."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.app import close_app, create_app
from api.settings import Settings
from graph.backends.memory.graph_store import MemoryStore
from graph.records import CvRecord
from ontology.errors import StoreUnavailableError
from ontology.model import Taxonomy
from tests.api.conftest import Tokens, ValidatingClient, bearer

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def _is_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status
    assert r.mimetype == "application/problem+json"
    body: dict[str, Any] = r.get_json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    assert body["type"].startswith("urn:jobmatch:problem:")
    text = r.get_data(as_text=True)
    assert "Traceback" not in text and "MATCH" not in text
    return body


def test_unknown_route_is_404(client: FlaskClient) -> None:
    _is_problem(client.get("/api/v1/nothing-here"), 404)
    _is_problem(client.get("/nothing"), 404)


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    r = client.delete("/api/v1/cvs/cv-cook")
    _is_problem(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PUT"}
    r = client.post("/health")
    _is_problem(r, 405)
    assert "GET" in r.headers["Allow"]


def test_oversized_body_is_413(client: FlaskClient, tokens: Tokens, settings: Settings) -> None:
    big = {"id": "x", "profile": "a" * (settings.max_body_bytes + 1)}
    _is_problem(client.post("/api/v1/cvs", json=big, headers=bearer(tokens.consultant)), 413)


def test_malformed_json_is_400(client: FlaskClient, tokens: Tokens) -> None:
    r = client.post("/api/v1/cvs", data='{"id": "secret sentence', content_type="application/json",
                    headers=bearer(tokens.consultant))
    body = _is_problem(r, 400)
    assert "secret sentence" not in body["detail"]


def test_wrong_content_type_is_415(client: FlaskClient, tokens: Tokens) -> None:
    r = client.post("/api/v1/postings", data="title=Cook", content_type="application/x-www-form-urlencoded",
                    headers=bearer(tokens.consultant))
    assert _is_problem(r, 415)["field"] == "Content-Type"
    r = client.post("/api/v1/cvs", data="{}", content_type="text/plain", headers=bearer(tokens.consultant))
    _is_problem(r, 415)


def test_validation_is_422_naming_the_field(client: FlaskClient, tokens: Tokens) -> None:
    r = client.get("/api/v1/cvs/cv-cook/matches?limit=many", headers=bearer(tokens.consultant))
    assert _is_problem(r, 422)["field"] == "limit"
    r = client.post("/api/v1/cvs", json=["not", "an", "object"], headers=bearer(tokens.consultant))
    assert _is_problem(r, 422)["field"] == "/"


class BrokenStore(MemoryStore):
    """A real store with one bug: reading CVs fails with an internal message that must not leak."""

    def get_cvs(self, ids: Iterable[str]) -> dict[str, CvRecord]:
        raise RuntimeError("internal: MATCH (c:Cv {id: $id}) RETURN c — I have experience with meat.")


def test_unexpected_error_is_500_with_a_correlation_id(settings: Settings, store: MemoryStore, tokens: Tokens,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    broken = BrokenStore(settings.data_dir).open()
    app = create_app(settings, store=broken)
    app.test_client_class = ValidatingClient
    with caplog.at_level(logging.ERROR):
        r = app.test_client().get("/api/v1/cvs/cv-cook", headers=bearer(tokens.consultant))
    body = _is_problem(r, 500)
    assert "experience" not in r.get_data(as_text=True)
    cid = body["correlation_id"]
    [record] = [rec for rec in caplog.records if cid in rec.getMessage()]
    assert record.exc_info is not None  # the traceback is in the server log, keyed by the id
    broken.close()


class UnreachableStore(MemoryStore):
    """A real memory store whose journal has become unreachable (disk gone): every ledger call and
    every ping fails the way a store down fails."""

    def _conn(self) -> Any:
        raise StoreUnavailableError("the journal is unreachable")


def test_store_down_is_503(settings: Settings, tokens: Tokens) -> None:
    down = UnreachableStore(settings.data_dir)
    app = create_app(settings, store=down)
    app.test_client_class = ValidatingClient
    client = app.test_client()
    r = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.consultant))
    body = _is_problem(r, 503)
    assert "journal" not in body["detail"] and r.headers["Retry-After"]
    _is_problem(client.get("/ready"), 503)
    assert client.get("/health").status_code == 200  # liveness does not depend on the store


def test_neo4j_down_at_start_up_still_serves_liveness_and_503(tmp_path: Path) -> None:
    # The honest outage: a real Neo4j store pointed at a port nobody listens on.
    settings = Settings(store="neo4j", neo4j_uri="bolt://127.0.0.1:1", neo4j_password="unused-password",
                        data_dir=tmp_path)
    t0 = time.perf_counter()
    app = create_app(settings)
    app.test_client_class = ValidatingClient
    client = app.test_client()
    assert client.get("/health").status_code == 200
    _is_problem(client.get("/ready"), 503)
    r = client.get("/api/v1/cvs/x", headers=bearer("jm_whatever"))
    assert _is_problem(r, 503)["detail"] == "the data store is unavailable; try again shortly"
    assert "127.0.0.1:1" not in r.get_data(as_text=True)
    close_app(app)
    assert time.perf_counter() - t0 < 30


def test_ready_without_esco_is_503(settings: Settings, tmp_path: Path) -> None:
    empty = MemoryStore(tmp_path / "empty").open()
    app = create_app(settings, store=empty)
    app.test_client_class = ValidatingClient
    body = _is_problem(app.test_client().get("/ready"), 503)
    assert body["esco_loaded"] is False
    empty.close()


def test_health_and_ready(client: FlaskClient) -> None:
    # the reading model is a setting, and /health says which (these tests read lexically)
    assert client.get("/health").get_json() == {"status": "ok", "reading_model": "lexical", "ranking_model": None}
    ready = client.get("/ready").get_json()
    assert ready["status"] == "ready" and ready["ontology_version"] == "1.1.0" and ready["esco_loaded"]
    assert ready["reading"] == {"model": "lexical", "indexes": [], "occupation_vectors": None}


def test_api_answers_are_not_cached_and_the_page_has_a_csp(client: FlaskClient, tokens: Tokens) -> None:
    r = client.get("/api/v1/cvs/cv-cook", headers=bearer(tokens.consultant))
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get("/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_app_closes_only_a_store_it_opened(settings: Settings, store: MemoryStore, mini_taxonomy: Taxonomy,
                                           tmp_path: Path) -> None:
    given = create_app(settings, store=store)
    close_app(given)
    store.ping()  # still the caller's, still open
    own = create_app(replace(settings, data_dir=tmp_path / "own"))
    assert own.test_client().get("/health").status_code == 200
    close_app(own)


# -- inputs a JSON parser accepts but no field may hold: 4xx naming the field, never a 5xx ----------

def _raw_post(client: FlaskClient, path: str, raw: str, token: str) -> Any:
    return client.post(path, data=raw.encode("utf-8", "surrogatepass"), headers={
        **bearer(token), "Content-Type": "application/json"})


def test_deeply_nested_json_is_a_4xx(client: FlaskClient, tokens: Tokens) -> None:
    for depth in (40, 100_000):
        raw = '{"id": "0101-A1", "x": ' + "[" * depth + "]" * depth + "}"
        r = _raw_post(client, "/api/v1/cvs", raw, tokens.consultant)
        assert r.status_code in (400, 422)
        _is_problem(r, r.status_code)


def test_a_lone_surrogate_is_refused_naming_the_field(client: FlaskClient, tokens: Tokens) -> None:
    r = _raw_post(client, "/api/v1/cvs", '{"id": "0101-A1", "profile": "Python \\ud800"}', tokens.consultant)
    assert _is_problem(r, 422)["field"] == "/profile"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_naming_the_field(client: FlaskClient, tokens: Tokens, value: str) -> None:
    raw = '{"id": "0101-A1", "municipality": "0101", "postcode": "2100", "max_km": ' + value + "}"
    r = _raw_post(client, "/api/v1/cvs", raw, tokens.consultant)
    assert _is_problem(r, 422)["field"] == "/max_km"


def test_control_characters_are_refused_in_any_string(client: FlaskClient, tokens: Tokens) -> None:
    r = _raw_post(client, "/api/v1/postings", '{"id": "p-1", "title": "Kok\\u0000"}', tokens.consultant)
    assert _is_problem(r, 422)["field"] == "/title"


def test_an_overlong_path_is_a_422_and_not_echoed(client: FlaskClient, tokens: Tokens,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    long = "a" * 10_000
    r = client.post("/api/v1/ontology/load", json={"esco_dir": long}, headers=bearer(tokens.taxonomy))
    assert _is_problem(r, 422)["field"] == "/esco_dir"
    assert long not in r.get_data(as_text=True) and long not in caplog.text


def test_log_lines_cannot_be_forged(tmp_path: Path) -> None:
    import io

    from api.log_safety import protect_handlers

    out = io.StringIO()
    logger = logging.getLogger("jobmatch.test.forged")
    logger.propagate = False
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    try:
        protect_handlers(logger)
        logger.warning("stored posting %s", "p-1\n2026-12-06 INFO admin granted\r\x1b[2J\x00")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert text.count("\n") == 1 and "\r" not in text and "\x1b" not in text and "\x00" not in text
    assert "p-1\\n2026-12-06 INFO admin granted\\r\\x1b[2J\\x00" in text


def test_not_ready_until_the_reading_models_index_is_built(settings: Settings, store: MemoryStore) -> None:
    app = create_app(replace(settings, reading_model="e5-small"), store=store)
    app.test_client_class = ValidatingClient
    body = _is_problem(app.test_client().get("/ready"), 503)
    assert "jobmatch reading build" in body["detail"] and body["reading"]["model"] == "e5-small"
