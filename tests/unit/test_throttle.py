"""The log-in throttle's delays: free attempts, then 1, 2, 4 ... seconds up to the cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stride.domain.throttle import (
    Failures,
    delay_seconds,
    lookback,
    quiet_period,
    retry_at,
    seconds_left,
    streak,
)

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "wait"), [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (8, 8), (14, 512), (15, 900), (500, 900)]
)
def test_free_attempts_then_doubling_delays_up_to_the_cap(failures: int, wait: int) -> None:
    assert delay_seconds(failures, free=5, cap=900) == wait


@given(st.integers(0, 10_000), st.integers(1, 100), st.integers(1, 86_400))
def test_delay_is_monotone_and_capped(failures: int, free: int, cap: int) -> None:
    now = delay_seconds(failures, free=free, cap=cap)
    assert 0 <= now <= cap
    assert delay_seconds(failures + 1, free=free, cap=cap) >= now


def test_the_latest_key_decides_and_free_keys_do_not_delay() -> None:
    keys = (
        Failures(count=5, last_at=T0, free=5),  # waits 1 s
        Failures(count=23, last_at=T0 - timedelta(seconds=3), free=20),  # waits 8 s from 3 s ago
        Failures(count=49, last_at=T0, free=50),  # still free
    )
    assert retry_at(keys, cap=900) == T0 + timedelta(seconds=5)
    assert retry_at((Failures(count=0, last_at=None, free=5),), cap=900) is None


def test_seconds_left_rounds_up_and_is_zero_once_passed() -> None:
    assert seconds_left(T0 + timedelta(milliseconds=200), T0) == 1
    assert seconds_left(T0 + timedelta(seconds=4, milliseconds=1), T0) == 5
    assert seconds_left(T0, T0) == 0
    assert seconds_left(None, T0) == 0


def test_a_streak_ends_at_the_first_quiet_gap() -> None:
    quiet = quiet_period(window_minutes=15, cap=900)
    times = [T0 - timedelta(minutes=m) for m in (1, 10, 20, 50, 51)]  # newest first
    assert streak(times, now=T0, quiet=quiet, free=5) == Failures(count=3, last_at=times[0], free=5)
    assert streak(times, now=T0 + timedelta(minutes=20), quiet=quiet, free=5).count == 0
    assert streak([], now=T0, quiet=quiet, free=5) == Failures(count=0, last_at=None, free=5)


def test_the_quiet_period_is_never_shorter_than_the_cap() -> None:
    assert quiet_period(window_minutes=15, cap=3600) == timedelta(hours=1)
    assert quiet_period(window_minutes=15, cap=60) == timedelta(minutes=15)


def test_lookback_reads_just_enough_failures_to_reach_the_cap() -> None:
    n = lookback(free=5, cap=900)
    assert delay_seconds(n, free=5, cap=900) == 900
