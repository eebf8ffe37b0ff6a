"""Inferred competences and the confirm step with the citizen (issue: read what citizens write, item 5).

A CV that seeks "cook" (the mini ESCO) gets the essential skills of the cook profile it does not state as
*inferred*: shown, never used in matching, until the consultant confirms them with the citizen.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from graph.backends.memory.graph_store import MemoryStore
from graph.matching.match import cv_skill_map
from tests.api.conftest import Tokens, bearer
from tests.api.test_consultant import cv_doc
from tests.matching_data import O


def _post(client: FlaskClient, tokens: Tokens) -> str:
    r = client.post("/api/v1/cvs", json=cv_doc(), headers=bearer(tokens.consultant))
    assert r.status_code == 201
    cv_id: str = r.get_json()["id"]
    return cv_id


def _inferred(store: MemoryStore, cv_id: str) -> dict[str, str]:
    cv = store.get_cvs([cv_id])[cv_id]
    return {s.skill: s.evidence[0].via for s in cv.skills if s.source == "inferred"}


def test_skills_of_a_sought_occupation_are_inferred_but_not_matched_on(client: FlaskClient, tokens: Tokens,
                                                                      store: MemoryStore) -> None:
    cv_id = _post(client, tokens)
    inferred = _inferred(store, cv_id)
    assert inferred and set(inferred.values()) == {O("cook")}
    profile = {p.skill for p in store.occupation_profiles([O("cook")])[O("cook")] if p.kind == "essential"}
    cv = store.get_cvs([cv_id])[cv_id]
    stated = {s.skill for s in cv.skills if s.source != "inferred"}
    assert set(inferred) == profile - stated
    assert not set(inferred) & set(cv_skill_map(cv))  # never the citizen's evidence in matching
    shown = client.get(f"/api/v1/cvs/{cv_id}", headers=bearer(tokens.consultant)).get_json()
    ev = next(s for s in shown["skills"] if s["source"] == "inferred")["evidence"][0]
    assert ev["how"] == "inferred" and ev["via"] == O("cook")


def test_confirm_makes_it_the_citizens_own_with_who_and_when(client: FlaskClient, tokens: Tokens,
                                                             store: MemoryStore) -> None:
    cv_id = _post(client, tokens)
    first, *rest = sorted(_inferred(store, cv_id))
    r = client.post(f"/api/v1/cvs/{cv_id}/skills/confirm", json={"skills": [first]},
                    headers=bearer(tokens.consultant))
    assert r.status_code == 200
    assert r.get_json() == {"id": cv_id, "confirmed": [first], "inferred_left": len(rest)}
    cv = store.get_cvs([cv_id])[cv_id]
    skill = next(s for s in cv.skills if s.skill == first)
    assert skill.source == "declared"
    assert skill.evidence[0].how == "confirmed" and skill.evidence[0].by == tokens.consultant_id
    assert skill.evidence[0].at and first in cv_skill_map(cv)
    # the citizen's document is read again (PUT): the confirmation stands
    assert client.put(f"/api/v1/cvs/{cv_id}", json=cv_doc(), headers=bearer(tokens.consultant)).status_code == 200
    again = store.get_cvs([cv_id])[cv_id]
    assert next(s for s in again.skills if s.skill == first).source == "declared"
    # confirm all the rest
    r = client.post(f"/api/v1/cvs/{cv_id}/skills/confirm", json={"all": True}, headers=bearer(tokens.consultant))
    assert r.get_json()["confirmed"] == sorted(rest) and r.get_json()["inferred_left"] == 0


def test_a_rejected_inference_never_comes_back(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    cv_id = _post(client, tokens)
    first = sorted(_inferred(store, cv_id))[0]
    r = client.post(f"/api/v1/cvs/{cv_id}/skills/reject", json={"skills": [first]},
                    headers=bearer(tokens.consultant))
    assert r.status_code == 200 and r.get_json()["rejected"] == [first]
    assert first not in _inferred(store, cv_id)
    client.put(f"/api/v1/cvs/{cv_id}", json=cv_doc(), headers=bearer(tokens.consultant))
    assert first not in _inferred(store, cv_id)
    assert first in store.get_cvs([cv_id])[cv_id].rejected


def test_bad_settlements_are_4xx_naming_the_field(client: FlaskClient, tokens: Tokens, store: MemoryStore) -> None:
    cv_id = _post(client, tokens)
    h = bearer(tokens.consultant)
    stated = next(s.skill for s in store.get_cvs([cv_id])[cv_id].skills if s.source != "inferred")
    for body, field in (({"skills": [stated]}, "/skills"), ({"skills": []}, "/skills"), ({"all": "yes"}, "/all"),
                        ({"skills": ["x"], "all": True}, "/skills"), ({"nope": 1}, "/nope")):
        r = client.post(f"/api/v1/cvs/{cv_id}/skills/confirm", json=body, headers=h)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", body
        assert r.get_json()["field"] == field, body
    # another municipality's citizen looks exactly like an unknown one
    other = client.post(f"/api/v1/cvs/{cv_id}/skills/confirm", json={"all": True},
                        headers=bearer(tokens.consultant_aarhus))
    unknown = client.post("/api/v1/cvs/cv_nobody/skills/confirm", json={"all": True},
                          headers=bearer(tokens.consultant_aarhus))
    assert other.status_code == unknown.status_code == 404
    assert other.get_json()["detail"] == unknown.get_json()["detail"]
