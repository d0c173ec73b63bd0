"""The security log: write with repeats folded, list with filters, prune old rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from stride.domain.security import FOLD_WINDOW, SecurityEntry, SecurityEvent, SecurityKind
from stride.store.models import SecurityEventRow


def _same(column: InstrumentedAttribute[Any], value: object) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def log(session: Session, event: SecurityEvent, *, now: datetime) -> None:
    """Add the event, or count it on the row of the same event seen less than a minute ago."""
    row = session.scalar(
        select(SecurityEventRow)
        .where(
            SecurityEventRow.kind == event.kind.value,
            SecurityEventRow.at > now - FOLD_WINDOW,
            _same(SecurityEventRow.client_addr, event.client_addr),
            _same(SecurityEventRow.user_id, event.user_id),
            _same(SecurityEventRow.username, event.username),
            SecurityEventRow.resource == event.resource[:255],
            # Refusals of different actions on one record stay apart (they are a fixed set).
            _same(SecurityEventRow.detail, event.detail),
        )
        .order_by(SecurityEventRow.id.desc())
        .limit(1)
    )
    if row is not None:
        row.count += 1
        row.last_at = now
        return
    session.add(
        SecurityEventRow(
            at=now,
            last_at=now,
            count=1,
            kind=event.kind.value,
            client_addr=event.client_addr,
            user_id=event.user_id,
            username=event.username,
            method=event.method,
            resource=event.resource[:255],
            patient_id=event.patient_id,
            request_id=event.request_id,
            detail=event.detail,
        )
    )
    session.flush()


def purge(session: Session, *, before: datetime) -> int:
    """Delete the rows last seen before ``before``; how many."""
    result = session.execute(delete(SecurityEventRow).where(SecurityEventRow.last_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class SecurityQuery:
    kind: SecurityKind | None = None
    username: str | None = None  # the account named (as typed at a log-in, or the caller's)
    client_addr: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _to_entry(row: SecurityEventRow) -> SecurityEntry:
    return SecurityEntry(
        id=row.id,
        at=row.at,
        last_at=row.last_at,
        count=row.count,
        event=SecurityEvent(
            kind=SecurityKind(row.kind),
            resource=row.resource,
            client_addr=row.client_addr,
            user_id=row.user_id,
            username=row.username,
            method=row.method,
            patient_id=row.patient_id,
            request_id=row.request_id,
            detail=row.detail,
        ),
    )


def page(session: Session, q: SecurityQuery, *, limit: int, offset: int) -> tuple[list[SecurityEntry], int]:
    """Entries newest first, and how many match."""
    where: list[ColumnElement[bool]] = []
    if q.kind is not None:
        where.append(SecurityEventRow.kind == q.kind.value)
    if q.username is not None:
        where.append(func.lower(SecurityEventRow.username) == q.username.lower())
    if q.client_addr is not None:
        where.append(SecurityEventRow.client_addr == q.client_addr)
    if q.since is not None:
        where.append(SecurityEventRow.last_at >= q.since)
    if q.until is not None:
        where.append(SecurityEventRow.at < q.until)
    total = session.scalar(select(func.count()).select_from(SecurityEventRow).where(*where)) or 0
    rows = session.scalars(
        select(SecurityEventRow)
        .where(*where)
        .order_by(SecurityEventRow.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [_to_entry(r) for r in rows], int(total)
