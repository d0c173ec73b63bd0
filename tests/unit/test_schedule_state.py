"""When a scheduled questionnaire is due: pure rules, checked at every boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from stride.domain.measurements import (
    OVERDUE_AFTER_DAYS,
    DueStatus,
    Schedule,
    check_interval,
    check_reason,
    schedule_state,
)
from stride.errors import InvalidInput

START = date(2026, 3, 2)
FORTNIGHTLY = Schedule(id=1, patient_id=7, instrument="phq9", every_days=14, start_date=START, active=True)


def status(
    today: date, *, last: date | None = None, schedule: Schedule = FORTNIGHTLY
) -> tuple[date, DueStatus]:
    state = schedule_state(schedule, last_answered_on=last, today=today)
    assert state.schedule is schedule
    assert state.last_answered_on == last
    return state.due_on, state.status


def test_overdue_after_is_a_few_days() -> None:
    assert 1 <= OVERDUE_AFTER_DAYS <= 7


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-30, DueStatus.NOT_YET),
        (-1, DueStatus.NOT_YET),
        (0, DueStatus.DUE),
        (OVERDUE_AFTER_DAYS - 1, DueStatus.DUE),
        (OVERDUE_AFTER_DAYS, DueStatus.OVERDUE),
        (200, DueStatus.OVERDUE),
    ],
)
def test_first_answer_is_due_on_the_start_date(offset: int, expected: DueStatus) -> None:
    assert status(START + timedelta(days=offset)) == (START, expected)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0, DueStatus.NOT_YET),  # answered today
        (13, DueStatus.NOT_YET),
        (14, DueStatus.DUE),
        (14 + OVERDUE_AFTER_DAYS - 1, DueStatus.DUE),
        (14 + OVERDUE_AFTER_DAYS, DueStatus.OVERDUE),
    ],
)
def test_next_answer_is_due_one_interval_after_the_last(offset: int, expected: DueStatus) -> None:
    last = START + timedelta(days=20)
    assert status(last + timedelta(days=offset), last=last) == (last + timedelta(days=14), expected)


def test_an_answer_given_before_the_start_does_not_bring_the_first_due_date_forward() -> None:
    last = START - timedelta(days=10)  # last + 14 days is 4 days after the start
    assert status(START, last=last) == (START + timedelta(days=4), DueStatus.NOT_YET)
    long_ago = START - timedelta(days=60)
    assert status(START, last=long_ago) == (START, DueStatus.DUE)
    assert status(START - timedelta(days=1), last=long_ago) == (START, DueStatus.NOT_YET)


@pytest.mark.parametrize("every_days", [1, 7, 28, 92])
def test_interval_sets_the_next_due_date(every_days: int) -> None:
    schedule = Schedule(
        id=2, patient_id=7, instrument="who5", every_days=every_days, start_date=START, active=True
    )
    last = START + timedelta(days=3)
    due = last + timedelta(days=every_days)
    assert status(due - timedelta(days=1), last=last, schedule=schedule) == (due, DueStatus.NOT_YET)
    assert status(due, last=last, schedule=schedule) == (due, DueStatus.DUE)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    every=st.integers(min_value=1, max_value=92),
    answered=st.one_of(st.none(), st.integers(min_value=-200, max_value=400)),
    today=st.integers(min_value=-200, max_value=600),
)
@settings(max_examples=300, database=None, deadline=None)
@seed(20261126)
def test_status_agrees_with_the_due_date(start: date, every: int, answered: int | None, today: int) -> None:
    schedule = Schedule(
        id=3, patient_id=1, instrument="phq9", every_days=every, start_date=start, active=True
    )
    last = None if answered is None else start + timedelta(days=answered)
    day = start + timedelta(days=today)
    state = schedule_state(schedule, last_answered_on=last, today=day)
    assert state.due_on >= start
    if last is not None:
        assert state.due_on >= last + timedelta(days=every)
    late = (day - state.due_on).days
    expected = (
        DueStatus.NOT_YET if late < 0 else DueStatus.DUE if late < OVERDUE_AFTER_DAYS else DueStatus.OVERDUE
    )
    assert state.status is expected


@pytest.mark.parametrize("days", [1, 14, 92])
def test_interval_within_bounds(days: int) -> None:
    assert check_interval(days) == days


@pytest.mark.parametrize("days", [0, -1, 93, 10_000])
def test_interval_out_of_bounds_names_the_field(days: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_interval(days)
    assert caught.value.field == "every_days"


def test_correction_reason_is_normalised_and_bounded() -> None:
    assert check_reason("  wrong\n item   3 ") == "wrong item 3"
    assert check_reason("x" * 500) == "x" * 500
    for bad in ("", "abcd", "  a b  ", "x" * 501):
        with pytest.raises(InvalidInput) as caught:
            check_reason(bad)
        assert caught.value.field == "reason"
