"""Screenings, exercise-plan versions and plan resumes (append-only)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from stride.clinical.prescription import Plan
from stride.domain.exercise import (
    PlanResume,
    StoredPlan,
    StoredReason,
    StoredScreening,
    plan_from_data,
    plan_to_data,
)
from stride.store.models import ExercisePlanRow, PlanResumeRow, ScreeningRow


def _screening(row: ScreeningRow) -> StoredScreening:
    return StoredScreening(
        id=row.id,
        patient_id=row.patient_id,
        inputs=json.loads(row.inputs),
        decision=row.decision,
        reasons=tuple(StoredReason(**r) for r in json.loads(row.reasons)),
        restrictions=tuple(json.loads(row.restrictions)),
        screened_at=row.screened_at,
        expires_on=row.expires_on,
        screened_by=row.screened_by,
    )


def add_screening(
    session: Session,
    *,
    patient_id: int,
    inputs: Mapping[str, object],
    decision: str,
    reasons: list[dict[str, str]],
    restrictions: list[str],
    screened_at: datetime,
    expires_on: date,
    screened_by: int,
) -> StoredScreening:
    row = ScreeningRow(
        patient_id=patient_id,
        inputs=json.dumps(inputs, sort_keys=True),
        decision=decision,
        reasons=json.dumps(reasons),
        restrictions=json.dumps(restrictions),
        screened_at=screened_at,
        expires_on=expires_on,
        screened_by=screened_by,
    )
    session.add(row)
    session.flush()
    return _screening(row)


def latest_screening(session: Session, patient_id: int) -> StoredScreening | None:
    row = session.scalar(
        select(ScreeningRow)
        .where(ScreeningRow.patient_id == patient_id)
        .order_by(ScreeningRow.screened_at.desc(), ScreeningRow.id.desc())
        .limit(1)
    )
    return None if row is None else _screening(row)


def get_screening(session: Session, screening_id: int) -> StoredScreening | None:
    row = session.get(ScreeningRow, screening_id)
    return None if row is None else _screening(row)


def _plan(row: ExercisePlanRow) -> StoredPlan:
    return StoredPlan(
        id=row.id,
        patient_id=row.patient_id,
        version=row.version,
        supersedes_id=row.supersedes_id,
        screening_id=row.screening_id,
        protocol=row.protocol,
        start_date=row.start_date,
        plan=plan_from_data(json.loads(row.plan)),
        created_at=row.created_at,
        created_by=row.created_by,
        change_reason=row.change_reason,
    )


def add_plan(session: Session, row: ExercisePlanRow) -> StoredPlan:
    session.add(row)
    session.flush()
    return _plan(row)


def new_plan_row(
    *,
    patient_id: int,
    version: int,
    supersedes_id: int | None,
    screening_id: int,
    protocol: str,
    start_date: date,
    plan: Plan,
    created_at: datetime,
    created_by: int,
    change_reason: str | None,
) -> ExercisePlanRow:
    return ExercisePlanRow(
        patient_id=patient_id,
        version=version,
        supersedes_id=supersedes_id,
        screening_id=screening_id,
        protocol=protocol,
        start_date=start_date,
        plan=json.dumps(plan_to_data(plan), sort_keys=True, default=str),
        created_at=created_at,
        created_by=created_by,
        change_reason=change_reason,
    )


def current_plan(session: Session, patient_id: int) -> StoredPlan | None:
    """The newest version that nothing supersedes."""
    newer = aliased(ExercisePlanRow)
    row = session.scalar(
        select(ExercisePlanRow)
        .where(ExercisePlanRow.patient_id == patient_id)
        .where(~select(newer.id).where(newer.supersedes_id == ExercisePlanRow.id).exists())
        .order_by(ExercisePlanRow.created_at.desc(), ExercisePlanRow.id.desc())
        .limit(1)
    )
    return None if row is None else _plan(row)


def plan_versions(session: Session, patient_id: int) -> list[StoredPlan]:
    query = select(ExercisePlanRow).where(ExercisePlanRow.patient_id == patient_id)
    return [_plan(r) for r in session.scalars(query.order_by(ExercisePlanRow.id))]


def _resume(row: PlanResumeRow) -> PlanResume:
    return PlanResume(
        id=row.id,
        patient_id=row.patient_id,
        plan_id=row.plan_id,
        alert_id=row.alert_id,
        mode=row.mode,
        paused_from=row.paused_from,
        resumed_on=row.resumed_on,
        from_week=row.from_week,
        reason=row.reason,
        resumed_by=row.resumed_by,
        created_at=row.created_at,
    )


def add_resume(session: Session, row: PlanResumeRow) -> PlanResume:
    session.add(row)
    session.flush()
    return _resume(row)


def resumes(session: Session, patient_id: int) -> list[PlanResume]:
    """Every resume of the patient's plans, oldest first."""
    query = select(PlanResumeRow).where(PlanResumeRow.patient_id == patient_id)
    return [_resume(r) for r in session.scalars(query.order_by(PlanResumeRow.created_at, PlanResumeRow.id))]
