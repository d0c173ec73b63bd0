"""Exercise prescriptions: build a plan from a standard protocol (or the engine's recommendation)
on the patient's valid screening, keep every clinician edit as a new version, and show whether the
plan is on hold (an open safety alert, or a screening that no longer holds or no longer clears)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from stride.clinical.prescription import (
    Plan,
    PlanWeek,
    Refusal,
    parse_prescription_input,
    plan_from_dict,
    plan_to_dict,
    prescribe,
)
from stride.domain.dates import check_planned_date
from stride.domain.exercise import StoredPlan
from stride.domain.measurements import check_reason
from stride.domain.patients import PatientDetails
from stride.domain.plan_weeks import plan_week
from stride.errors import InvalidInput
from stride.services.access import deny, may_read_clinical, may_write_clinical
from stride.services.context import Caller, Deps, record
from stride.services.screening import ScreeningService, ScreeningStatus
from stride.store.repositories import exercise as repo
from stride.store.repositories import measurements as measurement_repo
from stride.store.repositories import patients as patient_repo

_CLEARED = ("cleared", "cleared_with_restrictions")


def _hold_reason(*, open_alert: bool, status: ScreeningStatus) -> str | None:
    if open_alert:
        return "a safety alert is under review: the care team resolves it before exercise continues"
    if not status.valid or status.screening is None:
        return f"the screening no longer holds: {status.why_not}"
    # A newer screening can hold and still not clear the patient (a re-screen that defers).
    if status.screening.decision not in _CLEARED:
        return "the latest screening does not clear exercise: " + status.screening.decision.replace("_", " ")
    return None


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What the clinician chooses in the plan builder."""

    protocol: str  # a protocol id or "recommend"
    setting: str
    days: tuple[str, ...]
    minutes: int
    modalities: tuple[str, ...] = ()
    weeks: int | None = None  # None: the chosen protocol's own length
    start_date: date | None = None
    mood_symptoms: tuple[str, ...] = ()
    reason: str | None = None  # required for a new version of an existing plan


@dataclass(frozen=True, slots=True)
class PlanView:
    stored: StoredPlan
    plan: Plan
    on_hold: bool
    hold_reason: str | None
    current_week: int | None  # None before the start or after the end

    @property
    def this_week(self) -> PlanWeek | None:
        return None if self.current_week is None else self.plan.weeks[self.current_week - 1]


