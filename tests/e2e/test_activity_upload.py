"""Activity end to end: a patient uploads a FIT file from their watch on the upload page (the file
input, the upload with its progress bar in upload.js, the import's status polled while the job waits
in the queue), sees it done, then finds the session in that week's activity, counted in the adherence
against their plan, and opens its heart-rate curve. Uploading the same file again says so and adds
nothing.

The watch recorded the run on Sunday 11 June 2017, so "this week" of the real clock cannot hold it:
the test opens the run's week (``?week=``). The demo's plan (DEMO-0005's) covers recent weeks only, so
the test screens DEMO-0004 and prescribes a plan starting that week (Monday 5 June 2017) through the
services first (as dr.rivera).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from stride.clinical.prescription import Refusal
from stride.services.context import Caller
from stride.services.plans import PlanRequest
from tests.e2e.conftest import CLINICIAN, BrowserLog, LiveServer, log_in
from tests.samples import sample

pytestmark = pytest.mark.browser

# DEMO-0004 and its login are used by no other browser test.
MRN = "DEMO-0004"
PATIENT4 = ("patient4", "demo-clinic-patient")
FIT_RUN = "fit/garmin-fenix-5-run.fit"
RUN_DAY = "2017-06-11"
SCREENING_CLEAR: dict[str, Any] = {
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "parq": {f"q{i}": False for i in range(1, 8)},
    "phq9_item9": 0,
    "resting_bp": [120, 80],
}


def give_plan(live_server: LiveServer, patient_id: int) -> None:
    """Screen the patient (cleared) and prescribe home walking Mon/Wed/Fri from the run's week."""
    svc = live_server.services
    info = svc.auth.login(*CLINICIAN, client_addr="127.0.0.1", user_agent="pytest")
    rivera = Caller(actor=info.actor)
    svc.screening.record(rivera, patient_id, SCREENING_CLEAR)
    request = PlanRequest(
        protocol="home_walking",
        setting="home",
        days=("mon", "wed", "fri"),
        minutes=40,
        start_date=date(2017, 6, 5),
    )
    assert not isinstance(svc.plans.build(rivera, patient_id, request), Refusal)


def test_patient_uploads_a_fit_file_and_sees_the_session_in_that_weeks_adherence(
    page: Page, live_server: LiveServer, browser_log: BrowserLog
) -> None:
    svc = live_server.services
    [patient] = svc.patients.search(Caller.cli(), text=MRN).items
    give_plan(live_server, patient.id)
    fit = sample(FIT_RUN)

    log_in(page, *PATIENT4)
    page.get_by_role("link", name="My activity").click()
    page.wait_for_url(re.compile(rf"/patients/{patient.id}/activity$"))
    page.locator("#upload-file").click()
    page.wait_for_url(re.compile(rf"/patients/{patient.id}/activity/import$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a device file")

    # The server's jobs run at once (tests); here a queue holds the job until the test plays the
    # worker, so that the page is seen polling the import's status until it is done.
    queued: list[int] = []
    svc.imports.use_queue(queued.append)
    try:
        page.locator("#upload-input").set_input_files(fit)
        expect(page.locator("#upload-chosen")).to_contain_text(fit.name)
        page.locator("#upload-button").click()
        status = page.locator("#upload-result .import-status")
        expect(status.locator(".import-state")).to_have_text("waiting")
        expect(status).to_have_attribute("hx-trigger", "every 1s")
        assert len(queued) == 1
        svc.imports.run(queued[0])  # the worker's turn; the next poll shows it done
    finally:
        svc.imports.use_queue(svc.imports.run)
    expect(status.locator(".import-state")).to_have_text("done")
    expect(status).not_to_have_attribute("hx-trigger", "every 1s")
    expect(status.locator(".import-sessions")).to_have_text("1")
    expect(status).to_contain_text("from a FIT file")
    # The upload ran in the background (upload.js): the page stayed, the bar reached the end.
    assert page.url.endswith(f"/patients/{patient.id}/activity/import")
    expect(page.locator("#upload-progress")).to_have_js_property("value", 100)
    expect(page.locator("#upload-button")).to_be_enabled()

    # The same file again: said so, nothing added.
    page.locator("#upload-input").set_input_files(fit)
    page.locator("#upload-button").click()
    expect(page.locator("#already-imported")).to_be_visible()

    # The run's week: the session is listed and counted against the plan.
    page.goto(f"/patients/{patient.id}/activity?week={RUN_DAY}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("week of 05 Jun 2017")
    sessions = page.locator("#sessions tbody tr")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("running")
    expect(sessions.first).to_contain_text("Sun 11 Jun 2017")
    expect(sessions.first).to_contain_text("FIT")
    expect(page.locator("#sessions-done")).to_have_text(re.compile(r"^1 of \d+ planned$"))
    expect(page.locator("#adherence-category")).not_to_be_empty()
    expect(page.locator("#imports")).to_contain_text(fit.name)

    # Its heart-rate curve, drawn on the server.
    sessions.first.get_by_role("link", name="open").click()
    page.wait_for_url(re.compile(r"/activity/sessions/\d+$"))
    expect(page.locator("svg.activity-chart.hr")).to_be_visible()
    expect(page.locator("#heart-rate figcaption").first).to_contain_text("Heart rate over 57 seconds")

    mine = Caller(actor=svc.auth.login(*PATIENT4, client_addr="127.0.0.1", user_agent="pytest").actor)
    [stored] = svc.activity.sessions(mine, patient.id)
    assert stored.start.date().isoformat() == RUN_DAY
    assert browser_log.problems() == []
