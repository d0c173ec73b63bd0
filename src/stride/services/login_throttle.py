"""Which throttle keys apply to a log-in attempt, read from the login-attempt table.

The rules (free attempts, doubling delays, when failures are forgotten) are in
:mod:`stride.domain.throttle`; this module only gathers the failures each key counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from stride.config import Settings
from stride.domain.throttle import Failures, lookback, quiet_period, retry_at, streak
from stride.store.repositories import auth as auth_repo

# A client that logged in to an account within this many days is the user's own (their work PC,
# their phone): attackers elsewhere cannot slow it down.
KNOWN_CLIENT_DAYS = 30


def _key(settings: Settings, now: datetime, free: int, read: Callable[[int], list[datetime]]) -> Failures:
    cap = settings.login_max_delay_seconds
    quiet = quiet_period(window_minutes=settings.login_window_minutes, cap=cap)
    return streak(read(lookback(free=free, cap=cap)), now=now, quiet=quiet, free=free)


def keys_for(
    session: Session, settings: Settings, *, username: str, client_addr: str | None, now: datetime
) -> tuple[Failures, ...]:
    """The keys that count against this attempt.

    From a client that logged in to the account before, only the (account, client) pair: the real
    user is slowed by their own mistakes and nobody else's. From any other client also the account
    as seen from unknown clients, and the client across every account (spraying).
    """
    known_since = now - timedelta(days=KNOWN_CLIENT_DAYS)
    pair = _key(
        settings,
        now,
        settings.login_free_attempts,
        lambda n: auth_repo.pair_failures(session, username=username, client_addr=client_addr, limit=n),
    )
    known = auth_repo.is_known_client(
        session, username=username, client_addr=client_addr, known_since=known_since
    )
    if known:
        return (pair,)
    account = _key(
        settings,
        now,
        settings.login_account_free_attempts,
        lambda n: auth_repo.unknown_client_failures(
            session, username=username, known_since=known_since, limit=n
        ),
    )
    if client_addr is None:
        return (pair, account)
    spray = _key(
        settings,
        now,
        settings.login_client_free_attempts,
        lambda n: auth_repo.client_failures(session, client_addr=client_addr, limit=n),
    )
    return (pair, account, spray)


@dataclass(frozen=True, slots=True)
class LoginState:
    """What an administrator sees of an account's failed log-ins that still count."""

    failures: int
    last_failure_at: datetime | None
    # Until when a new client is delayed (the account key) or, if later, the worst delayed client.
    locked_until: datetime | None


# Enough to show "many"; the delays themselves never read more than lookback() rows.
_SHOWN_FAILURES = 1000


def account_state(session: Session, settings: Settings, *, username: str, now: datetime) -> LoginState:
    known_since = now - timedelta(days=KNOWN_CLIENT_DAYS)
    cap = settings.login_max_delay_seconds
    quiet = quiet_period(window_minutes=settings.login_window_minutes, cap=cap)
    shown = streak(
        auth_repo.account_failures(session, username=username, limit=_SHOWN_FAILURES),
        now=now,
        quiet=quiet,
        free=0,
    )
    keys = [
        _key(
            settings,
            now,
            settings.login_account_free_attempts,
            lambda n: auth_repo.unknown_client_failures(
                session, username=username, known_since=known_since, limit=n
            ),
        )
    ]
    for client in auth_repo.failing_clients(session, username=username, since=now - quiet):
        keys.append(
            _key(
                settings,
                now,
                settings.login_free_attempts,
                lambda n, c=client: auth_repo.pair_failures(  # type: ignore[misc]
                    session, username=username, client_addr=c, limit=n
                ),
            )
        )
    until = retry_at(tuple(keys), cap=cap)
    return LoginState(
        failures=shown.count,
        last_failure_at=shown.last_at,
        locked_until=until if until is not None and until > now else None,
    )
