"""Exercise end to end: a clinician screens a patient, sees the decision, builds a plan from a protocol
and adjusts it (version 2); the patient then opens the plan from their record and sees this week."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from stride.clinical.prescription import get_protocol
from stride.services.context import Caller
from tests.e2e.conftest import CLINICIAN, TIMEOUT_MS, BrowserLog, LiveServer, log_in

pytestmark = pytest.mark.browser

# DEMO-0003 and its login are used by no other browser test, so the session-wide server's data
# (patient1's alerts from the safety-net test, say) cannot change this screening's decision.
MRN = "DEMO-0003"
PATIENT3 = ("patient3", "demo-clinic-patient")
PROTOCOL = "home_walking"


def screen_in_the_form(page: Page, patient_id: int) -> None:
    page.goto(f"/patients/{patient_id}/screening")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercise safety screening")
    form = page.locator("form.screening")
    form.locator("select[name=currently_active]").select_option("no")
    form.locator("select[name=desired_intensity]").select_option("moderate")
    form.locator("input[name=bp_systolic]").fill("124")
    form.locator("input[name=bp_diastolic]").fill("79")
    for q in range(1, 8):
        form.locator(f'input[type=radio][name="q{q}"][value="no"]').check()
    form.locator("select[name=phq9_item9]").select_option("0")
    form.locator("input[name=medications]").fill("sertraline")
    # The header's "Log out" is a submit button too: click the screening form's own.
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/patients/{patient_id}/screening#decision$"))


def svc_caller(live_server: LiveServer) -> Caller:
    """dr.rivera as a service caller, to check what the pages stored."""
    info = live_server.services.auth.login(*CLINICIAN, client_addr="127.0.0.1", user_agent="pytest")
    return Caller(actor=info.actor)


def test_clinician_screens_and_prescribes_then_the_patient_sees_this_week(
    page: Page, browser: Browser, live_server: LiveServer, browser_log: BrowserLog
) -> None:
    svc = live_server.services
    [patient] = svc.patients.search(Caller.cli(), text=MRN).items
    protocol = get_protocol(PROTOCOL)

    log_in(page, *CLINICIAN)
    screen_in_the_form(page, patient.id)
    expect(page.locator("#screening-decision")).to_have_text("cleared")
    expect(page.locator("#decision ol.reasons li").first).to_contain_text("Source:")

    page.locator("#build-plan").click()
    page.wait_for_url(re.compile(rf"/patients/{patient.id}/plan/new$"))
    page.locator("#protocol").select_option(PROTOCOL)
    builder = page.locator("form.builder")
    builder.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/patients/{patient.id}/plan$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Exercise plan: {protocol.name}")
    expect(page.locator("#this-week")).to_contain_text("This week (week 1 of 12)")
    expect(page.locator("main")).to_contain_text("version 1 from")
    expect(page.get_by_role("heading", name="Why this plan")).to_be_visible()

    page.locator("#adjust-plan").click()
    page.wait_for_url(re.compile(rf"/patients/{patient.id}/plan/new$"))
    page.locator("#protocol").select_option(PROTOCOL)
    builder.locator("input[name=minutes]").fill("40")
    builder.locator("input[name=reason]").fill("Patient asked for longer walks")
    builder.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/patients/{patient.id}/plan$"))
    expect(page.locator("main")).to_contain_text("version 2 from")
    expect(page.locator("main")).to_contain_text("changed: Patient asked for longer walks")

    versions = svc.plans.versions(svc_caller(live_server), patient.id)
    assert [(v.version, v.protocol) for v in versions] == [(1, PROTOCOL), (2, PROTOCOL)]
    assert versions[1].supersedes_id == versions[0].id

    # The patient, in a browser of their own.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        mine = context.new_page()
        mine.on("console", browser_log.on_console)
        mine.on("pageerror", browser_log.on_page_error)
        log_in(mine, *PATIENT3)
        mine.goto(f"/patients/{patient.id}")
        mine.locator("#open-plan").click()
        mine.wait_for_url(re.compile(rf"/patients/{patient.id}/plan$"))
        this_week = mine.locator("#this-week")
        expect(this_week).to_be_visible()
        expect(this_week).to_contain_text("This week (week 1 of 12)")
        expect(this_week).to_contain_text("how hard it feels")
        expect(mine.get_by_role("heading", name="Why this plan")).to_have_count(0)
        expect(mine.locator("#adjust-plan")).to_have_count(0)
    finally:
        context.close()

    assert browser_log.problems() == []
