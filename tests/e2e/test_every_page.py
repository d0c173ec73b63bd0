"""Every page, for every role, in a real browser: it fits a phone (no horizontal scrolling at
390 px), axe-core finds no serious or critical accessibility violation, and the record, the plan and
the CERT report print as documents (no navigation, buttons or forms; black on white).

The pages are those of ``tests/site_pages.py`` (every HTML GET route with real ids, on a demo clinic
enriched to show each page at its fullest). One browser, one context per role, one page reused for
all of its addresses, so the whole crawl stays short.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from stride.services.registry import Services
from stride.web.app import create_app
from tests.conftest import FakeClock, make_settings
from tests.e2e.conftest import TIMEOUT_MS, serving
from tests.samples import sample
from tests.site_pages import LOGINS, SiteIds, enrich, page_urls

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
AXE = "/static/vendor/axe-core-4.10.3.min.js"
# Two questionnaires stand for all twelve: the page is one template, a self-report and a clinician one.
INSTRUMENTS = ("phq9", "hamd17")


@dataclass(frozen=True)
class Site:
    url: str
    ids: SiteIds
    urls: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_demo_template: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("every-page")
    database = root / "stride.sqlite3"
    shutil.copy(sqlite_demo_template, database)
    # The demo clinic was seeded at the fake clock's time: its plan weeks and schedules are "now".
    services = Services.build(make_settings(root, f"sqlite:///{database}"), clock=FakeClock())
    try:
        ids = enrich(services, device_file=sample("fit/garmin-fenix-5-walk.fit"))
        app = create_app(services.deps.settings, services=services)
        with serving(app) as url:
            yield Site(url=url, ids=ids, urls=page_urls(app, ids, instruments=INSTRUMENTS))
    finally:
        services.close()


@pytest.fixture(scope="module")
def pages(browser: Browser, site: Site) -> Iterator[dict[str, Page]]:
    """One logged-in phone-sized page per role (and one for the log-in page, anonymous)."""
    opened: dict[str, Page] = {}
    contexts = []
    for role in [*LOGINS, "anonymous"]:
        context = browser.new_context(
            base_url=site.url, viewport=PHONE, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if role != "anonymous":
            page.goto("/login")
            page.locator("input[name=username]").fill(LOGINS[role][0])
            page.locator("input[name=password]").fill(LOGINS[role][1])
            page.locator("button[type=submit]").click()
            page.wait_for_url(lambda url: "/login" not in url)
        opened[role] = page
    yield opened
    for context in contexts:
        context.close()


# An HTMX fragment (the live search's rows, an import's progress) is swapped into a page that has
# the title and language; only the document-level rules do not apply to it on its own.
DOCUMENT_RULES = {"document-title": {"enabled": False}, "html-has-lang": {"enabled": False}}


def _axe(page: Page, *, fragment: bool) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (WCAG 2.x A and AA, best practice)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    found: list[dict[str, Any]] = page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {resultTypes: ['violations'], rules});
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""",
        DOCUMENT_RULES if fragment else {},
    )
    return found


def _overflow(page: Page) -> dict[str, Any] | None:
    """How far the page scrolls sideways, and the widest elements, if it does."""
    report: dict[str, Any] = page.evaluate(
        """() => {
            const doc = document.documentElement;
            const width = doc.clientWidth;
            if (doc.scrollWidth <= width) return null;
            const wide = [...document.body.querySelectorAll('*')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                          + (typeof e.className === 'string' && e.className
                             ? '.' + e.className.split(' ').join('.') : ''))
                .slice(0, 5);
            return {scrollWidth: doc.scrollWidth, clientWidth: width, wide};
        }"""
    )
    return report


@pytest.mark.parametrize("role", [*LOGINS, "anonymous"])
def test_every_page_fits_a_phone_and_passes_axe(pages: dict[str, Page], site: Site, role: str) -> None:
    page = pages[role]
    urls = ["/login"] if role == "anonymous" else site.urls
    problems: dict[str, Any] = {}
    refusals: set[int] = set()
    for url in urls:
        answer = page.goto(url)
        assert answer is not None, url
        assert answer.status < 500, f"{url}: {answer.status}"
        found: dict[str, Any] = {}
        if (wide := _overflow(page)) is not None:
            found["overflow"] = wide
        # A page the role may not see is one error template: axe reads it once per status and role.
        if answer.status < 400 or answer.status not in refusals:
            refusals.add(answer.status)
            fragment = not answer.text().lstrip().lower().startswith("<!doctype")
            if violations := _axe(page, fragment=fragment):
                found["axe"] = violations
        if found:
            problems[url] = found
    assert not problems, json.dumps(problems, indent=1)


def _printable(page: Page, url: str) -> dict[str, Any]:
    """What is left of ``url`` in print: visible navigation, forms and buttons, colours, the PDF."""
    page.emulate_media(media="print")
    try:
        answer = page.goto(url)
        assert answer is not None, url
        assert answer.status == 200, f"{url}: {answer.status}"
        seen: dict[str, Any] = page.evaluate(
            """() => {
                const shown = sel => [...document.querySelectorAll(sel)]
                    .filter(e => e.getClientRects().length > 0).length;
                const body = getComputedStyle(document.body);
                const h1 = document.querySelector('main h1');
                return {nav: shown('nav'), forms: shown('form'),
                        buttons: shown('button, [role=button]'),
                        color: body.color, background: body.backgroundColor,
                        heading: h1 ? getComputedStyle(h1).color : null,
                        text: document.body.innerText.length};
            }"""
        )
        seen["pdf"] = page.pdf(format="A4")
        return seen
    finally:
        page.emulate_media(media="screen")


@pytest.mark.parametrize(
    ("role", "what"),
    [("clinician", "record"), ("clinician", "plan"), ("clinician", "cert"), ("patient", "plan")],
)
def test_the_record_the_plan_and_the_cert_report_print_as_documents(
    pages: dict[str, Page], site: Site, role: str, what: str
) -> None:
    url = {
        "record": f"/patients/{site.ids.active}",
        "plan": f"/patients/{site.ids.active}/plan",
        "cert": "/protocols/smile_aerobic",
    }[what]
    seen = _printable(pages[role], url)
    assert (seen["nav"], seen["forms"], seen["buttons"]) == (0, 0, 0), seen
    assert seen["color"] == "rgb(0, 0, 0)"
    assert seen["heading"] == "rgb(0, 0, 0)"
    assert seen["background"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    assert seen["text"] > 500  # the content itself is printed
    pdf = seen["pdf"]
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 10_000
