"""Questionnaires and safety alerts through the services, on SQLite and PostgreSQL.

A positive safety answer must be stored together with its alert (one transaction), reach the
patient's care team and no one else, and every refusal must be audited.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stride.domain.measurements import OVERDUE_AFTER_DAYS, DueStatus, ResponseSource
from stride.errors import InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import QuestionnaireResponseRow, SafetyAlertRow
from stride.store.repositories import measurements as measurement_repo
from tests.conftest import (
    FakeClock,
    audit_actions,
    caller_for,
    denials,
    make_settings,
    patient_id_of,
)


def phq9(*values: int | None, item10: int | None = None) -> dict[str, int | None]:
    """PHQ-9 answers by position (items 1-9), item 10 (not scored) optional."""
    assert len(values) == 9
    answers = {f"phq9_{i}": v for i, v in enumerate(values, start=1)}
    if item10 is not None:
        answers["phq9_10"] = item10
    return answers


NO_RISK = phq9(1, 1, 2, 1, 0, 1, 0, 1, 0, item10=1)  # total 7, mild
ITEM9 = phq9(2, 2, 2, 1, 1, 1, 1, 0, 1)  # total 11, moderate, item 9 positive
HAMD17 = {f"hamd17_{i}": 1 for i in range(1, 18)}  # total 17


def cssrs(**yes: int) -> dict[str, int | None]:
    """A C-SSRS screen: the given items as answered, every other asked item "no"."""
    answers: dict[str, int | None] = {"cssrs_screen_q1": 0, "cssrs_screen_q2": 0, "cssrs_screen_q6": 0}
    answers.update({f"cssrs_screen_{k}": v for k, v in yes.items()})
    if answers["cssrs_screen_q2"] == 1:
        for item in ("q3", "q4", "q5"):
            answers.setdefault(f"cssrs_screen_{item}", 0)
    if answers["cssrs_screen_q6"] == 1:
        answers.setdefault("cssrs_screen_q6_past_3_months", 0)
    return answers


def count_rows(
    svc: Services, model: type[QuestionnaireResponseRow] | type[SafetyAlertRow], patient_id: int
) -> int:
    """Rows of one patient (the demo seeds PHQ-9 histories for DEMO-0006..0011, none for 0001..0005)."""
    with svc.deps.db.transaction() as s:
        query = select(func.count()).select_from(model).where(model.patient_id == patient_id)
        return int(s.scalar(query) or 0)


@pytest.fixture
def p1(demo: Services, patient1: Caller) -> int:
    assert patient1.actor is not None
    assert patient1.actor.patient_id is not None
    assert patient1.actor.patient_id == patient_id_of(demo, "DEMO-0001")
    return patient1.actor.patient_id


# --- submit ------------------------------------------------------------------------------------


def test_patient_submits_phq9_for_themselves_stored_scored_audited(
    demo: Services, patient1: Caller, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    done = demo.measurements.submit(patient1, p1, "phq9", NO_RISK)

    assert done.alert is None
    assert (done.score.total, done.score.severity, done.score.flags) == (7, "mild", ())
    stored = demo.measurements.responses(rivera, p1)
    assert [r.id for r in stored] == [done.response.id]
    response = stored[0]
    assert (response.instrument, response.total, response.severity, response.version) == (
        "phq9",
        7,
        "mild",
        1,
    )
    assert response.source is ResponseSource.PATIENT_PORTAL
    assert response.answers["phq9_10"] == 1
    assert response.answered_at == clock.now
    assert response.recorded_by == patient1.require_actor().user_id
    assert ("questionnaire.submit", f"response/{done.response.id}", p1) in audit_actions(demo)
    assert not any(a == "alert.raise" and pid == p1 for a, _, pid in audit_actions(demo))
    assert demo.alerts.for_patient(rivera, p1) == []


def test_item_10_is_optional_for_a_patient(demo: Services, patient1: Caller, p1: int) -> None:
    answers = phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert "phq9_10" not in answers
    done = demo.measurements.submit(patient1, p1, "phq9", answers)
    assert (done.score.total, done.score.severity, done.score.complete) == (0, "minimal", True)


def test_item_9_raises_an_alert_for_the_care_team_only(
    demo: Services, patient1: Caller, rivera: Caller, okafor: Caller, exercise_clinician: Caller, p1: int
) -> None:
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9)

    assert done.alert is not None
    assert (done.alert.code, done.alert.severity, done.alert.response_id) == (
        "suicidal_ideation",
        "high",
        done.response.id,
    )
    assert done.alert.is_open
    assert "suicidal_ideation" in done.score.flags
    actions = audit_actions(demo)
    assert ("alert.raise", f"alert/{done.alert.id}", p1) in actions
    assert ("questionnaire.submit", f"response/{done.response.id}", p1) in actions

    inbox = demo.alerts.inbox(rivera)
    assert [(i.alert.id, i.alert.patient_id) for i in inbox] == [(done.alert.id, p1)]
    record = demo.patients.get(rivera, p1)
    assert inbox[0].patient_name
    assert record.patient.details.family_name in inbox[0].patient_name
    assert [i.alert.id for i in demo.alerts.inbox(okafor)] == [done.alert.id]
    assert demo.alerts.inbox(exercise_clinician) == []
    with pytest.raises(NotFound):
        demo.alerts.for_patient(exercise_clinician, p1)
    assert [a.id for a in demo.alerts.for_patient(patient1, p1)] == [done.alert.id]


def test_alert_and_response_are_one_transaction(
    demo: Services, patient1: Caller, p1: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (count_rows(demo, QuestionnaireResponseRow, p1), count_rows(demo, SafetyAlertRow, p1))

    def broken_insert(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the alert insert failed")

    monkeypatch.setattr(measurement_repo, "add_alert", broken_insert)
    with pytest.raises(RuntimeError, match="alert insert failed"):
        demo.measurements.submit(patient1, p1, "phq9", ITEM9)

    assert (count_rows(demo, QuestionnaireResponseRow, p1), count_rows(demo, SafetyAlertRow, p1)) == before
    assert not any(
        a in {"questionnaire.submit", "alert.raise"} and pid == p1 for a, _, pid in audit_actions(demo)
    )
    # A response without a safety concern does not touch the alert table, so it still goes through.
    monkeypatch.undo()
    assert demo.measurements.submit(patient1, p1, "phq9", ITEM9).alert is not None
    assert count_rows(demo, QuestionnaireResponseRow, p1) == before[0] + 1


@pytest.mark.parametrize(
    ("answers", "severity", "code"),
    [
        (cssrs(q1=1, q2=1, q3=1), "moderate", "suicide_risk_moderate"),
        (cssrs(q6=1), "moderate", "suicide_risk_moderate"),
        (cssrs(q1=1, q2=1, q4=1), "high", "suicide_risk_high"),
        (cssrs(q6=1, q6_past_3_months=1), "high", "suicide_risk_high"),
    ],
)
def test_cssrs_screen_of_moderate_or_high_risk_raises_an_alert(
    demo: Services,
    patient1: Caller,
    rivera: Caller,
    p1: int,
    answers: dict[str, int | None],
    severity: str,
    code: str,
) -> None:
    done = demo.measurements.submit(patient1, p1, "cssrs_screen", answers)
    assert done.score.severity == severity
    assert done.alert is not None
    assert done.alert.code == code
    assert [i.alert.id for i in demo.alerts.inbox(rivera)] == [done.alert.id]


@pytest.mark.parametrize("answers", [cssrs(q1=1), cssrs(q1=1, q2=1), cssrs()])
def test_cssrs_screen_of_low_or_no_risk_raises_none(
    demo: Services, patient1: Caller, rivera: Caller, p1: int, answers: dict[str, int | None]
) -> None:
    done = demo.measurements.submit(patient1, p1, "cssrs_screen", answers)
    assert done.score.severity in {"low", "none"}
    assert done.alert is None
    assert demo.alerts.inbox(rivera) == []


@pytest.mark.parametrize("instrument", ["hamd17", "madrs"])
def test_patient_cannot_submit_a_clinician_rated_scale(
    demo: Services, patient1: Caller, p1: int, instrument: str
) -> None:
    answers = HAMD17 if instrument == "hamd17" else {f"madrs_{i}": 1 for i in range(1, 11)}
    with pytest.raises(PermissionDenied, match="clinician"):
        demo.measurements.submit(patient1, p1, instrument, answers)
    assert ("questionnaire.submit.denied", f"patient/{p1}", p1) in denials(demo)
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 0


def test_patient_cannot_submit_for_another_patient(demo: Services, patient1: Caller, p1: int) -> None:
    other = patient_id_of(demo, "DEMO-0002")
    with pytest.raises(NotFound, match=f"no patient {other}"):
        demo.measurements.submit(patient1, other, "phq9", NO_RISK)
    assert ("questionnaire.submit.denied", f"patient/{other}", other) in denials(demo)
    assert count_rows(demo, QuestionnaireResponseRow, other) == 0
    with pytest.raises(NotFound):
        demo.measurements.responses(patient1, other)


def test_incomplete_patient_form_is_refused_naming_the_first_missing_item(
    demo: Services, patient1: Caller, p1: int
) -> None:
    # The PHQ-9 prorates one or two missing items for a clinician; a patient's form is never prorated.
    answers = phq9(1, 1, None, 1, None, 1, 1, 1, 0)
    with pytest.raises(InvalidInput) as caught:
        demo.measurements.submit(patient1, p1, "phq9", answers)
    assert caught.value.field == "phq9_3"
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 0
    assert not any(a == "questionnaire.submit" and pid == p1 for a, _, pid in audit_actions(demo))


def test_clinician_form_with_too_many_missing_items_is_refused(
    demo: Services, rivera: Caller, p1: int
) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.measurements.submit(rivera, p1, "phq9", phq9(1, None, None, None, 1, 1, 1, 1, 0))
    assert caught.value.field == "phq9_2"
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 0


@pytest.mark.parametrize(("item", "value"), [("phq9_4", 4), ("phq9_9", -1), ("phq9_10", 7)])
def test_out_of_range_value_names_the_item(
    demo: Services, patient1: Caller, p1: int, item: str, value: int
) -> None:
    answers = dict(NO_RISK) | {item: value}
    with pytest.raises(InvalidInput) as caught:
        demo.measurements.submit(patient1, p1, "phq9", answers)
    assert caught.value.field == item
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 0


def test_clinician_enters_hamd17_dated_to_a_past_interview(
    demo: Services, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    interview = clock.now.date() - timedelta(days=3)
    done = demo.measurements.submit(rivera, p1, "hamd17", HAMD17, answered_on=interview)
    assert done.response.answered_at == datetime.combine(interview, time(12), UTC)
    assert done.response.recorded_at == clock.now
    assert done.response.source is ResponseSource.CLINICIAN
    assert done.score.total == 17
    stored = demo.measurements.responses(rivera, p1, instrument="hamd17")
    assert [(r.id, r.answered_at.date()) for r in stored] == [(done.response.id, interview)]
    today = demo.measurements.submit(rivera, p1, "hamd17", HAMD17, answered_on=clock.now.date())
    assert today.response.answered_at == clock.now


def test_future_interview_date_is_refused(demo: Services, rivera: Caller, p1: int, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.measurements.submit(
            rivera, p1, "hamd17", HAMD17, answered_on=clock.now.date() + timedelta(days=1)
        )
    assert caught.value.field == "answered_on"
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 0


def test_clinician_outside_the_care_team_cannot_enter_a_rating(
    demo: Services, exercise_clinician: Caller, p1: int
) -> None:
    with pytest.raises(NotFound):
        demo.measurements.submit(exercise_clinician, p1, "hamd17", HAMD17)
    assert ("questionnaire.submit.denied", f"patient/{p1}", p1) in denials(demo)


# --- corrections -------------------------------------------------------------------------------


def test_correction_is_a_new_version_superseding_the_old_one(
    demo: Services, patient1: Caller, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    v1 = demo.measurements.submit(patient1, p1, "phq9", NO_RISK).response
    clock.advance(hours=2)
    fixed = dict(NO_RISK) | {"phq9_3": 3}
    v2 = demo.measurements.correct(rivera, v1.id, fixed, reason="  Patient  misread item 3  ").response

    assert (v2.version, v2.supersedes_id, v2.correction_reason) == (2, v1.id, "Patient misread item 3")
    assert v2.total == 8
    assert v2.answers["phq9_3"] == 3
    assert v2.answered_at == v1.answered_at  # the answers' date is kept; the recording time is new
    assert v2.recorded_at == clock.now
    assert v2.recorded_by == rivera.require_actor().user_id
    assert v2.source is ResponseSource.PATIENT_PORTAL
    assert [r.id for r in demo.measurements.responses(rivera, p1)] == [v2.id]
    with demo.deps.db.transaction() as s:
        old = measurement_repo.get_response(s, v1.id)
    assert old == v1  # untouched in the database
    view = demo.measurements.view(rivera, v2.id)
    assert [v.id for v in view.versions] == [v1.id, v2.id]
    actions = audit_actions(demo)
    assert ("questionnaire.correct", f"response/{v2.id}", p1) in actions

    with pytest.raises(InvalidInput) as caught:
        demo.measurements.correct(rivera, v1.id, NO_RISK, reason="second try at v1")
    assert caught.value.field == "response_id"
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 2


@pytest.mark.parametrize("reason", ["", "typo", " " * 20])
def test_correction_needs_a_reason(
    demo: Services, patient1: Caller, rivera: Caller, p1: int, reason: str
) -> None:
    v1 = demo.measurements.submit(patient1, p1, "phq9", NO_RISK).response
    with pytest.raises(InvalidInput) as caught:
        demo.measurements.correct(rivera, v1.id, NO_RISK, reason=reason)
    assert caught.value.field == "reason"
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 1


def test_correction_adding_item_9_raises_a_new_alert(
    demo: Services, patient1: Caller, rivera: Caller, p1: int
) -> None:
    v1 = demo.measurements.submit(patient1, p1, "phq9", NO_RISK)
    assert v1.alert is None
    done = demo.measurements.correct(
        rivera, v1.response.id, dict(NO_RISK) | {"phq9_9": 2}, reason="Item 9 was entered as 0 by mistake"
    )
    assert done.alert is not None
    assert done.alert.response_id == done.response.id
    assert [i.alert.id for i in demo.alerts.inbox(rivera)] == [done.alert.id]
    assert ("alert.raise", f"alert/{done.alert.id}", p1) in audit_actions(demo)


def test_patient_and_other_team_cannot_correct(
    demo: Services, patient1: Caller, exercise_clinician: Caller, p1: int
) -> None:
    v1 = demo.measurements.submit(patient1, p1, "phq9", NO_RISK).response
    # The patient sees their response but may not correct it (403); another team does not see it (404).
    for caller, refusal in ((patient1, PermissionDenied), (exercise_clinician, NotFound)):
        with pytest.raises(refusal):
            demo.measurements.correct(caller, v1.id, NO_RISK, reason="I changed my mind")
    denied = [a for a in denials(demo) if a[0] == "questionnaire.correct.denied"]
    assert len(denied) == 2
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 1


# --- who reads ---------------------------------------------------------------------------------


def test_admin_and_researcher_do_not_read_clinical_data(demo: Services, patient1: Caller, p1: int) -> None:
    response = demo.measurements.submit(patient1, p1, "phq9", ITEM9).response
    admin = caller_for(demo, "admin", "demo-clinic-manager")
    researcher = caller_for(demo, "researcher", "demo-clinic-research")

    assert demo.patients.get(admin, p1).patient.details.mrn == "DEMO-0001"
    for caller in (admin, researcher):
        with pytest.raises(PermissionDenied):
            demo.measurements.responses(caller, p1)
        with pytest.raises(PermissionDenied):
            demo.measurements.view(caller, response.id)
        with pytest.raises(PermissionDenied):
            demo.alerts.for_patient(caller, p1)
        with pytest.raises(PermissionDenied):
            demo.alerts.inbox(caller)
        with pytest.raises(PermissionDenied):
            demo.measurements.submit(caller, p1, "phq9", NO_RISK)
    with pytest.raises(PermissionDenied):
        demo.patients.get(researcher, p1)
    denied = [a for a in denials(demo) if a[0] == "questionnaire.read.denied"]
    assert len(denied) == 4
    assert count_rows(demo, QuestionnaireResponseRow, p1) == 1


def test_patient_reads_own_responses_and_the_crisis_guidance(
    demo: Services, patient1: Caller, p1: int
) -> None:
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9)
    view = demo.measurements.view(patient1, done.response.id)
    assert view.alert is not None
    assert view.alert.id == done.alert.id
    assert view.crisis is not None
    assert view.crisis.phone
    calm = demo.measurements.submit(patient1, p1, "phq9", NO_RISK)
    assert demo.measurements.view(patient1, calm.response.id).crisis is None
    assert [r.id for r in demo.measurements.responses(patient1, p1)] == [done.response.id, calm.response.id]


def test_the_deployment_sets_the_crisis_guidance_over_the_package_default(
    tmp_path: Path, demo_database_url: str, clock: FakeClock
) -> None:
    """STRIDE_CRISIS_TEXT / STRIDE_CRISIS_PHONE replace the UK default for every site without its own."""
    settings = make_settings(tmp_path, demo_database_url).model_copy(
        update={"crisis_text": "Call the clinic's crisis line.", "crisis_phone": "Crisis line: +1 555 0100"}
    )
    svc = Services.build(settings, clock=clock)
    try:
        patient = svc.auth.login("patient1", "demo-clinic-patient", client_addr="10.0.0.1", user_agent="t")
        caller = Caller(actor=patient.actor, client_addr="10.0.0.1", request_id="req-crisis")
        pid = patient.actor.patient_id
        assert pid is not None
        done = svc.measurements.submit(caller, pid, "phq9", ITEM9)
        assert done.crisis is not None
        assert (done.crisis.text, done.crisis.phone) == (
            "Call the clinic's crisis line.",
            "Crisis line: +1 555 0100",
        )
    finally:
        svc.close()


# --- alerts ------------------------------------------------------------------------------------


@pytest.fixture
def alert_id(demo: Services, patient1: Caller, p1: int) -> int:
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9)
    assert done.alert is not None
    return done.alert.id


@pytest.mark.parametrize("note", ["", "ok", "  a  b  "])
def test_acknowledgement_needs_a_note(demo: Services, rivera: Caller, alert_id: int, note: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.alerts.acknowledge(rivera, alert_id, note=note)
    assert caught.value.field == "note"
    assert [i.alert.id for i in demo.alerts.inbox(rivera)] == [alert_id]


def test_acknowledge_once_and_it_stays_in_the_inbox_until_resolved(
    demo: Services, rivera: Caller, okafor: Caller, p1: int, alert_id: int, clock: FakeClock
) -> None:
    clock.advance(minutes=12)
    done = demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; safety plan agreed.")
    assert not done.is_open
    assert (done.acknowledged_at, done.acknowledged_by) == (clock.now, rivera.require_actor().user_id)
    assert done.acknowledgement_note == "Phoned the patient; safety plan agreed."
    assert ("alert.acknowledge", f"alert/{alert_id}", p1) in audit_actions(demo)

    # Acknowledged is not resolved: it stays in the inbox (and on the record) until a decision.
    assert [(i.alert.id, i.alert.state.value) for i in demo.alerts.inbox(rivera)] == [
        (alert_id, "acknowledged")
    ]
    assert [i.alert.id for i in demo.alerts.inbox(okafor, active_only=True)] == [alert_id]
    assert [(a.id, a.is_open) for a in demo.alerts.for_patient(rivera, p1)] == [(alert_id, False)]
    assert [a.id for a in demo.alerts.for_patient(rivera, p1, active_only=True)] == [alert_id]

    with pytest.raises(InvalidInput) as caught:
        demo.alerts.acknowledge(okafor, alert_id, note="Second acknowledgement")
    assert caught.value.field == "alert_id"
    assert demo.alerts.for_patient(rivera, p1)[0].acknowledged_by == rivera.require_actor().user_id


def test_clinician_of_another_team_cannot_acknowledge(
    demo: Services, rivera: Caller, exercise_clinician: Caller, patient1: Caller, alert_id: int
) -> None:
    for caller, refusal in ((exercise_clinician, NotFound), (patient1, PermissionDenied)):
        with pytest.raises(refusal):
            demo.alerts.acknowledge(caller, alert_id, note="Not my patient, but acknowledging anyway")
    denied = [a for a in denials(demo) if a[:2] == ("alert.acknowledge.denied", f"alert/{alert_id}")]
    assert len(denied) == 2
    assert [i.alert.id for i in demo.alerts.inbox(rivera)] == [alert_id]


def test_repeated_positive_answers_each_raise_an_alert_newest_first(
    demo: Services, patient1: Caller, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    first = demo.measurements.submit(patient1, p1, "phq9", ITEM9).alert
    clock.advance(days=1)
    second = demo.measurements.submit(patient1, p1, "cssrs_screen", cssrs(q1=1, q2=1, q4=1)).alert
    assert first is not None
    assert second is not None
    assert [i.alert.id for i in demo.alerts.inbox(rivera)] == [second.id, first.id]
    assert date(2026, 11, 27) == second.raised_at.date()


# --- schedules ---------------------------------------------------------------------------------


def due_for(svc: Services, clinician: Caller, patient_id: int) -> list[tuple[str, date, DueStatus]]:
    return [
        (state.schedule.instrument, state.due_on, state.status)
        for state, _ in svc.schedules.overdue_for_clinician(clinician)
        if state.schedule.patient_id == patient_id
    ]


def test_fortnightly_phq9_schedule_follows_the_answers(
    demo: Services, rivera: Caller, patient1: Caller, exercise_clinician: Caller, p1: int, clock: FakeClock
) -> None:
    start = clock.now.date() + timedelta(days=1)
    schedule = demo.schedules.set(rivera, p1, instrument="phq9", every_days=14, start_date=start)
    assert (schedule.every_days, schedule.start_date, schedule.active) == (14, start, True)
    assert ("schedule.set", f"schedule/{schedule.id}", p1) in audit_actions(demo)
    [state] = demo.schedules.states(rivera, p1)
    assert (state.due_on, state.status, state.last_answered_on) == (start, DueStatus.NOT_YET, None)
    assert due_for(demo, rivera, p1) == []

    clock.advance(days=1)  # the start date: first due
    assert due_for(demo, rivera, p1) == [("phq9", start, DueStatus.DUE)]
    clock.advance(days=OVERDUE_AFTER_DAYS)
    assert due_for(demo, rivera, p1) == [("phq9", start, DueStatus.OVERDUE)]
    names = [
        name
        for state, name in demo.schedules.overdue_for_clinician(rivera)
        if state.schedule.patient_id == p1
    ]
    assert names == [
        demo.patients.get(rivera, p1).patient.details.family_name
        + ", "
        + demo.patients.get(rivera, p1).patient.details.given_name
    ]
    assert due_for(demo, exercise_clinician, p1) == []

    answered = clock.now.date()
    demo.measurements.submit(patient1, p1, "phq9", NO_RISK)
    [state] = demo.schedules.states(patient1, p1)
    assert (state.last_answered_on, state.due_on, state.status) == (
        answered,
        answered + timedelta(days=14),
        DueStatus.NOT_YET,
    )
    assert due_for(demo, rivera, p1) == []
    clock.advance(days=13)
    assert due_for(demo, rivera, p1) == []
    clock.advance(days=1)
    assert due_for(demo, rivera, p1) == [("phq9", answered + timedelta(days=14), DueStatus.DUE)]

    demo.schedules.set(rivera, p1, instrument="phq9", every_days=14, start_date=start, active=False)
    assert demo.schedules.states(rivera, p1) == []
    assert due_for(demo, rivera, p1) == []


@pytest.mark.parametrize("every_days", [0, -14, 93, 365])
def test_schedule_interval_is_daily_to_quarterly(
    demo: Services, rivera: Caller, p1: int, clock: FakeClock, every_days: int
) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.schedules.set(rivera, p1, instrument="phq9", every_days=every_days, start_date=clock.now.date())
    assert caught.value.field == "every_days"
    assert demo.schedules.states(rivera, p1) == []


@pytest.mark.parametrize("every_days", [1, 92])
def test_schedule_interval_bounds_are_accepted(
    demo: Services, rivera: Caller, p1: int, clock: FakeClock, every_days: int
) -> None:
    assert (
        demo.schedules.set(
            rivera, p1, instrument="phq9", every_days=every_days, start_date=clock.now.date()
        ).every_days
        == every_days
    )


def test_only_the_care_team_sets_schedules(
    demo: Services, patient1: Caller, exercise_clinician: Caller, p1: int, clock: FakeClock
) -> None:
    for caller, refusal in ((patient1, PermissionDenied), (exercise_clinician, NotFound)):
        with pytest.raises(refusal):
            demo.schedules.set(caller, p1, instrument="phq9", every_days=14, start_date=clock.now.date())
        with pytest.raises(PermissionDenied):
            demo.schedules.overdue_for_clinician(patient1)
    assert [a for a in denials(demo) if a[0] == "schedule.set.denied"] == [
        ("schedule.set.denied", f"patient/{p1}/schedule", p1)
    ] * 2
    with pytest.raises(NotFound):
        demo.schedules.states(exercise_clinician, p1)
    assert demo.schedules.states(patient1, p1) == []
