"""Exercise plans through the service, on SQLite and PostgreSQL.

A plan rests on a valid screening and the patient's record (resting heart rate, weight); a deferral
stores nothing; every change is a new version with a reason; and the plan goes on hold while a
safety alert is open or the screening no longer holds.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from stride.clinical.prescription import Refusal, protocol_ids
from stride.domain.exercise import StoredPlan
from stride.errors import InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.plans import PlanRequest
from stride.services.registry import Services
from stride.store.models import ExercisePlanRow
from tests.conftest import (
    FakeClock,
    audit_actions,
    denials,
    patient_id_of,
)

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
BETA_BLOCKED = {**CLEAR, "medications": ["sertraline", "bisoprolol"]}
DEFER = {**CLEAR, "cssrs_risk": "high"}
ITEM9_PHQ9 = {f"phq9_{i}": v for i, v in enumerate((2, 2, 2, 1, 1, 1, 1, 0, 1), start=1)}
WALKING = PlanRequest(protocol="home_walking", setting="home", days=("mon", "wed", "fri"), minutes=30)
HOLD_ALERT = "a safety alert is under review: the care team resolves it before exercise continues"
HOLD_LAPSED = "the screening no longer holds: a safety alert was raised after this screening"


def plans_stored(svc: Services, patient_id: int) -> int:
    with svc.deps.db.transaction() as s:
        query = (
            select(func.count()).select_from(ExercisePlanRow).where(ExercisePlanRow.patient_id == patient_id)
        )
        return int(s.scalar(query) or 0)


def built(result: StoredPlan | Refusal) -> StoredPlan:
    assert isinstance(result, StoredPlan), result
    return result


def hr_ranges(stored: StoredPlan) -> list[tuple[int, int] | None]:
    return [s.hr_range_bpm for w in stored.plan.weeks for s in w.sessions]


@pytest.fixture
def p1(demo: Services, patient1: Caller) -> int:
    pid = patient1.require_actor().patient_id
    assert pid is not None
    assert pid == patient_id_of(demo, "DEMO-0001")
    return pid


@pytest.fixture
def screened(demo: Services, rivera: Caller, p1: int) -> int:
    """DEMO-0001 screened and cleared just now; the screening's id."""
    stored = demo.screening.record(rivera, p1, CLEAR)
    assert stored.decision == "cleared"
    return stored.id


# --- building --------------------------------------------------------------------------------------


