"""The glue between stored activity and the pure dose and adherence rules of ``stride.activity``:
the patient's context (timezone, resting HR, HRmax, plan), a session's dose when it is stored,
overlap flags, daily steps, and the weekly summaries recomputed in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from stride.activity.daily import daily_totals
from stride.activity.dose import Method, SessionDose, parsed_session_dose, session_dose
from stride.activity.model import ParsedFile, ParsedSession, Samples, Sport
from stride.activity.overlap import SessionSpan, find_duplicates
from stride.activity.weekly import WeekDose, week_dose
from stride.clinical.prescription import Plan, PlanWeek
from stride.clinical.prescription import hrmax as estimate_hrmax
from stride.domain.activity import ImportRecord, SessionEntry, StoredDose, StoredSession, WeekSummary
from stride.domain.dates import local_day, monday_of
from stride.domain.plan_weeks import Pause, covered_week
from stride.errors import InvalidInput
from stride.services.context import Deps
from stride.store.repositories import activity as repo
from stride.store.repositories import exercise as plan_repo
from stride.store.repositories import patients as patient_repo


@dataclass(frozen=True, slots=True)
class DoseContext:
    """What the dose rules need to know about the patient, read once per use case."""

    timezone: str
    tz: ZoneInfo
    resting_hr: int | None
    hrmax: int | None
    plan: Plan | None
    plan_start: date | None
    protocol: str | None
    # The plan's pauses (a safety alert's hold, resumed from the week where it paused), so that
    # dose and adherence count the same weeks as the plan page.
    pauses: tuple[Pause, ...] = ()

    def plan_week_at(self, day: date) -> tuple[int, PlanWeek] | None:
        """The plan week (1-based number and week) containing ``day``, if the plan covers it."""
        if self.plan is None or self.plan_start is None:
            return None
        number = covered_week(self.plan_start, day, self.pauses, weeks=len(self.plan.weeks))
        return None if number is None else (number, self.plan.weeks[number - 1])

    def target_hr(self, day: date) -> tuple[int, int] | None:
        """The plan's heart-rate range for sessions in the week of ``day`` (the first planned
        session with one: a plan week has one aerobic intensity)."""
        found = self.plan_week_at(day)
        if found is None:
            return None
        for planned in found[1].sessions:
            if planned.hr_range_bpm is not None:
                return planned.hr_range_bpm
        return None

    def local_day(self, at: datetime) -> date:
        return local_day(at, self.tz)


def dose_context(s: Session, patient_id: int, *, today: date | None = None) -> DoseContext:
    patient = patient_repo.get(s, patient_id)
    if patient is None:
        raise InvalidInput(f"no patient {patient_id}", field="patient")
    details = patient.details
    try:
        age = patient.age_on(today or datetime.now(UTC).date())
        hrmax: int | None = estimate_hrmax(age)
    except InvalidInput:  # outside the equations' adult range: no heart-rate zones
        hrmax = None
    stored = plan_repo.current_plan(s, patient_id)
    return DoseContext(
        timezone=details.timezone,
        tz=ZoneInfo(details.timezone),
        resting_hr=details.resting_hr,
        hrmax=hrmax,
        plan=stored.plan if stored else None,
        plan_start=stored.start_date if stored else None,
        protocol=stored.protocol if stored else None,
        pauses=tuple((r.paused_from, r.resumed_on) for r in plan_repo.resumes(s, patient_id)),
    )


# --- a session's dose, as stored -----------------------------------------------------------------


def stored_dose(dose: SessionDose) -> StoredDose:
    """A session's dose as stored (without the session's own id, start and activity)."""
    return StoredDose(
        method=dose.method,
        duration_minutes=dose.duration_minutes,
        minutes_by_zone=dose.minutes_by_zone,
        hr_coverage=dose.hr_coverage,
        met_minutes=dose.met_minutes,
        kcal_per_kg=dose.kcal_per_kg,
        moderate_minutes=dose.moderate_minutes,
        vigorous_minutes=dose.vigorous_minutes,
        moderate_equivalent_minutes=dose.moderate_equivalent_minutes,
        minutes_in_target=dose.minutes_in_target,
        met_source=dose.met_source,
    )


def dose_of(session: StoredSession) -> SessionDose | None:
    """The stored dose of a session as the pure functions take it (``None`` if never computed)."""
    d = session.dose
    if d is None:
        return None
    return SessionDose(
        session_id=str(session.id),
        start=session.start,
        sport=cast(Sport, session.sport),
        method=cast(Method, d.method),
        duration_minutes=d.duration_minutes,
        minutes_by_zone=MappingProxyType(dict(d.minutes_by_zone)),
        hr_coverage=d.hr_coverage,
        met_minutes=d.met_minutes,
        kcal_per_kg=d.kcal_per_kg,
        moderate_minutes=d.moderate_minutes,
        vigorous_minutes=d.vigorous_minutes,
        moderate_equivalent_minutes=d.moderate_equivalent_minutes,
        minutes_in_target=d.minutes_in_target,
        met_source=d.met_source,
    )


def _manual_samples(entry: SessionEntry) -> Samples | None:
    """A known average heart rate stands for the whole session: one value a minute (the dose
    rules' sample gap, dose.toml [hr_samples], then counts every minute)."""
    if entry.avg_hr is None:
        return None
    start_ms = int(entry.start.timestamp() * 1000)
    times = start_ms + np.arange(0, int(entry.minutes * 60), 60, dtype=np.int64) * 1000
    return Samples.of(times, heart_rate=np.full(len(times), float(entry.avg_hr)))


def add_manual_session(
    s: Session, deps: Deps, patient_id: int, entry: SessionEntry, ctx: DoseContext, *, recorded_by: int | None
) -> StoredSession:
    day = ctx.local_day(entry.start)
    dose = _manual_dose(entry, ctx, day)
    stored = repo.add_session(
        s,
        patient_id=patient_id,
        import_id=None,
        source="manual",
        start_at=entry.start,
        end_at=entry.start + timedelta(minutes=entry.minutes),
        sport=entry.sport,
        device_sport=None,
        duration_s=entry.minutes * 60,
        distance_m=entry.distance_km * 1000 if entry.distance_km is not None else None,
        avg_hr=entry.avg_hr,
        max_hr=entry.max_hr,
        calories_kcal=None,
        rpe=entry.rpe,
        steps=entry.steps,
        supervised=entry.supervised,
        notes=entry.notes,
        sample_count=0,
        dose=stored_dose(dose),
        recorded_at=deps.clock(),
        recorded_by=recorded_by,
    )
    changed = flag_overlaps(s, patient_id, [stored], ctx.tz)
    recompute_weeks(s, deps, patient_id, ctx, {day} | changed)
    found = repo.get_session(s, stored.id)
    assert found is not None
    return found


def _manual_dose(entry: SessionEntry, ctx: DoseContext, day: date) -> SessionDose:
    # RPE before heart rate for a logged session: a rating given on purpose describes the whole
    # session; an average heart rate typed in is a rougher guide than a device's samples.
    samples = _manual_samples(entry) if entry.rpe is None else None
    return session_dose(
        session_id="new",
        start=entry.start,
        duration_s=entry.minutes * 60,
        sport=cast(Sport, entry.sport),
        samples=samples,
        rpe=entry.rpe,
        resting_hr=ctx.resting_hr,
        hrmax=ctx.hrmax,
        target_hr=ctx.target_hr(day),
    )


def _parsed_dose(parsed: ParsedSession, ctx: DoseContext) -> SessionDose:
    return parsed_session_dose(
        parsed,
        session_id="new",
        resting_hr=ctx.resting_hr,
        hrmax=ctx.hrmax,
        target_hr=ctx.target_hr(ctx.local_day(parsed.start)),
    )


def persist_parsed(
    s: Session, deps: Deps, found: ImportRecord, parsed: ParsedFile, ctx: DoseContext
) -> list[tuple[int, ParsedSession]]:
    """Store an import's sessions (with dose and overlap flags), its daily steps and the weekly
    summaries it touches; returns ``(session id, parsed session)`` pairs for the sample store."""
    stored: list[tuple[int, ParsedSession]] = []
    new: list[StoredSession] = []
    for item in parsed.sessions:
        row = repo.add_session(
            s,
            patient_id=found.patient_id,
            import_id=found.id,
            source=parsed.format,
            start_at=item.start,
            end_at=item.end,
            sport=item.sport,
            device_sport=item.device_sport[:64] or None,
            duration_s=item.duration_s,
            distance_m=item.distance_m,
            avg_hr=item.avg_hr,
            max_hr=item.max_hr,
            calories_kcal=item.calories_kcal,
            rpe=None,
            supervised=None,
            notes=None,
            sample_count=len(item.samples),
            dose=stored_dose(_parsed_dose(item, ctx)),
            recorded_at=deps.clock(),
            recorded_by=found.created_by,
            **_device_columns(item),
        )
        stored.append((row.id, item))
        new.append(row)
    changed = flag_overlaps(s, found.patient_id, new, ctx.tz)
    days = _store_daily(s, found, parsed, ctx)
    recompute_weeks(s, deps, found.patient_id, ctx, {ctx.local_day(r.start) for r in new} | days | changed)
    return stored


def _device_columns(item: ParsedSession) -> dict[str, float | None]:
    summary = item.device_summary
    if summary is None:
        return {}
    return {
        "device_duration_s": summary.duration_s,
        "device_distance_m": summary.distance_m,
        "device_avg_hr": summary.avg_hr,
        "device_max_hr": summary.max_hr,
    }


def _store_daily(s: Session, found: ImportRecord, parsed: ParsedFile, ctx: DoseContext) -> set[date]:
    totals: dict[str, dict[date, float]] = {}
    for series in parsed.series:
        if series.metric in ("steps", "calories"):
            for day, value in daily_totals(series, ctx.tz).items():
                bucket = totals.setdefault(series.metric, {})
                bucket[day] = bucket.get(day, 0.0) + value
    days = set(totals.get("steps", {})) | set(totals.get("calories", {}))
    for day in sorted(days):
        repo.add_daily(
            s,
            patient_id=found.patient_id,
            import_id=found.id,
            day=day,
            steps=totals.get("steps", {}).get(day),
            calories=totals.get("calories", {}).get(day),
        )
    return days


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of Monday 00:00 and the next Monday 00:00 in the patient's timezone."""
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def flag_overlaps(s: Session, patient_id: int, new: Iterable[StoredSession], tz: ZoneInfo) -> set[date]:
    """Mark sessions that record the same bout as a richer one (``stride.activity.overlap``) among
    the new sessions and those overlapping them; returns the Mondays of sessions whose flag changed.
    A richer newcomer (a FIT file after a hand log) takes over, so earlier flags are re-decided."""
    new = list(new)
    if not new:
        return set()
    first = min(x.start for x in new)
    last = max(x.end for x in new)
    around = repo.sessions_between(s, patient_id, first, last)
    spans = [
        SessionSpan(
            id=str(x.id),
            start=x.start,
            end=x.end,
            source=x.source,
            has_hr_samples=x.sample_count > 0 and x.dose is not None and x.dose.hr_coverage > 0,
            manual=x.source == "manual",
        )
        for x in around
        if x.end > x.start
    ]
    verdict = {d.id: int(d.of) for d in find_duplicates(spans).duplicates}
    changed: set[date] = set()
    for x in around:
        flag = verdict.get(str(x.id))
        if flag != x.duplicate_of:
            repo.set_duplicate(s, x.id, flag)
            changed.add(x.start.astimezone(tz).date())
    return changed


def day_steps(
    tracked: Mapping[date, float], sessions: Iterable[StoredSession], tz: ZoneInfo
) -> dict[date, float]:
    """Each day's steps: the tracker's day total, or the steps of the day's counted sessions when
    they are more (a walk logged with its steps on a day the tracker was not worn). Not their sum:
    a tracker worn on the walk has counted its steps already."""
    logged: dict[date, float] = {}
    for x in sessions:
        if x.steps is not None and x.counted:
            day = x.start.astimezone(tz).date()
            logged[day] = logged.get(day, 0.0) + x.steps
    days = set(tracked) | set(logged)
    return {d: max(tracked.get(d, 0.0), logged.get(d, 0.0)) for d in sorted(days)}


WeekData = tuple[WeekDose, list[StoredSession], dict[date, float]]  # dose, sessions, steps per day


def week_dose_of(s: Session, patient_id: int, ctx: DoseContext, monday: date) -> WeekData:
    return week_doses_of(s, patient_id, ctx, [monday])[monday]


def week_doses_of(
    s: Session, patient_id: int, ctx: DoseContext, mondays: Iterable[date]
) -> dict[date, WeekData]:
    """The dose, sessions (those overlapping the week, oldest first) and steps per day of each
    calendar week of ``mondays``, read in one query for the sessions and one for the steps."""
    weeks = sorted(set(mondays))
    if not weeks:
        return {}
    first, last = weeks[0], weeks[-1] + timedelta(days=6)
    span_start, span_end = week_bounds(weeks[0], ctx.tz)[0], week_bounds(weeks[-1], ctx.tz)[1]
    all_sessions = repo.sessions_between(s, patient_id, span_start, span_end)
    all_tracked = {d.day: d.steps for d in repo.daily_steps(s, patient_id, first, last)}
    out: dict[date, WeekData] = {}
    for monday in weeks:
        start, end = week_bounds(monday, ctx.tz)
        sessions = [x for x in all_sessions if x.start < end and x.end > start]
        sunday = monday + timedelta(days=6)
        tracked = {d: v for d, v in all_tracked.items() if monday <= d <= sunday}
        steps = day_steps(tracked, sessions, ctx.tz)
        doses = [d for d in (dose_of(x) for x in sessions) if d is not None]
        duplicates = {str(x.id) for x in sessions if x.duplicate_of is not None}
        week = week_dose(monday, doses, tz=ctx.tz, duplicates=duplicates, daily_steps=steps)
        out[monday] = (week, sessions, steps)
    return out


def recompute_weeks(s: Session, deps: Deps, patient_id: int, ctx: DoseContext, mondays: set[date]) -> None:
    """Rewrite the stored weekly summaries of ``mondays`` from the sessions and steps now stored."""
    for monday in sorted({monday_of(d) for d in mondays}):
        week, _, _ = week_dose_of(s, patient_id, ctx, monday)
        repo.upsert_week(s, patient_id, week_summary(monday, week, at=deps.clock()))


def week_summary(monday: date, week: WeekDose, *, at: datetime) -> WeekSummary:
    """The stored shape of a calendar week's dose (MVPA = moderate + vigorous minutes)."""
    return WeekSummary(
        week_start=monday,
        sessions=week.sessions,
        moderate_minutes=week.moderate_minutes,
        vigorous_minutes=week.vigorous_minutes,
        mvpa_minutes=week.moderate_minutes + week.vigorous_minutes,
        moderate_equivalent_minutes=week.moderate_equivalent_minutes,
        met_minutes=week.met_minutes,
        kcal_per_kg=week.kcal_per_kg,
        steps_per_day=week.steps_per_day,
        updated_at=at,
    )