class PlanService:
    def __init__(self, deps: Deps, *, screening: ScreeningService) -> None:
        self.deps, self.screening = deps, screening

    def build(self, caller: Caller, patient_id: int, request: PlanRequest) -> StoredPlan | Refusal:
        """Prescribe on the patient's valid screening; a Refusal (not cleared) stores nothing.

        Raises
        ------
        InvalidInput
            No valid screening, missing resting HR or weight on the record, a bad choice (naming it).
        """
        # Access first, so that a refusal does not depend on the screening. The refusal is audited
        # after the transaction: deny() opens its own, which on SQLite waits for the first's lock.
        with self.deps.db.transaction() as s:
            allowed = may_write_clinical(s, caller, patient_id)
        if not allowed:
            raise deny(
                self.deps,
                caller,
                action="plan.create",
                resource=f"patient/{patient_id}/plan",
                patient_id=patient_id,
                message="Plans are prescribed by the patient's care team.",
            )
        today = self.deps.clock().date()
        if request.start_date is not None:
            check_planned_date(request.start_date, today=today, field="start_date")
        status = self.screening.status(caller, patient_id)
        if not status.valid or status.screening is None:
            raise InvalidInput(f"screen the patient first ({status.why_not})", field="screening")
        with self.deps.db.transaction() as s:
            patient = patient_repo.get(s, patient_id)
            assert patient is not None
            previous = repo.current_plan(s, patient_id)
            why = check_reason(request.reason or "") if previous is not None else None
            # Weeks are labelled with their dates, from the chosen start (today by default).
            dated = replace(request, start_date=request.start_date or today)
            data = self._engine_input(s, patient_id, dict(status.screening.inputs), patient.details, dated)
            result = prescribe(parse_prescription_input(data))
            if isinstance(result, Refusal):
                return result
            stored = repo.add_plan(
                s,
                repo.new_plan_row(
                    patient_id=patient_id,
                    version=previous.version + 1 if previous else 1,
                    supersedes_id=previous.id if previous else None,
                    screening_id=status.screening.id,
                    protocol=result.protocol_id,
                    start_date=request.start_date or today,
                    plan=plan_to_dict(result),
                    created_at=self.deps.clock(),
                    created_by=caller.require_actor().user_id,
                    change_reason=why,
                ),
            )
            record(
                s,
                self.deps,
                caller,
                action="plan.create",
                resource=f"plan/{stored.id}",
                patient_id=patient_id,
                detail=f"{stored.protocol} v{stored.version}" + (f": {why}" if why else ""),
            )
            return stored

    @staticmethod
    def _engine_input(
        s: Session,
        patient_id: int,
        screening: dict[str, object],
        details: PatientDetails,
        request: PlanRequest,
    ) -> dict[str, object]:
        if details.resting_hr is None:
            raise InvalidInput("record the patient's resting heart rate first", field="resting_hr")
        if details.weight_kg is None:
            raise InvalidInput("record the patient's weight first", field="weight_kg")
        data: dict[str, object] = {
            **screening,
            "resting_hr": details.resting_hr,
            "hrmax": None,
            "weight_kg": details.weight_kg,
            "preferences": {
                "modalities": list(request.modalities),
                "setting": request.setting,
                "days": list(request.days),
                "minutes": request.minutes,
            },
            "protocol": request.protocol,
            "symptoms_mood": list(request.mood_symptoms),
        }
        if request.weeks is not None:
            data["weeks"] = request.weeks
        if request.start_date is not None:
            data["start_date"] = request.start_date.isoformat()
        ipaq = measurement_repo.current_responses(s, patient_id, instrument="ipaq_sf")
        if ipaq and ipaq[-1].severity:
            data["current_activity"] = {"ipaq_category": ipaq[-1].severity}
        return data

    def current(self, caller: Caller, patient_id: int) -> PlanView | None:
        """The patient's current plan with its on-hold state and this week, or None."""
        today = self.deps.clock().date()
        # The refusal is audited after the transaction (see build).
        with self.deps.db.transaction() as s:
            allowed = may_read_clinical(s, caller, patient_id)
            if allowed:
                stored = repo.current_plan(s, patient_id)
                open_alerts = measurement_repo.alerts_for_patient(s, patient_id, active_only=True)
                record(
                    s,
                    self.deps,
                    caller,
                    action="plan.read",
                    resource=f"patient/{patient_id}/plan",
                    patient_id=patient_id,
                )
        if not allowed:
            raise deny(
                self.deps,
                caller,
                action="plan.read",
                resource=f"patient/{patient_id}/plan",
                patient_id=patient_id,
            )
        if stored is None:
            return None
        status = self.screening.status(caller, patient_id)
        hold = _hold_reason(open_alert=bool(open_alerts), status=status)
        plan = plan_from_dict(stored.plan)
        week = plan_week(stored.start_date, today)
        current = week if 1 <= week <= len(plan.weeks) else None
        return PlanView(
            stored=stored, plan=plan, on_hold=hold is not None, hold_reason=hold, current_week=current
        )

    def versions(self, caller: Caller, patient_id: int) -> list[StoredPlan]:
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                record(
                    s,
                    self.deps,
                    caller,
                    action="plan.read",
                    resource=f"patient/{patient_id}/plans",
                    patient_id=patient_id,
                )
                return repo.plan_versions(s, patient_id)
        raise deny(
            self.deps,
            caller,
            action="plan.read",
            resource=f"patient/{patient_id}/plans",
            patient_id=patient_id,
        )
