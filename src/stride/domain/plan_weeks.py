"""Which week of a plan a day falls in when the plan was paused, and whether a plan held by a
resolved safety alert still waits for the care team to resume it. Pure: days and times come in.

A plan paused by a safety alert and resumed "from the week where it paused" does not count the days
it was on hold: the patient picks up the week they were in when the hold began. Dose, adherence and
the plan page all count weeks with :func:`plan_week`, so that they agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from stride.domain.measurements import SafetyAlert

Pause = tuple[date, date]  # (the day the hold began, the day the plan was resumed)


class ResumeMode(StrEnum):
    PAUSED_WEEK = "paused_week"  # the same plan, from the week where it paused
    NEW_PRESCRIPTION = "new_prescription"  # a new version built in the plan builder


def paused_days(start: date, day: date, pauses: Iterable[Pause]) -> int:
    """The days between ``start`` and ``day`` on which the plan was paused (a day counted once,
    however many pauses cover it; the part of a pause before the start or after ``day`` is not)."""
    total, counted_to = 0, start
    for paused_from, resumed_on in sorted(pauses):
        begin, end = max(paused_from, counted_to), min(resumed_on, day)
        if end > begin:
            total += (end - begin).days
        counted_to = max(counted_to, min(resumed_on, day))
    return total


def plan_week(start: date, day: date, pauses: Iterable[Pause] = ()) -> int:
    """The 1-based plan week containing ``day``, the paused days not counted. Below 1 before the
    start; above the plan's length after its end (the caller knows the length)."""
    return ((day - start).days - paused_days(start, day, pauses)) // 7 + 1


def covered_week(start: date, day: date, pauses: Iterable[Pause] = (), *, weeks: int) -> int | None:
    """The 1-based week of a plan of ``weeks`` weeks that holds ``day``; ``None`` before its start
    and after its end. The plan page, dose and adherence all ask this one question.

    >>> start = date(2026, 1, 5)
    >>> covered_week(start, date(2026, 1, 12), weeks=2), covered_week(start, date(2026, 1, 19), weeks=2)
    (2, None)
    """
    number = plan_week(start, day, pauses)
    return number if 1 <= number <= weeks else None


def deciding_day(monday: date) -> date:
    """The day of the calendar week starting ``monday`` whose plan week the whole week is judged
    against: its Thursday, so the plan week holding most of its days (the ISO 8601 week rule)."""
    return monday + timedelta(days=3)


@dataclass(frozen=True, slots=True)
class AwaitingResume:
    """A plan held by safety alerts that are all resolved now: the latest of them, and the day the
    hold began (the first of them raised)."""

    alert_id: int
    resolved_at: datetime
    paused_from: date


def awaiting_resume(alerts: Sequence[SafetyAlert], *, since: datetime) -> AwaitingResume | None:
    """Whether the plan waits to be resumed: an alert resolved after ``since`` (the later of the
    current plan version's creation and its last resume) held it, and nothing has resumed it yet.

    Resolving an alert does not restart exercise by itself: a clinician of the care team decides
    to resume the plan and records why (the alert's resolution documents the risk decision, the
    resume the exercise decision)."""
    held = [a for a in alerts if a.resolved_at is not None and a.resolved_at > since]
    if not held:
        return None
    latest = max(held, key=lambda a: (a.resolved_at or since, a.id))
    assert latest.resolved_at is not None
    return AwaitingResume(
        alert_id=latest.id,
        resolved_at=latest.resolved_at,
        paused_from=min(a.raised_at for a in held).date(),
    )
