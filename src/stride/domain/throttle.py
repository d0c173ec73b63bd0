"""The log-in throttle: free attempts, then delays that double, per key (OWASP ASVS 4.0 V2.2.1).

A key is one thing an attacker's failures are counted against: the (account, client) pair, the
account as seen from clients it never logged in from, and the client across every account
(password spraying). Each key has its own number of free attempts; after them the next attempt
must wait 1 s, then 2, 4, 8 ... seconds after the last failure, up to a cap. Delays instead of a
hard lock-out, and keys that keep the real user's known client apart from the attacker's, are what
stop an attacker from locking a real user out (ASVS V2.2.1, NIST SP 800-63B §5.2.2).

Failures count in a streak: a key forgets its failures once it has been quiet (no failure) for
longer than the quiet period, the log-in window or the delay cap if that is longer. So a sustained
attack keeps its key at the cap, and a user who stops for a while starts afresh.

Pure: the counts and times come in as arguments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Failures:
    """The failed attempts counted against one key, and when the last one was."""

    count: int
    last_at: datetime | None
    free: int


def lookback(*, free: int, cap: int) -> int:
    """How many of a key's latest failures decide its delay: beyond this many the delay is the cap
    anyway, so a flood of failures costs a bounded read."""
    return free + cap.bit_length() + 1


def quiet_period(*, window_minutes: int, cap: int) -> timedelta:
    """A key quiet for longer than this forgets its failures. Never shorter than the cap, or an
    attacker who waited out the longest delay would find every attempt free again."""
    return max(timedelta(minutes=window_minutes), timedelta(seconds=cap))


def streak(times: Sequence[datetime], *, now: datetime, quiet: timedelta, free: int) -> Failures:
    """The failures that still count against a key, from its latest failure times (newest first):
    those back to the first gap longer than ``quiet`` (counting from ``now``)."""
    count, later = 0, now
    for at in times:
        if later - at > quiet:
            break
        count, later = count + 1, at
    return Failures(count=count, last_at=times[0] if count else None, free=free)


def delay_seconds(failures: int, *, free: int, cap: int) -> int:
    """How long after the last failure the next attempt must wait: 0 while free attempts are left,
    then 1, 2, 4, 8 ... seconds, at most ``cap``."""
    if failures < free:
        return 0
    over = failures - free
    # 2**over grows past any cap quickly; stop computing it once it has.
    return cap if over >= cap.bit_length() else min(cap, 2**over)


def retry_at(keys: tuple[Failures, ...], *, cap: int) -> datetime | None:
    """The earliest moment every key allows the next attempt; None if none delays it."""
    latest: datetime | None = None
    for key in keys:
        wait = delay_seconds(key.count, free=key.free, cap=cap)
        if wait and key.last_at is not None:
            at = key.last_at + timedelta(seconds=wait)
            latest = at if latest is None or at > latest else latest
    return latest


def seconds_left(until: datetime | None, now: datetime) -> int:
    """Whole seconds still to wait (rounded up, so that "try again in N seconds" is never early);
    0 when the attempt may go ahead."""
    if until is None or until <= now:
        return 0
    return max(1, math.ceil((until - now).total_seconds()))
