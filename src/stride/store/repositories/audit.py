"""The audit chain in the database: append under a lock, read back in order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from stride.domain.audit import GENESIS_HASH, AuditEntry, AuditEvent, chain
from stride.store.models import AuditRow, UserRow
from stride.store.repositories import patients as patient_repo

# Any constant will do; it names the advisory lock that serialises appends on PostgreSQL.
_PG_AUDIT_LOCK = 0x5354_5249


def _to_entry(row: AuditRow) -> AuditEntry:
    event = AuditEvent(
        at=row.at,
        action=row.action,
        resource=row.resource,
        actor_user_id=row.actor_user_id,
        actor_role=row.actor_role,
        patient_id=row.patient_id,
        client_addr=row.client_addr,
        request_id=row.request_id,
        detail=row.detail,
    )
    return AuditEntry(seq=row.seq, event=event, prev_hash=row.prev_hash, hash=row.hash)


def append(session: Session, event: AuditEvent) -> AuditEntry:
    """Chain ``event`` after the current head, inside the caller's transaction.

    SQLite transactions already hold the write lock (BEGIN IMMEDIATE); on PostgreSQL a
    transaction-scoped advisory lock makes concurrent appends queue instead of forking the chain.
    The unique constraint on ``prev_hash`` is the last line of defence.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    head = session.execute(select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    entry = chain(seq, prev, event)
    session.add(
        AuditRow(
            seq=entry.seq,
            at=event.at,
            action=event.action,
            resource=event.resource,
            actor_user_id=event.actor_user_id,
            actor_role=event.actor_role,
            patient_id=event.patient_id,
            client_addr=event.client_addr,
            request_id=event.request_id,
            detail=event.detail,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
    )
    session.flush()
    return entry


def iter_all(session: Session, *, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, fetched in batches as plain rows (no ORM identity map:
    verifying a large log is I/O and hashing, not object bookkeeping)."""
    table = AuditRow.__table__
    last = 0
    while True:
        rows = session.execute(
            select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _to_entry(row)  # type: ignore[arg-type]
        last = rows[-1].seq


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to show. ``username`` is one account's user name (exact, any case);
    ``patient_text`` the words of a patient's name or MRN (every word must match)."""

    actor_user_id: int | None = None
    patient_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    username: str | None = None
    patient_text: str | None = None


def query(session: Session, flt: AuditFilter, *, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
    """Newest first, filtered."""
    q = select(AuditRow)
    if flt.actor_user_id is not None:
        q = q.where(AuditRow.actor_user_id == flt.actor_user_id)
    if flt.username:
        ids = select(UserRow.id).where(func.lower(UserRow.username) == flt.username.strip().lower())
        q = q.where(AuditRow.actor_user_id.in_(ids))
    if flt.patient_id is not None:
        q = q.where(AuditRow.patient_id == flt.patient_id)
    if flt.patient_text and flt.patient_text.split():
        q = q.where(AuditRow.patient_id.in_(patient_repo.matching(flt.patient_text)))
    if flt.action:
        q = q.where(AuditRow.action.like(f"{flt.action}%"))
    if flt.since is not None:
        q = q.where(AuditRow.at >= flt.since)
    if flt.until is not None:
        q = q.where(AuditRow.at < flt.until)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(AuditRow.seq.desc()).limit(limit).offset(offset))
    return [_to_entry(r) for r in rows], total
