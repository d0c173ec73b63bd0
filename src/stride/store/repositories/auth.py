"""Server-side web sessions, API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from stride.store.models import ApiTokenRow, LoginAttemptRow, WebSessionRow


def add_session(session: Session, row: WebSessionRow) -> None:
    session.add(row)
    session.flush()


def get_session(session: Session, token_hash: str) -> WebSessionRow | None:
    return session.get(WebSessionRow, token_hash)


def delete_session(session: Session, token_hash: str) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))


def delete_user_sessions(session: Session, user_id: int, *, keep: str | None = None) -> None:
    query = delete(WebSessionRow).where(WebSessionRow.user_id == user_id)
    if keep is not None:
        query = query.where(WebSessionRow.token_hash != keep)
    session.execute(query)


def delete_expired_sessions(session: Session, *, now: datetime) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))


def revoke_user_tokens(session: Session, user_id: int, *, now: datetime) -> None:
    session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_credentials(session: Session, user_id: int, *, now: datetime, keep: str | None = None) -> None:
    """End every web session of the user (but ``keep``, a session-token hash) and revoke their API
    tokens, in the caller's transaction: after a password or role change, old credentials are void."""
    delete_user_sessions(session, user_id, keep=keep)
    revoke_user_tokens(session, user_id, now=now)


def add_token(session: Session, *, user_id: int, name: str, token_hash: str, now: datetime) -> int:
    row = ApiTokenRow(user_id=user_id, name=name, token_hash=token_hash, created_at=now)
    session.add(row)
    session.flush()
    return row.id


def get_token(session: Session, token_hash: str) -> ApiTokenRow | None:
    return session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))


def record_attempt(
    session: Session,
    *,
    username: str,
    client_addr: str | None,
    success: bool,
    now: datetime,
) -> None:
    session.add(LoginAttemptRow(username=username, client_addr=client_addr, at=now, success=success))
    session.flush()


def _failure_times(session: Session, *conditions: ColumnElement[bool], limit: int) -> list[datetime]:
    query = (
        select(LoginAttemptRow.at)
        .where(LoginAttemptRow.success.is_(False), *conditions)
        .order_by(LoginAttemptRow.at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def _same_client(client_addr: str | None) -> ColumnElement[bool]:
    if client_addr is None:
        return LoginAttemptRow.client_addr.is_(None)
    return LoginAttemptRow.client_addr == client_addr


def pair_failures(session: Session, *, username: str, client_addr: str | None, limit: int) -> list[datetime]:
    """The latest failures (newest first, at most ``limit``) of this account from this client since
    their last success together: a successful log-in clears the pair."""
    # By id, not time: attempts in the same clock tick still come in order.
    last_ok = session.scalar(
        select(func.max(LoginAttemptRow.id)).where(
            LoginAttemptRow.username == username,
            _same_client(client_addr),
            LoginAttemptRow.success.is_(True),
        )
    )
    after = [LoginAttemptRow.id > last_ok] if last_ok is not None else []
    return _failure_times(
        session, LoginAttemptRow.username == username, _same_client(client_addr), *after, limit=limit
    )


def _known_clients(username: str, *, known_since: datetime) -> Select[str | None]:
    return select(LoginAttemptRow.client_addr).where(
        LoginAttemptRow.username == username,
        LoginAttemptRow.success.is_(True),
        LoginAttemptRow.at > known_since,
        LoginAttemptRow.client_addr.is_not(None),
    )


def is_known_client(
    session: Session, *, username: str, client_addr: str | None, known_since: datetime
) -> bool:
    """Whether this client logged in to this account successfully since ``known_since``."""
    if client_addr is None:
        return False
    query = _known_clients(username, known_since=known_since).where(
        LoginAttemptRow.client_addr == client_addr
    )
    return session.execute(query.limit(1)).first() is not None


def unknown_client_failures(
    session: Session, *, username: str, known_since: datetime, limit: int
) -> list[datetime]:
    """The latest failures of this account from every client that has not logged in to it since
    ``known_since`` (an address-less attempt counts as unknown)."""
    unknown = or_(
        LoginAttemptRow.client_addr.is_(None),
        LoginAttemptRow.client_addr.not_in(_known_clients(username, known_since=known_since)),
    )
    return _failure_times(session, LoginAttemptRow.username == username, unknown, limit=limit)


def client_failures(session: Session, *, client_addr: str, limit: int) -> list[datetime]:
    """The latest failures from this client against any account (password spraying)."""
    return _failure_times(session, LoginAttemptRow.client_addr == client_addr, limit=limit)


def account_failures(session: Session, *, username: str, limit: int) -> list[datetime]:
    """The latest failures of this account from any client (what an administrator sees)."""
    return _failure_times(session, LoginAttemptRow.username == username, limit=limit)


def clear_failures(session: Session, *, username: str) -> int:
    """Forget every failed attempt of this account (an administrator's unlock); successes stay, so
    the clients the user logged in from stay known. Returns how many were cleared."""
    result = session.execute(
        delete(LoginAttemptRow).where(
            LoginAttemptRow.username == username, LoginAttemptRow.success.is_(False)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def failing_clients(
    session: Session, *, username: str, since: datetime, limit: int = 100
) -> list[str | None]:
    """The clients with failed attempts on this account since ``since``, latest first."""
    query = (
        select(LoginAttemptRow.client_addr)
        .where(
            LoginAttemptRow.username == username,
            LoginAttemptRow.success.is_(False),
            LoginAttemptRow.at > since,
        )
        .group_by(LoginAttemptRow.client_addr)
        .order_by(func.max(LoginAttemptRow.at).desc())
        .limit(limit)
    )
    return list(session.scalars(query))
