"""User accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stride.domain.accounts import Role, User
from stride.store.models import UserRow


def to_domain(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        role=Role(row.role),
        is_active=row.is_active,
        patient_id=row.patient_id,
        created_at=row.created_at,
    )


def add(
    session: Session,
    *,
    username: str,
    display_name: str,
    email: str | None,
    role: Role,
    password_hash: str,
    patient_id: int | None,
    now: datetime,
) -> User:
    row = UserRow(
        username=username,
        display_name=display_name,
        email=email,
        role=role.value,
        password_hash=password_hash,
        is_active=True,
        patient_id=patient_id,
        created_at=now,
        password_changed_at=now,
    )
    session.add(row)
    session.flush()
    return to_domain(row)


def get(session: Session, user_id: int) -> User | None:
    row = session.get(UserRow, user_id)
    return None if row is None else to_domain(row)


def get_row_by_username(session: Session, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username))


def username_taken(session: Session, username: str) -> bool:
    return get_row_by_username(session, username) is not None


def patient_has_account(session: Session, patient_id: int) -> bool:
    return session.scalar(select(UserRow.id).where(UserRow.patient_id == patient_id)) is not None


def account_for_patient(session: Session, patient_id: int) -> User | None:
    row = session.scalar(select(UserRow).where(UserRow.patient_id == patient_id))
    return None if row is None else to_domain(row)


def password_hash(session: Session, user_id: int) -> str:
    return session.get_one(UserRow, user_id).password_hash


def set_password_hash(session: Session, user_id: int, hashed: str, *, now: datetime) -> None:
    row = session.get_one(UserRow, user_id)
    row.password_hash = hashed
    row.password_changed_at = now


def update(
    session: Session,
    user_id: int,
    *,
    display_name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
    role: Role | None = None,
) -> User:
    row = session.get_one(UserRow, user_id)
    if role is not None:
        row.role = role.value
    if display_name is not None:
        row.display_name = display_name
    if email is not None:
        row.email = email or None
    if is_active is not None:
        row.is_active = is_active
    session.flush()
    return to_domain(row)


def list_all(session: Session, *, role: Role | None = None) -> list[User]:
    query = select(UserRow).order_by(UserRow.role, UserRow.username)
    if role is not None:
        query = query.where(UserRow.role == role.value)
    return [to_domain(r) for r in session.scalars(query)]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(UserRow)) or 0


def usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    """User names for a set of ids (the audit page names who did what)."""
    if not user_ids:
        return {}
    query = select(UserRow.id, UserRow.username).where(UserRow.id.in_(user_ids))
    return {row.id: row.username for row in session.execute(query)}
