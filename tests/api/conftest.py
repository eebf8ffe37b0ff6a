"""The API under test: a real MemoryStore (tmp_path) with the mini ESCO fixture, hand-made CVs and
postings, a token per role, and a test client that holds every response to the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.app import create_app
from api.auth import create_token
from api.settings import Settings
from graph.backends.memory.graph_store import MemoryStore
from graph.records import CvRecord, PostingRecord
from ontology.model import Taxonomy
from tests.api.contract import check_response
from tests.conftest import FIXTURES, MINI_ESCO
from tests.matching_data import AARHUS, POSTINGS, ROSKILDE, O, cv

GEO = FIXTURES / "documents" / "geo"
PSEUDONYM_KEY = "api-tests-pseudonym-key-0123456789abcdef"
MAX_BODY = 256 * 1024


class ValidatingClient(FlaskClient):
    """A test client that checks every response against the OpenAPI document as it arrives."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        resp = super().open(*args, **kwargs)
        check_response(self.application, resp.request.method, resp.request.path, resp)
        return resp


def current_postings(today: date | None = None) -> list[PostingRecord]:
    """The shared postings, made current around today (the expired one stays expired)."""
    d = today or date.today()
    out = []
    for p in POSTINGS:
        end = d - timedelta(days=1) if p.id == "p-cook-old" else d + timedelta(days=40)
        out.append(replace(p, published=(d - timedelta(days=20)).isoformat(), valid_through=end.isoformat()))
    return out


def sample_cvs() -> list[CvRecord]:
    return [
        cv("cv-cook", ["dishes", "meat", "teamwork"], seeks=(O("cook"),)),
        cv("cv-dev", ["python", "sql", "teamwork"], worked=(O("softdev"),)),
        # A chef with a broad profile near Roskilde: has alternatives outside cooking.
        cv("cv-chef", ["dishes", "meat", "veg", "foodsafety", "teamwork", "cleankitchen", "customers", "danish"],
           seeks=(O("cook"),), at=ROSKILDE, max_km=50),
        replace(cv("cv-aarhus", ["dishes", "meat"], seeks=(O("cook"),), at=AARHUS), municipality="0751",
                postcode="8000"),
    ]


@dataclass(frozen=True)
class Tokens:
    consultant: str
    consultant_id: str
    consultant_aarhus: str
    ethics: str
    ethics_aarhus: str
    taxonomy: str
    admin: str
    revoked: str


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Lexical reading: these tests are about the API; reading with the default model is tested in
    # tests/api/test_reading.py (its index costs a build per taxonomy).
    return Settings(data_dir=tmp_path / "data", esco_dir=MINI_ESCO, geo_dir=GEO, pseudonym_key=PSEUDONYM_KEY,
                    max_body_bytes=MAX_BODY, reading_model="lexical")


@pytest.fixture
def store(settings: Settings, mini_taxonomy: Taxonomy) -> Iterator[MemoryStore]:
    s = MemoryStore(settings.data_dir).open()
    s.upsert_taxonomy(mini_taxonomy)
    s.upsert_postings(current_postings())
    s.upsert_cvs(sample_cvs())
    yield s
    s.close()


@pytest.fixture
def tokens(store: MemoryStore) -> Tokens:
    consultant, c_secret = create_token(store, "consultant", "0101", "Consultant, København")
    gone, revoked = create_token(store, "consultant", "0101", "revoked")
    store.revoke_token(gone.id)
    return Tokens(
        consultant=c_secret, consultant_id=consultant.id,
        consultant_aarhus=create_token(store, "consultant", "0751")[1],
        ethics=create_token(store, "ethics")[1],
        ethics_aarhus=create_token(store, "ethics", "0751")[1],
        taxonomy=create_token(store, "taxonomy")[1],
        admin=create_token(store, "admin")[1],
        revoked=revoked,
    )


@pytest.fixture
def app(settings: Settings, store: MemoryStore) -> Flask:
    app = create_app(settings, store=store)
    app.test_client_class = ValidatingClient
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
