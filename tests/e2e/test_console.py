"""The main pages run under the strict CSP (``script-src 'self'``) without a single console error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN, CLINICIAN, BrowserLog, log_in

pytestmark = pytest.mark.browser

# Everything a page could run or style inline, which the CSP would block (and which would then be
# reported on the console), plus inline event handlers, which the CSP blocks as well.
INLINE_CODE = """() => {
  const found = [];
  for (const s of document.querySelectorAll('script:not([src])')) found.push('inline <script>');
  for (const s of document.querySelectorAll('style')) found.push('inline <style>');
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(`${el.tagName.toLowerCase()}[${a.name}]`);
      if (a.name === 'style') found.push(`${el.tagName.toLowerCase()}[style]`);
      if (/^\\s*javascript:/i.test(a.value)) found.push(`${el.tagName.toLowerCase()}[${a.name}=javascript:]`);
    }
  }
  return found;
}"""


def visit(page: Page, path: str) -> None:
    """Open a page, check that it loaded under our CSP, uses no inline code and started HTMX."""
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    assert "script-src 'self'" in (response.header_value("content-security-policy") or ""), path
    page.wait_for_load_state("load")
    assert page.evaluate(INLINE_CODE) == [], f"{path} has inline code"
    # htmx comes from /static and must have run (a CSP block would leave it undefined).
    assert page.evaluate("typeof window.htmx") == "object", f"htmx did not load on {path}"


def first_href(page: Page, pattern: str) -> str:
    hrefs = page.locator("main a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    matching = [h for h in hrefs if re.fullmatch(pattern, h)]
    assert matching, f"no link like {pattern} on {page.url}"
    return matching[0]


def test_main_pages_have_no_console_errors_or_csp_violations(page: Page, browser_log: BrowserLog) -> None:
    visit(page, "/login")
    log_in(page, *CLINICIAN)

    visit(page, "/patients")
    with page.expect_response(lambda r: "/patients/rows" in r.url):
        page.locator("input[type=search]").fill("a")
    expect(page.locator("#patient-rows")).to_contain_text("matching “a”")
    record = first_href(page, r"/patients/\d+")
    visit(page, record)
    visit(page, f"{record}/edit")
    visit(page, "/patients/new")
    visit(page, "/teams")
    visit(page, first_href(page, r"/teams/\d+"))
    visit(page, "/account")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    log_in(page, *ADMIN)
    visit(page, "/admin/users")
    visit(page, first_href(page, r"/admin/users/\d+"))
    visit(page, "/admin/audit")
    with page.expect_response(lambda r: r.url.endswith("/admin/audit/verify")) as verified:
        page.get_by_role("button", name="Verify chain").click()
    assert verified.value.status == 200  # the HTMX POST carried the CSRF header from hx-headers
    expect(page.locator("#verdict")).to_contain_text("Chain intact")

    assert browser_log.problems() == []


def test_console_listener_sees_a_csp_violation(page: Page, browser_log: BrowserLog) -> None:
    """The check above is only worth something if a violation would really reach the listener."""
    visit(page, "/login")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
              const s = document.createElement('script');
              s.textContent = 'window.__injected = true';
              document.body.appendChild(s);
            }"""
        )
    assert page.evaluate("window.__injected") is None
    assert any("Content Security Policy" in p for p in browser_log.problems())
