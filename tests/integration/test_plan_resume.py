"""Resuming a plan after a safety alert, through the services, on SQLite and PostgreSQL.

Resolving the alert does not restart exercise: the plan stays on hold until a clinician of the care
team resumes it, from the week where it paused (the paused days are not counted) or with a new
prescription, and says why. A screening that no longer holds or does not clear must be redone
first; the patient's own plan tells them it was resumed; every resume is audited.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from stride.domain.plan_weeks import ResumeMode
from stride.errors import InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import PlanResumeRow
from tests.conftest import (
    CLINICIAN_PASSWORD,
    PATIENT_PASSWORD,
    FakeClock,
    audit_actions,
    csrf_of,
    denials,
    login,
)
from tests.integration.test_plan_service import (
    CLEAR,
    DEFER,
    HOLD_ALERT,
    HOLD_LAPSED,
    ITEM9_PHQ9,
    WALKING,
    built,
)

REASON = "Seen in clinic: no current intent; safe to continue the walking plan."


def resumes_stored(svc: Services, patient_id: int) -> int:
    with svc.deps.db.transaction() as s:
        query = select(func.count()).select_from(PlanResumeRow).where(PlanResumeRow.patient_id == patient_id)
        return int(s.scalar(query) or 0)


def alert_then_resolve(svc: Services, rivera: Caller, patient1: Caller, p1: int, clock: FakeClock) -> int:
    """The patient answers item 9 positive; the clinician acknowledges it, and resolves it two days
    later; the alert's id."""
    done = svc.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9)
    assert done.alert is not None
    clock.advance(hours=1)
    svc.alerts.acknowledge(rivera, done.alert.id, note="Phoned the patient; seeing them today.")
    clock.advance(days=2)
    svc.alerts.resolve(
        rivera,
        done.alert.id,
        decision="reassessed_clinical",
        reason="Seen in clinic; no current intent, safety plan reviewed.",
        next_review_on=clock.now.date() + timedelta(days=7),
    )
    return done.alert.id


@pytest.fixture
def p1(patient1: Caller) -> int:
    pid = patient1.require_actor().patient_id
    assert pid is not None
    return pid


@pytest.fixture
def planned(demo: Services, rivera: Caller, p1: int) -> int:
    """DEMO-0001 screened (cleared) and on a 12-week walking plan from today; the plan's id."""
    demo.screening.record(rivera, p1, CLEAR)
    return built(demo.plans.build(rivera, p1, WALKING)).id


def test_a_resolved_alert_holds_the_plan_until_it_is_resumed_from_the_week_where_it_paused(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, planned: int, clock: FakeClock
) -> None:
    start = clock.now.date()
    clock.advance(days=9)  # day 3 of week 2
    alert_id = alert_then_resolve(demo, rivera, patient1, p1, clock)
    # The screening before the alert no longer holds: re-screen first.
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert (view.on_hold, view.hold_reason) == (True, HOLD_LAPSED)
    assert not view.may_resume
    with pytest.raises(InvalidInput, match="re-screen first: the screening no longer holds"):
        demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)

    demo.screening.record(rivera, p1, CLEAR)
    for caller in (rivera, patient1):
        view = demo.plans.current(caller, p1)
        assert view is not None
        resolved_on = (start + timedelta(days=11)).isoformat()
        assert view.hold_reason == (
            f"the safety alert was resolved on {resolved_on}; a clinician of the care team resumes the plan"
        )
        assert (view.on_hold, view.may_resume, view.resume_week) == (True, True, 2)

    clock.advance(days=5)  # a week after the alert: the calendar says week 3
    resumed = demo.plans.resume(rivera, p1, mode="paused_week", reason=f"  {REASON} ")
    assert (resumed.on_hold, resumed.hold_reason, resumed.current_week) == (False, None, 2)
    last = resumed.last_resume
    assert last is not None
    assert (last.plan_id, last.alert_id, last.mode, last.from_week) == (planned, alert_id, "paused_week", 2)
    assert (last.paused_from, last.resumed_on) == (start + timedelta(days=9), start + timedelta(days=16))
    assert (last.reason, last.resumed_by) == (REASON, rivera.require_actor().user_id)
    assert ("plan.resume", f"plan/{planned}", p1) in audit_actions(demo)

    # The patient sees the same week; the seven paused days are not counted.
    mine = demo.plans.current(patient1, p1)
    assert mine is not None
    assert (mine.on_hold, mine.current_week, mine.last_resume) == (False, 2, last)
    clock.advance(days=4)  # the last day of week 2 (days 7-13 of the plan, 7 paused)
    assert (view := demo.plans.current(rivera, p1)) is not None
    assert view.current_week == 2
    clock.advance(days=1)
    assert (view := demo.plans.current(rivera, p1)) is not None
    assert view.current_week == 3


