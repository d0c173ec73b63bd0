"""Activity imports, sessions, adverse events, daily steps and weekly summaries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from stride.domain.activity import (
    AdverseEvent,
    DailySteps,
    DeviceTotals,
    ImportRecord,
    ImportStatus,
    Severity,
    StoredDose,
    StoredSession,
    WeekSummary,
    dose_from_data,
    dose_to_data,
)
from stride.store.models import (
    ActivityImportRow,
    ActivitySessionRow,
    ActivityWeekRow,
    AdverseEventRow,
    DailyActivityRow,
)


def _import(row: ActivityImportRow) -> ImportRecord:
    return ImportRecord(
        id=row.id,
        patient_id=row.patient_id,
        sha256=row.sha256,
        filename=row.filename,
        size_bytes=row.size_bytes,
        format=row.format,
        status=ImportStatus(row.status),
        progress=row.progress,
        error=row.error,
        warnings=tuple(json.loads(row.warnings)),
        sessions=row.sessions,
        created_at=row.created_at,
        created_by=row.created_by,
        finished_at=row.finished_at,
    )


def first_session_of_import(session: Session, import_id: int) -> int | None:
    """The id of the earliest session an import stored, ``None`` when it stored none."""
    return session.scalar(
        select(ActivitySessionRow.id)
        .where(ActivitySessionRow.import_id == import_id)
        .order_by(ActivitySessionRow.start_at, ActivitySessionRow.id)
        .limit(1)
    )


def find_import(session: Session, patient_id: int, sha256: str) -> ImportRecord | None:
    row = session.scalar(
        select(ActivityImportRow).where(
            ActivityImportRow.patient_id == patient_id, ActivityImportRow.sha256 == sha256
        )
    )
    return None if row is None else _import(row)


def get_import(session: Session, import_id: int) -> ImportRecord | None:
    row = session.get(ActivityImportRow, import_id)
    return None if row is None else _import(row)


def add_import(
    session: Session,
    *,
    patient_id: int,
    sha256: str,
    filename: str,
    size_bytes: int,
    created_at: datetime,
    created_by: int | None,
) -> ImportRecord:
    row = ActivityImportRow(
        patient_id=patient_id,
        sha256=sha256,
        filename=filename[:255],
        size_bytes=size_bytes,
        status=ImportStatus.QUEUED.value,
        progress=0.0,
        warnings="[]",
        sessions=0,
        created_at=created_at,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return _import(row)


def set_import_state(
    session: Session,
    import_id: int,
    *,
    status: ImportStatus,
    progress: float | None = None,
    fmt: str | None = None,
    error: str | None = None,
    warnings: Sequence[str] | None = None,
    sessions: int | None = None,
    finished_at: datetime | None = None,
) -> None:
    values: dict[str, object] = {"status": status.value, "error": error, "finished_at": finished_at}
    if progress is not None:
        values["progress"] = progress
    if fmt is not None:
        values["format"] = fmt
    if warnings is not None:
        values["warnings"] = json.dumps(list(warnings))
    if sessions is not None:
        values["sessions"] = sessions
    session.execute(update(ActivityImportRow).where(ActivityImportRow.id == import_id).values(**values))


def set_import_progress(session: Session, import_id: int, progress: float, *, now: datetime) -> None:
    session.execute(
        update(ActivityImportRow)
        .where(ActivityImportRow.id == import_id)
        .values(progress=progress, heartbeat_at=now)
    )


def claim_import(session: Session, import_id: int, *, now: datetime) -> bool:
    """Mark a queued import running, in one conditional UPDATE, and say whether this caller won it:
    of two jobs delivered for the same import (on two consumers), exactly one claims it, on SQLite
    and on PostgreSQL alike."""
    result = session.execute(
        update(ActivityImportRow)
        .where(ActivityImportRow.id == import_id, ActivityImportRow.status == ImportStatus.QUEUED.value)
        .values(status=ImportStatus.RUNNING.value, progress=0.0, heartbeat_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def imports_of(session: Session, patient_id: int, *, limit: int = 20) -> list[ImportRecord]:
    rows = session.scalars(
        select(ActivityImportRow)
        .where(ActivityImportRow.patient_id == patient_id)
        .order_by(ActivityImportRow.id.desc())
        .limit(limit)
    )
    return [_import(r) for r in rows]


def done_import_ids(session: Session) -> set[int]:
    return set(
        session.scalars(
            select(ActivityImportRow.id).where(ActivityImportRow.status == ImportStatus.DONE.value)
        )
    )


def all_import_ids(session: Session) -> set[int]:
    return set(session.scalars(select(ActivityImportRow.id)))


def _session(row: ActivitySessionRow) -> StoredSession:
    return StoredSession(
        id=row.id,
        patient_id=row.patient_id,
        import_id=row.import_id,
        source=row.source,
        start=row.start_at,
        end=row.end_at,
        sport=row.sport,
        device_sport=row.device_sport,
        duration_s=row.duration_s,
        distance_m=row.distance_m,
        avg_hr=row.avg_hr,
        max_hr=row.max_hr,
        calories_kcal=row.calories_kcal,
        rpe=row.rpe,
        steps=row.steps,
        supervised=row.supervised,
        notes=row.notes,
        sample_count=row.sample_count,
        duplicate_of=row.duplicate_of_id,
        dose=dose_from_data(json.loads(row.dose)),
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        device_summary=_device_totals(row),
    )


def _device_totals(row: ActivitySessionRow) -> DeviceTotals | None:
    values = (row.device_duration_s, row.device_distance_m, row.device_avg_hr, row.device_max_hr)
    if all(v is None for v in values):
        return None
    return DeviceTotals(*values)


def add_session(session: Session, **fields: object) -> StoredSession:
    """Insert a session; ``fields`` are the columns of ``activity_session`` (``dose`` a
    :class:`StoredDose` or ``None``)."""
    dose = fields.pop("dose", None)
    assert dose is None or isinstance(dose, StoredDose)
    row = ActivitySessionRow(**fields, dose=json.dumps(dose_to_data(dose), sort_keys=True))
    session.add(row)
    session.flush()
    return _session(row)


def set_dose(session: Session, session_id: int, dose: StoredDose | None) -> None:
    session.execute(
        update(ActivitySessionRow)
        .where(ActivitySessionRow.id == session_id)
        .values(dose=json.dumps(dose_to_data(dose), sort_keys=True))
    )


def set_duplicate(session: Session, session_id: int, duplicate_of: int | None) -> None:
    session.execute(
        update(ActivitySessionRow)
        .where(ActivitySessionRow.id == session_id)
        .values(duplicate_of_id=duplicate_of)
    )


def get_session(session: Session, session_id: int) -> StoredSession | None:
    row = session.get(ActivitySessionRow, session_id)
    return None if row is None else _session(row)


def sessions_between(
    session: Session, patient_id: int, start: datetime, end: datetime
) -> list[StoredSession]:
    """Sessions that overlap ``[start, end)``, oldest first."""
    rows = session.scalars(
        select(ActivitySessionRow)
        .where(
            ActivitySessionRow.patient_id == patient_id,
            ActivitySessionRow.start_at < end,
            ActivitySessionRow.end_at > start,
        )
        .order_by(ActivitySessionRow.start_at, ActivitySessionRow.id)
    )
    return [_session(r) for r in rows]


def recent_sessions(session: Session, patient_id: int, *, limit: int = 50) -> list[StoredSession]:
    rows = session.scalars(
        select(ActivitySessionRow)
        .where(ActivitySessionRow.patient_id == patient_id)
        .order_by(ActivitySessionRow.start_at.desc(), ActivitySessionRow.id.desc())
        .limit(limit)
    )
    return [_session(r) for r in rows]


def _event(row: AdverseEventRow) -> AdverseEvent:
    return AdverseEvent(
        id=row.id,
        patient_id=row.patient_id,
        session_id=row.session_id,
        occurred_at=row.occurred_at,
        description=row.description,
        severity=Severity(row.severity),
        action_taken=row.action_taken,
        protocol=row.protocol,
        reported_at=row.reported_at,
        reported_by=row.reported_by,
        warning_signs=tuple(row.warning_signs.split()),
    )


def add_adverse_event(session: Session, **fields: object) -> AdverseEvent:
    row = AdverseEventRow(**fields)
    session.add(row)
    session.flush()
    return _event(row)


def adverse_events(session: Session, patient_id: int) -> list[AdverseEvent]:
    rows = session.scalars(
        select(AdverseEventRow)
        .where(AdverseEventRow.patient_id == patient_id)
        .order_by(AdverseEventRow.occurred_at.desc(), AdverseEventRow.id.desc())
    )
    return [_event(r) for r in rows]


def adverse_event_counts(session: Session) -> dict[tuple[str | None, str], int]:
    """Counts per ``(protocol, severity)`` over every patient (CERT item 11 reporting)."""
    rows = session.execute(
        select(AdverseEventRow.protocol, AdverseEventRow.severity, func.count()).group_by(
            AdverseEventRow.protocol, AdverseEventRow.severity
        )
    )
    return {(p, s): int(n) for p, s, n in rows}


def add_daily(
    session: Session,
    *,
    patient_id: int,
    import_id: int,
    day: date,
    steps: float | None,
    calories: float | None,
) -> None:
    session.add(
        DailyActivityRow(
            patient_id=patient_id, import_id=import_id, day=day, steps=steps, calories_kcal=calories
        )
    )


def daily_steps(session: Session, patient_id: int, first: date, last: date) -> list[DailySteps]:
    """Steps per day in ``[first, last]``. Where two imports (a Fitbit and an Apple Health export)
    cover the same day, the larger count is taken, not the sum: the same steps are not counted twice."""
    rows = session.execute(
        select(DailyActivityRow.day, func.max(DailyActivityRow.steps))
        .where(
            DailyActivityRow.patient_id == patient_id,
            DailyActivityRow.day >= first,
            DailyActivityRow.day <= last,
            DailyActivityRow.steps.is_not(None),
        )
        .group_by(DailyActivityRow.day)
        .order_by(DailyActivityRow.day)
    )
    return [DailySteps(day=d, steps=float(s)) for d, s in rows if s is not None]


def upsert_week(session: Session, patient_id: int, summary: WeekSummary) -> None:
    row = session.scalar(
        select(ActivityWeekRow).where(
            ActivityWeekRow.patient_id == patient_id, ActivityWeekRow.week_start == summary.week_start
        )
    )
    if row is None:
        row = ActivityWeekRow(patient_id=patient_id, week_start=summary.week_start)
        session.add(row)
    for name in _WEEK_FIELDS:
        setattr(row, name, getattr(summary, name))
    session.flush()


_WEEK_FIELDS = (
    "sessions",
    "moderate_minutes",
    "vigorous_minutes",
    "mvpa_minutes",
    "moderate_equivalent_minutes",
    "met_minutes",
    "kcal_per_kg",
    "steps_per_day",
    "updated_at",
)


def weeks(session: Session, patient_id: int, first: date, last: date) -> list[WeekSummary]:
    rows = session.scalars(
        select(ActivityWeekRow)
        .where(
            ActivityWeekRow.patient_id == patient_id,
            ActivityWeekRow.week_start >= first,
            ActivityWeekRow.week_start <= last,
        )
        .order_by(ActivityWeekRow.week_start)
    )
    return [WeekSummary(week_start=r.week_start, **{n: getattr(r, n) for n in _WEEK_FIELDS}) for r in rows]


def unfinished_import_ids(session: Session, *, silent_since: datetime | None = None) -> list[int]:
    """Imports queued or running: after a crash their job may be lost. With ``silent_since``, only
    the queued ones and those running whose job has said nothing since then (or never)."""
    running = ActivityImportRow.status == ImportStatus.RUNNING.value
    if silent_since is not None:
        running = running & (
            ActivityImportRow.heartbeat_at.is_(None) | (ActivityImportRow.heartbeat_at < silent_since)
        )
    return list(
        session.scalars(
            select(ActivityImportRow.id)
            .where((ActivityImportRow.status == ImportStatus.QUEUED.value) | running)
            .order_by(ActivityImportRow.id)
        )
    )
