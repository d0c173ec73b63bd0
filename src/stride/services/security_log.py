"""The security log, for administrators: refusals, failed and throttled log-ins, unlocks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from stride.domain.access_policy import Action
from stride.domain.security import SecurityEntry, SecurityKind
from stride.errors import InvalidInput
from stride.services.access import allows, deny
from stride.services.context import Caller, Deps, record, security
from stride.store.repositories import security as security_repo
from stride.store.repositories.security import SecurityQuery

__all__ = ["SecurityLogService", "SecurityPage", "SecurityQuery"]


@dataclass(frozen=True, slots=True)
class SecurityPage:
    items: list[SecurityEntry]
    total: int
    limit: int
    offset: int


class SecurityLogService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def refused(
        self,
        caller: Caller,
        kind: SecurityKind,
        *,
        method: str,
        path: str,
        detail: str | None = None,
    ) -> None:
        """A request the web layer turned away before any use case ran (a CSRF refusal, a 401)."""
        with self.deps.db.transaction() as s:
            security(s, self.deps, caller, kind, resource=path, method=method, detail=detail)

    def list(self, caller: Caller, q: SecurityQuery, *, limit: int = 50, offset: int = 0) -> SecurityPage:
        """Entries newest first. The log names users and patients (by id), so reading it is
        audited, as one entry for the view."""
        if not allows(caller, Action.READ_SECURITY_LOG):
            raise deny(
                self.deps,
                caller,
                action="security.read",
                resource="security",
                message="Only an administrator can read the security log.",
            )
        limit, offset = max(1, min(limit, 500)), max(0, offset)
        q = replace(
            q,
            username=_printable(q.username),
            client_addr=_printable(q.client_addr),
            since=_utc(q.since, field="since"),
            until=_utc(q.until, field="until"),
        )
        with self.deps.db.transaction() as s:
            items, total = security_repo.page(s, q, limit=limit, offset=offset)
            filters = {"kind": q.kind.value if q.kind else None, "user": q.username, "client": q.client_addr}
            record(
                s,
                self.deps,
                caller,
                action="security.read",
                resource="security",
                detail=" ".join(f"{k}={v!r}" for k, v in filters.items() if v) or None,
            )
        return SecurityPage(items=items, total=total, limit=limit, offset=offset)


def _utc(at: datetime | None, *, field: str) -> datetime | None:
    """Bounds without an offset are UTC, the zone the log is kept in."""
    if at is None:
        return None
    try:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except OverflowError:
        raise InvalidInput("is out of range", field=field) from None


def _printable(text: str | None) -> str | None:
    """Control characters (a NUL byte is refused by PostgreSQL) match nothing stored: drop them."""
    if text is None:
        return None
    return "".join(ch for ch in text if ch.isprintable()).strip().lower()[:100] or None
