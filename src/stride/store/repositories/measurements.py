"""Questionnaire responses (append-only, corrections supersede), safety alerts, schedules."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from stride.domain.measurements import (
    AlertDecision,
    AlertState,
    Resolution,
    ResponseSource,
    SafetyAlert,
    Schedule,
    StoredResponse,
)
from stride.store.models import (
    QuestionnaireResponseRow,
    QuestionnaireScheduleRow,
    SafetyAlertRow,
    TeamMemberRow,
    TeamPatientRow,
)


def _response(row: QuestionnaireResponseRow) -> StoredResponse:
    return StoredResponse(
        id=row.id,
        patient_id=row.patient_id,
        instrument=row.instrument,
        answers=json.loads(row.answers),
        total=row.total,
        severity=row.severity,
        flags=tuple(json.loads(row.flags)),
        details=json.loads(row.details),
        answered_at=row.answered_at,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        source=ResponseSource(row.source),
        version=row.version,
        supersedes_id=row.supersedes_id,
        correction_reason=row.correction_reason,
    )


def add_response(session: Session, row: QuestionnaireResponseRow) -> StoredResponse:
    session.add(row)
    session.flush()
    return _response(row)


def new_row(
    *,
    patient_id: int,
    instrument: str,
    answers: dict[str, int | None],
    total: float | None,
    severity: str | None,
    flags: tuple[str, ...],
    details: dict[str, object],
    answered_at: datetime,
    recorded_at: datetime,
    recorded_by: int,
    source: ResponseSource,
    version: int = 1,
    supersedes_id: int | None = None,
    correction_reason: str | None = None,
) -> QuestionnaireResponseRow:
    return QuestionnaireResponseRow(
        patient_id=patient_id,
        instrument=instrument,
        answers=json.dumps(answers, sort_keys=True),
        total=total,
        severity=severity,
        flags=json.dumps(list(flags)),
        details=json.dumps(details, sort_keys=True, default=str),
        answered_at=answered_at,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        source=source.value,
        version=version,
        supersedes_id=supersedes_id,
        correction_reason=correction_reason,
    )


def get_response(session: Session, response_id: int) -> StoredResponse | None:
    row = session.get(QuestionnaireResponseRow, response_id)
    return None if row is None else _response(row)


def is_superseded(session: Session, response_id: int) -> bool:
    query = select(QuestionnaireResponseRow.id).where(QuestionnaireResponseRow.supersedes_id == response_id)
    return session.scalar(query) is not None


def current_responses(
    session: Session, patient_id: int, *, instrument: str | None = None
) -> list[StoredResponse]:
    """The latest version of every response, oldest answer first."""
    newer = aliased(QuestionnaireResponseRow)
    query = (
        select(QuestionnaireResponseRow)
        .where(QuestionnaireResponseRow.patient_id == patient_id)
        .where(~select(newer.id).where(newer.supersedes_id == QuestionnaireResponseRow.id).exists())
        .order_by(QuestionnaireResponseRow.answered_at, QuestionnaireResponseRow.id)
    )
    if instrument is not None:
        query = query.where(QuestionnaireResponseRow.instrument == instrument)
    return [_response(r) for r in session.scalars(query)]


def versions_of(session: Session, response_id: int) -> list[StoredResponse]:
    """The chain of corrections that ends at ``response_id``, oldest first."""
    chain: list[StoredResponse] = []
    current = get_response(session, response_id)
    while current is not None:
        chain.append(current)
        current = get_response(session, current.supersedes_id) if current.supersedes_id else None
    return list(reversed(chain))


def last_answered(session: Session, patient_id: int, instrument: str) -> datetime | None:
    query = select(func.max(QuestionnaireResponseRow.answered_at)).where(
        QuestionnaireResponseRow.patient_id == patient_id, QuestionnaireResponseRow.instrument == instrument
    )
    return session.scalar(query)


def _alert(row: SafetyAlertRow) -> SafetyAlert:
    return SafetyAlert(
        id=row.id,
        patient_id=row.patient_id,
        response_id=row.response_id,
        code=row.code,
        severity=row.severity,
        reason=row.reason,
        source=row.source,
        raised_at=row.raised_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        acknowledgement_note=row.acknowledgement_note,
        state=AlertState(row.state),
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        decision=AlertDecision(row.decision) if row.decision else None,
        resolution_reason=row.resolution_reason,
        next_review_on=row.next_review_on,
    )


def add_alert(session: Session, row: SafetyAlertRow) -> SafetyAlert:
    session.add(row)
    session.flush()
    return _alert(row)


def get_alert(session: Session, alert_id: int) -> SafetyAlert | None:
    row = session.get(SafetyAlertRow, alert_id)
    return None if row is None else _alert(row)


def acknowledge_alert(session: Session, alert_id: int, *, by: int, at: datetime, note: str) -> SafetyAlert:
    row = session.get_one(SafetyAlertRow, alert_id)
    row.acknowledged_at, row.acknowledged_by, row.acknowledgement_note = at, by, note
    row.state = AlertState.ACKNOWLEDGED.value
    session.flush()
    return _alert(row)


def resolve_alert(
    session: Session, alert_id: int, *, by: int, at: datetime, resolution: Resolution
) -> SafetyAlert:
    """Record the decision on the alert; the answer that raised it is never touched."""
    row = session.get_one(SafetyAlertRow, alert_id)
    row.state = AlertState.RESOLVED.value
    row.resolved_at, row.resolved_by = at, by
    row.decision = resolution.decision.value
    row.resolution_reason, row.next_review_on = resolution.reason, resolution.next_review_on
    session.flush()
    return _alert(row)


def alerts_for_patient(session: Session, patient_id: int, *, active_only: bool = False) -> list[SafetyAlert]:
    query = select(SafetyAlertRow).where(SafetyAlertRow.patient_id == patient_id)
    if active_only:
        query = query.where(SafetyAlertRow.state != AlertState.RESOLVED.value)
    return [
        _alert(r)
        for r in session.scalars(query.order_by(SafetyAlertRow.raised_at.desc(), SafetyAlertRow.id.desc()))
    ]


def alerts_for_clinician(
    session: Session, clinician_id: int | None, *, active_only: bool
) -> list[SafetyAlert]:
    """Alerts of the patients in the clinician's teams (all patients when ``clinician_id`` is None)."""
    query = select(SafetyAlertRow)
    if clinician_id is not None:
        teams = select(TeamMemberRow.team_id).where(TeamMemberRow.user_id == clinician_id)
        patients = select(TeamPatientRow.patient_id).where(TeamPatientRow.team_id.in_(teams))
        query = query.where(SafetyAlertRow.patient_id.in_(patients))
    if active_only:
        query = query.where(SafetyAlertRow.state != AlertState.RESOLVED.value)
    return [
        _alert(r)
        for r in session.scalars(query.order_by(SafetyAlertRow.raised_at.desc(), SafetyAlertRow.id.desc()))
    ]