def test_dose_and_adherence_count_the_same_plan_weeks_as_the_plan_page(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, planned: int, clock: FakeClock
) -> None:
    # The plan starts on Thursday 26 November; the week view judges a calendar week by its Thursday.
    clock.advance(days=9)  # Saturday 5 December, plan week 2
    alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, CLEAR)
    clock.advance(days=5)  # Saturday 12 December: a week on hold
    demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)
    assert demo.activity.week(rivera, p1, date(2026, 12, 7)).plan_week_number == 2
    assert (view := demo.plans.current(rivera, p1)) is not None
    assert view.current_week == 2
    # Without the pause these would be weeks 4 and 5.
    for monday, week in ((date(2026, 12, 14), 3), (date(2026, 12, 21), 4)):
        clock.now = datetime.combine(monday + timedelta(days=3), clock.now.timetz())
        assert demo.activity.week(rivera, p1, monday).plan_week_number == week
        assert (view := demo.plans.current(rivera, p1)) is not None
        assert view.current_week == week


def test_a_new_positive_answer_after_the_resume_holds_the_plan_again(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, planned: int, clock: FakeClock
) -> None:
    alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, CLEAR)
    demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)

    clock.advance(days=3)
    again = demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9).alert
    assert again is not None
    view = demo.plans.current(patient1, p1)
    assert view is not None
    assert (view.on_hold, view.hold_reason) == (True, HOLD_ALERT)
    with pytest.raises(InvalidInput, match="resolve the safety alert first"):
        demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)
    assert resumes_stored(demo, p1) == 1


def test_a_new_version_after_the_resolution_resumes_with_a_new_prescription(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, planned: int, clock: FakeClock
) -> None:
    alert_id = alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, CLEAR)
    v2 = built(demo.plans.build(rivera, p1, replace(WALKING, reason="Restart gently after the review.")))
    view = demo.plans.current(patient1, p1)
    assert view is not None
    assert (view.on_hold, view.current_week, view.stored.id) == (False, 1, v2.id)
    last = view.last_resume
    assert last is not None
    assert (last.plan_id, last.alert_id, last.mode, last.from_week) == (
        v2.id,
        alert_id,
        "new_prescription",
        1,
    )
    assert last.reason == "Restart gently after the review."
    assert ("plan.resume", f"plan/{v2.id}", p1) in audit_actions(demo)
    # An edit while nothing holds the plan is not a resume.
    built(demo.plans.build(rivera, p1, replace(WALKING, reason="Three days suit the patient better.")))
    assert resumes_stored(demo, p1) == 1


def test_only_the_care_team_resumes_and_refusals_are_audited_before_the_values_are_checked(
    demo: Services,
    rivera: Caller,
    patient1: Caller,
    exercise_clinician: Caller,
    p1: int,
    planned: int,
    clock: FakeClock,
) -> None:
    alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, CLEAR)
    for caller in (patient1, Caller.cli()):
        with pytest.raises(PermissionDenied):
            demo.plans.resume(caller, p1, mode="no such mode", reason="")
    # Another team's clinician is told what a missing record would tell them.
    with pytest.raises(NotFound):
        demo.plans.resume(exercise_clinician, p1, mode="paused_week", reason=REASON)
    # Refusals go to the security log, not the audit chain of health data.
    denied = [d for d in denials(demo) if d == ("plan.resume.denied", f"patient/{p1}/plan", p1)]
    assert len(denied) == 3
    assert not [a for a in audit_actions(demo) if a[0] == "plan.resume.denied"]
    assert resumes_stored(demo, p1) == 0
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert view.may_resume


