"""Patient records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from stride.domain.patients import Patient, PatientDetails, Sex
from stride.store.models import PatientRow, TeamMemberRow, TeamPatientRow, UserRow

_DETAIL_FIELDS = tuple(PatientDetails.__slots__)


def to_domain(row: PatientRow) -> Patient:
    values = {name: getattr(row, name) for name in _DETAIL_FIELDS}
    values["sex"] = Sex(values["sex"])
    return Patient(
        id=row.id,
        details=PatientDetails(**values),
        site_id=row.site_id,
        is_synthetic=row.is_synthetic,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def add(
    session: Session,
    details: PatientDetails,
    *,
    site_id: int | None,
    is_synthetic: bool,
    now: datetime,
) -> Patient:
    row = PatientRow(
        **{name: getattr(details, name) for name in _DETAIL_FIELDS},
        site_id=site_id,
        is_synthetic=is_synthetic,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return to_domain(row)


def update(session: Session, patient_id: int, details: PatientDetails, *, now: datetime) -> Patient:
    row = session.get_one(PatientRow, patient_id)
    for name in _DETAIL_FIELDS:
        setattr(row, name, getattr(details, name))
    row.updated_at = now
    session.flush()
    return to_domain(row)


def get(session: Session, patient_id: int) -> Patient | None:
    row = session.get(PatientRow, patient_id)
    return None if row is None else to_domain(row)


def mrn_taken(session: Session, mrn: str, *, except_id: int | None = None) -> bool:
    query = select(PatientRow.id).where(PatientRow.mrn == mrn)
    if except_id is not None:
        query = query.where(PatientRow.id != except_id)
    return session.scalar(query) is not None


def in_clinician_teams(session: Session, patient_id: int, clinician_id: int) -> bool:
    """Whether any care team of the clinician looks after the patient."""
    query = select(
        exists()
        .where(TeamPatientRow.patient_id == patient_id)
        .where(TeamMemberRow.team_id == TeamPatientRow.team_id)
        .where(TeamMemberRow.user_id == clinician_id)
    )
    return bool(session.scalar(query))


def matching(text: str) -> Select[int]:
    """The ids of patients whose name or MRN contains every word of ``text`` (a subquery)."""
    query = select(PatientRow.id)
    for word in text.split():
        like = f"%{word.lower()}%"
        query = query.where(
            or_(
                func.lower(PatientRow.given_name).like(like),
                func.lower(PatientRow.family_name).like(like),
                func.lower(PatientRow.mrn).like(like),
            )
        )
    return query


def search(
    session: Session,
    *,
    text: str | None,
    clinician_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Patient], int]:
    """Patients matching ``text`` (name, MRN), restricted to a clinician's teams when given."""
    query = select(PatientRow)
    if clinician_id is not None:
        # EXISTS per patient rather than IN (the team's patient ids): the planner then walks the
        # name index (ix_patient_family_given_id) in page order and stops at the page, instead of
        # sorting every patient of the clinician's teams on each request.
        query = query.where(
            exists()
            .where(TeamPatientRow.patient_id == PatientRow.id)
            .where(TeamMemberRow.team_id == TeamPatientRow.team_id)
            .where(TeamMemberRow.user_id == clinician_id)
        )
    searching = bool(text and text.split())
    if searching:
        query = query.where(PatientRow.id.in_(matching(text or "")))
    if clinician_id is not None and not searching:
        # All of the clinician's patients: counted from the team tables alone (a join of two
        # indexes), not by checking each patient row in turn: a tenth of the time at 10,000.
        counted = (
            select(func.count(TeamPatientRow.patient_id.distinct()))
            .join(TeamMemberRow, TeamMemberRow.team_id == TeamPatientRow.team_id)
            .where(TeamMemberRow.user_id == clinician_id)
        )
    else:
        counted = select(func.count()).select_from(query.with_only_columns(PatientRow.id).subquery())
    total = session.scalar(counted) or 0
    rows = session.scalars(
        query.order_by(PatientRow.family_name, PatientRow.given_name, PatientRow.id)
        .limit(limit)
        .offset(offset)
    )
    return [to_domain(r) for r in rows], total


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PatientRow)) or 0


def names(session: Session, patient_ids: set[int]) -> dict[int, str]:
    """Display names ("Family, Given") for a set of ids."""
    if not patient_ids:
        return {}
    rows = session.execute(
        select(PatientRow.id, PatientRow.family_name, PatientRow.given_name).where(
            PatientRow.id.in_(patient_ids)
        )
    )
    return {pid: f"{family}, {given}" for pid, family, given in rows}


def labels(session: Session, patient_ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """("Family, Given", MRN) for a set of ids, as the audit page names patients."""
    if not patient_ids:
        return {}
    rows = session.execute(
        select(PatientRow.id, PatientRow.family_name, PatientRow.given_name, PatientRow.mrn).where(
            PatientRow.id.in_(patient_ids)
        )
    )
    return {pid: (f"{family}, {given}", mrn) for pid, family, given, mrn in rows}


def without_login(session: Session) -> list[tuple[int, str, str | None]]:
    """(id, "Family, Given", MRN) of every patient with no account, by name: the records an
    administrator may give a patient login."""
    rows = session.execute(
        select(PatientRow.id, PatientRow.family_name, PatientRow.given_name, PatientRow.mrn)
        .where(~exists().where(UserRow.patient_id == PatientRow.id))
        .order_by(PatientRow.family_name, PatientRow.given_name, PatientRow.id)
    )
    return [(pid, f"{family}, {given}", mrn) for pid, family, given, mrn in rows]