def _schedule(row: QuestionnaireScheduleRow) -> Schedule:
    return Schedule(
        id=row.id,
        patient_id=row.patient_id,
        instrument=row.instrument,
        every_days=row.every_days,
        start_date=row.start_date,
        active=row.active,
    )


def upsert_schedule(
    session: Session,
    *,
    patient_id: int,
    instrument: str,
    every_days: int,
    start_date: date,
    active: bool,
    by: int,
    now: datetime,
) -> Schedule:
    row = session.scalar(
        select(QuestionnaireScheduleRow).where(
            QuestionnaireScheduleRow.patient_id == patient_id,
            QuestionnaireScheduleRow.instrument == instrument,
        )
    )
    if row is None:
        row = QuestionnaireScheduleRow(
            patient_id=patient_id,
            instrument=instrument,
            created_by=by,
            created_at=now,
            every_days=every_days,
            start_date=start_date,
            active=active,
        )
        session.add(row)
    else:
        row.every_days, row.start_date, row.active = every_days, start_date, active
    session.flush()
    return _schedule(row)


def schedules_for_patient(session: Session, patient_id: int) -> list[Schedule]:
    query = select(QuestionnaireScheduleRow).where(QuestionnaireScheduleRow.patient_id == patient_id)
    return [_schedule(r) for r in session.scalars(query.order_by(QuestionnaireScheduleRow.instrument))]


def active_schedules_for_clinician(session: Session, clinician_id: int | None) -> list[Schedule]:
    query = select(QuestionnaireScheduleRow).where(QuestionnaireScheduleRow.active.is_(True))
    if clinician_id is not None:
        teams = select(TeamMemberRow.team_id).where(TeamMemberRow.user_id == clinician_id)
        patients = select(TeamPatientRow.patient_id).where(TeamPatientRow.team_id.in_(teams))
        query = query.where(QuestionnaireScheduleRow.patient_id.in_(patients))
    return [_schedule(r) for r in session.scalars(query)]