@pytest.mark.parametrize(
    ("mode", "reason", "message"),
    [
        ("", REASON, "choose how the plan resumes"),
        ("restart", REASON, "choose how the plan resumes"),
        (ResumeMode.NEW_PRESCRIPTION.value, REASON, "a new prescription is made in the plan builder"),
        ("paused_week", "", "give the reason"),
        ("paused_week", "ok", "give the reason"),
    ],
)
def test_a_bad_resume_is_named_and_changes_nothing(
    demo: Services,
    rivera: Caller,
    patient1: Caller,
    p1: int,
    planned: int,
    clock: FakeClock,
    mode: str,
    reason: str,
    message: str,
) -> None:
    alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, CLEAR)
    with pytest.raises(InvalidInput, match=message) as caught:
        demo.plans.resume(rivera, p1, mode=mode, reason=reason)
    assert caught.value.field == ("reason" if mode == "paused_week" else "mode")
    assert resumes_stored(demo, p1) == 0
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert view.may_resume


def test_nothing_to_resume_is_refused_with_the_reason(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput, match="there is no plan to resume"):
        demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)
    demo.screening.record(rivera, p1, CLEAR)
    built(demo.plans.build(rivera, p1, WALKING))
    with pytest.raises(InvalidInput, match="nothing to resume"):
        demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)
    # Resolved, re-screened, but the new screening defers exercise: the screening hold stays.
    alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, DEFER)
    with pytest.raises(InvalidInput, match="re-screen first: the latest screening does not clear exercise"):
        demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)
    assert resumes_stored(demo, p1) == 0


def test_a_plan_that_had_ended_before_the_hold_is_resumed_with_a_new_prescription_only(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, planned: int, clock: FakeClock
) -> None:
    clock.advance(weeks=13)  # the 12-week plan is over
    alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, CLEAR)
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert (view.may_resume, view.resume_week) == (True, None)
    with pytest.raises(InvalidInput, match="the plan had ended before the hold began"):
        demo.plans.resume(rivera, p1, mode="paused_week", reason=REASON)
    assert resumes_stored(demo, p1) == 0


# --- the pages and the API -----------------------------------------------------------------------


@pytest.fixture
def awaiting(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, planned: int, clock: FakeClock
) -> int:
    """The plan is in week 2 when the alert is raised, resolved and re-screened: it waits for a resume;
    the alert's id."""
    clock.advance(days=9)
    alert_id = alert_then_resolve(demo, rivera, patient1, p1, clock)
    demo.screening.record(rivera, p1, CLEAR)
    clock.advance(days=5)
    return alert_id


def post_form(client: TestClient, url: str, form: dict[str, str]) -> Any:
    return client.post(url, data={**form, "csrf_token": csrf_of(client)}, follow_redirects=False)


def test_the_clinician_resumes_on_the_plan_page_and_the_patient_is_told(
    client: TestClient, demo: Services, p1: int, awaiting: int, clock: FakeClock
) -> None:
    login(client, "dr.rivera", CLINICIAN_PASSWORD)
    page = client.get(f"/patients/{p1}/plan")
    assert page.status_code == 200
    assert 'id="resume-form"' in page.text
    assert "From week 2, where it paused" in page.text
    assert 'id="record-resume-plan"' in client.get(f"/patients/{p1}").text

    # A short reason is shown beside its field, the choice and the text kept; nothing is stored.
    short = post_form(client, f"/patients/{p1}/plan/resume", {"mode": "paused_week", "reason": "ok"})
    assert short.status_code == 422
    assert 'id="error-reason"' in short.text
    assert 'aria-invalid="true"' in short.text
    assert ">ok</textarea>" in short.text
    assert resumes_stored(demo, p1) == 0

    done = post_form(client, f"/patients/{p1}/plan/resume", {"mode": "paused_week", "reason": REASON})
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/patients/{p1}/plan?resumed=1")
    shown = client.get(done.headers["location"]).text
    assert 'id="plan-resumed-notice"' in shown
    assert 'id="plan-on-hold"' not in shown
    assert 'id="resume-form"' not in shown
    assert "This week (week 2 of 12)" in shown
    assert REASON in shown  # the history, for the care team
    assert "dr.rivera" in shown

    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "patient1", PATIENT_PASSWORD)
    today = clock.now.date().isoformat()
    mine = client.get(f"/patients/{p1}/plan").text
    assert f"Your care team resumed your plan on {today}, from week 2." in mine
    assert "This week (week 2 of 12)" in mine
    assert REASON not in mine  # the clinical reason is for the care team
    assert 'id="resume-form"' not in mine
    record = client.get(f"/patients/{p1}").text
    assert f"Your care team resumed your plan on {today}, from week 2." in record


