"""``<Workout>`` elements of an Apple Health export turned into sessions.

Workouts are few (thousands in a multi-GB export, reference census in neiltron/apple-health-mcp,
``docs/reference/apple-health-export-xml.md``), so each is taken with a plain attribute regex. Since
iOS 16 the totals live in ``<WorkoutStatistics>`` children (``sum`` for distance and energy,
``average``/``maximum`` for heart rate); older exports carry ``totalDistance`` and
``totalEnergyBurned`` attributes. Both are read; the attributes win where both exist, as they are
what the recording app itself stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from stride.activity.io._apple_records import ATTRIBUTE, apple_dates_ms, text
from stride.activity.io.sports import normalise_sport
from stride.activity.model import F64, I64, ParsedSession, Samples

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

WORKOUT_TAG = re.compile(rb"<Workout\s([^>]*?)(/?)>")
WORKOUT_END = b"</Workout>"
_STATISTICS = re.compile(rb"<WorkoutStatistics\s([^>]*?)/?>")

# Unit conversions of the units HealthKit writes (HKUnit unit strings).
_METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01}
_KCAL = {"kcal": 1.0, "Cal": 1.0, "kJ": 1 / 4.184, "cal": 0.001}
_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0, "ms": 0.001}


@dataclass(slots=True)
class Workout:
    """A workout as read, before its heart-rate samples are attached."""

    start_ms: int
    end_ms: int
    activity_type: str
    duration_s: float
    distance_m: float | None
    kcal: float | None
    stat_avg_hr: float | None
    stat_max_hr: float | None


@dataclass(slots=True)
class Workouts:
    """Workouts gathered chunk by chunk; unusable ones noted by line."""

    found: list[Workout] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)

    def feed(self, piece: bytes, pos: int, first_line: int) -> None:
        """Take the workouts of ``piece[pos:]`` (the reader never cuts a piece inside one)."""
        for match in WORKOUT_TAG.finditer(piece, pos):
            body = b""
            if not match.group(2):
                close = piece.find(WORKOUT_END, match.end())
                body = piece[match.end() : close if close >= 0 else len(piece)]
            try:
                self.found.append(_workout(dict(ATTRIBUTE.findall(match.group(1))), body))
            except ValueError as exc:
                self.bad.append((first_line + piece.count(b"\n", 0, match.start()), str(exc)))


def _date(attrs: dict[bytes, bytes], name: bytes) -> int:
    raw = attrs.get(name, b"")
    if len(raw) == 25:
        ms, ok = apple_dates_ms(raw)
        if ok[0]:
            return int(ms[0])
    raise ValueError(f"Workout {name.decode()} {text(raw)!r} is not a date like '2020-01-01 08:00:00 +0100'")


def _quantity(
    attrs: dict[bytes, bytes], name: bytes, unit_name: bytes, units: dict[str, float]
) -> float | None:
    """``attrs[name]`` converted by its unit, ``None`` when absent; ValueError when unusable."""
    if name not in attrs:
        return None
    raw, unit = text(attrs[name]), text(attrs.get(unit_name, b""))
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"Workout {name.decode()} {raw!r} is not a number") from None
    if unit not in units or not np.isfinite(value) or value < 0:
        raise ValueError(f"Workout {name.decode()} {raw!r} {unit!r} is not a known quantity")
    return value * units[unit]


def _workout(attrs: dict[bytes, bytes], body: bytes) -> Workout:
    start, end = _date(attrs, b"startDate"), _date(attrs, b"endDate")
    if end < start:
        raise ValueError("Workout endDate is before its startDate")
    duration = _quantity(attrs, b"duration", b"durationUnit", _SECONDS)
    distance = _quantity(attrs, b"totalDistance", b"totalDistanceUnit", _METRES)
    kcal = _quantity(attrs, b"totalEnergyBurned", b"totalEnergyBurnedUnit", _KCAL)
    avg_hr = max_hr = None
    for stat_match in _STATISTICS.finditer(body):
        stat = dict(ATTRIBUTE.findall(stat_match.group(1)))
        kind = stat.get(b"type", b"")
        if kind.startswith(b"HKQuantityTypeIdentifierDistance") and distance is None:
            distance = _quantity(stat, b"sum", b"unit", _METRES)
        elif kind == b"HKQuantityTypeIdentifierActiveEnergyBurned" and kcal is None:
            kcal = _quantity(stat, b"sum", b"unit", _KCAL)
        elif kind == b"HKQuantityTypeIdentifierHeartRate":
            avg_hr = _quantity(stat, b"average", b"unit", {"count/min": 1.0})
            max_hr = _quantity(stat, b"maximum", b"unit", {"count/min": 1.0})
    return Workout(
        start_ms=start,
        end_ms=end,
        activity_type=text(attrs.get(b"workoutActivityType", b"")),
        # Apple's duration excludes pauses; without one, the wall-clock span is all there is.
        duration_s=duration if duration is not None else (end - start) / 1000,
        distance_m=distance,
        kcal=kcal,
        stat_avg_hr=avg_hr,
        stat_max_hr=max_hr,
    )


def sessions(workouts: list[Workout], hr_time: I64, hr_value: F64) -> tuple[ParsedSession, ...]:
    """Sessions of the workouts, in start order, each with the heart-rate readings of its interval.

    Readings whose time lies in ``[startDate, endDate]`` (both ends included) are the session's
    samples, from whichever source; avg/max heart rate come from them, or from the workout's
    ``WorkoutStatistics`` when no reading falls inside.
    """
    result = []
    for w in sorted(workouts, key=lambda w: w.start_ms):
        lo = int(np.searchsorted(hr_time, w.start_ms, side="left"))
        hi = int(np.searchsorted(hr_time, w.end_ms, side="right"))
        bpm = hr_value[lo:hi]
        result.append(
            ParsedSession(
                start=_UTC_EPOCH + timedelta(milliseconds=w.start_ms),
                end=_UTC_EPOCH + timedelta(milliseconds=w.end_ms),
                sport=normalise_sport(w.activity_type),
                device_sport=w.activity_type,
                duration_s=w.duration_s,
                distance_m=w.distance_m,
                avg_hr=float(bpm.mean()) if len(bpm) else w.stat_avg_hr,
                max_hr=float(bpm.max()) if len(bpm) else w.stat_max_hr,
                calories_kcal=w.kcal,
                samples=Samples.of(hr_time[lo:hi].copy(), heart_rate=bpm.copy()),
            )
        )
    return tuple(result)
