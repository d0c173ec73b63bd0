"""Pre-exercise safety screening: record one (from the clinician's answers and the patient's record),
and tell whether the latest is still valid. A screening lapses when it expires, and at once when a
safety alert is raised after it (the patient must be screened again before exercising)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from stride.clinical.safety import expires_on, parse_screening_input, screen
from stride.domain.exercise import StoredScreening
from stride.domain.measurements import SafetyAlert
from stride.domain.patients import Sex
from stride.services.access import deny, may_read_clinical, may_write_clinical
from stride.services.context import Caller, Deps, record
from stride.store.repositories import exercise as repo
from stride.store.repositories import measurements as measurement_repo
from stride.store.repositories import patients as patient_repo

# The screening's sex field has no "unknown"; a record with unknown sex is screened as "other".
# Answers about suicide risk: asked afresh at every screening, never prefilled.
RISK_ANSWERS = ("phq9_item9", "cssrs_risk")
_SCREENING_SEX = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.OTHER: "other", Sex.UNKNOWN: "other"}


@dataclass(frozen=True, slots=True)
class ScreeningStatus:
    """The latest screening and whether a plan may rest on it today."""

    screening: StoredScreening | None
    valid: bool
    why_not: str | None


def _with_age_and_sex(
    s: Session, patient_id: int, answers: Mapping[str, object], *, today: date
) -> dict[str, object]:
    """The answers with the patient's age and sex taken from the record."""
    patient = patient_repo.get(s, patient_id)
    assert patient is not None  # may_write_clinical found the patient in a team
    return {**answers, "age": patient.age_on(today), "sex": _SCREENING_SEX[patient.details.sex]}


class ScreeningService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def record(self, caller: Caller, patient_id: int, answers: Mapping[str, object]) -> StoredScreening:
        """Screen the patient. Age and sex come from the record, not the form, so they cannot disagree.

        Raises
        ------
        InvalidInput
            Naming the field at fault.
        NotFound
            A clinician outside the patient's care teams, or a patient for another patient (as for
            a patient that does not exist).
        PermissionDenied
            Anyone else but a clinician of the patient's care team.
        """
        now = self.deps.clock()
        with self.deps.db.transaction() as s:
            if may_write_clinical(s, caller, patient_id):
                data = _with_age_and_sex(s, patient_id, answers, today=now.date())
                decision = screen(parse_screening_input(data))
                stored = repo.add_screening(
                    s,
                    patient_id=patient_id,
                    inputs=data,
                    decision=decision.decision.value,
                    reasons=[{"code": r.code, "text": r.text, "source": r.source} for r in decision.reasons],
                    restrictions=list(decision.restrictions),
                    screened_at=now,
                    expires_on=expires_on(now.date()),
                    screened_by=caller.require_actor().user_id,
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="screening.record",
                    resource=f"screening/{stored.id}",
                    patient_id=patient_id,
                    detail=stored.decision,
                )
                return stored
        raise deny(
            self.deps,
            caller,
            action="screening.record",
            resource=f"patient/{patient_id}/screening",
            patient_id=patient_id,
            message="Screening is done by a clinician of the patient's care team.",
        )

    def status(self, caller: Caller, patient_id: int) -> ScreeningStatus:
        """The latest screening, and whether it still holds (not expired, no alert since)."""
        today = self.deps.clock().date()
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                record(
                    s,
                    self.deps,
                    caller,
                    action="screening.read",
                    resource=f"patient/{patient_id}/screening",
                    patient_id=patient_id,
                )
                return status_in(s, patient_id, today=today)
        raise deny(
            self.deps,
            caller,
            action="screening.read",
            resource=f"patient/{patient_id}/screening",
            patient_id=patient_id,
        )

    def known_answers(self, caller: Caller, patient_id: int) -> dict[str, object]:
        """What Stride already knows for the form: the previous screening's answers, without its
        risk answers (PHQ-9 item 9, C-SSRS risk).

        Suicide risk is asked afresh at every screening and never carried over from an earlier
        answer: a positive item 9 carried into every re-screen would defer it for ever, and a
        negative one carried over would stand in for an assessment that was not made.
        """
        # The refusal is audited after this transaction ends: deny() opens one of its own, and on
        # SQLite a second writer inside the first waits for the lock until it times out.
        with self.deps.db.transaction() as s:
            allowed = may_write_clinical(s, caller, patient_id)
            if allowed:
                latest = repo.latest_screening(s, patient_id)
                record(
                    s,
                    self.deps,
                    caller,
                    action="screening.read",
                    resource=f"patient/{patient_id}/screening",
                    patient_id=patient_id,
                    detail="known answers: previous screening",
                )
        if not allowed:
            raise deny(
                self.deps,
                caller,
                action="screening.read",
                resource=f"patient/{patient_id}/screening",
                patient_id=patient_id,
            )
        return _without_risk_answers(latest)


def status_in(
    s: Session, patient_id: int, *, today: date, alerts: Sequence[SafetyAlert] | None = None
) -> ScreeningStatus:
    """The screening status read in the caller's transaction (no access check, no audit: the use
    case that calls it does both). ``alerts``: the patient's alerts when the caller has read them."""
    latest = repo.latest_screening(s, patient_id)
    if latest is None:
        return ScreeningStatus(screening=None, valid=False, why_not="not screened yet")
    if alerts is None:
        alerts = measurement_repo.alerts_for_patient(s, patient_id)
    if any(a.raised_at > latest.screened_at for a in alerts):
        return ScreeningStatus(latest, False, "a safety alert was raised after this screening")
    if latest.expires_on < today:
        return ScreeningStatus(latest, False, f"expired on {latest.expires_on.isoformat()}")
    return ScreeningStatus(screening=latest, valid=True, why_not=None)


def known_answers_in(s: Session, patient_id: int) -> dict[str, object]:
    """The previous screening's answers without its risk answers (see
    :meth:`ScreeningService.known_answers`), read in the caller's transaction (no access check, no
    audit: the use case does both)."""
    return _without_risk_answers(repo.latest_screening(s, patient_id))


def _without_risk_answers(latest: StoredScreening | None) -> dict[str, object]:
    known: dict[str, object] = dict(latest.inputs) if latest else {}
    for risk_answer in RISK_ANSWERS:
        known.pop(risk_answer, None)
    return known
