"""The learned strategy served: a setting decides (JOBMATCH_RANKING_MODEL), /health names the model,
the record carries the model so replay is exact, and a request for it without a model is a 422."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.settings import Settings
from graph.backends.memory.graph_store import MemoryStore
from graph.learning.model import RankingModel
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import FEATURE_NAMES
from ontology.errors import ConfigurationError
from tests.api.conftest import Tokens, ValidatingClient, bearer

# Weights that differ from the hand weights: distance and the occupation count for more.
MODEL = RankingModel(FEATURE_NAMES, tuple(0.2 if f in ("desired_occupation", "near_home") else 0.0667
                                          for f in FEATURE_NAMES), 6.0, {"window": "api test"})


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.json"
    MODEL.save(path)
    return path


@pytest.fixture
def learned_app(settings: Settings, store: MemoryStore, model_file: Path) -> Flask:
    app = create_app(replace(settings, ranking_model=model_file), store=store)
    app.test_client_class = ValidatingClient
    return app


def test_health_names_the_model_and_the_page_offers_it(learned_app: Flask, client: FlaskClient) -> None:
    c = learned_app.test_client()
    assert c.get("/health").get_json()["ranking_model"] == MODEL.id
    assert 'value="learned"' in c.get("/").get_data(as_text=True)
    # Without the setting: no model, no option.
    assert client.get("/health").get_json()["ranking_model"] is None
    assert 'value="learned"' not in client.get("/").get_data(as_text=True)


def test_learned_without_a_model_is_a_422_naming_strategy(client: FlaskClient, tokens: Tokens) -> None:
    r = client.get("/api/v1/cvs/cv-chef/matches?strategy=learned", headers=bearer(tokens.consultant))
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.get_json()["field"] == "strategy" and "JOBMATCH_RANKING_MODEL" in r.get_json()["detail"]


def test_a_learned_list_is_recorded_with_its_model_and_replays_identically(
        learned_app: Flask, tokens: Tokens, store: MemoryStore) -> None:
    c = learned_app.test_client()
    r = c.get("/api/v1/cvs/cv-chef/matches?strategy=learned", headers=bearer(tokens.consultant))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["strategy"] == "learned" and body["suggestions"]
    for s in body["suggestions"]:
        assert set(s["parts"]) == set(FEATURE_NAMES)
        assert sum(s["parts"].values()) == pytest.approx(s["score"], abs=1e-5)
    rec = store.get_audit(body["recommendation_id"])
    assert rec is not None and rec.strategy == "learned"
    recorded = json.loads(rec.body)
    assert recorded["ranking_model"] == MODEL.id and recorded["ranking_model_file"]["id"] == MODEL.id
    # A graph list under the same setting cites the model in force too, without carrying it.
    g = c.get("/api/v1/cvs/cv-chef/matches?strategy=graph", headers=bearer(tokens.consultant)).get_json()
    graph_body = json.loads(store.get_audit(g["recommendation_id"]).body)  # type: ignore[union-attr]
    assert graph_body["ranking_model"] == MODEL.id and "ranking_model_file" not in graph_body

    rep = c.post(f"/api/v1/recommendations/{rec.id}/replay", headers=bearer(tokens.ethics)).get_json()
    assert rep["identical"] is True and rep["recorded_versions"]["ranking_model"] == MODEL.id
    assert rep["recorded_versions"] == rep["current_versions"]


def test_replay_uses_the_recorded_model_not_the_one_in_force(
        learned_app: Flask, settings: Settings, store: MemoryStore, tokens: Tokens, tmp_path: Path) -> None:
    c = learned_app.test_client()
    body = c.get("/api/v1/cvs/cv-chef/matches?strategy=learned", headers=bearer(tokens.consultant)).get_json()
    other = RankingModel(FEATURE_NAMES, tuple(1.0 if f == "commute" else 0.0 for f in FEATURE_NAMES), 3.0,
                         {"window": "another"})
    other.save(tmp_path / "other.json")
    later = create_app(replace(settings, ranking_model=tmp_path / "other.json"), store=store)
    later.test_client_class = ValidatingClient
    rep = later.test_client().post(f"/api/v1/recommendations/{body['recommendation_id']}/replay",
                                   headers=bearer(tokens.ethics)).get_json()
    assert rep["identical"] is True  # recomputed with the recorded model
    assert rep["recorded_versions"]["ranking_model"] == MODEL.id
    assert rep["current_versions"]["ranking_model"] == other.id


def test_a_bad_model_file_stops_the_start_naming_the_setting(settings: Settings, store: MemoryStore,
                                                             tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**MODEL.as_json(), "weights": [1.0]}))
    with pytest.raises(ConfigurationError) as e:
        create_app(replace(settings, ranking_model=bad), store=store)
    assert e.value.field == "JOBMATCH_RANKING_MODEL"


def test_alternatives_ranked_with_the_models_moves_replay_identically(
        settings: Settings, store: MemoryStore, tokens: Tokens, tmp_path: Path) -> None:
    with_moves = RankingModel(MODEL.features, MODEL.weights, MODEL.scale, MODEL.trained,
                              {"5120": {"citizens": 10, "to": {"9412": 6, "5223": 5}}})
    with_moves.save(tmp_path / "moves.json")
    app = create_app(replace(settings, ranking_model=tmp_path / "moves.json"), store=store)
    app.test_client_class = ValidatingClient
    app.extensions["jobmatch"].match_settings = MatchSettings(alt_min_essential=2)
    c = app.test_client()
    body = c.get("/api/v1/cvs/cv-chef/alternatives", headers=bearer(tokens.consultant)).get_json()
    assert body["alternatives"]
    assert all("observed_moves" in a["parts"] for a in body["alternatives"])
    recorded = json.loads(store.get_audit(body["recommendation_id"]).body)  # type: ignore[union-attr]
    assert recorded["ranking_model_file"]["moves"] == with_moves.moves
    rep = c.post(f"/api/v1/recommendations/{body['recommendation_id']}/replay", headers=bearer(tokens.ethics))
    assert rep.get_json()["identical"] is True
