"""Adherence to the plan week by week: sessions, dose in the protocol's unit, prescribed intensity,
categories and streaks. Expected values are worked out by hand in the comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from stride.activity.adherence import (
    NO_DATA,
    NO_TARGET,
    adherence_for_week,
    adherence_rules,
    adherence_series,
    current_streak,
    parse_adherence,
    streaks,
)
from stride.activity.dose import SessionDose, session_dose
from stride.activity.model import Samples
from stride.clinical.prescription import Plan, PlanTarget, PlanWeek
from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput

MON = date(2026, 1, 5)


def plan_week(
    week: int = 1,
    *,
    sessions: int = 3,
    minutes: int = 150,
    planned: int | None = None,
    intensity: str = "moderate",
    volume: float | None = None,
    unit: str = "min_per_week",
    starts_on: date | None = MON,
) -> PlanWeek:
    target = PlanTarget(
        phase="build",
        frequency=sessions,
        sessions=sessions,
        minutes_per_session=minutes // max(sessions, 1),
        minutes_per_week=minutes,
        planned_minutes_per_week=minutes if planned is None else planned,
        intensity=intensity,
        rpe_range=(12, 13),
        volume=float(minutes) if volume is None else volume,
        volume_unit=unit,
        energy_kcal_per_week=None,
        start_level=False,
    )
    return PlanWeek(week, starts_on, (), target)


def walk(sid: str, day: date, minutes: int = 40, rpe: int = 13) -> SessionDose:
    start = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
    return session_dose(session_id=sid, start=start, duration_s=minutes * 60, sport="walking", rpe=rpe)


def run(sid: str, day: date, *, target: tuple[int, int] | None = None) -> SessionDose:
    """30 min at 150 bpm with rest 60 / max 180: vigorous; 7.5 METs x 0.5 h = 3.75 kcal/kg."""
    start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    t0 = int(start.timestamp()) * 1000
    samples = Samples.of(t0 + np.arange(1800) * 1000, heart_rate=np.full(1800, 150.0))
    return session_dose(
        session_id=sid,
        start=start,
        duration_s=1800,
        sport="running",
        samples=samples,
        resting_hr=60,
        hrmax=180,
        target_hr=target,
    )


def days(n: int, first: date = MON) -> list[date]:
    return [first + timedelta(days=2 * i) for i in range(n)]


def judge(pw: PlanWeek, sessions: list[SessionDose], **kwargs: Any) -> Any:
    return adherence_for_week(pw, sessions, tz="UTC", duplicates=kwargs.pop("duplicates", ()), **kwargs)


@pytest.mark.parametrize(
    ("walks", "ratio", "category"),
    [
        (3, 0.8, "adherent"),
        (2, 80 / 150, "partial"),
        (1, 40 / 150, "non_adherent"),
        (4, 160 / 150, "adherent"),
    ],
)
def test_minutes_plan(walks: int, ratio: float, category: str) -> None:
    # 150 min planned in 3 sessions; walks of 40 min at RPE 13 (moderate)
    sessions = [walk(f"w{i}", d) for i, d in enumerate(days(walks))]
    a = judge(plan_week(), sessions)
    assert a.dose_metric == "minutes"
    assert a.dose_target == 150.0
    assert a.dose_achieved == 40.0 * walks
    assert a.dose_ratio == pytest.approx(ratio)
    assert a.sessions_done == walks
    assert a.sessions_ratio == pytest.approx(walks / 3)
    assert a.category == category
    assert a.minutes_in_prescribed_intensity == 40.0 * walks
    assert a.prescribed_intensity_share == 1.0


def test_kcal_plan_tread_high_dose() -> None:
    # TREAD 16 kcal/kg/week: four vigorous runs = 4 x 3.75 = 15 kcal/kg, 93.75 %: adherent
    pw = plan_week(sessions=4, minutes=120, unit="kcal_per_kg_per_week", volume=16.0, intensity="vigorous")
    a = judge(pw, [run(f"r{i}", d) for i, d in enumerate(days(4))])
    assert (a.dose_metric, a.dose_target) == ("kcal_per_kg", 16.0)
    assert a.dose_achieved == pytest.approx(15.0)
    assert a.dose_ratio == pytest.approx(15 / 16)
    assert a.category == "adherent"
    # two runs: 7.5 / 16 = 47 %: not adherent
    assert judge(pw, [run(f"r{i}", d) for i, d in enumerate(days(2))]).category == "non_adherent"


def test_steps_plan() -> None:
    pw = plan_week(sessions=0, minutes=0, unit="steps_per_day", volume=7000.0, intensity="light-moderate")
    steps = {MON: 5000.0, MON + timedelta(days=1): 7000.0}  # 6000 a day over the days with data: 85.7 %
    a = judge(pw, [], daily_steps=steps)
    assert (a.dose_metric, a.dose_achieved, a.category) == ("steps_per_day", 6000.0, "adherent")
    assert a.sessions_ratio is None
    assert judge(pw, []).category == NO_DATA  # a steps target, no step data and no sessions planned


def test_a_steps_target_without_step_data_is_judged_on_sessions() -> None:
    pw = plan_week(sessions=3, minutes=66, unit="steps_per_day", volume=2200.0, intensity="light")
    a = judge(pw, [walk("a", MON, 30), walk("b", MON + timedelta(days=2), 30)])
    assert (a.dose_achieved, a.sessions_ratio) == (None, 2 / 3)
    assert a.category == "partial"  # 67 % of the sessions
    strict = replace(adherence_rules(), unmeasured_dose="no_data")
    assert judge(pw, [walk("a", MON, 30)], rules=strict).category == NO_DATA


def test_other_bases_for_the_category() -> None:
    # 2 long walks of 75 min: dose 150/150 = 100 %, sessions 2/3 = 67 %
    sessions = [walk("a", MON, 75), walk("b", MON + timedelta(days=3), 75)]
    assert judge(plan_week(), sessions).category == "adherent"
    by_sessions = replace(adherence_rules(), category_from="sessions")
    assert judge(plan_week(), sessions, rules=by_sessions).category == "partial"
    lower = replace(adherence_rules(), category_from="lower")
    assert judge(plan_week(), sessions, rules=lower).category == "partial"


def test_minutes_are_judged_against_the_planned_minutes_by_default() -> None:
    # protocol 150 min, only 100 fit on the patient's days; 90 min walked: 90 % planned, 60 % protocol
    pw = plan_week(planned=100)
    sessions = [walk("a", MON, 45), walk("b", MON + timedelta(days=2), 45)]
    assert judge(pw, sessions).dose_ratio == pytest.approx(0.9)
    protocol = replace(adherence_rules(), minutes_target="protocol")
    a = judge(pw, sessions, rules=protocol)
    assert (a.dose_ratio, a.category) == (pytest.approx(0.6), "partial")


def test_minutes_in_the_prescribed_intensity() -> None:
    # light-moderate prescribed: a 40-min walk at RPE 10 (light) and 30 vigorous minutes; 40 of 70 min
    sessions = [walk("easy", MON, 40, rpe=10), run("hard", MON + timedelta(days=1), target=(140, 160))]
    a = judge(plan_week(intensity="light-moderate"), sessions)
    assert a.minutes_in_prescribed_intensity == 40.0
    assert a.prescribed_intensity_share == pytest.approx(40 / 70)
    assert a.minutes_in_target_hr == pytest.approx(30.0)


def test_duplicates_and_other_weeks_are_not_counted() -> None:
    sessions = [walk("a", MON), walk("a-copy", MON), walk("later", MON + timedelta(days=7))]
    a = judge(plan_week(), sessions, duplicates={"a-copy"})
    assert a.sessions_done == 1
    assert a.dose.session_ids == ("a",)


def test_a_week_with_nothing_planned() -> None:
    a = judge(plan_week(sessions=0, minutes=0), [walk("a", MON)])
    assert a.category == NO_TARGET
    assert a.sessions_ratio is None
    assert a.dose_ratio is None
    assert a.streak == 0


def test_the_week_needs_a_first_day_and_a_known_unit() -> None:
    with pytest.raises(InvalidInput) as err:
        judge(plan_week(starts_on=None), [])
    assert err.value.field == "starts_on"
    assert judge(plan_week(starts_on=None), [walk("a", MON)], week_start=MON).sessions_done == 1
    with pytest.raises(InvalidInput) as err:
        judge(plan_week(unit="laps_per_week"), [])
    assert err.value.field == "volume_unit"


def series_sessions() -> list[SessionDose]:
    """Per week from Monday 5 Jan: 3, 3, 2, 3, -, 3 walks of 40 min (150 planned, 120 = 80 %)."""
    counts = {1: 3, 2: 3, 3: 2, 4: 3, 6: 3}
    return [
        walk(f"w{week}-{i}", d)
        for week, n in counts.items()
        for i, d in enumerate(days(n, MON + timedelta(weeks=week - 1)))
    ]


def weeks(rest_week: int = 5) -> list[PlanWeek]:
    return [
        plan_week(w, starts_on=None, **({"sessions": 0, "minutes": 0} if w == rest_week else {}))
        for w in range(1, 7)
    ]


def test_streaks_of_adherent_weeks() -> None:
    result = adherence_series(weeks(), series_sessions(), tz="UTC", duplicates=(), start=MON)
    assert [a.week_start for a in result] == [MON + timedelta(weeks=i) for i in range(6)]
    assert [a.category for a in result] == [
        "adherent",
        "adherent",
        "partial",
        "adherent",
        NO_TARGET,
        "adherent",
    ]
    # the rest week (5) neither breaks nor extends the streak
    assert [a.streak for a in result] == [1, 2, 0, 1, 1, 2]


def test_a_rest_week_may_break_the_streak() -> None:
    rules = replace(adherence_rules(), no_target_breaks=True)
    result = adherence_series(weeks(), series_sessions(), tz="UTC", duplicates=(), start=MON, rules=rules)
    assert [a.streak for a in result] == [1, 2, 0, 1, 0, 1]


def test_the_series_stops_at_the_given_week_and_takes_a_plan() -> None:
    plan = Plan("p", "P", "cleared", False, tuple(weeks()), (), (), (), ())
    result = adherence_series(plan, series_sessions(), tz="UTC", duplicates=(), start=MON, through_week=2)
    assert [(a.week, a.streak) for a in result] == [(1, 1), (2, 2)]


def test_categories_must_fall_to_zero() -> None:
    raw = dict(load_toml("adherence"))
    raw["categories"] = [dict(c) for c in raw["categories"]]
    raw["categories"][1]["min_ratio"] = 0.9
    with pytest.raises(ConfigurationError, match="categories"):
        parse_adherence(raw)


def test_the_rules_file() -> None:
    rules = adherence_rules()
    assert [(c.id, c.min_ratio) for c in rules.categories] == [
        ("adherent", 0.8),
        ("partial", 0.5),
        ("non_adherent", 0.0),
    ]
    assert rules.dose_metrics["kcal_per_kg_per_week"] == "kcal_per_kg"
    assert all(c.source for c in rules.categories)


def test_the_current_streak_is_the_run_ending_with_an_adherent_last_week() -> None:
    categories = ["adherent", "partial", "adherent", NO_TARGET, "adherent"]
    assert current_streak(categories) == 2  # the rest week neither breaks nor extends it
    assert current_streak(categories, replace(adherence_rules(), no_target_breaks=True)) == 1
    assert current_streak([*categories, NO_TARGET]) == 0, "a rest week has no streak of its own"
    assert current_streak([]) == 0
    assert streaks(categories) == (1, 0, 1, 1, 2)
