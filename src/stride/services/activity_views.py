"""What the activity pages and the API show: a week's dose and adherence against the plan, the
planned-vs-done history, and one session with its heart-rate curve and the plan's target band.

A week here is a calendar week, Monday to Sunday in the patient's timezone (the weekly dose of
WHO 2020). A plan's weeks start on the plan's first day, which may be any weekday; a calendar week
is judged against the plan week that holds its Thursday (most of its days, the ISO 8601 week rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from stride.activity.adherence import (
    NO_DATA,
    NO_TARGET,
    WeekAdherence,
    adherence_for_week,
    adherence_rules,
    current_streak,
)
from stride.activity.daily import downsample_curve
from stride.activity.zones import ZONE_KEYS
from stride.clinical.prescription import PlanWeek
from stride.domain.activity import AdverseEvent, DailySteps, StoredSession, WeekSummary
from stride.domain.plan_weeks import deciding_day
from stride.services.activity_dose import DoseContext, WeekData, dose_of, week_doses_of, week_summary
from stride.services.context import Deps
from stride.store.activity_store import ActivityStore
from stride.store.repositories import activity as repo

HISTORY_WEEKS = 8
_EXTRA_LABELS = {NO_TARGET: "No target this week", NO_DATA: "No data"}


@dataclass(frozen=True, slots=True)
class AdherenceView:
    """This week against the plan (see ``stride.activity.adherence`` for the rules and sources)."""

    sessions_done: int
    sessions_planned: int
    minutes_done: float
    minutes_target: float
    dose_done: float
    dose_target: float
    dose_unit: str
    dose_ratio: float | None
    minutes_in_zone: float
    target_band: tuple[int, int] | None
    category: str
    category_label: str
    streak_weeks: int


@dataclass(frozen=True, slots=True)
class WeekBar:
    """One week of the planned-vs-done chart."""

    week_start: date
    planned_minutes: float
    done_minutes: float
    category: str | None


@dataclass(frozen=True, slots=True)
class WeekView:
    patient_id: int
    timezone: str
    week_start: date  # Monday, in the patient's timezone
    plan_week_number: int | None
    plan_week: PlanWeek | None
    protocol_name: str | None
    sessions: list[StoredSession]
    summary: WeekSummary
    zone_minutes: dict[str, float]  # zone id -> minutes, in intensity order, incl. "unclassified"
    steps: list[DailySteps]
    adherence: AdherenceView | None
    history: list[WeekBar] = field(default_factory=list)
    unknown_dose_sessions: int = 0  # counted sessions whose MET-minutes are unknown (not in the totals)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def previous_week(self) -> date:
        return self.week_start - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.week_start + timedelta(days=7)


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: StoredSession
    timezone: str
    hr_curve: list[tuple[float, float]]  # (seconds from start, bpm), at most CURVE_POINTS
    target_band: tuple[int, int] | None  # the plan's HR range on that day
    zone_minutes: dict[str, float]  # empty unless heart rate classified some of the session
    adverse_events: list[AdverseEvent]


def category_label(category: str) -> str:
    for c in adherence_rules().categories:
        if c.id == category:
            return c.label
    return _EXTRA_LABELS.get(category, category.replace("_", " ").capitalize())


def _plan_week_for(ctx: DoseContext, monday: date) -> tuple[int, PlanWeek] | None:
    return ctx.plan_week_at(deciding_day(monday))


@dataclass(frozen=True, slots=True)
class _Judged:
    """One calendar week: its data, its plan week (if the plan covers it) and its adherence."""

    data: WeekData
    plan_week: tuple[int, PlanWeek] | None
    adherence: WeekAdherence | None


def _judge(ctx: DoseContext, monday: date, data: WeekData) -> _Judged:
    found = _plan_week_for(ctx, monday)
    if found is None:
        return _Judged(data, None, None)
    _, sessions, steps = data
    doses = [d for d in (dose_of(x) for x in sessions) if d is not None]
    duplicates = {str(x.id) for x in sessions if x.duplicate_of is not None}
    judged = adherence_for_week(
        found[1], doses, tz=ctx.tz, duplicates=duplicates, week_start=monday, daily_steps=steps
    )
    return _Judged(data, found, judged)


def _plan_weeks_through(ctx: DoseContext, monday: date) -> list[date]:
    """The Mondays of the calendar weeks the plan covers, from its first through ``monday``'s,
    oldest first (empty when the plan does not cover ``monday``'s week)."""
    out, week = [], monday
    while _plan_week_for(ctx, week) is not None:
        out.append(week)
        week -= timedelta(days=7)
    return out[::-1]


def _judged_weeks(s: Session, patient_id: int, ctx: DoseContext, mondays: list[date]) -> dict[date, _Judged]:
    return {m: _judge(ctx, m, data) for m, data in week_doses_of(s, patient_id, ctx, mondays).items()}


def _adherence(
    ctx: DoseContext, monday: date, judged: dict[date, _Judged], streak_weeks: list[date]
) -> AdherenceView | None:
    this = judged[monday]
    if this.plan_week is None or this.adherence is None:
        return None
    week, found, result = this.data[0], this.plan_week, this.adherence
    # Weeks the plan covers are judged (a plan week for each), so each has a category.
    categories = [a.category for a in (judged[m].adherence for m in streak_weeks) if a is not None]
    return AdherenceView(
        sessions_done=result.sessions_done,
        sessions_planned=result.sessions_planned,
        minutes_done=week.duration_minutes,
        minutes_target=float(found[1].target.planned_minutes_per_week),
        dose_done=result.dose_achieved or 0.0,
        dose_target=result.dose_target,
        dose_unit=result.dose_metric,
        dose_ratio=result.dose_ratio,
        minutes_in_zone=result.minutes_in_prescribed_intensity,
        target_band=ctx.target_hr(deciding_day(monday)),
        category=result.category,
        category_label=category_label(result.category),
        streak_weeks=current_streak(categories),
    )


def _hr_zone_minutes(sessions: list[StoredSession], counted: set[str]) -> dict[str, float]:
    """Minutes per zone of the week's counted sessions that heart rate classified (as on a session's
    page: minutes placed by RPE or by the activity's METs are no heart-rate zones)."""
    out = dict.fromkeys(ZONE_KEYS, 0.0)
    for x in sessions:
        if str(x.id) in counted and x.dose is not None and x.dose.hr_coverage > 0:
            for k in ZONE_KEYS:
                out[k] += float(x.dose.minutes_by_zone.get(k, 0.0))
    return out


def week_view(s: Session, deps: Deps, patient_id: int, monday: date, ctx: DoseContext) -> WeekView:
    history_weeks = [monday - timedelta(days=7 * back) for back in range(HISTORY_WEEKS - 1, -1, -1)]
    streak_weeks = _plan_weeks_through(ctx, monday)
    judged = _judged_weeks(s, patient_id, ctx, [*history_weeks, *streak_weeks])
    week, sessions, steps = judged[monday].data
    found = judged[monday].plan_week
    history = [
        WeekBar(
            week_start=earlier,
            planned_minutes=float(j.plan_week[1].target.planned_minutes_per_week) if j.plan_week else 0.0,
            done_minutes=j.data[0].duration_minutes,
            category=j.adherence.category if j.adherence else None,
        )
        for earlier, j in ((m, judged[m]) for m in history_weeks)
    ]
    summary = week_summary(monday, week, at=deps.clock())
    return WeekView(
        patient_id=patient_id,
        timezone=ctx.timezone,
        week_start=monday,
        plan_week_number=found[0] if found else None,
        plan_week=found[1] if found else None,
        protocol_name=ctx.plan.protocol_name if ctx.plan else None,
        sessions=sessions,
        summary=summary,
        zone_minutes=_hr_zone_minutes(sessions, set(week.session_ids)),
        steps=[DailySteps(day=d, steps=v) for d, v in sorted(steps.items())],
        adherence=_adherence(ctx, monday, judged, streak_weeks),
        history=history,
        unknown_dose_sessions=week.unknown_dose_sessions,
    )


def session_detail(
    s: Session, store: ActivityStore, session: StoredSession, ctx: DoseContext, *, points: int
) -> SessionDetail:
    table = store.session_samples(session.patient_id, session.id)
    curve = (
        downsample_curve(
            table.column("time_ms").to_numpy(),
            table.column("heart_rate").to_numpy(zero_copy_only=False).astype("float64"),
            start_ms=int(session.start.timestamp() * 1000),
            points=points,
        )
        if table.num_rows
        else []
    )
    # Zone minutes are shown only when heart rate classified some of the session: minutes placed by
    # RPE or by the activity's METs are no heart-rate zones, and a chart of them beside "no heart
    # rate" would contradict it.
    dose = session.dose
    zones = dose.minutes_by_zone if dose is not None and dose.hr_coverage > 0 else None
    return SessionDetail(
        session=session,
        timezone=ctx.timezone,
        hr_curve=curve,
        target_band=ctx.target_hr(ctx.local_day(session.start)),
        zone_minutes={k: float(zones.get(k, 0.0)) for k in ZONE_KEYS} if zones is not None else {},
        adverse_events=[e for e in repo.adverse_events(s, session.patient_id) if e.session_id == session.id],
    )
