"""Sites, care teams and their members and patients."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from stride.domain.teams import CareTeam, Site
from stride.store.models import CareTeamRow, SiteRow, TeamMemberRow, TeamPatientRow


def add_site(session: Session, name: str) -> Site:
    row = SiteRow(name=name)
    session.add(row)
    session.flush()
    return Site(id=row.id, name=row.name)


def get_site(session: Session, site_id: int) -> Site | None:
    row = session.get(SiteRow, site_id)
    if row is None:
        return None
    return Site(id=row.id, name=row.name, crisis_text=row.crisis_text, crisis_phone=row.crisis_phone)


def set_site_crisis(session: Session, site_id: int, *, text: str | None, phone: str | None) -> Site:
    row = session.get_one(SiteRow, site_id)
    row.crisis_text, row.crisis_phone = text, phone
    session.flush()
    return Site(id=row.id, name=row.name, crisis_text=row.crisis_text, crisis_phone=row.crisis_phone)


def site_named(session: Session, name: str) -> Site | None:
    row = session.scalar(select(SiteRow).where(SiteRow.name == name))
    return None if row is None else Site(id=row.id, name=row.name)


def list_sites(session: Session) -> list[Site]:
    return [
        Site(id=r.id, name=r.name, crisis_text=r.crisis_text, crisis_phone=r.crisis_phone)
        for r in session.scalars(select(SiteRow).order_by(SiteRow.name))
    ]


def _team(session: Session, row: CareTeamRow) -> CareTeam:
    site = session.get_one(SiteRow, row.site_id)
    members = session.scalars(
        select(TeamMemberRow.user_id).where(TeamMemberRow.team_id == row.id).order_by(TeamMemberRow.user_id)
    )
    patients = session.scalars(
        select(TeamPatientRow.patient_id)
        .where(TeamPatientRow.team_id == row.id)
        .order_by(TeamPatientRow.patient_id)
    )
    return CareTeam(
        id=row.id,
        name=row.name,
        site_id=row.site_id,
        site_name=site.name,
        member_ids=tuple(members),
        patient_ids=tuple(patients),
    )


def add_team(session: Session, *, name: str, site_id: int) -> CareTeam:
    row = CareTeamRow(name=name, site_id=site_id)
    session.add(row)
    session.flush()
    return _team(session, row)


def get_team(session: Session, team_id: int) -> CareTeam | None:
    row = session.get(CareTeamRow, team_id)
    return None if row is None else _team(session, row)


def team_named(session: Session, *, site_id: int, name: str) -> bool:
    query = select(CareTeamRow.id).where(CareTeamRow.site_id == site_id, CareTeamRow.name == name)
    return session.scalar(query) is not None


def list_teams(session: Session, *, member_id: int | None = None) -> list[CareTeam]:
    query = select(CareTeamRow).order_by(CareTeamRow.name, CareTeamRow.id)
    if member_id is not None:
        mine = select(TeamMemberRow.team_id).where(TeamMemberRow.user_id == member_id)
        query = query.where(CareTeamRow.id.in_(mine))
    return [_team(session, r) for r in session.scalars(query)]


def teams_of_patient(session: Session, patient_id: int) -> list[CareTeam]:
    """The patient's care teams by name, with their sites, in one query; without the teams' member
    and patient lists, which a patient's record does not show: a team may look after thousands of
    patients, and loading them on every record read was most of its cost."""
    ids = select(TeamPatientRow.team_id).where(TeamPatientRow.patient_id == patient_id)
    rows = session.execute(
        select(CareTeamRow.id, CareTeamRow.name, CareTeamRow.site_id, SiteRow.name)
        .join(SiteRow, SiteRow.id == CareTeamRow.site_id)
        .where(CareTeamRow.id.in_(ids))
        .order_by(CareTeamRow.name, CareTeamRow.id)
    )
    return [
        CareTeam(id=team_id, name=name, site_id=site_id, site_name=site_name)
        for team_id, name, site_id, site_name in rows
    ]


def add_member(session: Session, team_id: int, user_id: int) -> None:
    if session.get(TeamMemberRow, (team_id, user_id)) is None:
        session.add(TeamMemberRow(team_id=team_id, user_id=user_id))
        session.flush()


def remove_member(session: Session, team_id: int, user_id: int) -> None:
    session.execute(
        delete(TeamMemberRow).where(TeamMemberRow.team_id == team_id, TeamMemberRow.user_id == user_id)
    )


def add_patient(session: Session, team_id: int, patient_id: int) -> None:
    if session.get(TeamPatientRow, (team_id, patient_id)) is None:
        session.add(TeamPatientRow(team_id=team_id, patient_id=patient_id))
        session.flush()


def remove_patient(session: Session, team_id: int, patient_id: int) -> None:
    session.execute(
        delete(TeamPatientRow).where(
            TeamPatientRow.team_id == team_id, TeamPatientRow.patient_id == patient_id
        )
    )
