"""The patient record page in one read: the patient with their care teams and account, and for the
patient and the care team the clinical part (alerts, due questionnaires, score trajectories with
outcomes, the treatment history with TRD status, the screening and the plan)."""

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
from stride.services.access import deny
from stride.services.alerts import CrisisGuidance, crisis_for
from stride.services.context import Caller, Deps
from stride.services.measurements import instruments_for
from stride.services.patients import PatientRecord, record_in, refusal
from stride.services.plans import PlanView, current_in
from stride.services.schedules import states_in
from stride.services.screening import ScreeningStatus, status_in
from stride.services.treatment import TreatmentHistory, history_in
from stride.services.unit_of_work import unit_of_work
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
        with unit_of_work(self.deps, caller) as uow:
            allowed = uow.may(Action.READ_PATIENT, patient_id) and (
                not clinical or uow.may(Action.READ_CLINICAL, patient_id)
            )
            if allowed:
                record = record_in(uow.session, patient_id)
                if record is None:
                    raise NotFound(f"no patient {patient_id}")
                overview = overview_in(uow.session, self.deps, patient_id, today=today) if clinical else None
                uow.audit(
                    action="record.read",
                    resource=f"patient/{patient_id}",
                    patient_id=patient_id,
                    detail=", ".join((PATIENT_PART, *(CLINICAL_PARTS if clinical else ()))),
                )
                return RecordPage(
                    record=record,
                    today=today,
                    overview=overview,
                    instruments=instruments_for(caller) if clinical else [],
                )
        raise deny(
            self.deps,
            caller,
            action="record.read",
            resource=f"patient/{patient_id}",
            patient_id=patient_id,
            message=refusal(caller),
        )


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
