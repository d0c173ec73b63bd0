"""The clinical part of a patient's record in one read: alerts, due questionnaires, score
trajectories with outcomes, and the treatment history with TRD status."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from stride.clinical.measurement import Instrument, OutcomeSeries, get_instrument, outcome_series
from stride.domain.measurements import SafetyAlert, ScheduleState, StoredResponse
from stride.services.alerts import AlertService, CrisisGuidance
from stride.services.context import Caller
from stride.services.measurements import MeasurementService
from stride.services.plans import PlanService, PlanView
from stride.services.schedules import ScheduleService
from stride.services.screening import ScreeningService, ScreeningStatus
from stride.services.treatment import TreatmentHistory, TreatmentService


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


class ClinicalRecordService:
    def __init__(
        self,
        *,
        measurements: MeasurementService,
        alerts: AlertService,
        schedules: ScheduleService,
        treatment: TreatmentService,
        screening: ScreeningService,
        plans: PlanService,
    ) -> None:
        self.measurements, self.alerts, self.schedules = measurements, alerts, schedules
        self.treatment, self.screening, self.plans = treatment, screening, plans

    def overview(self, caller: Caller, patient_id: int) -> ClinicalOverview:
        """Everything the record page shows; each part is access-checked and audited by its service."""
        responses = self.measurements.responses(caller, patient_id)
        alerts = self.alerts.for_patient(caller, patient_id)
        # Crisis guidance answers a safety answer (PHQ-9 item 9, C-SSRS), not an adverse event.
        active = any(a.is_active and a.response_id is not None for a in alerts)
        return ClinicalOverview(
            alerts=alerts,
            crisis=self.alerts.crisis_guidance(caller, patient_id) if active else None,
            schedule=self.schedules.states(caller, patient_id),
            trajectories=trajectories(responses),
            responses=list(reversed(responses)),
            treatment=self.treatment.history(caller, patient_id),
            screening=self.screening.status(caller, patient_id),
            plan=self.plans.current(caller, patient_id),
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
