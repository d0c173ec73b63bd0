"""Security events: refusals and failed log-ins, kept apart from the audit chain (OWASP ASVS 4.0
V7.1, V7.2). The audit chain records who read and wrote health data; these record who was turned
away, and a flood of them must not bury or bloat it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SecurityKind(StrEnum):
    CSRF_REFUSED = "csrf_refused"
    UNAUTHENTICATED = "unauthenticated"  # a 401: no, or an expired or revoked, credential
    FORBIDDEN = "forbidden"  # a 403 by role, or an action on a record the caller does see
    HIDDEN = "hidden"  # a 404 for a record the caller may not know exists
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    ACCOUNT_UNLOCKED = "account_unlocked"


# Repeats of one event (same kind, client, user, resource and detail) within this long fold into
# one row. Details are fixed texts (an action name, a refusal message), so a flood stays one row.
FOLD_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    kind: SecurityKind
    resource: str
    client_addr: str | None = None
    user_id: int | None = None
    username: str | None = None
    method: str | None = None
    patient_id: int | None = None
    request_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class SecurityEntry:
    """A stored event: first seen ``at``, repeated ``count`` times up to ``last_at``."""

    id: int
    at: datetime
    last_at: datetime
    count: int
    event: SecurityEvent
