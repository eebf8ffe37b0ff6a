"""The consultant's page in a real headless Chromium against the app served by waitress.

A memory store holds the mini ESCO fixture, sample CVs and postings and a consultant token; the
browser enters the token, looks up a citizen, sees explained match cards with a path drawing, gives
"useful" feedback — and the ledger shows it was stored. A screenshot goes to artifacts/e2e-page.png.

Chromium is Debian's (/usr/bin/chromium); without it this test fails (CI installs it in .ci/run).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from waitress.server import create_server

from api.app import create_app
from api.auth import create_token
from api.settings import Settings
from graph.backends.memory import MemoryStore
from graph.scoring import MatchSettings
from ontology.model import Taxonomy
from tests.api.conftest import current_postings, sample_cvs
from tests.conftest import REPO

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("JOBMATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "artifacts"
# Long enough for a cold first match on a slow CI machine; the page answers in milliseconds here.
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Served:
    url: str
    store: MemoryStore
    token: str


@pytest.fixture
def served(tmp_path: Path, mini_taxonomy: Taxonomy) -> Iterator[Served]:
    store = MemoryStore(tmp_path / "data").open()
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_postings(current_postings())
    store.upsert_cvs(sample_cvs())
    _, token = create_token(store, "consultant", "0101", "e2e consultant")
    app = create_app(Settings(data_dir=tmp_path / "data"), store=store)
    # The fixture's occupation profiles are tiny (2-4 essentials); the default minimum of 5 would hide
    # every alternative occupation, as in tests/unit/test_match.py.
    app.extensions["jobmatch"].match_settings = MatchSettings(alt_min_essential=2)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.effective_port}", store, token)
    finally:
        server.close()
        thread.join(timeout=5)
        store.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(.ci/run does this) or set JOBMATCH_CHROMIUM")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, locale="da-DK")
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_consultant_finds_explained_matches_and_gives_feedback(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    page.goto(served.url + "/")
    expect(page).to_have_title("Jobmatch — Jobforslag med forklaring")
    expect(page.locator("footer")).to_contain_text("ESCO classification of the European Commission")

    page.get_by_label("Din API-nøgle").fill(served.token)
    page.get_by_role("button", name="Gem nøgle").click()
    expect(page.get_by_role("status").filter(has_text="Logget ind")).to_be_visible()

    page.get_by_label("Borgerens pseudonym").fill("cv-chef")
    page.get_by_role("button", name="Find job").click()

    first = page.locator("#matches article.card").first
    expect(first).to_be_visible()
    expect(first.locator(".card-title")).to_have_text("Cook for busy restaurant")
    expect(first).to_contain_text("km væk")
    expect(first.locator(".why")).to_contain_text("I have experience with meat.")
    expect(first.locator(".complete")).to_have_text("Alle nødvendige kompetencer er dækket.")
    drawing = first.locator("details.path svg.path-svg")
    expect(drawing).to_be_visible()
    assert "CV" in (drawing.get_attribute("aria-label") or "")
    alternative = page.locator("#alternatives article.card").first
    expect(alternative.locator(".card-title")).to_have_text("køkkenmedhjælper")
    expect(alternative).to_contain_text("Kitchen porter")  # a current posting nearby

    first.get_by_role("button", name="Nyttig", exact=True).click()
    expect(first.get_by_role("status")).to_have_text("Tak, vurderingen er gemt.")
    expect(first.get_by_role("button", name="Nyttig", exact=True)).to_have_attribute("aria-pressed", "true")

    [feedback] = served.store.feedback_records()
    assert (feedback.target, feedback.verdict, feedback.cv_id) == ("p-cook-1", "useful", "cv-chef")
    assert feedback.actor.startswith("tok_")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-page.png"), full_page=True)
    assert errors == [], f"the page logged errors (a CSP violation shows up here): {errors}"


def test_english_page_and_side_by_side_automatch(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    page.goto(served.url + "/?lang=en")
    page.get_by_label("Your API token").fill(served.token)
    page.get_by_role("button", name="Save token").click()
    page.get_by_label("Citizen's pseudonym").fill("cv-cook")
    page.get_by_label("Method").select_option("both")
    page.get_by_role("button", name="Find jobs").click()
    columns = page.locator("#matches .column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0).locator("h3").first).to_have_text("By skills")
    expect(columns.nth(1).locator("h3").first).to_have_text("Automatch (title and distance)")
    expect(columns.nth(1).locator("article.card").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-page-en-both.png"), full_page=True)
    assert errors == []


def test_unknown_citizen_and_bad_token_are_explained(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    page.goto(served.url + "/")
    page.get_by_label("Din API-nøgle").fill(served.token)
    page.get_by_role("button", name="Gem nøgle").click()
    page.get_by_label("Borgerens pseudonym").fill("cv-aarhus")  # another municipality: as if unknown
    page.get_by_role("button", name="Find job").click()
    expect(page.locator("#message")).to_have_text("Ingen borger med det pseudonym i din kommune.")

    page.get_by_role("button", name="Log ud").click()
    page.get_by_label("Din API-nøgle").fill("jm_not-a-real-token")
    page.get_by_role("button", name="Gem nøgle").click()
    page.get_by_label("Borgerens pseudonym").fill("cv-cook")
    page.get_by_role("button", name="Find job").click()
    expect(page.locator("#message")).to_have_text("Nøglen blev afvist. Indtast den igen.")
    expect(page.get_by_label("Din API-nøgle")).to_be_visible()
