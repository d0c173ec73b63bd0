"""Pre-exercise screening through the service, on SQLite and PostgreSQL.

Age and sex come from the patient's record (never the form); the decision, its reasons and the
restrictions are stored and audited; only the care team's clinicians screen; and a screening lapses
when it expires or as soon as a safety alert is raised after it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from stride.errors import InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import ScreeningRow
from tests.conftest import (
    OTHER_TEAM_PASSWORD,
    PATIENT_PASSWORD,
    FakeClock,
    audit_actions,
    caller_for,
    denials,
    patient_id_of,
)

# A healthy, inactive adult who wants moderate exercise: cleared, no restriction.
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
NO_RISK_PHQ9 = {f"phq9_{i}": v for i, v in enumerate((1, 1, 2, 1, 0, 1, 0, 1, 0), start=1)}
ITEM9_PHQ9 = {f"phq9_{i}": v for i, v in enumerate((2, 2, 2, 1, 1, 1, 1, 0, 1), start=1)}


def answers(**change: object) -> dict[str, object]:
    return {**CLEAR, **change}


def screenings_stored(svc: Services, patient_id: int) -> int:
    with svc.deps.db.transaction() as s:
        query = select(func.count()).select_from(ScreeningRow).where(ScreeningRow.patient_id == patient_id)
        return int(s.scalar(query) or 0)


@pytest.fixture
def p1(demo: Services, patient1: Caller) -> int:
    pid = patient1.require_actor().patient_id
    assert pid is not None
    assert pid == patient_id_of(demo, "DEMO-0001")
    return pid


# --- recording -------------------------------------------------------------------------------------


def test_age_and_sex_come_from_the_record_not_the_form(
    demo: Services, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    patient = demo.patients.get(rivera, p1).patient
    age = patient.age_on(clock.now.date())
    assert age > 69, "DEMO-0001 is seeded (with the fixed clock) as a person over the PAR-Q+ age limit"
    assert patient.details.sex.value == "male"

    # The form claims a young woman; the record's age decides the PAR-Q+ age rule for vigorous exercise.
    stored = demo.screening.record(rivera, p1, answers(desired_intensity="vigorous", age=30, sex="female"))

    assert (stored.inputs["age"], stored.inputs["sex"]) == (age, "male")
    assert "parq_age_vigorous" in [r.code for r in stored.reasons]
    assert stored.decision == "cleared_with_restrictions"
    assert "exercise_professional_before_vigorous" in stored.restrictions


def test_a_cleared_screening_is_stored_with_reasons_and_audited(
    demo: Services, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    stored = demo.screening.record(rivera, p1, CLEAR)

    assert (stored.patient_id, stored.decision, stored.restrictions) == (p1, "cleared", ())
    assert [r.code for r in stored.reasons] == ["acsm_inactive_healthy", "parq_all_no"]
    assert all(r.text and r.source for r in stored.reasons)
    assert (stored.screened_at, stored.screened_by) == (clock.now, rivera.require_actor().user_id)
    assert stored.expires_on == date(2027, 11, 25)  # 12 months, the day before the anniversary
    assert stored.inputs["resting_bp"] == [122, 78]
    assert ("screening.record", f"screening/{stored.id}", p1) in audit_actions(demo)

    status = demo.screening.status(rivera, p1)
    assert (status.valid, status.why_not) == (True, None)
    assert status.screening == stored


def test_beta_blocker_restricts_intensity_to_rpe(demo: Services, rivera: Caller, p1: int) -> None:
    stored = demo.screening.record(rivera, p1, answers(medications=["bisoprolol"]))
    assert stored.decision == "cleared_with_restrictions"
    assert stored.restrictions == ("intensity_by_rpe",)
    assert stored.reasons[0].code == "beta_blocker"
    assert "RPE" in stored.reasons[0].text


def test_phq9_item_9_positive_defers(demo: Services, rivera: Caller, p1: int) -> None:
    stored = demo.screening.record(rivera, p1, answers(phq9_item9=1))
    assert stored.decision == "defer"
    assert stored.reasons[0].code == "suicidal_ideation_phq9"
    # A deferral is a decision, not an error: it is stored, and the screening holds (it says "defer").
    assert demo.screening.status(rivera, p1).screening == stored


@pytest.mark.parametrize(("risk", "decision"), [("moderate", "defer"), ("low", "cleared")])
def test_cssrs_risk_decides_deferral(
    demo: Services, rivera: Caller, p1: int, risk: str, decision: str
) -> None:
    assert demo.screening.record(rivera, p1, answers(cssrs_risk=risk)).decision == decision


# --- what the form is prefilled with -----------------------------------------------------------------


def test_known_answers_never_prefill_a_risk_answer(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, clock: FakeClock
) -> None:
    """Re-screening asks about suicidality afresh: an earlier PHQ-9 item 9 or C-SSRS answer (or the
    previous screening's) would otherwise defer every re-screen for ever."""
    assert demo.screening.known_answers(rivera, p1) == {}

    demo.measurements.submit(patient1, p1, "phq9", {**NO_RISK_PHQ9, "phq9_9": 2})
    demo.measurements.submit(
        patient1, p1, "cssrs_screen", {"cssrs_screen_q1": 1, "cssrs_screen_q2": 0, "cssrs_screen_q6": 0}
    )
    known = demo.screening.known_answers(rivera, p1)
    assert "phq9_item9" not in known
    assert "cssrs_risk" not in known

    # The previous screening's other answers come back; its risk answers do not.
    demo.screening.record(rivera, p1, answers(medications=["bisoprolol"], phq9_item9=1, cssrs_risk="low"))
    clock.advance(days=1)
    known = demo.screening.known_answers(rivera, p1)
    assert known["medications"] == ["bisoprolol"]
    assert "phq9_item9" not in known
    assert "cssrs_risk" not in known


def test_known_answers_of_a_seeded_history_hold_no_risk_answer(demo: Services, rivera: Caller) -> None:
    pid = patient_id_of(demo, "DEMO-0006")
    assert demo.screening.known_answers(rivera, pid) == {}


def test_a_screening_with_suicidality_not_screened_is_incomplete_and_defers(
    demo: Services, rivera: Caller, p1: int
) -> None:
    stored = demo.screening.record(rivera, p1, answers(phq9_item9=None, cssrs_risk=None))
    assert stored.decision == "defer"
    assert stored.reasons[0].code == "suicidality_not_screened"
    assert "incomplete" in stored.reasons[0].text.lower()


def test_known_answers_are_for_the_care_team_only(
    demo: Services, patient1: Caller, exercise_clinician: Caller, p1: int
) -> None:
    for caller, refusal in ((patient1, PermissionDenied), (exercise_clinician, NotFound)):
        with pytest.raises(refusal):
            demo.screening.known_answers(caller, p1)
    denied = [a for a in denials(demo) if a[0] == "screening.read.denied"]
    assert denied == [("screening.read.denied", f"patient/{p1}/screening", p1)] * 2


# --- validity ---------------------------------------------------------------------------------------


def test_not_screened_is_not_valid(demo: Services, rivera: Caller, patient1: Caller, p1: int) -> None:
    for caller in (rivera, patient1):
        status = demo.screening.status(caller, p1)
        assert (status.screening, status.valid, status.why_not) == (None, False, "not screened yet")


def test_a_safety_alert_after_the_screening_makes_it_lapse(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, clock: FakeClock
) -> None:
    stored = demo.screening.record(rivera, p1, CLEAR)
    clock.advance(hours=3)
    demo.measurements.submit(patient1, p1, "phq9", NO_RISK_PHQ9)
    assert demo.screening.status(rivera, p1).valid  # an answer without an alert changes nothing

    clock.advance(days=2)
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9)
    assert done.alert is not None
    status = demo.screening.status(rivera, p1)
    assert (status.screening, status.valid) == (stored, False)
    assert status.why_not == "a safety alert was raised after this screening"

    # Acknowledging the alert does not restore the screening: the patient must be screened again.
    clock.advance(hours=1)
    demo.alerts.acknowledge(rivera, done.alert.id, note="Phoned the patient; safety plan agreed.")
    assert not demo.screening.status(rivera, p1).valid
    clock.advance(minutes=5)
    again = demo.screening.record(rivera, p1, CLEAR)
    assert demo.screening.status(rivera, p1) == type(status)(again, True, None)


