"""Views of a patient's record that combine several parts, each read in one transaction with one
audit entry naming the parts: the record page (the patient with their care teams and account, and
for the patient and the care team the clinical part: alerts, due questionnaires, score trajectories
with outcomes, the treatment history with TRD status, the screening and the plan), the plan page,
the plan builder, the screening form and the treatment form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlalchemy.orm import Session

from stride.clinical.measurement import Instrument, OutcomeSeries, get_instrument, outcome_series
from stride.domain.access_policy import Action
from stride.domain.accounts import Role
from stride.domain.measurements import SafetyAlert, ScheduleState, StoredResponse
from stride.errors import NotFound
from stride.services.alerts import CrisisGuidance, crisis_for
from stride.services.context import Caller, Deps
from stride.services.measurements import instruments_for
from stride.services.patients import PatientRecord, record_in, refusal
from stride.services.plans import PlanView, current_in
from stride.services.schedules import states_in
from stride.services.screening import ScreeningStatus, known_answers_in, status_in
from stride.services.treatment import TreatmentHistory, history_in
from stride.services.unit_of_work import UnitOfWork, unit_of_work
from stride.store.repositories import measurements as measurement_repo

# What the record page reads, named in its one audit entry.
PATIENT_PART = "patient"
CLINICAL_PARTS = ("responses", "alerts", "schedule", "treatment", "screening", "plan")


@dataclass(frozen=True, slots=True)
class Trajectory:
    instrument: Instrument
    responses: list[StoredResponse]
    outcomes: OutcomeSeries | None  # None when no response has a total (e.g. C-SSRS screens)


@dataclass(frozen=True, slots=True)
class ClinicalOverview:
    alerts: list[SafetyAlert]
    schedule: list[ScheduleState]
    trajectories: list[Trajectory]
    responses: list[StoredResponse]
    treatment: TreatmentHistory
    screening: ScreeningStatus
    plan: PlanView | None
    crisis: CrisisGuidance | None = None  # while an answer's alert is unresolved: shown to the patient

    @property
    def active_alerts(self) -> list[SafetyAlert]:
        """Alerts not resolved yet (open or acknowledged): they hold the plan."""
        return [a for a in self.alerts if a.is_active]


@dataclass(frozen=True, slots=True)
class RecordPage:
    """Everything the record page shows. ``overview`` and ``instruments``: for the patient and the
    care team only (an administrator sees the record, not the clinical data)."""

    record: PatientRecord
    today: date
    overview: ClinicalOverview | None
    instruments: list[Instrument]

    @property
    def age(self) -> int:
        return self.record.patient.age_on(self.today)


@dataclass(frozen=True, slots=True)
class PlanPage:
    view: PlanView | None
    record: PatientRecord


@dataclass(frozen=True, slots=True)
class PlanBuilder:
    record: PatientRecord
    status: ScreeningStatus
    current: PlanView | None
    today: date


@dataclass(frozen=True, slots=True)
class ScreeningForm:
    record: PatientRecord
    status: ScreeningStatus
    known: dict[str, object]  # the previous screening's answers, without the risk answers


@dataclass(frozen=True, slots=True)
class TreatmentForm:
    record: PatientRecord
    history: TreatmentHistory


class ClinicalRecordService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def page(self, caller: Caller, patient_id: int) -> RecordPage:
        """The record page in one transaction, access checked once and audited as one entry
        (``record.read``, naming the parts read).

        Raises
        ------
        NotFound
            No such patient, and (the same answer) a clinician or patient who may not see them.
        PermissionDenied
            A role that does not read identifiable records (a researcher).
        """
        today = self.deps.clock().date()
        clinical = caller.role in (Role.CLINICIAN, Role.PATIENT)
        resource = f"patient/{patient_id}"
        with unit_of_work(self.deps, caller) as uow:
            uow.require(
                Action.READ_PATIENT,
                patient_id,
                refused_as="record.read",
                resource=resource,
                message=refusal(caller),
            )
            if clinical:
                uow.require(Action.READ_CLINICAL, patient_id, refused_as="record.read", resource=resource)
            record = _record(uow, patient_id)
            overview = overview_in(uow.session, self.deps, patient_id, today=today) if clinical else None
            uow.audit(
                action="record.read",
                resource=resource,
                patient_id=patient_id,
                detail=", ".join((PATIENT_PART, *(CLINICAL_PARTS if clinical else ()))),
            )
            return RecordPage(
                record=record,
                today=today,
                overview=overview,
                instruments=instruments_for(caller) if clinical else [],
            )

    def plan_page(self, caller: Caller, patient_id: int) -> PlanPage:
        """The current plan with the patient it is for: one transaction, one ``plan.read`` entry."""
        today = self.deps.clock().date()
        with unit_of_work(self.deps, caller) as uow:
            _require_clinical(uow, patient_id, refused_as="plan.read", resource=f"patient/{patient_id}/plan")
            uow.require(
                Action.READ_PATIENT,
                patient_id,
                refused_as="patient.read",
                resource=f"patient/{patient_id}",
                message=refusal(caller),
            )
            view = current_in(uow.session, patient_id, today=today)
            record = _record(uow, patient_id)
            _audit_parts(uow, "plan.read", f"patient/{patient_id}/plan", patient_id, "page: plan, patient")
            return PlanPage(view=view, record=record)

    def plan_builder(self, caller: Caller, patient_id: int) -> PlanBuilder:
        """What the plan builder shows: the record (the builder edits it: the care team only), the
        screening the plan would rest on and the current plan; one transaction, one entry."""
        today = self.deps.clock().date()
        with unit_of_work(self.deps, caller) as uow:
            _require_edit(uow, patient_id)
            _require_clinical(
                uow, patient_id, refused_as="screening.read", resource=f"patient/{patient_id}/screening"
            )
            s = uow.session
            record = _record(uow, patient_id)
            alerts = measurement_repo.alerts_for_patient(s, patient_id)
            status = status_in(s, patient_id, today=today, alerts=alerts)
            current = current_in(s, patient_id, today=today, alerts=alerts, status=status)
            detail = "builder: patient, screening, plan"
            _audit_parts(uow, "plan.read", f"patient/{patient_id}/plan", patient_id, detail)
            return PlanBuilder(record=record, status=status, current=current, today=today)

    def screening_form(self, caller: Caller, patient_id: int, *, prefill: bool) -> ScreeningForm:
        """The screening form: the record, the current status and (``prefill``) the previous
        screening's answers without its risk answers; one transaction, one ``screening.read``."""
        today = self.deps.clock().date()
        resource = f"patient/{patient_id}/screening"
        with unit_of_work(self.deps, caller) as uow:
            if prefill:
                uow.require(Action.WRITE_CLINICAL, patient_id, refused_as="screening.read", resource=resource)
            _require_edit(uow, patient_id)
            _require_clinical(uow, patient_id, refused_as="screening.read", resource=resource)
            record = _record(uow, patient_id)
            status = status_in(uow.session, patient_id, today=today)
            known = known_answers_in(uow.session, patient_id) if prefill else {}
            parts = "form: patient, screening" + (", known answers: previous screening" if prefill else "")
            _audit_parts(uow, "screening.read", resource, patient_id, parts)
            return ScreeningForm(record=record, status=status, known=known)

    def treatment_form(self, caller: Caller, patient_id: int) -> TreatmentForm:
        """The treatment-history form: the record and the history; one transaction, one entry."""
        today = self.deps.clock().date()
        resource = f"patient/{patient_id}/treatment"
        with unit_of_work(self.deps, caller) as uow:
            _require_edit(uow, patient_id)
            _require_clinical(uow, patient_id, refused_as="treatment.read", resource=resource)
            record = _record(uow, patient_id)
            history = history_in(uow.session, patient_id, today=today)
            _audit_parts(uow, "treatment.read", resource, patient_id, "form: patient, treatment")
            return TreatmentForm(record=record, history=history)


