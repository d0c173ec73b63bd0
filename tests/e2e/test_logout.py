"""Logging out ends the session on the server, not only in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CLINICIAN, log_in

pytestmark = pytest.mark.browser

SESSION_COOKIE = "stride_session"


def test_log_out_then_patients_redirects_to_login(page: Page) -> None:
    log_in(page, *CLINICIAN)
    page.goto("/patients")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    session = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert session, "no session cookie after logging in"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []

    page.goto("/patients")
    page.wait_for_url(re.compile(r"/login\?next=/patients$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")

    # The old cookie, replayed, opens nothing: the session was ended on the server.
    page.context.add_cookies(session)
    page.goto("/patients")
    page.wait_for_url(re.compile(r"/login\?next=/patients$"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
