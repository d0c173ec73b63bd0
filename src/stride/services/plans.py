"""Exercise prescriptions: build a plan from a standard protocol (or the engine's recommendation)
on the patient's valid screening, keep every clinician edit as a new version, and show whether the
plan is on hold (an open safety alert, a screening that no longer holds or no longer clears, or a
resolved alert after which nobody has resumed the plan yet). A clinician of the care team resumes
it, from the week where it paused or with a new prescription, and says why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from stride.clinical.prescription import (
    Refusal,
    parse_prescription_input,
    prescribe,
)
from stride.domain.access_policy import Action
from stride.domain.dates import check_planned_date
from stride.domain.exercise import StoredPlan, StoredScreening
from stride.domain.measurements import SafetyAlert, check_reason
from stride.domain.patients import PatientDetails
from stride.domain.plan_weeks import AwaitingResume, ResumeMode
from stride.errors import InvalidInput
from stride.services.access import deny, may_read_clinical
from stride.services.context import Caller, Deps, record
from stride.services.plan_state import HoldState, PlanView, hold_state, plan_view, screening_hold
from stride.services.screening import ScreeningStatus, status_in
from stride.services.unit_of_work import UnitOfWork, unit_of_work
from stride.store.models import PlanResumeRow
from stride.store.repositories import exercise as repo
from stride.store.repositories import measurements as measurement_repo
from stride.store.repositories import patients as patient_repo

__all__ = ["PlanRequest", "PlanService", "PlanView", "current_in"]


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


class PlanService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def build(self, caller: Caller, patient_id: int, request: PlanRequest) -> StoredPlan | Refusal:
        """Prescribe on the patient's valid screening; a Refusal (not cleared) stores nothing.

        One transaction: access, the screening the plan rests on, the new version and its audit
        entry, so that the screening cannot change between the read and the write.

        Raises
        ------
        InvalidInput
            No valid screening, missing resting HR or weight on the record, a bad choice (naming it).
        """
        with unit_of_work(self.deps, caller) as uow:
            # Access first, so that a refusal does not depend on the screening.
            if uow.may(Action.WRITE_CLINICAL, patient_id):
                return self._build_in(uow, patient_id, request)
        raise deny(
            self.deps,
            caller,
            action="plan.create",
            resource=f"patient/{patient_id}/plan",
            patient_id=patient_id,
            message="Plans are prescribed by the patient's care team.",
        )

    def _build_in(self, uow: UnitOfWork, patient_id: int, request: PlanRequest) -> StoredPlan | Refusal:
        s, today = uow.session, self.deps.clock().date()
        if request.start_date is not None:
            check_planned_date(request.start_date, today=today, field="start_date")
        screening = _valid_screening(s, patient_id, today=today)
        patient = patient_repo.get(s, patient_id)
        assert patient is not None
        previous = repo.current_plan(s, patient_id)
        why = check_reason(request.reason or "") if previous is not None else None
        held = hold_state(s, previous) if previous is not None else None
        # Weeks are labelled with their dates, from the chosen start (today by default).
        dated = replace(request, start_date=request.start_date or today)
        data = self._engine_input(s, patient_id, dict(screening.inputs), patient.details, dated)
        result = prescribe(parse_prescription_input(data))
        if isinstance(result, Refusal):
            return result
        stored = repo.add_plan(
            s,
            repo.new_plan_row(
                patient_id=patient_id,
                version=previous.version + 1 if previous else 1,
                supersedes_id=previous.id if previous else None,
                screening_id=screening.id,
                protocol=result.protocol_id,
                start_date=request.start_date or today,
                plan=result,
                created_at=self.deps.clock(),
                created_by=uow.caller.require_actor().user_id,
                change_reason=why,
            ),
        )
        uow.audit(
            action="plan.create",
            resource=f"plan/{stored.id}",
            patient_id=patient_id,
            detail=f"{stored.protocol} v{stored.version}" + (f": {why}" if why else ""),
        )
        if held is not None and held.awaiting is not None and not held.active_alerts and why:
            self._resumed_by_version(s, uow.caller, stored, held.awaiting, reason=why)
        return stored

    def _resumed_by_version(
        self, s: Session, caller: Caller, stored: StoredPlan, awaiting: AwaitingResume, *, reason: str
    ) -> None:
        """A version made after the alerts that held the plan were resolved resumes it with a new
        prescription: recorded with the version, in its transaction, so that the patient is told."""
        self._record_resume(
            s,
            caller,
            stored,
            awaiting,
            mode=ResumeMode.NEW_PRESCRIPTION,
            from_week=1,
            reason=reason,
            how=f"v{stored.version}",
        )

    def _record_resume(
        self,
        s: Session,
        caller: Caller,
        stored: StoredPlan,
        awaiting: AwaitingResume,
        *,
        mode: ResumeMode,
        from_week: int,
        reason: str,
        how: str,
    ) -> None:
        """Store the resume and audit it, in the use case's transaction."""
        now = self.deps.clock()
        repo.add_resume(
            s,
            PlanResumeRow(
                patient_id=stored.patient_id,
                plan_id=stored.id,
                alert_id=awaiting.alert_id,
                mode=mode.value,
                paused_from=awaiting.paused_from,
                resumed_on=now.date(),
                from_week=from_week,
                reason=reason,
                resumed_by=caller.require_actor().user_id,
                created_at=now,
            ),
        )
        record(
            s,
            self.deps,
            caller,
            action="plan.resume",
            resource=f"plan/{stored.id}",
            patient_id=stored.patient_id,
            detail=f"{mode.value} {how}; alert/{awaiting.alert_id}",
        )

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
        """The patient's current plan with its on-hold state, this week and its resumes, or None."""
        today = self.deps.clock().date()
        with unit_of_work(self.deps, caller) as uow:
            if uow.may(Action.READ_CLINICAL, patient_id):
                view = current_in(uow.session, patient_id, today=today)
                uow.audit(action="plan.read", resource=f"patient/{patient_id}/plan", patient_id=patient_id)
                return view
        raise deny(
            self.deps,
            caller,
            action="plan.read",
            resource=f"patient/{patient_id}/plan",
            patient_id=patient_id,
        )

    def resume(self, caller: Caller, patient_id: int, *, mode: str, reason: str) -> PlanView:
        """A clinician of the care team resumes a plan held by safety alerts that are resolved now,
        from the week where it paused, and says why; the patient's plan page tells them.

        A new prescription instead is a new version made in the plan builder (``build``), which
        records the resume with it.

        Raises
        ------
        InvalidInput
            An unknown mode, or a new prescription asked for here; a missing or short reason; no
            plan, an alert still under review, nothing to resume; a screening that no longer holds
            or does not clear (re-screen first); a plan that had ended before the hold began.
        PermissionDenied
            Anyone but a clinician of the patient's care team (another team's: NotFound).
        """
        with unit_of_work(self.deps, caller) as uow:
            if uow.may(Action.WRITE_CLINICAL, patient_id):
                return self._resume_in(uow, patient_id, mode=mode, reason=reason)
        raise deny(
            self.deps,
            caller,
            action="plan.resume",
            resource=f"patient/{patient_id}/plan",
            patient_id=patient_id,
            message="Only a clinician of the patient's care team resumes their plan.",
        )

    def _resume_in(self, uow: UnitOfWork, patient_id: int, *, mode: str, reason: str) -> PlanView:
        # The values are checked after access, so that a refusal is audited as one.
        try:
            chosen = ResumeMode(mode)
        except ValueError:
            raise InvalidInput("choose how the plan resumes", field="mode") from None
        if chosen is ResumeMode.NEW_PRESCRIPTION:
            raise InvalidInput(
                "a new prescription is made in the plan builder, with its reason: "
                "that version resumes the plan",
                field="mode",
            )
        why = check_reason(reason)
        s, today = uow.session, self.deps.clock().date()
        status = status_in(s, patient_id, today=today)
        stored = repo.current_plan(s, patient_id)
        if stored is None:
            raise InvalidInput("there is no plan to resume", field="mode")
        state = hold_state(s, stored)
        view = plan_view(stored, state, status, today=today)
        self._check_resumable(view, state, status)
        assert state.awaiting is not None
        assert view.resume_week is not None
        self._record_resume(
            s,
            uow.caller,
            stored,
            state.awaiting,
            mode=chosen,
            from_week=view.resume_week,
            reason=why,
            how=f"from week {view.resume_week}",
        )
        return plan_view(stored, hold_state(s, stored), status, today=today)

    @staticmethod
    def _check_resumable(view: PlanView, state: HoldState, status: ScreeningStatus) -> None:
        if state.active_alerts:
            raise InvalidInput("resolve the safety alert first: it still holds the plan", field="mode")
        if state.awaiting is None:
            raise InvalidInput(
                "the plan is not on hold for a resolved safety alert: there is nothing to resume",
                field="mode",
            )
        screening = screening_hold(status)
        if screening is not None:
            raise InvalidInput(f"re-screen first: {screening}", field="mode")
        if view.resume_week is None:
            raise InvalidInput(
                "the plan had ended before the hold began: prescribe a new plan instead", field="mode"
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


def current_in(
    s: Session,
    patient_id: int,
    *,
    today: date,
    alerts: Sequence[SafetyAlert] | None = None,
    status: ScreeningStatus | None = None,
) -> PlanView | None:
    """The current plan's view read in the caller's transaction (no access check, no audit: the use
    case does both). ``alerts`` and ``status``: what the use case has read already, so that the
    on-hold state does not read them again."""
    stored = repo.current_plan(s, patient_id)
    if stored is None:
        return None
    if alerts is None:
        alerts = measurement_repo.alerts_for_patient(s, patient_id)
    if status is None:
        status = status_in(s, patient_id, today=today, alerts=alerts)
    return plan_view(stored, hold_state(s, stored, alerts=alerts), status, today=today)


def _valid_screening(s: Session, patient_id: int, *, today: date) -> StoredScreening:
    """The screening a new plan is built on: it must still hold (not expired, no alert since)."""
    status = status_in(s, patient_id, today=today)
    if not status.valid or status.screening is None:
        raise InvalidInput(f"screen the patient first ({status.why_not})", field="screening")
    return status.screening
