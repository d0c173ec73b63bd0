"""Treatment history entries (append-only; corrections supersede) and the episode record."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from stride.domain.treatment import Episode, TreatmentEntry, TreatmentKind
from stride.store.models import DepressionEpisodeRow, TreatmentEntryRow


def _entry(row: TreatmentEntryRow) -> TreatmentEntry:
    return TreatmentEntry(
        id=row.id,
        patient_id=row.patient_id,
        kind=TreatmentKind(row.kind),
        drug=row.drug,
        daily_dose_mg=row.daily_dose_mg,
        start_date=row.start_date,
        weeks=row.weeks,
        adherent=row.adherent,
        improvement_pct=row.improvement_pct,
        note=row.note,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        supersedes_id=row.supersedes_id,
        correction_reason=row.correction_reason,
    )


def add_entry(session: Session, row: TreatmentEntryRow) -> TreatmentEntry:
    session.add(row)
    session.flush()
    return _entry(row)


def get_entry(session: Session, entry_id: int) -> TreatmentEntry | None:
    row = session.get(TreatmentEntryRow, entry_id)
    return None if row is None else _entry(row)


def is_superseded(session: Session, entry_id: int) -> bool:
    return (
        session.scalar(select(TreatmentEntryRow.id).where(TreatmentEntryRow.supersedes_id == entry_id))
        is not None
    )


def current_entries(session: Session, patient_id: int) -> list[TreatmentEntry]:
    """The latest version of every entry that has not been retracted, in order of start."""
    newer = aliased(TreatmentEntryRow)
    query = (
        select(TreatmentEntryRow)
        .where(TreatmentEntryRow.patient_id == patient_id, TreatmentEntryRow.retracted.is_(False))
        .where(~select(newer.id).where(newer.supersedes_id == TreatmentEntryRow.id).exists())
        .order_by(TreatmentEntryRow.start_date, TreatmentEntryRow.id)
    )
    return [_entry(r) for r in session.scalars(query)]


def set_episode(session: Session, row: DepressionEpisodeRow) -> Episode:
    session.add(row)
    session.flush()
    return Episode(
        patient_id=row.patient_id,
        episode_start=row.episode_start,
        severity=row.severity,
        recorded_at=row.recorded_at,
    )


def current_episode(session: Session, patient_id: int) -> Episode | None:
    row = session.scalar(
        select(DepressionEpisodeRow)
        .where(DepressionEpisodeRow.patient_id == patient_id)
        .order_by(DepressionEpisodeRow.recorded_at.desc(), DepressionEpisodeRow.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    return Episode(
        patient_id=row.patient_id,
        episode_start=row.episode_start,
        severity=row.severity,
        recorded_at=row.recorded_at,
    )
