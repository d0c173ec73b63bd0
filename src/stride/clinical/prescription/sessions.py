"""The sessions and target of one plan week, from the week's protocol target.

Intensity is the week's ACSM classes under the screen's ceiling; the heart-rate range is the
Karvonen zones of those classes (none when intensity is set by RPE only); the RPE range lies within
the classes' RPE range; strength loads never exceed the session's RPE; notes carry the restrictions
and tailoring that apply to every session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from stride.clinical.prescription.intensity import Zones, talk_test
from stride.clinical.prescription.model import PlanSession, PlanTarget, PlanWeek, StrengthSet
from stride.clinical.prescription.protocol_model import Intervals, Protocol, StrengthExercise, WeekTarget
from stride.clinical.prescription.weeks import capped, phase_by_id

KCAL_UNIT = "kcal_per_kg_per_week"


@dataclass(frozen=True, slots=True)
class WeekContext:
    """What every week of one plan shares.

    ``zones`` is ``None`` when intensity is prescribed by RPE only. ``notes`` go on every session,
    ``first_notes`` on the plan's first session, ``vigorous_notes`` on sessions that reach vigorous
    intensity; notes may use ``{rpe_low}``, ``{rpe_high}`` and ``{classes}``.
    """

    protocol: Protocol
    modality: str
    zones: Zones | None
    ceiling: str | None
    redistribute: bool
    weight_kg: float
    rir_per_rpe_point: int
    notes: tuple[str, ...]
    first_notes: tuple[str, ...]
    vigorous_notes: tuple[str, ...]
    start_date: date | None


def _hr_range(zones: Zones | None, classes: tuple[str, ...]) -> tuple[int, int] | None:
    if zones is None:
        return None
    low: tuple[int, int] = getattr(zones, classes[0])
    high: tuple[int, int] = getattr(zones, classes[-1])
    return low[0], high[1]


def _strength_set(
    exercise: StrengthExercise, sets: int, rpe: tuple[int, int], rir_per_point: int
) -> StrengthSet:
    low, high = max(exercise.rpe[0], rpe[0]), min(exercise.rpe[1], rpe[1])
    load = (low, high) if low <= high else rpe
    # A load capped below the exercise's range leaves more repetitions in reserve.
    extra = max(0, exercise.rpe[1] - load[1]) * rir_per_point
    rir = (exercise.rir[0] + extra, exercise.rir[1] + extra)
    return StrengthSet(exercise.name, sets, exercise.reps, load, rir)


def _strength(ctx: WeekContext, target: WeekTarget, rpe: tuple[int, int]) -> tuple[StrengthSet, ...]:
    phase = phase_by_id(ctx.protocol, target.phase)
    return tuple(
        _strength_set(x, phase.strength_sets or x.sets, rpe, ctx.rir_per_rpe_point)
        for x in ctx.protocol.strength
    )


def _intervals_note(intervals: Intervals, top: str, minutes: int) -> str:
    work, work_rpe = capped(intervals.work_intensity, intervals.work_rpe, top)
    rest, rest_rpe = capped(intervals.recovery_intensity, intervals.recovery_rpe, top)
    bout = intervals.work_seconds + intervals.recovery_seconds
    repeats = max(1, min(intervals.repeats, minutes * 60 // bout))
    return (
        f"Intervals: {repeats} x ({intervals.work_seconds} s {'-'.join(work)} at RPE "
        f"{work_rpe[0]}-{work_rpe[1]}, {intervals.recovery_seconds} s {'-'.join(rest)} at RPE "
        f"{rest_rpe[0]}-{rest_rpe[1]}); "
        "the rest of the main part continuous and easy."
    )


def _notes(
    ctx: WeekContext, target: WeekTarget, classes: tuple[str, ...], rpe: tuple[int, int], minutes: int
) -> list[str]:
    phase = phase_by_id(ctx.protocol, target.phase)
    notes = []
    if target.start_level:
        notes.append("Start level: easier than the protocol's schedule until the dose is built up.")
    elif phase.intervals is not None:
        notes.append(_intervals_note(phase.intervals, classes[-1], minutes))
    notes += ctx.notes
    if "vigorous" in classes:
        notes += ctx.vigorous_notes
    values = {"{rpe_low}": str(rpe[0]), "{rpe_high}": str(rpe[1]), "{classes}": "-".join(classes)}
    return [_fill(note, values) for note in notes]


def _fill(note: str, values: dict[str, str]) -> str:
    # Plain replacement, not str.format: a protocol's note may contain braces of its own.
    for key, value in values.items():
        note = note.replace(key, value)
    return note


def _minutes(ctx: WeekContext, target: WeekTarget, sessions: int) -> int:
    if ctx.redistribute and 0 < sessions < target.frequency:
        # Dosed by energy: the same weekly dose on fewer, longer sessions (rounded up, never under).
        return math.ceil(target.minutes * target.frequency / sessions)
    return target.minutes


def build_week(ctx: WeekContext, target: WeekTarget, days: tuple[str, ...]) -> PlanWeek:
    """The sessions (one per day in ``days``) and the target of the week ``target``.

    Parameters
    ----------
    ctx
        What the plan's weeks share.
    target
        The week's protocol target (after the start-level ramp).
    days
        The session days of the week, at most the target's frequency, in week order.
    """
    classes, rpe = capped(target.intensity, target.rpe, ctx.ceiling)
    minutes = _minutes(ctx, target, len(days))
    notes = _notes(ctx, target, classes, rpe, minutes)
    p = ctx.protocol
    sessions = tuple(
        PlanSession(
            day=day,
            modality=ctx.modality,
            minutes=minutes,
            intensity="-".join(classes),
            hr_range_bpm=_hr_range(ctx.zones, classes),
            rpe_range=rpe,
            talk_test=talk_test(classes[-1]),
            warm_up=f"{p.warm_up.minutes} min: {p.warm_up.description}",
            cool_down=f"{p.cool_down.minutes} min: {p.cool_down.description}",
            strength=_strength(ctx, target, rpe),
            notes=(*notes, *(ctx.first_notes if target.week == 1 and index == 0 else ())),
        )
        for index, day in enumerate(days)
    )
    return PlanWeek(
        target.week, _starts_on(ctx, target.week), sessions, _plan_target(ctx, target, classes, rpe, days)
    )


def _starts_on(ctx: WeekContext, week: int) -> date | None:
    return None if ctx.start_date is None else ctx.start_date + timedelta(weeks=week - 1)


def _plan_target(
    ctx: WeekContext,
    target: WeekTarget,
    classes: tuple[str, ...],
    rpe: tuple[int, int],
    days: tuple[str, ...],
) -> PlanTarget:
    unit = ctx.protocol.volume_unit
    energy = round(target.volume * ctx.weight_kg, 1) if unit == KCAL_UNIT else None
    return PlanTarget(
        phase=target.phase,
        frequency=target.frequency,
        sessions=len(days),
        minutes_per_session=target.minutes,
        minutes_per_week=target.frequency * target.minutes,
        planned_minutes_per_week=len(days) * _minutes(ctx, target, len(days)),
        intensity="-".join(classes),
        rpe_range=rpe,
        volume=target.volume,
        volume_unit=unit,
        energy_kcal_per_week=energy,
        start_level=target.start_level,
    )
