"""The safety net end to end: a patient on an exercise plan answers PHQ-9 item 9 above "not at all"
and sees the crisis guidance at once; their clinician finds the alert on the dashboard, acknowledges
it with a note (it stays in the inbox) and resolves it with a documented decision and the next
review date. The plan stays on hold until the clinician resumes it, from the week where it paused,
with a reason; the patient's plan and record then say so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from stride.services.context import Caller
from stride.services.plans import PlanRequest
from stride.services.registry import Services
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
# Answers that clear the patient for moderate exercise (the clinician's screening, before and after).
CLEAR: dict[str, object] = {
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "resting_bp": [122, 78],
    "parq": {f"q{i}": False for i in range(1, 8)},
    "phq9_item9": 0,
    "cssrs_risk": None,
    "medications": [],
    "conditions": [],
}
RESUME_REASON = "Reviewed in clinic after the alert: walking helps; continue where we paused."


def clinician_caller(svc: Services) -> Caller:
    info = svc.auth.login(*CLINICIAN, client_addr="127.0.0.1", user_agent="pytest")
    return Caller(actor=info.actor, client_addr="127.0.0.1", request_id="e2e-safety-net")


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


def test_item_9_reaches_the_patient_at_once_and_the_clinician_resolves_it_and_resumes_the_plan(
    page: Page, browser: Browser, live_server: LiveServer, browser_log: BrowserLog
) -> None:
    svc = live_server.services
    [patient] = svc.patients.search(Caller.cli(), text="DEMO-0001").items
    # The patient is on a walking plan (set up through the services: the plan pages have their own
    # browser test).
    rivera = clinician_caller(svc)
    svc.screening.record(rivera, patient.id, CLEAR)
    walking = PlanRequest(protocol="home_walking", setting="home", days=("mon", "wed", "fri"), minutes=30)
    svc.plans.build(rivera, patient.id, walking)

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

        # Resolved is not resumed. The screening made before the alert lapsed: screened again (the
        # screening form has its own browser test), the plan waits for the clinician to resume it.
        svc.screening.record(rivera, patient.id, CLEAR)
        staff.goto(f"/patients/{patient.id}")
        staff.locator("#record-resume-plan").click()
        staff.wait_for_url(f"**/patients/{patient.id}/plan#resume-form")
        expect(staff.locator("#plan-on-hold")).to_contain_text(
            "a clinician of the care team resumes the plan"
        )
        form = staff.locator("#resume-form")
        form.get_by_label("From week 1, where it paused").check()
        form.get_by_label("Reason").fill(RESUME_REASON)
        form.get_by_role("button", name="Resume the plan").click()
        staff.wait_for_url(f"**/patients/{patient.id}/plan?resumed=1")
        expect(staff.locator("#plan-resumed-notice")).to_be_visible()
        expect(staff.locator("#plan-on-hold")).to_have_count(0)
        expect(staff.locator("#plan-resumes")).to_contain_text(RESUME_REASON)
    finally:
        context.close()

    # The patient is told, on their plan and on their record; the plan shows this week again.
    told = f"Your care team resumed your plan on {svc.deps.clock().date().isoformat()}, from week 1."
    page.goto(f"/patients/{patient.id}/plan")
    expect(page.locator("#plan-resumed")).to_have_text(told)
    expect(page.locator("#plan-on-hold")).to_have_count(0)
    expect(page.locator("#this-week")).to_contain_text("week 1 of 12")
    expect(page.get_by_text(RESUME_REASON)).to_have_count(0)
    page.goto(f"/patients/{patient.id}")
    expect(page.locator("#record-plan-resumed")).to_have_text(told)

    with svc.deps.db.transaction() as s:
        after = measurement_repo.get_alert(s, alert.id)
    assert after is not None
    assert after.state.value == "resolved"
    assert after.decision is not None
    assert browser_log.problems() == []
