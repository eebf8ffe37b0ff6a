"""The consultant's and the ethics reviewer's pages in a real headless Chromium against the app served
by waitress.

A memory store holds the mini ESCO fixture, sample CVs and postings, a consultant and an ethics token;
the browser enters the token, looks up a citizen, sees explained match cards with a path drawing, opens
the citizen's Danish explanation, gives "useful" feedback — and the ledger shows it was stored. The
ethics reviewer then finds that list, opens it (paths, versions) and replays it: identical. With a trial
whose every citizen is in the control group, the consultant sees the control-group banner.
Screenshots go to artifacts/ (e2e-*.png).

Chromium is Debian's (/usr/bin/chromium); without it this test fails (CI installs it in .ci/run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from waitress.server import create_server

from api.app import create_app
from api.auth import create_token
from api.settings import Settings
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import GRAPH, STRATEGY
from graph.records import CvRecord, CvSkill, Evidence
from loaders.privacy import PseudonymKey, pseudonymise
from ontology.model import Taxonomy
from tests.api.conftest import current_postings, sample_cvs
from tests.conftest import REPO
from tests.matching_data import O, S, cv
from tests.tamper import rewrite_bodies

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
    ethics_token: str


E2E_KEY = "e2e-pseudonym-key-0123456789abcdef-0123456789"


def _with_inferred() -> CvRecord:
    """A citizen who seeks "cook" and states one skill: the others of the cook profile wait, inferred."""
    base = cv("cv-infer", ["teamwork"], seeks=(O("cook"),))
    inferred = tuple(CvSkill(S(s), "inferred", (Evidence("inferred", 0, 0, "kok", how="inferred", via=O("cook")),),
                             "da") for s in ("dishes", "meat", "foodsafety"))
    return replace(base, skills=base.skills + inferred)


@contextmanager
def _serving(data_dir: Path, taxonomy: Taxonomy, **settings: Any) -> Iterator[Served]:
    store = MemoryStore(data_dir).open()
    store.upsert_taxonomy(taxonomy)
    store.upsert_postings(current_postings())
    store.upsert_cvs([*sample_cvs(), _with_inferred(),
                      replace(sample_cvs()[0], id=pseudonymise("0101-A4711", PseudonymKey(E2E_KEY.encode())))])
    _, token = create_token(store, "consultant", "0101", "e2e consultant")
    _, ethics_token = create_token(store, "ethics", "", "e2e reviewer")
    app = create_app(Settings(data_dir=data_dir, pseudonym_key=E2E_KEY, **settings), store=store)
    # The fixture's occupation profiles are tiny (2-4 essentials); the default minimum of 5 would hide
    # every alternative occupation, as in tests/unit/test_match.py.
    app.extensions["jobmatch"].match_settings = MatchSettings(alt_min_essential=2)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            # Closing the server's sockets can interrupt the loop's select() (EBADF); that is the stop.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, name="waitress", daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.effective_port}", store, token, ethics_token)
    finally:
        stopping.set()
        server.close()
        thread.join(timeout=5)
        store.close()


@pytest.fixture
def served(tmp_path: Path, mini_taxonomy: Taxonomy) -> Iterator[Served]:
    with _serving(tmp_path / "data", mini_taxonomy) as s:
        yield s


@pytest.fixture
def served_control(tmp_path: Path, mini_taxonomy: Taxonomy) -> Iterator[Served]:
    """A trial runs and its treatment share is 0: every citizen is in the control group."""
    with _serving(tmp_path / "data", mini_taxonomy, trial_seed="e2e-seed", trial_treatment_share=0.0) as s:
        yield s


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


def _look_up(page: Page, url: str, token: str, who: str) -> None:
    """Log in on the consultant's page and look a citizen up (by reference or pseudonym)."""
    page.goto(url + "/")
    page.get_by_label("Din API-nøgle").fill(token)
    page.get_by_role("button", name="Gem nøgle").click()
    page.get_by_label("Borgerens reference eller pseudonym").fill(who)
    page.get_by_role("button", name="Find job").click()


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

    page.get_by_label("Borgerens reference eller pseudonym").fill("cv-chef")
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
    expect(page.locator("#trial-banner")).to_be_hidden()  # no trial runs

    # The citizen's own explanation, in plain Danish, fetched when opened.
    first.get_by_text("Forklaring til borgeren").click()
    explanation = first.locator(".citizen-text blockquote[lang=da]")
    expect(explanation).to_have_text(re.compile(r"^Dette job"))
    expect(explanation).to_contain_text("I dit CV skriver du")
    second = page.locator("#matches article.card").nth(1)
    second.get_by_text("Forklaring til borgeren").click()  # each card explains its own rank
    expect(second.locator(".citizen-text blockquote")).to_have_text(re.compile(r"^Dette job som «Kitchen porter»"))
    alternative.get_by_text("Forklaring til borgeren").click()
    expect(alternative.locator(".citizen-text blockquote")).to_have_text(re.compile(r"^Faget «køkkenmedhjælper»"))

    first.get_by_role("button", name="Nyttig", exact=True).click()
    expect(first.get_by_role("status")).to_have_text("Tak, vurderingen er gemt.")
    expect(first.get_by_role("button", name="Nyttig", exact=True)).to_have_attribute("aria-pressed", "true")

    [feedback] = served.store.feedback_records()
    assert (feedback.target, feedback.verdict, feedback.cv_id) == ("p-cook-1", "useful", "cv-chef")
    assert feedback.actor.startswith("tok_")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-page.png"), full_page=True)
    page.evaluate("document.getElementById('matches-heading').scrollIntoView(); window.scrollBy(0, -16)")
    page.screenshot(path=str(ARTIFACTS / "e2e-consultant.png"))
    assert errors == [], f"the page logged errors (a CSP violation shows up here): {errors}"