def test_an_alert_before_the_screening_does_not_make_it_lapse(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, clock: FakeClock
) -> None:
    assert demo.measurements.submit(patient1, p1, "phq9", ITEM9_PHQ9).alert is not None
    clock.advance(hours=2)
    demo.screening.record(rivera, p1, answers(phq9_item9=1))
    assert demo.screening.status(rivera, p1).valid


def test_a_screening_expires_after_twelve_months(
    demo: Services, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    stored = demo.screening.record(rivera, p1, CLEAR)
    clock.now = clock.now.replace(year=2027, month=11, day=25, hour=23, minute=59)
    assert clock.now.date() == stored.expires_on
    assert demo.screening.status(rivera, p1).valid  # the last day still holds

    clock.advance(minutes=2)
    status = demo.screening.status(rivera, p1)
    assert (status.valid, status.why_not) == (False, "expired on 2027-11-25")
    assert status.screening == stored


def test_the_newest_screening_is_the_one_that_counts(
    demo: Services, rivera: Caller, p1: int, clock: FakeClock
) -> None:
    demo.screening.record(rivera, p1, answers(phq9_item9=1))
    clock.advance(days=3)
    newer = demo.screening.record(rivera, p1, CLEAR)
    assert demo.screening.status(rivera, p1).screening == newer
    assert screenings_stored(demo, p1) == 2


# --- who may screen -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        ("patient1", PATIENT_PASSWORD),
        ("admin", "demo-clinic-manager"),
        ("researcher", "demo-clinic-research"),
        ("dr.exercise", OTHER_TEAM_PASSWORD),
    ],
)
def test_only_the_care_teams_clinicians_may_screen(
    demo: Services, p1: int, exercise_clinician: Caller, who: tuple[str, str]
) -> None:
    caller = caller_for(demo, *who)
    # Another team's clinician does not see the patient at all (404, as for an unknown id).
    with pytest.raises(NotFound if who[0] == "dr.exercise" else PermissionDenied):
        demo.screening.record(caller, p1, CLEAR)
    assert screenings_stored(demo, p1) == 0
    denied = [
        (action, resource)
        for action, resource, pid in denials(demo)
        if action == "screening.record.denied" and pid == p1
    ]
    assert denied == [("screening.record.denied", f"patient/{p1}/screening")]


