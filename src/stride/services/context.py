"""Who is calling a use case, from where, and the dependencies every service shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from stride.config import Settings
from stride.domain.accounts import Actor, Role
from stride.domain.audit import AuditEvent
from stride.domain.security import SecurityEvent, SecurityKind
from stride.errors import AuthenticationRequired
from stride.store.db import Database
from stride.store.repositories import audit as audit_repo
from stride.store.repositories import security as security_repo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Caller:
    """The actor of a use case plus where the request came from.

    ``system`` is the operator at the command line (``stride user create``, ``stride demo seed``):
    it has an administrator's rights and is audited as role ``system``. Web requests never build it.
    """

    actor: Actor | None
    client_addr: str | None = None
    request_id: str | None = None
    system: bool = False

    @classmethod
    def cli(cls) -> Caller:
        return cls(actor=None, client_addr="cli", system=True)

    @property
    def role(self) -> Role | None:
        return self.actor.role if self.actor else None

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise AuthenticationRequired("log in first")
        return self.actor


@dataclass(frozen=True, slots=True)
class Deps:
    """Shared by every service: the database, the settings and the clock."""

    db: Database
    settings: Settings
    clock: Clock = utc_now


def record(
    session: Session,
    deps: Deps,
    caller: Caller,
    *,
    action: str,
    resource: str,
    patient_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Append one audit entry inside the caller's transaction."""
    audit_repo.append(
        session,
        AuditEvent(
            at=deps.clock(),
            action=action,
            resource=resource,
            actor_user_id=caller.actor.user_id if caller.actor else None,
            actor_role="system" if caller.system else (caller.role.value if caller.role else None),
            patient_id=patient_id,
            client_addr=caller.client_addr,
            request_id=caller.request_id,
            detail=detail,
        ),
    )


def security(
    session: Session,
    deps: Deps,
    caller: Caller,
    kind: SecurityKind,
    *,
    resource: str,
    username: str | None = None,
    user_id: int | None = None,
    method: str | None = None,
    patient_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Write one security-log event inside the caller's transaction (repeats within a minute are
    counted on one row), and prune the rows older than STRIDE_SECURITY_LOG_DAYS.

    Refusals and failed log-ins go here, not to the audit chain: the chain is for reads and writes
    of health data, and a flood of refusals must not grow it. The user is the caller's unless
    given (a failed log-in names the account that was tried).
    """
    now = deps.clock()
    actor = caller.actor
    security_repo.log(
        session,
        SecurityEvent(
            kind=kind,
            resource=resource,
            client_addr=caller.client_addr,
            user_id=user_id if user_id is not None else (actor.user_id if actor else None),
            username=username if username is not None else (actor.username if actor else None),
            method=method,
            patient_id=patient_id,
            request_id=caller.request_id,
            detail=detail,
        ),
        now=now,
    )
    security_repo.purge(session, before=now - timedelta(days=deps.settings.security_log_days))
