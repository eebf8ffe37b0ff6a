"""The citizen's side: the plain-language Danish explanation of a served item, and the export of
everything held about a pseudonym (an access request) — roles, municipality scope, 404s, the trial arm."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.settings import Settings
from graph.accountability.citizen import explain_alternative_da
from graph.accountability.serving import CONTROL_NOTE
from graph.backends.memory.graph_store import MemoryStore
from graph.matching.scoring import MatchSettings
from tests.api.conftest import Tokens, ValidatingClient, bearer


def _serve(client: FlaskClient, secret: str, cv_id: str, what: str = "matches", query: str = "") -> dict[str, Any]:
    r = client.get(f"/api/v1/cvs/{cv_id}/{what}{query}", headers=bearer(secret))
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def _explain(client: FlaskClient, secret: str, rec: str, rank: object = 1) -> Any:
    return client.get(f"/api/v1/recommendations/{rec}/explanation?rank={rank}", headers=bearer(secret))


# -- the citizen's explanation ---------------------------------------------------------------------

def test_explanation_of_a_suggestion_is_plain_danish(client: FlaskClient, tokens: Tokens) -> None:
    served = _serve(client, tokens.consultant, "cv-cook")
    r = _explain(client, tokens.consultant, served["recommendation_id"], 1)
    assert r.status_code == 200
    body = r.get_json()
    assert body["rank"] == 1 and body["kind"] == "suggestion"
    text = body["text_da"]
    assert text.startswith("Dette job som «Cook for busy restaurant» er foreslået, fordi du har erfaring med")
    assert "I dit CV skriver du: «I have experience with" in text  # the evidence sentence
    assert "comply with food safety" in text and "tal med din rådgiver" in text  # the gap, and who decides
    assert "score" not in text.lower() and "esco" not in text.lower()  # no jargon


def test_explanation_of_an_automatch_suggestion(client: FlaskClient, tokens: Tokens) -> None:
    served = _serve(client, tokens.consultant, "cv-cook", query="?strategy=automatch")
    text = _explain(client, tokens.consultant, served["recommendation_id"], 1).get_json()["text_da"]
    assert text.startswith("Dette job er foreslået, fordi")


def test_explanation_of_an_alternative(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    # The fixture's occupation profiles are tiny; the default minimum of 5 essentials hides them all.
    app.extensions["jobmatch"].match_settings = MatchSettings(alt_min_essential=2)
    served = _serve(client, tokens.consultant, "cv-chef", "alternatives")
    first = served["alternatives"][0]
    body = _explain(client, tokens.consultant, served["recommendation_id"], first["rank"]).get_json()
    assert body["kind"] == "alternative"
    assert body["text_da"].startswith(f"Faget «{first['occupation']['label']}» er foreslået som en ny mulighed")


def test_explanation_roles_and_municipality_scope(client: FlaskClient, tokens: Tokens) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")["recommendation_id"]
    assert _explain(client, tokens.ethics, rec).status_code == 200
    assert _explain(client, tokens.admin, rec).status_code == 200
    # Another municipality's list answers exactly as an unknown one does.
    foreign = _explain(client, tokens.consultant_aarhus, rec)
    unknown = _explain(client, tokens.consultant, "no-such-record")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json()["detail"] == unknown.get_json()["detail"]
    assert _explain(client, tokens.ethics_aarhus, rec).status_code == 404
    assert _explain(client, tokens.taxonomy, rec).status_code == 403
    assert client.get(f"/api/v1/recommendations/{rec}/explanation?rank=1").status_code == 401


def test_explanation_of_a_rank_the_list_does_not_have_is_404(client: FlaskClient, tokens: Tokens) -> None:
    served = _serve(client, tokens.consultant, "cv-cook")
    r = _explain(client, tokens.consultant, served["recommendation_id"], len(served["suggestions"]) + 1)
    assert r.status_code == 404
    assert r.get_json()["field"] == "rank" and r.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["", "?rank=", "?rank=0", "?rank=one", "?rank=1001"])
def test_explanation_needs_a_valid_rank(client: FlaskClient, tokens: Tokens, query: str) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")["recommendation_id"]
    r = client.get(f"/api/v1/recommendations/{rec}/explanation{query}", headers=bearer(tokens.consultant))
    assert r.status_code == 422
    assert r.get_json()["field"] == "rank"


def test_explanation_text_is_not_logged(client: FlaskClient, tokens: Tokens, caplog: pytest.LogCaptureFixture) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")["recommendation_id"]
    caplog.set_level("DEBUG")
    _explain(client, tokens.consultant, rec)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "I have experience with" not in logged and "Dette job" not in logged


# -- the citizen's export --------------------------------------------------------------------------

def test_export_holds_cv_lists_feedback_and_no_trial(client: FlaskClient, tokens: Tokens) -> None:
    matches = _serve(client, tokens.consultant, "cv-cook")
    alternatives = _serve(client, tokens.consultant, "cv-cook", "alternatives")
    _serve(client, tokens.consultant, "cv-dev")  # another citizen's list is not in the export
    client.post(f"/api/v1/recommendations/{matches['recommendation_id']}/feedback",
                json={"target": "p-cook-1", "verdict": "useful"}, headers=bearer(tokens.consultant))
    r = client.get("/api/v1/cvs/cv-cook/export", headers=bearer(tokens.consultant))
    assert r.status_code == 200
    body = r.get_json()
    assert body["pseudonym"] == "cv-cook" and "CPR-nummer" in body["note"]
    assert body["cv"]["skills"][0]["evidence"][0]["sentence"].startswith("I have experience with")
    assert body["cv"]["labels"]  # the concepts named, for a reader
    assert [x["id"] for x in body["recommendations"]] == [matches["recommendation_id"],
                                                          alternatives["recommendation_id"]]
    first = body["recommendations"][0]
    assert first["actor_role"] == "consultant" and first["strategy"] == "graph"
    assert first["result"]["suggestions"][0]["posting"]["id"] == "p-cook-1"
    assert "actor" not in first  # the export names roles, not the consultants' tokens
    assert [(f["target"], f["verdict"]) for f in body["feedback"]] == [("p-cook-1", "useful")]
    assert body["trial"] == []
    assert r.headers["Cache-Control"] == "no-store"


def test_export_roles_and_municipality_scope(client: FlaskClient, tokens: Tokens) -> None:
    def status(secret: str, cv_id: str = "cv-cook") -> int:
        return client.get(f"/api/v1/cvs/{cv_id}/export", headers=bearer(secret)).status_code

    assert status(tokens.ethics) == status(tokens.admin) == 200
    assert status(tokens.consultant_aarhus) == status(tokens.ethics_aarhus) == 404
    assert status(tokens.consultant, "cv-aarhus") == status(tokens.consultant, "cv-nobody") == 404
    assert status(tokens.consultant_aarhus, "cv-aarhus") == 200
    assert status(tokens.taxonomy) == 403
    assert client.get("/api/v1/cvs/cv-cook/export").status_code == 401


# -- the trial's control group ---------------------------------------------------------------------

@pytest.fixture
def control_client(settings: Settings, store: MemoryStore) -> FlaskClient:
    """Every citizen in the control group (treatment share 0)."""
    app = create_app(replace(settings, trial_seed="api-test-seed", trial_treatment_share=0.0), store=store)
    app.test_client_class = ValidatingClient
    return app.test_client()


def test_control_group_gets_automatch_and_the_export_shows_the_arm(control_client: FlaskClient,
                                                                  tokens: Tokens) -> None:
    served = _serve(control_client, tokens.consultant, "cv-cook")
    assert served["trial_arm"] == "control" and served["strategy"] == "automatch"
    assert CONTROL_NOTE in served["notes"]
    assert _serve(control_client, tokens.consultant, "cv-cook", "alternatives")["alternatives"] == []
    text = _explain(control_client, tokens.consultant, served["recommendation_id"]).get_json()["text_da"]
    assert text.startswith("Dette job er foreslået, fordi")
    body = control_client.get("/api/v1/cvs/cv-cook/export", headers=bearer(tokens.consultant)).get_json()
    [trial] = body["trial"]
    assert trial["arm"] == "control" and trial["trial"] == "jobmatch-pilot" and trial["assigned_at"]


def test_export_lists_served_before_the_citizen_moved(client: FlaskClient, tokens: Tokens,
                                                      store: MemoryStore) -> None:
    rec = _serve(client, tokens.consultant, "cv-cook")["recommendation_id"]
    moved = replace(store.get_cvs(["cv-cook"])["cv-cook"], municipality="0751", postcode="8000")
    store.upsert_cvs([moved])
    assert client.get("/api/v1/cvs/cv-cook/export", headers=bearer(tokens.consultant)).status_code == 404
    body = client.get("/api/v1/cvs/cv-cook/export", headers=bearer(tokens.consultant_aarhus)).get_json()
    assert [x["id"] for x in body["recommendations"]] == [rec]



def test_lists_asked_for_together_during_a_trial_are_all_served(control_client: FlaskClient,
                                                                tokens: Tokens) -> None:
    # The page asks for matches and alternatives at once; each records the citizen's trial arm.
    app = control_client.application
    statuses: list[int] = []

    def ask(what: str) -> None:
        r = app.test_client().get(f"/api/v1/cvs/cv-chef/{what}", headers=bearer(tokens.consultant))
        statuses.append(r.status_code)

    for _ in range(60):
        threads = [threading.Thread(target=ask, args=(w,)) for w in ("matches", "alternatives", "matches")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 180, sorted(set(statuses))


@pytest.mark.parametrize(("nearby", "sentence"), [
    (0, "Der er ingen ledige stillinger i faget i nærheden lige nu."),
    (1, "Der er lige nu 1 ledig stilling i faget i nærheden."),
    (3, "Der er lige nu 3 ledige stillinger i faget i nærheden."),
])
def test_the_danish_explanation_agrees_in_number(nearby: int, sentence: str) -> None:
    item = {"occupation": {"label": "kok"}, "matched": [{"skill": {"label": "madlavning"}}], "missing_essential": [],
            "essential_covered": 1, "essential_total": 3, "postings_nearby": nearby}
    assert sentence in explain_alternative_da(item)
