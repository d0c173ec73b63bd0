"""Questionnaire schedules (e.g. PHQ-9 every 14 days) with due and overdue states."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from stride.clinical.measurement import get_instrument
from stride.domain.access_policy import Action
from stride.domain.dates import check_planned_date
from stride.domain.measurements import DueStatus, Schedule, ScheduleState, check_interval, schedule_state
from stride.services.access import allows, deny, may_read_clinical, may_write_clinical
from stride.services.context import Caller, Deps, record
from stride.store.repositories import measurements as repo
from stride.store.repositories import patients as patient_repo


class ScheduleService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def set(
        self,
        caller: Caller,
        patient_id: int,
        *,
        instrument: str,
        every_days: int,
        start_date: date | None = None,
        active: bool = True,
    ) -> Schedule:
        """Create or change the patient's schedule for an instrument (clinicians of the care team),
        starting on ``start_date`` (today when not given)."""
        get_instrument(instrument)
        check_interval(every_days)
        today = self.deps.clock().date()
        start_date = start_date or today
        check_planned_date(start_date, today=today, field="start_date")
        with self.deps.db.transaction() as s:
            if may_write_clinical(s, caller, patient_id):
                schedule = repo.upsert_schedule(
                    s,
                    patient_id=patient_id,
                    instrument=instrument,
                    every_days=every_days,
                    start_date=start_date,
                    active=active,
                    by=caller.require_actor().user_id,
                    now=self.deps.clock(),
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="schedule.set",
                    resource=f"schedule/{schedule.id}",
                    patient_id=patient_id,
                    detail=f"{instrument} every {every_days} days" + ("" if active else ", stopped"),
                )
                return schedule
        raise deny(
            self.deps,
            caller,
            action="schedule.set",
            resource=f"patient/{patient_id}/schedule",
            patient_id=patient_id,
            message="Schedules are set by a clinician of the patient's care team.",
        )

    def states(self, caller: Caller, patient_id: int) -> list[ScheduleState]:
        """Every active schedule of the patient with its next due date and status."""
        today = self.deps.clock().date()
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                states = states_in(s, patient_id, today=today)
                record(
                    s,
                    self.deps,
                    caller,
                    action="schedule.read",
                    resource=f"patient/{patient_id}/schedule",
                    patient_id=patient_id,
                )
                return states
        raise deny(
            self.deps,
            caller,
            action="schedule.read",
            resource=f"patient/{patient_id}/schedule",
            patient_id=patient_id,
        )

    def overdue_for_clinician(self, caller: Caller) -> list[tuple[ScheduleState, str]]:
        """Due and overdue questionnaires across the clinician's patients (with names), for the dashboard."""
        if not allows(caller, Action.CARE_TEAM_WORKLIST) or caller.actor is None:
            raise deny(self.deps, caller, action="schedule.list", resource="schedules")
        today = self.deps.clock().date()
        with self.deps.db.transaction() as s:
            return overdue_in(s, caller.actor.user_id, today=today)


def states_in(s: Session, patient_id: int, *, today: date) -> list[ScheduleState]:
    """The patient's active schedules with their states, read in the caller's transaction (no
    access check, no audit: the use case does both)."""
    return _states(s, repo.schedules_for_patient(s, patient_id), today)


def _states(s: Session, schedules: list[Schedule], today: date) -> list[ScheduleState]:
    out = []
    for schedule in schedules:
        if not schedule.active:
            continue
        last = repo.last_answered(s, schedule.patient_id, schedule.instrument)
        out.append(schedule_state(schedule, last_answered_on=last.date() if last else None, today=today))
    return sorted(out, key=lambda x: (x.due_on, x.schedule.patient_id))


def overdue_in(s: Session, clinician_id: int, *, today: date) -> list[tuple[ScheduleState, str]]:
    """Due and overdue questionnaires of the clinician's patients, with the patients' names, read in
    the caller's transaction (the use case checks access)."""
    states = _states(s, repo.active_schedules_for_clinician(s, clinician_id), today)
    due = [x for x in states if x.status is not DueStatus.NOT_YET]
    names = patient_repo.names(s, {x.schedule.patient_id for x in due})
    return [(x, names.get(x.schedule.patient_id, "")) for x in due]