def test_a_new_prescription_opens_the_builder_with_the_reason_and_the_version_resumes(
    client: TestClient, demo: Services, p1: int, awaiting: int, clock: FakeClock
) -> None:
    login(client, "dr.rivera", CLINICIAN_PASSWORD)
    reason = "Restart at week 1 after the review."
    builder = post_form(client, f"/patients/{p1}/plan/resume", {"mode": "new_prescription", "reason": reason})
    assert builder.status_code == 200
    assert f'name="reason" required minlength="5" maxlength="500" value="{reason}"' in builder.text
    assert resumes_stored(demo, p1) == 0
    made = post_form(
        client,
        f"/patients/{p1}/plan/new",
        {"protocol": "home_walking", "setting": "home", "days": "mon", "minutes": "30", "reason": reason},
    )
    assert made.status_code == 303, made.text
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "patient1", PATIENT_PASSWORD)
    mine = client.get(f"/patients/{p1}/plan").text
    assert f"Your care team resumed your plan on {clock.now.date().isoformat()} with a new plan." in mine


def test_the_patient_cannot_resume_their_own_plan_on_the_page(
    client: TestClient, demo: Services, p1: int, awaiting: int
) -> None:
    login(client, "patient1", PATIENT_PASSWORD)
    refused = post_form(client, f"/patients/{p1}/plan/resume", {"mode": "paused_week", "reason": REASON})
    assert refused.status_code == 403
    assert resumes_stored(demo, p1) == 0


def test_api_resume_answers_the_plan_view_with_its_resumes_and_names_what_is_wrong(
    client: TestClient, demo: Services, p1: int, awaiting: int
) -> None:
    login(client, "dr.rivera", CLINICIAN_PASSWORD)
    headers = {"X-CSRF-Token": csrf_of(client)}
    url = f"/api/v1/patients/{p1}/plan/resume"
    before = client.get(f"/api/v1/patients/{p1}/plan").json()
    assert (before["on_hold"], before["may_resume"], before["resume_week"], before["resumes"]) == (
        True,
        True,
        2,
        [],
    )
    for body, field, message in (
        ({"reason": REASON}, "mode", "choose how the plan resumes"),
        ({"mode": "paused_week"}, "reason", "give the reason"),
        ({"mode": "new_prescription", "reason": REASON}, "mode", "plan builder"),
    ):
        sent = client.post(url, json=body, headers=headers)
        assert sent.status_code == 422, sent.text
        assert (sent.json()["error"], sent.json()["field"]) == ("invalid_input", field)
        assert message in sent.json()["message"]
    assert resumes_stored(demo, p1) == 0

    done = client.post(url, json={"mode": "paused_week", "reason": REASON}, headers=headers)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["on_hold"], body["may_resume"], body["current_week"]) == (False, False, 2)
    [resume] = body["resumes"]
    assert (resume["mode"], resume["from_week"], resume["alert_id"], resume["reason"]) == (
        "paused_week",
        2,
        awaiting,
        REASON,
    )
    assert client.get(f"/api/v1/patients/{p1}/plan").json()["resumes"] == [resume]
    again = client.post(url, json={"mode": "paused_week", "reason": REASON}, headers=headers)
    assert again.status_code == 422
    assert "nothing to resume" in again.json()["message"]
