"""Garmin FIT reader: one session per ``session`` message, records assigned to them by time.

The summary is computed from the records (elapsed time first to last, the last cumulative
``distance``, mean and maximum ``heart_rate``); the session message's ``total_elapsed_time``,
``total_distance``, ``avg_heart_rate`` and ``max_heart_rate`` are kept beside as the device's summary.

The decoding (fitdecode, the CRC checked, every decoder failure an :class:`UnreadableFile` at a
byte offset, files of another kind refused) is :mod:`stride.activity.io._fit_decode`'s; this module
maps what it collected to sessions. The record columns become arrays once, and are split among the
sessions with one sorted search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import numpy as np

from stride.activity.io._fit_decode import Decoded, decode
from stride.activity.io._sessions import MAX_POINTS, from_samples
from stride.activity.io._xml import cumulative_distance_m, last_distance, ms_to_datetime
from stride.activity.io.spec import FormatSpec, Limit
from stride.activity.io.sports import normalise_sport
from stride.activity.model import F64, I64, DeviceSummary, ParsedFile, ParsedSession, Progress, Samples, Sport
from stride.errors import UnreadableFile

FIT_EPOCH_S = 631_065_600  # 1989-12-31T00:00:00Z, where FIT's date_time counts from
SEMICIRCLE_DEG = 180.0 / 2**31


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read the FIT file at ``path``. ``tz`` is not used: FIT times are UTC by definition."""
    try:
        total = path.stat().st_size
        fh = path.open("rb")
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None
    with fh:
        decoded = decode(fh, total, progress)
    if progress is not None:
        progress(total, total)
    sessions, warnings = _sessions(decoded)
    return ParsedFile(format="fit", sessions=sessions, warnings=warnings)


# FIT timestamps are whole seconds while total_elapsed_time is not, and devices write the last record
# just after the timer stops: a record this close after a session's end still belongs to it.
_END_TOLERANCE_MS = 2000
_UINT32 = 2.0**32
_OPEN_END = np.iinfo(np.int64).max - _END_TOLERANCE_MS


@dataclass(frozen=True, slots=True)
class _Summary:
    """The device's summary of one session, sanitised (damaged files give odd types)."""

    start_ms: int
    sport: str
    sub_sport: str
    end_ms: int | None = None
    elapsed_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    calories: float | None = None


def _sessions(decoded: Decoded) -> tuple[tuple[ParsedSession, ...], tuple[str, ...]]:
    """Split the records among the session summaries and build one session each."""
    warnings: list[str] = []
    cols = _record_arrays(decoded)
    time_ms = cols.pop("time_ms").astype(np.int64)
    summaries = _summaries(decoded, time_ms, warnings)
    owner = _owners(summaries, time_ms)
    if (left_out := int(np.count_nonzero(owner < 0))) > 0:
        warnings.append(f"{left_out} records outside every session were left out")
    sessions: list[ParsedSession] = []
    previous_end_distance: float | None = None
    for index, summary in enumerate(summaries):
        rows = np.flatnonzero(owner == index)
        samples = _samples(time_ms[rows], {k: v[rows] for k, v in cols.items()}, previous_end_distance)
        previous_end_distance = last_distance(cols["distance_m"][rows])
        sessions.append(_session(summary, samples))
    return tuple(sessions), tuple(warnings)


def _summaries(decoded: Decoded, time_ms: I64, warnings: list[str]) -> list[_Summary]:
    """The session summaries in time order; one made of the records when the file has none."""
    summaries = [s for s in (_summary(v, decoded.sport) for v in decoded.sessions) if s is not None]
    if len(summaries) < len(decoded.sessions):
        skipped = len(decoded.sessions) - len(summaries)
        warnings.append(f"{skipped} session messages without a usable start time were skipped")
    if not summaries:
        if len(time_ms) == 0:
            raise UnreadableFile("the FIT file holds no session and no record", field="session")
        summaries = [_summary_from_records(time_ms, decoded.sport)]
        warnings.append(f"no session summary in the file: one session was made of its {len(time_ms)} records")
    return sorted(summaries, key=lambda s: s.start_ms)