def test_english_page_and_side_by_side_automatch(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    page.goto(served.url + "/?lang=en")
    page.get_by_label("Your API token").fill(served.token)
    page.get_by_role("button", name="Save token").click()
    page.get_by_label("Citizen's reference or pseudonym").fill("cv-cook")
    page.get_by_label("Method").select_option("both")
    page.get_by_role("button", name="Find jobs").click()
    columns = page.locator("#matches .column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0).locator("h3").first).to_have_text("By skills")
    expect(columns.nth(1).locator("h3").first).to_have_text("Automatch (title and distance)")
    expect(columns.nth(1).locator("article.card").first).to_be_visible()
    first = columns.nth(0).locator("article.card").first
    first.get_by_text("Explanation for the citizen").click()
    expect(first.locator(".citizen-text")).to_contain_text("In Danish on purpose")
    expect(first.locator(".citizen-text blockquote[lang=da]")).to_have_text(re.compile(r"^Dette job"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-page-en-both.png"), full_page=True)
    assert errors == []


def test_unknown_citizen_and_bad_token_are_explained(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    page.goto(served.url + "/")
    page.get_by_label("Din API-nøgle").fill(served.token)
    page.get_by_role("button", name="Gem nøgle").click()
    page.get_by_label("Borgerens reference eller pseudonym").fill("cv-aarhus")  # another municipality: as if unknown
    page.get_by_role("button", name="Find job").click()
    expect(page.locator("#message")).to_have_text("Ingen borger med det pseudonym i din kommune.")

    page.get_by_role("button", name="Log ud").click()
    page.get_by_label("Din API-nøgle").fill("jm_not-a-real-token")
    page.get_by_role("button", name="Gem nøgle").click()
    page.get_by_label("Borgerens reference eller pseudonym").fill("cv-cook")
    page.get_by_role("button", name="Find job").click()
    expect(page.locator("#message")).to_have_text("Nøglen blev afvist. Indtast den igen.")
    expect(page.get_by_label("Din API-nøgle")).to_be_visible()


def test_ethics_reviewer_finds_opens_and_replays_the_served_list(served: Served, browser: BrowserContext) -> None:
    consultant = browser.new_page()
    consultant.goto(served.url + "/")
    consultant.get_by_label("Din API-nøgle").fill(served.token)
    consultant.get_by_role("button", name="Gem nøgle").click()
    consultant.get_by_label("Borgerens reference eller pseudonym").fill("cv-chef")
    consultant.get_by_role("button", name="Find job").click()
    expect(consultant.locator("#matches article.card").first).to_be_visible()
    consultant.close()

    page = browser.new_page()
    errors = _console_errors(page)
    page.goto(served.url + "/ethics")
    expect(page).to_have_title("Jobmatch — Etisk gennemgang af jobforslag")
    expect(page.get_by_role("link", name="Etisk gennemgang")).to_have_attribute("aria-current", "page")
    page.get_by_label("Din API-nøgle").fill(served.ethics_token)
    page.get_by_role("button", name="Gem nøgle").click()
    # the two lists the consultant was shown and the consultant's look at the CV (a read is a record too)
    expect(page.locator("#chain-status")).to_have_text(
        "Intakt: alle poster i revisionssporet er kontrolleret (3), ingen er ændret.")

    page.get_by_label("Borgerens reference eller pseudonym").fill("cv-chef")
    page.get_by_label("Fra dato").fill("2000-01-01")
    page.get_by_role("button", name="Søg").click()
    rows = page.locator("#records tbody tr")
    expect(rows).to_have_count(2)  # the matches and the alternatives the consultant was shown
    row = rows.filter(has_text="Job ud fra kompetencer")
    expect(row).to_contain_text("cv-chef")
    expect(row).to_contain_text("(rådgiver)")
    expect(row).to_contain_text("ESCO 1.1.0")
    row.get_by_role("button").click()

    record = page.locator("#record")
    expect(record.locator("#record-heading")).to_contain_text("cv-chef")
    first = record.locator("article.card").first
    expect(first.locator(".card-title")).to_have_text("1. Cook for busy restaurant")
    expect(first.locator("table.parts")).to_contain_text("Nødvendige kompetencer")
    expect(first.locator(".why")).to_contain_text("I have experience with meat.")
    drawing = first.locator("details.path svg.path-svg")
    expect(drawing).to_be_visible()
    assert "CV" in (drawing.get_attribute("aria-label") or "")
    versions = record.locator("section[aria-label=Versioner] dl")
    expect(versions).to_contain_text("1.1.0")
    expect(versions).to_contain_text(STRATEGY[GRAPH].algorithm_version)
    expect(record).to_contain_text("Indholdet stemmer med listens hash.")

    page.get_by_role("button", name="Genafspil").click()
    expect(page.locator("#replay-result .verdict")).to_have_text(
        "Identisk: genberegningen giver præcis den samme liste.")
    expect(page.locator("#replay-result table.compare tr.changed")).to_have_count(0)
    # against today's world: nothing has changed since, so the same list
    page.get_by_role("button", name="Sammenlign med i dag").click()
    expect(page.locator("#replay-result .verdict")).to_have_text(
        "Identisk: genberegningen giver præcis den samme liste.")
    expect(page.locator("#replay-result table.compare")).to_contain_text("Læsemodel")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-ethics-page.png"), full_page=True)
    page.evaluate("document.getElementById('record').scrollIntoView(); window.scrollBy(0, -16)")
    page.screenshot(path=str(ARTIFACTS / "e2e-ethics.png"))

    # Someone with database access edits the list: the chain check and the list itself say so.
    assert rewrite_bodies(served.store._conn(), "p-cook-1", "p-fake") >= 1
    page.get_by_role("button", name="Kontrollér igen").click()
    expect(page.locator("#chain-status")).to_have_text(re.compile(
        r"^Brudt ved liste nr\. \d: indholdet stemmer ikke med listens hash\."))
    row.get_by_role("button").click()
    expect(record).to_contain_text("Indholdet stemmer ikke med listens hash!")
    assert errors == [], f"the page logged errors (a CSP violation shows up here): {errors}"


def test_ethics_page_in_english_and_a_consultant_token_is_refused(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    page.goto(served.url + "/ethics?lang=en")
    page.get_by_label("Your API token").fill(served.token)
    page.get_by_role("button", name="Save token").click()
    expect(page.locator("#chain-status")).to_have_text(
        "This token cannot open the ethics review. Use a token with the ethics role.")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#message")).to_have_text(
        "This token cannot open the ethics review. Use a token with the ethics role.")


def test_control_group_citizen_gets_a_banner_and_automatch_only(served_control: Served,
                                                                browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    page.goto(served_control.url + "/")
    page.get_by_label("Din API-nøgle").fill(served_control.token)
    page.get_by_role("button", name="Gem nøgle").click()
    page.get_by_label("Borgerens reference eller pseudonym").fill("cv-chef")
    page.get_by_role("button", name="Find job").click()
    banner = page.locator("#trial-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("kontrolgruppe")
    expect(banner).to_contain_text("kun Automatch (Jobnet)")
    first = page.locator("#matches article.card").first
    expect(first.locator(".badge").first).to_be_visible()  # automatch's reason: title or no qualifications
    expect(first.locator(".score")).to_have_count(0)
    expect(page.locator("#alternatives")).to_have_text("Kontrolgruppen får ingen forslag til andre fag.")
    first.get_by_text("Forklaring til borgeren").click()
    expect(first.locator(".citizen-text blockquote")).to_have_text(re.compile(r"^Dette job er foreslået, fordi"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-control.png"))
    assert errors == []


def test_consultant_confirms_inferred_skills_with_the_citizen(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    _look_up(page, served.url, served.token, "cv-infer")
    panel = page.locator("details.inferred-panel")
    expect(panel).to_contain_text("Kompetencer at tale om med borgeren (3)")
    panel.locator("summary").click()
    rows = panel.locator("ul.inferred li")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("fra kok")
    rows.first.get_by_role("button", name="Afvis").click()
    expect(rows.first).to_contain_text("Afvist")
    panel.get_by_role("button", name="Bekræft alle").click()
    expect(rows.nth(2)).to_contain_text("Bekræftet")
    stored = served.store.get_cvs(["cv-infer"])["cv-infer"]
    assert {s.source for s in stored.skills} == {"text", "declared"}
    assert len(stored.rejected) == 1
    assert all(e.how == "confirmed" and e.by.startswith("tok_") for s in stored.skills if s.source == "declared"
               for e in s.evidence)
    assert errors == [], errors


def test_consultant_finds_a_citizen_by_the_job_centres_reference(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    _look_up(page, served.url, served.token, "0101-A4711")
    expect(page.locator("#citizen")).to_contain_text("cv_")  # the pseudonym is shown, the reference is not
    expect(page.locator("#matches article.card").first).to_be_visible()
    assert "0101-A4711" not in page.locator("#citizen").inner_text()
    assert errors == [], errors



def test_consultant_steers_the_search_and_it_is_audited(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    _look_up(page, served.url, served.token, "cv-chef")
    cards = page.locator("#matches article.card")
    expect(cards.first).to_be_visible()
    before = [t.strip() for t in page.locator("#matches article.card .card-title").all_inner_texts()]
    # The first suggestion's occupation group, as a consultant would narrow to it.
    postings = served.store.get_postings(served.store.posting_ids())
    first = next(p for p in postings.values() if p.title == before[0])
    major = served.store.concepts([first.occupation])[first.occupation].isco_group[:1]
    page.get_by_label("Afstand (km)").fill("60")
    page.get_by_label("Faggruppe").select_option(major)
    page.get_by_label("Sortering").select_option("distance")
    page.get_by_role("button", name="Find job").click()
    expect(page.locator("#matches article.card .card-title").first).to_be_visible()
    page.wait_for_timeout(300)
    after = [t.strip() for t in page.locator("#matches article.card .card-title").all_inner_texts()]
    assert after and after != before  # narrowed to one occupation group
    steered = [r for r in served.store.audit_records(AuditQuery(cv_id="cv-chef", limit=100)) if r.strategy == "graph"]
    request = json.loads(steered[-1].body)["request"]
    assert (request["isco"], request["sort"], request["radius_km"]) == (major, "distance", 60.0)
    assert errors == []


def test_a_flag_with_its_reason_reaches_the_ethics_queue(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    errors = _console_errors(page)
    _look_up(page, served.url, served.token, "cv-chef")
    first = page.locator("#matches article.card").first
    expect(first).to_be_visible()
    first.get_by_role("button", name="Til etisk gennemgang").click()
    reason = first.get_by_label("Hvorfor? (kort, uden personoplysninger)")
    expect(reason).to_be_focused()
    reason.fill("Samme opslag til mange borgere")
    first.get_by_role("button", name="Gem", exact=True).click()
    expect(first.get_by_role("status")).to_have_text("Tak, vurderingen er gemt.")
    [flag] = [f for f in served.store.feedback_records() if f.verdict == "flagged"]
    assert flag.reason == "Samme opslag til mange borgere"

    ethics = browser.new_page()
    ethics.goto(served.url + "/ethics")
    ethics.get_by_label("Din API-nøgle").fill(served.ethics_token)
    ethics.get_by_role("button", name="Gem nøgle").click()
    queue = ethics.locator("#flags-panel")
    expect(queue).to_contain_text("Markeret til etisk gennemgang")
    expect(queue).to_contain_text("Samme opslag til mange borgere")
    queue.get_by_role("button", name=re.compile("^Åbn")).click()
    expect(ethics.locator("#record-heading")).to_contain_text("cv-chef")
    assert errors == []
