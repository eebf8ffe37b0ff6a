"""WCAG 2.1 AA on the consultant's page (with results shown), the ethics view (with a list opened) and
the print view, checked by axe-core in the browser (axe-playwright-python bundles axe-core; nothing is
downloaded), plus keyboard-only use and the declared page language."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from graph.ledger import AuditQuery
from tests.e2e.test_page import Served, _look_up, browser, served  # noqa: F401 - pytest fixtures

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def _violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


def test_the_consultants_page_meets_wcag_21_aa(served: Served, browser: BrowserContext) -> None:  # noqa: F811
    page = browser.new_page()
    _look_up(page, served.url, served.token, "cv-chef")
    expect(page.locator("#matches article.card").first).to_be_visible()
    page.locator("#matches article.card").first.get_by_text("Forklaring til borgeren").click()
    assert page.locator("html").get_attribute("lang") == "da"
    assert _violations(page) == []


def test_the_ethics_view_meets_wcag_21_aa(served: Served, browser: BrowserContext) -> None:  # noqa: F811
    consultant = browser.new_page()
    _look_up(consultant, served.url, served.token, "cv-chef")
    expect(consultant.locator("#matches article.card").first).to_be_visible()
    consultant.close()
    page = browser.new_page()
    page.goto(served.url + "/ethics")
    page.get_by_label("Din API-nøgle").fill(served.ethics_token)
    page.get_by_role("button", name="Gem nøgle").click()
    page.get_by_role("button", name="Søg").click()
    rows = page.locator("#records tbody tr")
    expect(rows.first).to_be_visible()
    rows.first.get_by_role("button").click()
    expect(page.locator("#record article.card").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "da"
    assert _violations(page) == []


def test_keyboard_only_use_reaches_the_list(served: Served, browser: BrowserContext) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(served.url + "/")
    page.get_by_label("Din API-nøgle").focus()
    page.keyboard.type(served.token)
    page.keyboard.press("Enter")
    page.get_by_label("Borgerens reference eller pseudonym").focus()
    page.keyboard.type("cv-chef")
    page.keyboard.press("Enter")
    expect(page.locator("#matches article.card").first).to_be_visible()


def test_the_print_for_the_citizen_is_noted_and_meets_wcag_21_aa(served: Served,  # noqa: F811
                                                                   browser: BrowserContext) -> None:  # noqa: F811
    page = browser.new_page()
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    _look_up(page, served.url, served.token, "cv-chef")
    expect(page.locator("#matches article.card").first).to_be_visible()
    before = len(served.store.audit_records(AuditQuery(limit=1000)))
    page.get_by_role("button", name="Udskriv til borgeren").click()
    for _ in range(100):  # the page's CSP forbids wait_for_function's eval: poll instead
        if page.evaluate("() => window.__printed") == 1:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => window.__printed") == 1
    events = [r for r in served.store.audit_records(AuditQuery(limit=1000))[before:] if r.strategy == "export"]
    assert len(events) == 2 and {e.cv_id for e in events} == {"cv-chef"}  # the matches and the alternatives
    page.emulate_media(media="print")
    expect(page.locator("#print-head")).to_be_visible()
    expect(page.locator("#print-head")).to_contain_text("Jobforslag til dig")
    expect(page.locator("#lookup-form")).to_be_hidden()
    expect(page.locator(".feedback").first).to_be_hidden()
    first = page.locator("#matches article.card").first
    expect(first.locator(".print-explanation")).to_have_text(re.compile(r"^Dette job"))
    assert _violations(page) == []