def _owners(summaries: list[_Summary], time_ms: I64) -> I64:
    """Index of the session each record belongs to: the last one started at or before it, if the
    record is not after that session's end; ``-1`` for records outside every session."""
    starts = np.array([s.start_ms for s in summaries], dtype=np.int64)
    # A session without an end (no elapsed time, no timestamp) runs until the next one starts.
    ends = np.array([_OPEN_END if s.end_ms is None else s.end_ms for s in summaries], dtype=np.int64)
    owner = np.searchsorted(starts, time_ms, side="right") - 1
    owner[(owner < 0) | (time_ms > ends[np.maximum(owner, 0)] + _END_TOLERANCE_MS)] = -1
    return owner


def _record_arrays(decoded: Decoded) -> dict[str, F64]:
    """The record columns as arrays in time order; records without a timestamp are dropped."""
    raw = [_floats(column) for column in decoded.columns]
    timestamp, heart_rate, distance, lat, lon, enhanced_altitude, altitude = raw
    # A timestamp is a uint32 of seconds; anything else is damage the CRC happened not to catch.
    keep = (timestamp >= 0) & (timestamp < _UINT32)
    cols = {
        "time_ms": (timestamp + FIT_EPOCH_S) * 1000.0,
        "heart_rate": heart_rate,
        "distance_m": distance,
        "latitude": lat * SEMICIRCLE_DEG,
        "longitude": lon * SEMICIRCLE_DEG,
        "altitude_m": np.where(np.isnan(enhanced_altitude), altitude, enhanced_altitude),
    }
    cols = {name: values[keep] for name, values in cols.items()}
    if len(cols["time_ms"]) > 1 and bool(np.any(np.diff(cols["time_ms"]) < 0)):
        order = np.argsort(cols["time_ms"], kind="stable")
        cols = {name: values[order] for name, values in cols.items()}
    return cols


def _floats(values: list[Any]) -> F64:
    try:
        # Fast path: numbers and None (which becomes NaN).
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        # A damaged definition can give a field several values or a string; such values are unusable.
        return np.array([_number(v) if _number(v) is not None else np.nan for v in values], dtype=np.float64)


