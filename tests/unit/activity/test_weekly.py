"""The dose of a week: Monday-aligned local weeks, duplicates skipped, WHO moderate-equivalent minutes,
steps per day. Expected values are worked out by hand in the comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from stride.activity.dose import SessionDose, session_dose
from stride.activity.dose_rules import dose_rules
from stride.activity.model import MetricSeries, Samples
from stride.activity.weekly import daily_step_totals, week_dose, week_start_of, weekly_doses
from stride.errors import InvalidInput

MON = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def vigorous_run(session_id: str, start: datetime, *, target: tuple[int, int] | None = None) -> SessionDose:
    """30 min at 150 bpm, rest 60, max 180: vigorous 30, 225 MET-min (7.5 x 30)."""
    t0 = int(start.timestamp()) * 1000
    samples = Samples.of(t0 + np.arange(1800) * 1000, heart_rate=np.full(1800, 150.0))
    return session_dose(
        session_id=session_id,
        start=start,
        duration_s=1800,
        sport="running",
        samples=samples,
        resting_hr=60,
        hrmax=180,
        target_hr=target,
    )


def rated_walk(session_id: str, start: datetime, minutes: int = 40) -> SessionDose:
    """A walk at RPE 13: moderate, 3.8 METs."""
    return session_dose(session_id=session_id, start=start, duration_s=minutes * 60, sport="walking", rpe=13)


def test_week_start_is_the_local_monday() -> None:
    sunday_late = datetime(2026, 1, 11, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin
    assert week_start_of(sunday_late, "UTC") == date(2026, 1, 5)
    assert week_start_of(sunday_late, "Europe/Berlin") == date(2026, 1, 12)
    assert week_start_of(date(2026, 1, 8), "UTC") == date(2026, 1, 5)
    with pytest.raises(InvalidInput):
        week_start_of(datetime(2026, 1, 8, 12), "UTC")


def sessions() -> list[SessionDose]:
    return [
        vigorous_run("a", MON, target=(140, 160)),
        rated_walk("b", MON + timedelta(days=2)),
        vigorous_run("a-copy", MON + timedelta(minutes=1)),  # flagged as a duplicate of a
        rated_walk("c", datetime(2026, 1, 11, 23, 30, tzinfo=UTC), minutes=20),  # Monday 12 Jan in Berlin
    ]


def test_week_dose_by_hand() -> None:
    # Berlin: a (vigorous 30) and b (moderate 40) count; a-copy is a duplicate; c is next week.
    week = week_dose(date(2026, 1, 5), sessions(), tz="Europe/Berlin", duplicates={"a-copy"})
    assert week.session_ids == ("a", "b")
    assert week.sessions == 2
    assert week.duration_minutes == 70.0
    assert week.moderate_minutes == 40.0
    assert week.vigorous_minutes == 30.0
    assert week.mvpa_minutes == 70.0
    assert week.moderate_equivalent_minutes == 100.0  # 40 + 2 x 30
    assert week.met_minutes == pytest.approx(225 + 152)  # 7.5 x 30 + 3.8 x 40
    assert week.kcal_per_kg == pytest.approx(377 / 60)
    assert week.minutes_in_target == pytest.approx(30.0)
    assert week.minutes_by_zone["vigorous"] == 30.0
    assert week.steps_per_day is None
    assert week.step_days == 0


def test_the_timezone_decides_the_week() -> None:
    week = week_dose(date(2026, 1, 5), sessions(), tz="UTC", duplicates={"a-copy"})
    assert week.session_ids == ("a", "b", "c")  # c is Sunday 23:30 in UTC


def test_duplicates_are_never_counted() -> None:
    with_copy = week_dose(date(2026, 1, 5), sessions(), tz="Europe/Berlin", duplicates=())
    assert with_copy.vigorous_minutes == 60.0  # the point of flagging it


def test_a_plan_week_may_start_on_any_day() -> None:
    # Wednesday 7 Jan to Tuesday 13 Jan in Berlin: b (Wed) and c (Mon 12 Jan)
    week = week_dose(date(2026, 1, 7), sessions(), tz="Europe/Berlin", duplicates={"a-copy"})
    assert week.session_ids == ("b", "c")
    assert week.moderate_minutes == 60.0


def test_steps_per_day_average_the_days_with_data() -> None:
    steps = {date(2026, 1, 5): 8000.0, date(2026, 1, 6): 6000.0, date(2026, 1, 12): 99_999.0}
    week = week_dose(date(2026, 1, 5), [], tz="UTC", duplicates=(), daily_steps=steps)
    assert (week.steps_per_day, week.step_days) == (7000.0, 2)
    all_days = replace(dose_rules(), steps_average_over="all_days")
    week = week_dose(date(2026, 1, 5), [], tz="UTC", duplicates=(), daily_steps=steps, rules=all_days)
    assert week.steps_per_day == pytest.approx(14000 / 7)


def test_weekly_doses_cover_every_week_between_the_first_and_the_last() -> None:
    runs = [vigorous_run("w1", MON), vigorous_run("w3", MON + timedelta(weeks=2, days=3))]
    weeks = weekly_doses(runs, tz="UTC", duplicates=())
    assert [w.week_start for w in weeks] == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    assert [w.sessions for w in weeks] == [1, 0, 1]
    assert weeks[1].moderate_equivalent_minutes == 0.0
    assert weekly_doses([], tz="UTC", duplicates=()) == ()


def test_weekly_doses_include_weeks_with_steps_only() -> None:
    weeks = weekly_doses([], tz="UTC", duplicates=(), daily_steps={date(2026, 1, 14): 5000.0})
    assert [(w.week_start, w.steps_per_day) for w in weeks] == [(date(2026, 1, 12), 5000.0)]


def test_a_session_id_twice_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        week_dose(date(2026, 1, 5), [rated_walk("x", MON), rated_walk("x", MON)], tz="UTC", duplicates=())
    assert err.value.field == "sessions"


def steps_series(values: list[tuple[datetime, float]], metric: Any = "steps") -> MetricSeries:
    start = np.array([int(t.timestamp()) * 1000 for t, _ in values], dtype=np.int64)
    return MetricSeries(metric, start, start + 60_000, np.array([v for _, v in values]))


def test_daily_step_totals_in_local_days() -> None:
    series = steps_series(
        [
            (datetime(2026, 1, 5, 10, tzinfo=UTC), 100.0),
            (datetime(2026, 1, 5, 22, 30, tzinfo=UTC), 50.0),  # 23:30 Berlin: still 5 Jan
            (datetime(2026, 1, 5, 23, 30, tzinfo=UTC), 25.0),  # 00:30 Berlin: 6 Jan
            (datetime(2026, 1, 6, 8, tzinfo=UTC), float("nan")),  # missing, skipped
        ]
    )
    assert daily_step_totals(series, tz="Europe/Berlin") == {date(2026, 1, 5): 150.0, date(2026, 1, 6): 25.0}
    assert daily_step_totals(series, tz="UTC") == {date(2026, 1, 5): 175.0}


def test_daily_step_totals_of_another_metric_are_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        daily_step_totals(steps_series([(MON, 70.0)], metric="heart_rate"), tz="UTC")
    assert err.value.field == "metric"
    assert daily_step_totals(steps_series([]), tz="UTC") == {}