def test_a_patient_may_read_their_own_status_but_not_anothers(
    demo: Services, rivera: Caller, patient1: Caller, p1: int
) -> None:
    other = patient_id_of(demo, "DEMO-0002")
    demo.screening.record(rivera, other, CLEAR)
    with pytest.raises(NotFound):
        demo.screening.status(patient1, other)
    assert ("screening.read.denied", f"patient/{other}/screening", other) in denials(demo)


# --- invalid answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"resting_bp": [400, 80]}, "resting_bp[0]"),
        ({"resting_bp": ["abc", 80]}, "resting_bp[0]"),
        ({"resting_bp": [120, 130]}, "resting_bp"),
        ({"desired_intensity": "extreme"}, "desired_intensity"),
        ({"symptoms": ["chest_pain_typo"]}, "symptoms[0]"),
        ({"phq9_item9": 4}, "phq9_item9"),
        ({"cssrs_risk": "severe"}, "cssrs_risk"),
        ({"parq": {"q9": True}}, "parq.q9"),
        ({"medications": ["  "]}, "medications[0]"),
        ({"conditions": ["broken_leg"]}, "conditions[0]"),
        ({"symtoms": []}, "symtoms"),
    ],
)
def test_invalid_answers_name_the_field_and_store_nothing(
    demo: Services, rivera: Caller, p1: int, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.screening.record(rivera, p1, answers(**change))
    assert caught.value.field == field
    assert screenings_stored(demo, p1) == 0
    assert not any(a == "screening.record" and p == p1 for a, _, p in audit_actions(demo))


def test_a_missing_required_answer_is_named(demo: Services, rivera: Caller, p1: int) -> None:
    incomplete = {k: v for k, v in CLEAR.items() if k != "desired_intensity"}
    with pytest.raises(InvalidInput) as caught:
        demo.screening.record(rivera, p1, incomplete)
    assert caught.value.field == "desired_intensity"
    assert screenings_stored(demo, p1) == 0