def _number(value: Any) -> float | None:
    """``value`` if it is a finite number in the range of FIT's uint32 fields, else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if -_UINT32 < number < _UINT32 else None


def _label(value: Any) -> str:
    return "" if value is None else str(value)


def _summary(values: dict[str, Any], sport: dict[str, Any]) -> _Summary | None:
    start_s, stamp_s = _number(values.get("start_time")), _number(values.get("timestamp"))
    elapsed = _number(values.get("total_elapsed_time"))
    if elapsed is not None and elapsed < 0:
        elapsed = None
    if start_s is None and stamp_s is not None and elapsed is not None:
        start_s = stamp_s - elapsed
    if start_s is None or start_s < 0:
        return None
    start_ms = round((start_s + FIT_EPOCH_S) * 1000)
    end_ms: int | None = None
    if elapsed is not None:
        end_ms = start_ms + round(elapsed * 1000)
    elif stamp_s is not None:
        end_ms = max(start_ms, round((stamp_s + FIT_EPOCH_S) * 1000))
    return _Summary(
        start_ms=start_ms,
        end_ms=end_ms,
        elapsed_s=elapsed,
        distance_m=_number(values.get("total_distance")),
        avg_hr=_number(values.get("avg_heart_rate")),
        max_hr=_number(values.get("max_heart_rate")),
        calories=_number(values.get("total_calories")),
        sport=_label(values.get("sport")) or _label(sport.get("sport")) or "generic",
        sub_sport=_label(values.get("sub_sport")) or _label(sport.get("sub_sport")),
    )


def _summary_from_records(time_ms: I64, sport: dict[str, Any]) -> _Summary:
    return _Summary(
        start_ms=int(time_ms.min()),
        end_ms=int(time_ms.max()),
        sport=_label(sport.get("sport")) or "generic",
        sub_sport=_label(sport.get("sub_sport")),
    )


def _samples(time_ms: I64, cols: dict[str, F64], previous_end_distance: float | None) -> Samples:
    distance = cols["distance_m"]
    present = distance[~np.isnan(distance)]
    if len(present) == 0:
        # No distance sensor or GPS distance field: measure along the positions.
        distance = cumulative_distance_m(cols["latitude"], cols["longitude"])
    elif previous_end_distance and present[0] >= previous_end_distance:
        # A multisport file whose distance counter carried on from the previous session.
        distance = distance - previous_end_distance
    return Samples(
        time_ms=time_ms,
        heart_rate=cols["heart_rate"],
        distance_m=distance,
        latitude=cols["latitude"],
        longitude=cols["longitude"],
        altitude_m=cols["altitude_m"],
    )


def _sport(summary: _Summary) -> tuple[str, Sport]:
    """The device label and the normalised sport; the sub-sport decides only under a vague sport
    (``training`` + ``strength_training``, ``fitness_equipment`` + ``elliptical``)."""
    specific = summary.sub_sport not in ("", "generic")
    label = f"{summary.sport}/{summary.sub_sport}" if specific else summary.sport
    sport = normalise_sport(summary.sport)
    if specific and sport in ("other", "mixed_aerobic"):
        refined = normalise_sport(summary.sub_sport)
        sport = refined if refined != "other" else sport
    return label, sport


def _session(summary: _Summary, samples: Samples) -> ParsedSession:
    """The session summarised from its records (as fitdecode decodes them), the session message
    kept beside; a session message without records is all there is, so it gives the summary."""
    device = DeviceSummary(
        duration_s=summary.elapsed_s,
        distance_m=summary.distance_m,
        avg_hr=summary.avg_hr,
        max_hr=summary.max_hr,
    )
    device_sport, sport = _sport(summary)
    if len(samples):
        start_ms, end_ms = int(samples.time_ms[0]), int(samples.time_ms[-1])
        duration_s, distance_m, avg_hr, max_hr = from_samples(samples)
    else:
        start_ms = summary.start_ms
        end_ms = start_ms if summary.end_ms is None else summary.end_ms
        duration_s = summary.elapsed_s if summary.elapsed_s is not None else (end_ms - start_ms) / 1000
        distance_m, avg_hr, max_hr = summary.distance_m, summary.avg_hr, summary.max_hr
    return ParsedSession(
        start=ms_to_datetime(start_ms),
        end=ms_to_datetime(end_ms),
        sport=sport,
        device_sport=device_sport,
        duration_s=duration_s,
        distance_m=distance_m,
        avg_hr=avg_hr,
        max_hr=max_hr,
        calories_kcal=summary.calories,
        samples=samples,
        device_summary=None if device == DeviceSummary(None, None, None, None) else device,
    )


def sniff(head: bytes) -> bool:
    """A FIT file says so in its header: ``.FIT`` at bytes 8-11."""
    return len(head) >= 12 and head[8:12] == b".FIT"


SPEC = FormatSpec(
    name="fit",
    label="FIT",
    phrase="a FIT file",
    extensions=(".fit",),
    media_types=("application/vnd.ant.fit",),
    sniff=sniff,
    read=read,
    limits=(
        Limit(
            "record messages",
            MAX_POINTS,
            "points",
            "_sessions.MAX_POINTS",
        ),
    ),
    samples=(
        "fit/garmin-fenix-5-run.fit",
        "fit/garmin-fenix-5-walk.fit",
        "fit/activity-small-fenix2-run.fit",
        "fit/garmin-edge-500-activity.fit",
        "fit/WorkoutRepeatSteps.fit",
        "fit/invalid-activity-unexpected-eof.fit",
        "fit/invalid-activity-settings-corruptheader.fit",
    ),
)
