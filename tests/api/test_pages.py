"""The two pages are served in Danish and English with their own script, under the CSP, and every text
their scripts use exists in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from api.blueprints.page import STRINGS
from tests.conftest import REPO

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"


@pytest.mark.parametrize(("path", "script", "title"), [
    ("/", "app.js", "Jobmatch — Jobforslag med forklaring"),
    ("/ethics", "ethics.js", "Jobmatch — Etisk gennemgang af jobforslag"),
])
def test_page_is_served_danish_by_default_with_its_module(client: FlaskClient, path: str, script: str,
                                                          title: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert f"<title>{title}</title>" in html and '<html lang="da">' in html
    assert f'<script type="module" src="/static/{script}"></script>' in html
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert 'aria-current="page"' in html
    english = client.get(path + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "ESCO classification" in english


def test_both_languages_have_the_same_texts() -> None:
    assert STRINGS["da"].keys() == STRINGS["en"].keys()


def test_every_text_a_script_uses_exists() -> None:
    used = {m for f in STATIC.glob("*.js") for m in re.findall(r"\bT\.(\w+)", f.read_text("utf-8"))}
    assert used, "the scripts read their texts as T.<key>"
    assert used - STRINGS["da"].keys() == set()


@pytest.mark.parametrize("name", ["app.js", "common.js", "ethics.js", "app.css"])
def test_static_files_are_served(client: FlaskClient, name: str) -> None:
    r = client.get(f"/static/{name}")
    assert r.status_code == 200
    r.close()


def test_pages_name_parts_and_verdicts_by_the_api_vocabulary(client: FlaskClient) -> None:
    from api.blueprints.page import STRINGS
    from graph.matching.vocabulary import PART_NAMES, VERDICT_NAMES

    body = client.get("/api/v1/vocabulary").get_json()  # public: no token
    # A part is listed per strategy that has it (the learned strategy shares the graph's skill parts).
    assert list(dict.fromkeys(p["name"] for p in body["score_parts"])) == list(PART_NAMES)
    labels = {(p["name"], p["da"], p["en"]) for p in body["score_parts"]}
    assert len(labels) == len(PART_NAMES)  # a shared part has the same labels in every strategy
    assert [v["name"] for v in body["verdicts"]] == list(VERDICT_NAMES)
    assert all(p["da"] and p["en"] for p in body["score_parts"])
    # The page strings restate none of them; the scripts ask the API.
    for strings in STRINGS.values():
        assert not [k for k in strings if k.startswith(("part_", "kind_")) or k in VERDICT_NAMES]
    for script in ("app.js", "ethics.js"):
        text = (REPO / "api" / "static" / script).read_text("utf-8")
        assert "vocabulary()" in text and '"essential_skills"' not in text and '"not_useful"' not in text