def _record(uow: UnitOfWork, patient_id: int) -> PatientRecord:
    record = record_in(uow.session, patient_id)
    if record is None:
        raise NotFound(f"no patient {patient_id}")
    return record


def _require_edit(uow: UnitOfWork, patient_id: int) -> None:
    """The forms that edit a patient's record are for who may edit it (as the edit page)."""
    uow.require(
        Action.EDIT_PATIENT,
        patient_id,
        refused_as="patient.update",
        resource=f"patient/{patient_id}",
        message=refusal(uow.caller, editing=True),
    )


def _require_clinical(uow: UnitOfWork, patient_id: int, *, refused_as: str, resource: str) -> None:
    uow.require(Action.READ_CLINICAL, patient_id, refused_as=refused_as, resource=resource)


def _audit_parts(uow: UnitOfWork, action: str, resource: str, patient_id: int, parts: str) -> None:
    uow.audit(action=action, resource=resource, patient_id=patient_id, detail=parts)


def overview_in(s: Session, deps: Deps, patient_id: int, *, today: date) -> ClinicalOverview:
    """The clinical part of the record, read in the caller's transaction (no access check, no
    audit: the use case does both). The alerts are read once, for the list, the screening's
    validity and the plan's on-hold state alike."""
    responses = measurement_repo.current_responses(s, patient_id)
    alerts = measurement_repo.alerts_for_patient(s, patient_id)
    screening = status_in(s, patient_id, today=today, alerts=alerts)
    # Crisis guidance answers a safety answer (PHQ-9 item 9, C-SSRS), not an adverse event.
    active = any(a.is_active and a.response_id is not None for a in alerts)
    return ClinicalOverview(
        alerts=alerts,
        crisis=crisis_for(s, patient_id, deps) if active else None,
        schedule=states_in(s, patient_id, today=today),
        trajectories=trajectories(responses),
        responses=list(reversed(responses)),
        treatment=history_in(s, patient_id, today=today),
        screening=screening,
        plan=current_in(s, patient_id, today=today, alerts=alerts, status=screening),
    )


def trajectories(responses: list[StoredResponse]) -> list[Trajectory]:
    """Group by instrument; outcomes from the first scored answer (the baseline) on."""
    out = []
    by_instrument = sorted(responses, key=lambda r: (r.instrument, r.answered_at))
    for instrument_id, group in groupby(by_instrument, key=lambda r: r.instrument):
        items = list(group)
        scored = [(r.answered_at.date(), float(r.total)) for r in items if r.total is not None]
        series = outcome_series(instrument_id, scored) if scored else None
        out.append(Trajectory(instrument=get_instrument(instrument_id), responses=items, outcomes=series))
    return out
