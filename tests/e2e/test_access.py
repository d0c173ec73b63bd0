"""A patient sees their own record and gets the friendly not-found page for anyone else's (the
same page as for a record that does not exist)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from stride.services.context import Caller
from tests.e2e.conftest import PATIENT, LiveServer, log_in

pytestmark = pytest.mark.browser


def test_patient_sees_own_record_and_not_found_for_another(page: Page, live_server: LiveServer) -> None:
    log_in(page, *PATIENT)
    page.wait_for_url(re.compile(r"/patients/\d+$"))
    own_id = int(page.url.rsplit("/", 1)[1])
    patients = live_server.services.patients
    own = patients.get(Caller.cli(), own_id)
    assert own.account is not None
    assert own.account.username == PATIENT[0], "logged in as patient1 but landed on someone else's record"
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"{own.patient.details.given_name} {own.patient.details.family_name}"
    )

    everyone = patients.search(Caller.cli(), limit=200).items
    own_family = own.patient.details.family_name
    other = next(p for p in everyone if p.id != own_id and p.details.family_name != own_family)
    response = page.goto(f"/patients/{other.id}")
    assert response is not None
    assert response.status == 404
    hidden = page.locator("article#not-found")
    expect(hidden).to_be_visible()
    expect(hidden.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text(other.details.family_name)
    # Still logged in, with a way back to their own record.
    expect(page.get_by_role("link", name="My record")).to_have_attribute("href", f"/patients/{own_id}")
    hidden.get_by_role("button", name="Go to your start page").click()
    page.wait_for_url(re.compile(rf"/patients/{own_id}$"))
