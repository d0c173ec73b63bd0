"""The safety net end to end: a patient answers PHQ-9 item 9 above "not at all" and sees the crisis
guidance at once; their clinician finds the alert on the dashboard, acknowledges it with a note (it
stays in the inbox) and resolves it with a documented decision and the next review date."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from stride.services.context import Caller
from stride.store.repositories import measurements as measurement_repo
from tests.e2e.conftest import CLINICIAN, PATIENT, TIMEOUT_MS, BrowserLog, LiveServer, log_in

pytestmark = pytest.mark.browser

# Items 1-9 of the PHQ-9 (total 11) with item 9 "several days"; item 10 left blank (not scored).
ANSWERS = {
    "phq9_1": 2,
    "phq9_2": 2,
    "phq9_3": 2,
    "phq9_4": 1,
    "phq9_5": 1,
    "phq9_6": 1,
    "phq9_7": 1,
    "phq9_8": 0,
    "phq9_9": 1,
}
RESULT_URL = re.compile(r"/responses/(\d+)$")


def answer_phq9(page: Page, patient_id: int) -> int:
    page.goto(f"/patients/{patient_id}/questionnaires/phq9")
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9")
    form = page.locator("form.questionnaire")
    for item, value in ANSWERS.items():
        form.locator(f'input[type=radio][name="{item}"][value="{value}"]').check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(RESULT_URL)
    match = RESULT_URL.search(page.url)
    assert match
    return int(match.group(1))


def test_item_9_reaches_the_patient_at_once_and_the_clinician_acknowledges_it(
    page: Page, browser: Browser, live_server: LiveServer, browser_log: BrowserLog
) -> None:
    svc = live_server.services
    [patient] = svc.patients.search(Caller.cli(), text="DEMO-0001").items

    log_in(page, *PATIENT)
    response_id = answer_phq9(page, patient.id)
    crisis = page.locator("#crisis-guidance")
    expect(crisis).to_be_visible()
    expect(crisis).to_have_attribute("role", "alert")
    expect(page.locator(".crisis-phone")).not_to_be_empty()
    expect(page.locator("#result-total")).to_contain_text("11 of 27")
    with svc.deps.db.transaction() as s:
        [alert] = [
            a for a in measurement_repo.alerts_for_patient(s, patient.id) if a.response_id == response_id
        ]
    assert alert.is_open
    assert alert.code == "suicidal_ideation"

    # The clinician, in a browser of their own.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        staff = context.new_page()
        staff.on("console", browser_log.on_console)
        staff.on("pageerror", browser_log.on_page_error)
        log_in(staff, *CLINICIAN)
        staff.goto("/dashboard")
        review = staff.locator(f'a[href="/alerts/{alert.id}"]')
        expect(review).to_be_visible()
        staff.get_by_role("link", name="Alerts", exact=True).click()
        staff.wait_for_url("**/alerts")
        card = staff.locator(f"#alert-{alert.id}")
        expect(card).to_be_visible()
        expect(card.locator(f'a[href="/responses/{response_id}"]')).to_be_visible()
        card.get_by_label("What was done").fill("Phoned the patient; seeing them in clinic today.")
        card.get_by_role("button", name="Acknowledge").click()
        staff.wait_for_load_state("load")
        # Acknowledged is not resolved: the alert stays in the inbox until a decision is recorded.
        card = staff.locator(f"#alert-{alert.id}")
        expect(card).to_have_class(re.compile(r"\bstate-acknowledged\b"))
        expect(card).to_contain_text("seeing them in clinic today")
        card.get_by_role("button", name="Record the decision").click()
        staff.wait_for_url(f"**/alerts/{alert.id}")
        form = staff.locator("#resolve-form")
        form.get_by_label("Safety plan in place").check()
        form.get_by_label("Reason").fill("Seen in clinic: no current intent; safety plan agreed and shared.")
        review_on = (svc.deps.clock().date() + timedelta(days=7)).isoformat()
        form.get_by_label("Next review").fill(review_on)
        form.get_by_role("button", name="Resolve the alert").click()
        expect(staff.locator("#alert-resolved")).to_be_visible()
        expect(staff.locator("#alert-decision")).to_have_text("Safety plan in place")
        expect(staff.locator("#alert-next-review")).to_have_text(review_on)

        staff.goto("/alerts")
        expect(staff.locator(f"#alert-{alert.id}")).to_have_count(0)
        staff.goto("/alerts?all=1")
        done = staff.locator(f"#alert-{alert.id}")
        expect(done).to_have_class(re.compile(r"\bdone\b"))
        expect(done).to_contain_text("Safety plan in place")
        staff.goto("/dashboard")
        expect(staff.locator(f'a[href="/alerts/{alert.id}"]')).to_have_count(0)
    finally:
        context.close()

    with svc.deps.db.transaction() as s:
        after = measurement_repo.get_alert(s, alert.id)
    assert after is not None
    assert after.state.value == "resolved"
    assert after.decision is not None
    assert browser_log.problems() == []
