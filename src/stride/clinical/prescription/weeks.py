"""Week-by-week targets of a plan, intensity ceilings and the choice of session days.

Pure helpers of :mod:`stride.clinical.prescription`: the protocol's own targets
(:func:`~stride.clinical.prescription.weekly_targets`), slowed down for a deconditioned start so that
the full dose is not reached before the rule's minimum ramp, fitted to the plan's length; a
screening ceiling applied to intensity classes and RPE; and the most evenly spread choice of days.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from fractions import Fraction

from stride.clinical.prescription.intensity import CLASS_IDS, rpe_range
from stride.clinical.prescription.protocol_model import Phase, Protocol, WeekTarget
from stride.clinical.prescription.protocols import RESOLUTION, weekly_targets


def _exact(value: float) -> Fraction:
    return Fraction(repr(value))


def phase_by_id(protocol: Protocol, phase_id: str) -> Phase:
    """The phase ``phase_id`` of ``protocol`` (weeks past the protocol's end keep its last phase)."""
    return next(p for p in protocol.phases if p.id == phase_id)


def peak_volume(protocol: Protocol) -> float:
    """The highest volume of the protocol's schedule: the full dose."""
    return max(p.volume for p in protocol.phases)


def _target(protocol: Protocol, week: int, volume: Fraction, *, behind: bool) -> WeekTarget:
    # Mirrors protocols.weekly_targets: sessions follow the phase, minutes shrink with the volume, and
    # a person still below the schedule keeps the start level's (easier) intensity.
    phase = protocol.phase_for_week(week)
    minutes = math.floor(phase.minutes * volume / _exact(phase.volume))
    if protocol.volume_unit == "min_per_week":
        volume = Fraction(phase.frequency * minutes)
    easy = protocol.start_level if behind else phase
    return WeekTarget(
        week, phase.id, phase.frequency, minutes, easy.intensity, easy.rpe, float(volume), behind
    )


def _slowed(protocol: Protocol, base: tuple[WeekTarget, ...], ramp_weeks: int) -> tuple[WeekTarget, ...]:
    """Rebuild a deconditioned ramp that reaches the full dose only in week ``ramp_weeks``: a straight
    line from the start level, never above the schedule or the protocol's own weekly step."""
    peak, unit = _exact(peak_volume(protocol)), RESOLUTION[protocol.volume_unit]
    start, rule = _exact(protocol.start_level.volume), protocol.progression
    out, behind = [base[0]], True
    for week in range(2, len(base) + 1):
        scheduled = _exact(protocol.phase_for_week(week).volume)
        line = start + (peak - start) * Fraction(week - 1, ramp_weeks - 1)
        grown = rule.allowed(_exact(out[-1].volume), increase=rule.step)
        volume = min(scheduled, math.floor(line / unit) * unit, math.floor(grown / unit) * unit)
        behind = behind and volume < scheduled
        out.append(_target(protocol, week, volume, behind=behind))
    return tuple(out)


def plan_targets(
    protocol: Protocol, *, start_low: bool, weeks: int, min_ramp_weeks: int
) -> tuple[tuple[WeekTarget, ...], bool]:
    """The targets of each of ``weeks`` weeks, and whether the ramp was slowed.

    Parameters
    ----------
    protocol
        The chosen protocol.
    start_low
        Start at the protocol's start level (deconditioned, or a restriction or symptom asks for it);
        the full dose is then reached no earlier than week ``min_ramp_weeks``.
    weeks
        The plan's length: the protocol's schedule is cut short, or its last week held, to fit.
    min_ramp_weeks
        The earliest week in which a low start may reach the full dose.

    Returns
    -------
    tuple
        One :class:`~stride.clinical.prescription.protocol_model.WeekTarget` per week, numbered from 1,
        and ``True`` when the protocol's own ramp was slowed down.
    """
    base = weekly_targets(protocol, deconditioned=start_low)
    slowed = False
    if start_low:
        peak = peak_volume(protocol)
        reached = next((t.week for t in base if t.volume >= peak), None)
        if reached is not None and reached < min_ramp_weeks:
            base, slowed = _slowed(protocol, base, min_ramp_weeks), True
    if weeks <= len(base):
        return base[:weeks], slowed
    held = tuple(replace(base[-1], week=week) for week in range(len(base) + 1, weeks + 1))
    return base + held, slowed


def capped(
    classes: tuple[str, ...], rpe: tuple[int, int], ceiling: str | None
) -> tuple[tuple[str, ...], tuple[int, int]]:
    """Intensity classes and RPE range under an intensity ``ceiling`` (a class id, or ``None``).

    Classes above the ceiling are dropped (the ceiling class alone if none is left), and the RPE
    range is cut to the RPE range of the classes kept; when nothing of it is left, it becomes the
    RPE range of the highest class kept.
    """
    if ceiling is None:
        return classes, rpe
    top = CLASS_IDS.index(ceiling)
    kept = tuple(c for c in classes if CLASS_IDS.index(c) <= top) or (ceiling,)
    low, high = max(rpe[0], rpe_range(kept[0])[0]), min(rpe[1], rpe_range(kept[-1])[1])
    if low > high:
        return kept, rpe_range(kept[-1])
    return kept, (low, high)


def _gaps(chosen: tuple[int, ...]) -> list[int]:
    # Days between consecutive sessions, round the week (Sunday to Monday is one day).
    return [(chosen[(i + 1) % len(chosen)] - day) % 7 or 7 for i, day in enumerate(chosen)]


def _longest_run(gaps: list[int]) -> int:
    # The most sessions on consecutive days in a row, round the week.
    streak = longest = 0
    for gap in gaps + gaps:
        streak = streak + 1 if gap == 1 else 0
        longest = max(longest, min(streak, len(gaps)))
    return longest + 1


def _spread_key(chosen: tuple[int, ...]) -> tuple[int, int, int, int, tuple[int, ...]]:
    gaps = _gaps(chosen) if len(chosen) > 1 else [7]
    adjacent = sum(1 for g in gaps if g == 1)
    return adjacent, _longest_run(gaps), -min(gaps), sum(g * g for g in gaps), chosen


def spread_days(available: tuple[str, ...], count: int, *, week: tuple[str, ...]) -> tuple[str, ...]:
    """``count`` of the ``available`` days, as evenly spread as possible, in week order.

    Fewest back-to-back days first (Sunday to Monday counts), then the shortest run of consecutive
    days, then the largest smallest gap, then the most even gaps, then the earliest days, so the
    choice is deterministic. ``count`` larger
    than the days available gives them all.
    """
    indexes = sorted(week.index(day) for day in available)
    if count >= len(indexes):
        return tuple(week[i] for i in indexes)
    best = min(itertools.combinations(indexes, count), key=_spread_key)
    return tuple(week[i] for i in best)


def back_to_back(days: tuple[str, ...], *, week: tuple[str, ...]) -> int:
    """How many pairs of ``days`` are consecutive days (Sunday to Monday counts)."""
    if len(days) < 2:
        return 0
    return sum(1 for g in _gaps(tuple(week.index(d) for d in days)) if g == 1)