def test_build_from_a_named_protocol_stores_version_1_and_audits(
    demo: Services, rivera: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    stored = built(demo.plans.build(rivera, p1, WALKING))

    assert (stored.patient_id, stored.version, stored.supersedes_id) == (p1, 1, None)
    assert (stored.protocol, stored.screening_id) == ("home_walking", screened)
    assert (stored.start_date, stored.created_at) == (clock.now.date(), clock.now)
    assert (stored.created_by, stored.change_reason) == (rivera.require_actor().user_id, None)
    plan = stored.plan
    assert plan.protocol_id == "home_walking"
    assert plan.decision == "cleared"
    assert len(plan.weeks) == 12
    assert {s.day for w in plan.weeks for s in w.sessions} <= {"mon", "wed", "fri"}
    assert plan.rationale
    assert ("plan.create", f"plan/{stored.id}", p1) in audit_actions(demo)
    assert demo.plans.versions(rivera, p1) == [stored]


def test_build_from_the_recommendation(demo: Services, rivera: Caller, p1: int, screened: int) -> None:
    request = dataclasses.replace(WALKING, protocol="recommend", modalities=("yoga",))
    stored = built(demo.plans.build(rivera, p1, request))
    assert stored.protocol in protocol_ids()
    assert stored.plan.protocol_id == stored.protocol
    assert stored.version == 1
    assert ("plan.create", f"plan/{stored.id}", p1) in audit_actions(demo)


def test_build_without_a_screening_is_refused(demo: Services, rivera: Caller, p1: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.plans.build(rivera, p1, WALKING)
    assert caught.value.field == "screening"
    assert "not screened yet" in str(caught.value)
    assert plans_stored(demo, p1) == 0


def test_build_on_an_expired_screening_is_refused(
    demo: Services, rivera: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    clock.advance(days=366)
    with pytest.raises(InvalidInput) as caught:
        demo.plans.build(rivera, p1, WALKING)
    assert caught.value.field == "screening"
    assert "expired on 2027-11-25" in str(caught.value)
    assert plans_stored(demo, p1) == 0


def test_build_after_a_safety_alert_is_refused(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    clock.advance(hours=1)
    assert demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9).alert is not None
    with pytest.raises(InvalidInput) as caught:
        demo.plans.build(rivera, p1, WALKING)
    assert caught.value.field == "screening"
    assert plans_stored(demo, p1) == 0


@pytest.mark.parametrize("missing", ["resting_hr", "weight_kg"])
def test_build_needs_resting_heart_rate_and_weight_on_the_record(
    demo: Services, rivera: Caller, p1: int, screened: int, missing: str
) -> None:
    details = demo.patients.get(rivera, p1).patient.details
    demo.patients.update(rivera, p1, dataclasses.replace(details, **{missing: None}))
    with pytest.raises(InvalidInput) as caught:
        demo.plans.build(rivera, p1, WALKING)
    assert caught.value.field == missing
    assert plans_stored(demo, p1) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"protocol": "swimming"}, "protocol"),
        ({"minutes": 5}, "preferences.minutes"),
        ({"days": ()}, "preferences.days"),
        ({"setting": "moon"}, "preferences.setting"),
        ({"weeks": 3}, "weeks"),
    ],
)
def test_a_bad_choice_is_named_and_nothing_stored(
    demo: Services, rivera: Caller, p1: int, screened: int, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.plans.build(rivera, p1, dataclasses.replace(WALKING, **change))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert plans_stored(demo, p1) == 0


def test_a_deferred_screening_gives_a_refusal_and_stores_nothing(
    demo: Services, rivera: Caller, p1: int
) -> None:
    demo.screening.record(rivera, p1, DEFER)
    result = demo.plans.build(rivera, p1, WALKING)

    assert isinstance(result, Refusal)
    assert result.decision.value == "defer"
    assert result.reasons[0].code == "suicide_risk_cssrs_high"
    assert plans_stored(demo, p1) == 0
    assert demo.plans.current(rivera, p1) is None
    assert not any(a == "plan.create" and p == p1 for a, _, p in audit_actions(demo))


def test_under_a_beta_blocker_no_session_has_a_heart_rate_range(
    demo: Services, rivera: Caller, p1: int
) -> None:
    # The same request for a patient without a beta-blocker gives heart-rate ranges, so the test can fail.
    p2 = patient_id_of(demo, "DEMO-0002")
    demo.screening.record(rivera, p2, CLEAR)
    assert any(hr is not None for hr in hr_ranges(built(demo.plans.build(rivera, p2, WALKING))))

    demo.screening.record(rivera, p1, BETA_BLOCKED)
    stored = built(demo.plans.build(rivera, p1, WALKING))
    ranges = hr_ranges(stored)
    assert ranges
    assert all(hr is None for hr in ranges)
    assert "intensity_by_rpe" in [r.code for r in stored.plan.restrictions]
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert all(s.hr_range_bpm is None for w in view.plan.weeks for s in w.sessions)


# --- versions --------------------------------------------------------------------------------------


def test_a_second_build_needs_a_reason_and_supersedes_the_first(
    demo: Services, rivera: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    v1 = built(demo.plans.build(rivera, p1, WALKING))
    clock.advance(days=3)
    longer = dataclasses.replace(WALKING, minutes=45)
    for reason in (None, "", "ok"):
        with pytest.raises(InvalidInput) as caught:
            demo.plans.build(rivera, p1, dataclasses.replace(longer, reason=reason))
        assert caught.value.field == "reason"
    assert plans_stored(demo, p1) == 1

    v2 = built(demo.plans.build(rivera, p1, dataclasses.replace(longer, reason="  Longer  sessions  now ")))
    assert (v2.version, v2.supersedes_id, v2.change_reason) == (2, v1.id, "Longer sessions now")
    assert v2.created_at == clock.now
    assert v2.plan != v1.plan
    assert demo.plans.versions(rivera, p1) == [v1, v2]  # v1 is stored unchanged
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert view.stored == v2
    actions = audit_actions(demo)
    assert ("plan.create", f"plan/{v1.id}", p1) in actions
    assert ("plan.create", f"plan/{v2.id}", p1) in actions


# --- on hold ---------------------------------------------------------------------------------------


def test_an_open_alert_puts_the_plan_on_hold_for_clinician_and_patient(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    built(demo.plans.build(rivera, p1, WALKING))
    for caller in (rivera, patient1):
        view = demo.plans.current(caller, p1)
        assert view is not None
        assert (view.on_hold, view.hold_reason) == (False, None)

    clock.advance(days=2)
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9)
    assert done.alert is not None
    for caller in (rivera, patient1):
        view = demo.plans.current(caller, p1)
        assert view is not None
        assert (view.on_hold, view.hold_reason) == (True, HOLD_ALERT)


def test_an_acknowledged_alert_still_holds_the_plan_and_so_does_a_lapsed_screening(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    built(demo.plans.build(rivera, p1, WALKING))
    clock.advance(days=2)
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9)
    assert done.alert is not None

    clock.advance(hours=2)
    demo.alerts.acknowledge(rivera, done.alert.id, note="Phoned the patient; seeing them today.")
    clock.advance(hours=1)
    demo.screening.record(rivera, p1, CLEAR)  # the clinician's assessment: item 9 now "not at all"
    view = demo.plans.current(patient1, p1)
    assert view is not None
    assert (view.on_hold, view.hold_reason) == (True, HOLD_ALERT)

    # Resolved, but the screening before the alert no longer holds: still on hold.
    clock.advance(hours=1)
    other = demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9).alert
    assert other is not None
    for alert_id in (done.alert.id, other.id):
        if alert_id == other.id:
            demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
        demo.alerts.resolve(
            rivera,
            alert_id,
            decision="reassessed_clinical",
            reason="Seen in clinic; no current intent, safety plan reviewed.",
            next_review_on=clock.now.date() + timedelta(days=7),
        )
    view = demo.plans.current(patient1, p1)
    assert view is not None
    assert (view.on_hold, view.hold_reason) == (True, HOLD_LAPSED)


def test_a_new_screening_that_defers_keeps_the_plan_on_hold(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    built(demo.plans.build(rivera, p1, WALKING))
    clock.advance(days=2)
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9)
    assert done.alert is not None
    clock.advance(hours=2)
    demo.alerts.acknowledge(rivera, done.alert.id, note="Phoned the patient; referred for review.")
    demo.alerts.resolve(
        rivera,
        done.alert.id,
        decision="referred",
        reason="Referred to the crisis team; exercise waits for their review.",
        next_review_on=clock.now.date() + timedelta(days=3),
    )

    # Screening again with item 9 still positive on the clinician's assessment defers exercise: a
    # valid screening, but not one that clears the patient, so the plan must stay on hold.
    clock.advance(hours=1)
    again = demo.screening.record(rivera, p1, {**CLEAR, "phq9_item9": 1})
    assert again.decision == "defer"
    assert demo.screening.status(rivera, p1).valid
    view = demo.plans.current(patient1, p1)
    assert view is not None
    assert view.on_hold
    assert view.hold_reason is not None
    assert "defer" in view.hold_reason


def test_an_expired_screening_puts_the_plan_on_hold(
    demo: Services, rivera: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    built(demo.plans.build(rivera, p1, dataclasses.replace(WALKING, weeks=52)))
    clock.advance(days=366)
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert (view.on_hold, view.hold_reason) == (True, "the screening no longer holds: expired on 2027-11-25")


# --- this week -------------------------------------------------------------------------------------


def test_this_week_follows_the_clock(
    demo: Services, rivera: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    stored = built(demo.plans.build(rivera, p1, WALKING))
    plan = stored.plan

    def week() -> int | None:
        view = demo.plans.current(rivera, p1)
        assert view is not None
        if view.current_week is None:
            assert view.this_week is None
        else:
            assert view.this_week == plan.weeks[view.current_week - 1]
        return view.current_week

    assert week() == 1
    clock.advance(days=6, hours=14)
    assert week() == 1
    clock.advance(hours=10)
    assert week() == 2
    assert clock.now.date() == stored.start_date + timedelta(days=7)
    clock.advance(days=7 * 10)
    assert week() == 12
    clock.advance(days=7)
    assert week() is None


def test_a_plan_starting_later_has_no_week_yet(
    demo: Services, rivera: Caller, p1: int, screened: int, clock: FakeClock
) -> None:
    start = clock.now.date() + timedelta(days=5)
    stored = built(demo.plans.build(rivera, p1, dataclasses.replace(WALKING, start_date=start)))
    assert stored.start_date == start
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert (view.current_week, view.this_week) == (None, None)
    clock.advance(days=5)
    view = demo.plans.current(rivera, p1)
    assert view is not None
    assert view.current_week == 1


# --- who may build and read ------------------------------------------------------------------------


def test_the_patient_reads_their_own_plan_but_cannot_build_one(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, screened: int
) -> None:
    stored = built(demo.plans.build(rivera, p1, WALKING))
    view = demo.plans.current(patient1, p1)
    assert view is not None
    assert view.stored == stored
    assert demo.plans.versions(patient1, p1) == [stored]

    with pytest.raises(PermissionDenied):
        demo.plans.build(patient1, p1, dataclasses.replace(WALKING, reason="I want a different plan"))
    assert plans_stored(demo, p1) == 1
    assert ("plan.create.denied", f"patient/{p1}/plan", p1) in denials(demo)

    other = patient_id_of(demo, "DEMO-0002")
    with pytest.raises(NotFound):
        demo.plans.current(patient1, other)


def test_a_clinician_of_another_team_can_neither_build_nor_read(
    demo: Services, exercise_clinician: Caller, rivera: Caller, p1: int, screened: int
) -> None:
    built(demo.plans.build(rivera, p1, WALKING))
    with pytest.raises(NotFound):
        demo.plans.build(exercise_clinician, p1, dataclasses.replace(WALKING, reason="Another team's plan"))
    assert plans_stored(demo, p1) == 1
    assert ("plan.create.denied", f"patient/{p1}/plan", p1) in denials(demo)
    with pytest.raises(NotFound):
        demo.plans.current(exercise_clinician, p1)
    with pytest.raises(NotFound):
        demo.plans.versions(exercise_clinician, p1)
    assert ("plan.read.denied", f"patient/{p1}/plan", p1) in denials(demo)


def test_a_patient_without_a_screening_is_refused_as_a_patient(
    demo: Services, patient1: Caller, p1: int
) -> None:
    # Not "screen first": a patient may not build a plan at all.
    with pytest.raises(PermissionDenied):
        demo.plans.build(patient1, p1, WALKING)
    assert ("plan.create.denied", f"patient/{p1}/plan", p1) in denials(demo)
