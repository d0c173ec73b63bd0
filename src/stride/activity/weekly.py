"""The dose of a week: the sessions of seven local days summed, and the mean steps per day.

Calendar weeks start on Monday in the patient's timezone (:func:`week_start_of`); a plan's week may
start on any day (:func:`week_dose` takes the first day). Sessions flagged as duplicates by
:func:`stride.activity.overlap.find_duplicates` are never counted: every function here takes the
duplicate ids and skips them. Moderate-equivalent minutes are moderate + 2 x vigorous (WHO 2020,
``dose.toml [who]``); steps per day average the days that have a step total (``[steps]``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from types import MappingProxyType

import numpy as np

from stride.activity.dose import SessionDose
from stride.activity.dose_rules import DoseRules, dose_rules
from stride.activity.model import MetricSeries
from stride.activity.zones import ZONE_KEYS, local_days, timezone
from stride.domain.dates import monday_of
from stride.errors import InvalidInput

_EPOCH_DAY = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class WeekDose:
    """The dose of seven days from ``week_start``.

    ``minutes_in_target`` sums the sessions that had a plan heart-rate range (``None`` if none had);
    ``steps_per_day`` is ``None`` without step data; ``step_days`` counts the days with a total.
    """

    week_start: date
    sessions: int
    session_ids: tuple[str, ...]
    duration_minutes: float
    minutes_by_zone: Mapping[str, float]
    moderate_minutes: float
    vigorous_minutes: float
    moderate_equivalent_minutes: float
    met_minutes: float
    kcal_per_kg: float
    minutes_in_target: float | None
    steps_per_day: float | None
    step_days: int
    unknown_dose_sessions: int = 0  # counted sessions whose MET-minutes are unknown (not in the totals)

    @property
    def mvpa_minutes(self) -> float:
        """Moderate-to-vigorous minutes: moderate + vigorous."""
        return self.moderate_minutes + self.vigorous_minutes


def week_start_of(moment: datetime | date, tz: str | tzinfo) -> date:
    """The Monday of the local week of ``moment`` in ``tz`` (a ``date`` is taken as local already)."""
    if isinstance(moment, datetime):
        if moment.utcoffset() is None:
            raise InvalidInput("must be a timezone-aware date and time", field="start")
        moment = moment.astimezone(timezone(tz)).date()
    return monday_of(moment)


def _counted(sessions: Sequence[SessionDose], duplicates: Collection[str]) -> list[SessionDose]:
    ids = [s.session_id for s in sessions]
    if len(set(ids)) != len(ids):
        raise InvalidInput("a session id appears twice", field="sessions")
    skip = frozenset(duplicates)
    return [s for s in sessions if s.session_id not in skip]


def _steps(
    days: list[date], daily_steps: Mapping[date, float] | None, rules: DoseRules
) -> tuple[float | None, int]:
    values = [float(daily_steps[d]) for d in days if daily_steps is not None and d in daily_steps]
    if not values:
        return None, 0
    per = len(values) if rules.steps_average_over == "days_with_data" else len(days)
    return sum(values) / per, len(values)


def _sum(
    sessions: Sequence[SessionDose], week_start: date, steps: tuple[float | None, int], rules: DoseRules
) -> WeekDose:
    def total(attr: str) -> float:
        return float(sum(getattr(s, attr) for s in sessions if getattr(s, attr) is not None))

    targets = [s.minutes_in_target for s in sessions if s.minutes_in_target is not None]
    moderate, vigorous = total("moderate_minutes"), total("vigorous_minutes")
    return WeekDose(
        week_start=week_start,
        sessions=len(sessions),
        session_ids=tuple(s.session_id for s in sessions),
        duration_minutes=total("duration_minutes"),
        minutes_by_zone=MappingProxyType(
            {z: float(sum(s.minutes_by_zone[z] for s in sessions)) for z in ZONE_KEYS}
        ),
        moderate_minutes=moderate,
        vigorous_minutes=vigorous,
        moderate_equivalent_minutes=moderate + rules.vigorous_weight * vigorous,
        met_minutes=total("met_minutes"),
        kcal_per_kg=total("kcal_per_kg"),
        minutes_in_target=float(sum(targets)) if targets else None,
        steps_per_day=steps[0],
        step_days=steps[1],
        unknown_dose_sessions=sum(1 for s in sessions if not s.dose_known),
    )


def week_dose(
    week_start: date,
    sessions: Sequence[SessionDose],
    *,
    tz: str | tzinfo,
    duplicates: Collection[str],
    daily_steps: Mapping[date, float] | None = None,
    rules: DoseRules | None = None,
) -> WeekDose:
    """The dose of the seven local days from ``week_start``.

    Parameters
    ----------
    week_start
        The first day: a Monday for a calendar week (:func:`week_start_of`), any day for a plan week.
    sessions
        Session doses; those starting (in local time) outside the seven days are left out.
    tz
        The patient's timezone (IANA name or ``tzinfo``).
    duplicates
        Ids of sessions flagged as duplicates (:func:`stride.activity.overlap.find_duplicates`); skipped.
    daily_steps
        Step totals per local day (:func:`daily_step_totals`).
    rules
        The dose rules (default: ``dose.toml``).

    Raises
    ------
    InvalidInput
        Naming ``sessions`` (an id twice), ``start`` or ``tz``.
    """
    rules = rules or dose_rules()
    zone = timezone(tz)
    days = [week_start + timedelta(days=i) for i in range(7)]
    inside = [s for s in _counted(sessions, duplicates) if s.start.astimezone(zone).date() in days]
    return _sum(inside, week_start, _steps(days, daily_steps, rules), rules)


def weekly_doses(
    sessions: Sequence[SessionDose],
    *,
    tz: str | tzinfo,
    duplicates: Collection[str],
    daily_steps: Mapping[date, float] | None = None,
    rules: DoseRules | None = None,
) -> tuple[WeekDose, ...]:
    """The Monday-aligned calendar weeks from the first to the last with a session or a step total,
    empty weeks included, each as :func:`week_dose`."""
    zone = timezone(tz)
    days = [s.start.astimezone(zone).date() for s in _counted(sessions, duplicates)]
    days += list(daily_steps or {})
    if not days:
        return ()
    first, last = week_start_of(min(days), zone), week_start_of(max(days), zone)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return tuple(
        week_dose(w, sessions, tz=zone, duplicates=duplicates, daily_steps=daily_steps, rules=rules)
        for w in weeks
    )


def daily_step_totals(series: MetricSeries, *, tz: str | tzinfo) -> dict[date, float]:
    """Steps per local day in ``tz``: each interval's steps go to the day its start falls on.

    Raises
    ------
    InvalidInput
        Naming ``metric`` when the series is not steps.
    """
    if series.metric != "steps":
        raise InvalidInput(f"must be a steps series, got {series.metric!r}", field="metric")
    keep = np.isfinite(series.value)
    days = local_days(series.start_ms[keep], tz)
    if days.size == 0:
        return {}
    unique, inverse = np.unique(days, return_inverse=True)
    totals = np.bincount(inverse, weights=series.value[keep])
    return {_EPOCH_DAY + timedelta(days=int(d)): float(v) for d, v in zip(unique, totals, strict=True)}
