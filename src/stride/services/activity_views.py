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

from stride.activity.adherence import NO_DATA, NO_TARGET, adherence_for_week, adherence_rules
from stride.activity.daily import downsample_curve
from stride.activity.zones import ZONE_KEYS
from stride.clinical.prescription import PlanWeek
from stride.domain.activity import AdverseEvent, DailySteps, StoredSession, WeekSummary
from stride.services.activity_dose import DoseContext, dose_of, week_dose_of, week_summary
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
    return ctx.plan_week_at(monday + timedelta(days=3))


def _judge(s: Session, patient_id: int, ctx: DoseContext, monday: date) -> tuple[str | None, float, float]:
    """(category or None without a plan week, planned minutes, done minutes) of one calendar week."""
    week, sessions, steps = week_dose_of(s, patient_id, ctx, monday)
    found = _plan_week_for(ctx, monday)
    if found is None:
        return None, 0.0, week.duration_minutes
    doses = [d for d in (dose_of(x) for x in sessions) if d is not None]
    duplicates = {str(x.id) for x in sessions if x.duplicate_of is not None}
    judged = adherence_for_week(
        found[1], doses, tz=ctx.tz, duplicates=duplicates, week_start=monday, daily_steps=steps
    )
    return judged.category, float(found[1].target.planned_minutes_per_week), week.duration_minutes


def _streak(s: Session, patient_id: int, ctx: DoseContext, monday: date, adherent: bool) -> int:
    """Consecutive adherent calendar weeks ending with ``monday``'s (weeks without a plan target
    neither count nor break the run, as adherence.toml [streak] says by default)."""
    if not adherent:
        return 0
    best = adherence_rules().categories[0].id
    streak, week = 1, monday - timedelta(days=7)
    while _plan_week_for(ctx, week) is not None:
        category, _, _ = _judge(s, patient_id, ctx, week)
        if category == best:
            streak += 1
        elif category != NO_TARGET or adherence_rules().no_target_breaks:
            break
        week -= timedelta(days=7)
    return streak


def _adherence(s: Session, patient_id: int, ctx: DoseContext, monday: date) -> AdherenceView | None:
    found = _plan_week_for(ctx, monday)
    if found is None:
        return None
    week, sessions, steps = week_dose_of(s, patient_id, ctx, monday)
    doses = [d for d in (dose_of(x) for x in sessions) if d is not None]
    duplicates = {str(x.id) for x in sessions if x.duplicate_of is not None}
    judged = adherence_for_week(
        found[1], doses, tz=ctx.tz, duplicates=duplicates, week_start=monday, daily_steps=steps
    )
    best = adherence_rules().categories[0].id
    return AdherenceView(
        sessions_done=judged.sessions_done,
        sessions_planned=judged.sessions_planned,
        minutes_done=week.duration_minutes,
        minutes_target=float(found[1].target.planned_minutes_per_week),
        dose_done=judged.dose_achieved or 0.0,
        dose_target=judged.dose_target,
        dose_unit=judged.dose_metric,
        dose_ratio=judged.dose_ratio,
        minutes_in_zone=judged.minutes_in_prescribed_intensity,
        target_band=ctx.target_hr(monday + timedelta(days=3)),
        category=judged.category,
        category_label=category_label(judged.category),
        streak_weeks=_streak(s, patient_id, ctx, monday, judged.category == best),
    )


def _hr_zone_minutes(sessions: list[StoredSession], counted: set[str]) -> dict[str, float]:
    """Minutes per zone of the week's counted sessions that heart rate classified (as on a session's
    page: minutes placed by RPE or by the activity's METs are no heart-rate zones)."""
    out = dict.fromkeys(ZONE_KEYS, 0.0)
    for x in sessions:
        coverage, zones = x.dose.get("hr_coverage"), x.dose.get("minutes_by_zone")
        if (
            str(x.id) in counted
            and isinstance(coverage, int | float)
            and coverage > 0
            and isinstance(zones, dict)
        ):
            for k in ZONE_KEYS:
                out[k] += float(zones.get(k, 0.0))
    return out


def week_view(s: Session, deps: Deps, patient_id: int, monday: date, ctx: DoseContext) -> WeekView:
    week, sessions, steps = week_dose_of(s, patient_id, ctx, monday)
    found = _plan_week_for(ctx, monday)
    history = []
    for back in range(HISTORY_WEEKS - 1, -1, -1):
        earlier = monday - timedelta(days=7 * back)
        category, planned, done = _judge(s, patient_id, ctx, earlier)
        history.append(
            WeekBar(week_start=earlier, planned_minutes=planned, done_minutes=done, category=category)
        )
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
        adherence=_adherence(s, patient_id, ctx, monday),
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
    zones = session.dose.get("minutes_by_zone", {})
    # Zone minutes are shown only when heart rate classified some of the session: minutes placed by
    # RPE or by the activity's METs are no heart-rate zones, and a chart of them beside "no heart
    # rate" would contradict it.
    hr_coverage = session.dose.get("hr_coverage")
    classified_by_hr = isinstance(hr_coverage, int | float) and hr_coverage > 0
    return SessionDetail(
        session=session,
        timezone=ctx.timezone,
        hr_curve=curve,
        target_band=ctx.target_hr(ctx.local_day(session.start)),
        zone_minutes={k: float(zones.get(k, 0.0)) for k in ZONE_KEYS}
        if classified_by_hr and isinstance(zones, dict)
        else {},
        adverse_events=[e for e in repo.adverse_events(s, session.patient_id) if e.session_id == session.id],
    )
