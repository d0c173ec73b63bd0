"""Reading and verifying the audit trail (administrators and the CLI operator)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from stride.domain.access_policy import Action
from stride.domain.audit import AuditEntry, ChainVerdict, verify_chain
from stride.errors import InvalidInput
from stride.services.access import allows, deny
from stride.services.context import Caller, Deps, record
from stride.store.repositories import audit as audit_repo
from stride.store.repositories import patients as patient_repo
from stride.store.repositories import users as user_repo
from stride.store.repositories.audit import AuditFilter

__all__ = ["AuditFilter", "AuditPage", "AuditService"]


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of entries, with the user names and the patients ("Family, Given", MRN) they
    mention, looked up with the page (no further reads to audit)."""

    items: list[AuditEntry]
    total: int
    limit: int
    offset: int
    users: dict[int, str] = field(default_factory=dict)
    patients: dict[int, tuple[str, str | None]] = field(default_factory=dict)


class AuditService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def list(self, caller: Caller, flt: AuditFilter, *, limit: int = 100, offset: int = 0) -> AuditPage:
        """Entries newest first; reading the trail is itself audited, as one entry for the view."""
        if not allows(caller, Action.READ_AUDIT):
            raise deny(
                self.deps,
                caller,
                action="audit.read",
                resource="audit",
                message="Only an administrator can read the audit log.",
            )
        limit, offset = max(1, min(limit, 500)), max(0, offset)
        flt = replace(
            flt,
            since=_utc(flt.since, field="since"),
            until=_utc(flt.until, field="until"),
            username=_printable(flt.username),
            patient_text=_printable(flt.patient_text),
        )
        with self.deps.db.transaction() as s:
            items, total = audit_repo.query(s, flt, limit=limit, offset=offset)
            users = user_repo.usernames(s, {i.event.actor_user_id for i in items if i.event.actor_user_id})
            patients = patient_repo.labels(s, {i.event.patient_id for i in items if i.event.patient_id})
            record(
                s,
                self.deps,
                caller,
                action="audit.read",
                resource="audit",
                patient_id=flt.patient_id,
                detail=_describe(flt) or None,
            )
        return AuditPage(items=items, total=total, limit=limit, offset=offset, users=users, patients=patients)

    def verify(self, caller: Caller) -> ChainVerdict:
        """Walk the whole chain; the verdict names the first entry that breaks it."""
        if not allows(caller, Action.READ_AUDIT):
            raise deny(
                self.deps,
                caller,
                action="audit.verify",
                resource="audit",
                message="Only an administrator can verify the audit log.",
            )
        with self.deps.db.transaction() as s:
            return verify_chain(audit_repo.iter_all(s))


def _printable(text: str | None) -> str | None:
    """Control characters (a NUL byte ends a string in SQLite and is refused by PostgreSQL) separate
    words, as spaces do."""
    if text is None:
        return None
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()[:100] or None


def _describe(flt: AuditFilter) -> str:
    """The filters of a read, for its own audit entry (what the administrator looked for)."""
    parts = {
        "user": flt.username,
        "patient": flt.patient_text,
        "action": flt.action,
        "actor_user_id": flt.actor_user_id,
    }
    return " ".join(f"{k}={v!r}" for k, v in parts.items() if v)


def _utc(at: datetime | None, *, field: str) -> datetime | None:
    """Filter bounds without an offset are taken as UTC, the zone the log is kept in."""
    if at is None:
        return None
    try:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except OverflowError:
        raise InvalidInput("is out of range", field=field) from None
