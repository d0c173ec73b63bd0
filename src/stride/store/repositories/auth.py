"""Server-side web sessions, API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
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


def recent_failures(
    session: Session,
    *,
    username: str | None = None,
    client_addr: str | None = None,
    since: datetime,
) -> int:
    """Failed attempts since ``since`` (and since the last success, for a username)."""
    query = (
        select(func.count())
        .select_from(LoginAttemptRow)
        .where(LoginAttemptRow.success.is_(False), LoginAttemptRow.at > since)
    )
    if username is not None:
        last_ok = select(func.max(LoginAttemptRow.at)).where(
            LoginAttemptRow.username == username, LoginAttemptRow.success.is_(True)
        )
        ok_at = session.scalar(last_ok)
        query = query.where(LoginAttemptRow.username == username)
        if ok_at is not None:
            query = query.where(LoginAttemptRow.at > ok_at)
    if client_addr is not None:
        query = query.where(LoginAttemptRow.client_addr == client_addr)
    return session.scalar(query) or 0
