"""Reader of Open mHealth / IEEE 1752.1 JSON data points.

Input: one data point ``{"header": {"schema_id": {"namespace": "omh", "name": "heart-rate",
"version": "2.0"}, …}, "body": {…}}``, a JSON array of them, or ``{"data_points": […]}``. The
schema is recognised by ``schema_id.name`` whatever the namespace (IEEE 1752.1 re-published the
Open mHealth schemas under its own). Shapes follow the published schemas (openmhealth/schemas,
``schema/omh/``):

* ``heart-rate`` (1.x, 2.0): ``body.heart_rate = {"value": 72, "unit": "beats/min"}`` at
  ``effective_time_frame.date_time`` (or over a ``time_interval``) → series ``heart_rate``;
* ``step-count`` (1.x, 2.0: ``body.step_count`` is a number; 3.0: ``{"value": …, "unit":
  "steps"}``) over ``effective_time_frame.time_interval`` → series ``steps``;
* ``physical-activity`` (1.x, 2.0): ``activity_name``, ``time_interval``, optional ``distance``
  (length unit value), ``kcal_burned``, ``effective_duration`` → a session, with the heart-rate
  readings of its interval as samples.

A ``time_interval`` is ``start_date_time`` + ``end_date_time``, or either with a ``duration``
(time-interval-1.0). Data points of other schemas are skipped with a warning, as are data points
that are summaries rather than measurements (a ``descriptive_statistic`` other than average or
median for heart rate, other than sum for steps: a daily maximum of steps is not a count), and
activities given only as a date and part of the day. Times must carry a UTC offset (RFC 3339, as
the schemas' ``date-time`` requires), so ``tz`` is not needed. Anything malformed is an
:class:`UnreadableFile` naming the item (counted from 0 in the array) and the field.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import numpy as np

from stride.activity.io._sessions import MAX_POINTS, too_many_points
from stride.activity.io.spec import FormatSpec, Limit, text_head
from stride.activity.io.sports import normalise_sport
from stride.activity.model import Metric, MetricSeries, ParsedFile, ParsedSession, Progress, Samples
from stride.errors import UnreadableFile

# Units of the OMH unit-value schemas (length-unit-value-1.0, duration-unit-value-1.0).
_METRES = {
    "mm": 0.001,
    "cm": 0.01,
    "m": 1.0,
    "km": 1000.0,
    "in": 0.0254,
    "ft": 0.3048,
    "yd": 0.9144,
    "mi": 1609.344,
}
_SECONDS = {"ms": 0.001, "sec": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "wk": 604800.0}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# No wearable recorded before 1900 or after 2200; the bounds also keep date arithmetic in range.
_EARLIEST_MS = (datetime(1900, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_LATEST_MS = (datetime(2200, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
# The document is parsed whole (json.loads: ~10 bytes of memory per byte of JSON), so its size is
# bounded as a Fitbit JSON file's is; its data points are bounded by MAX_POINTS.
MAX_FILE_BYTES = 16 << 20
_LONGEST_S = 366 * 86400.0  # a data point's interval longer than a year is no measurement


@dataclass(slots=True)
class _Found:
    hr: list[tuple[int, int, float]] = field(default_factory=list)  # (start ms, end ms, bpm)
    steps: list[tuple[int, int, float]] = field(default_factory=list)
    activities: list[tuple[int, int, str, float | None, float | None, float | None]] = field(
        default_factory=list
    )
    skipped: Counter[str] = field(default_factory=Counter)


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read an Open mHealth / IEEE 1752.1 JSON file (``tz`` is unused: times carry offsets)."""
    del tz
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"{size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} bytes for an Open mHealth file",
                field="file",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None
    try:
        document = json.loads(raw.decode("utf-8-sig"))  # RFC 8259: UTF-8; json.loads would guess UTF-16
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text ({exc.reason})", field=f"byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON ({exc.msg})", field=f"line {exc.lineno}") from None
    except RecursionError:
        raise UnreadableFile("JSON nested too deeply", field="byte 0") from None
    found = _Found()
    points = _points(document)
    if len(points) > MAX_POINTS:
        raise too_many_points(f"item {MAX_POINTS}", MAX_POINTS)
    for index, point in enumerate(points):
        _point(found, point, f"item {index}")
    if progress is not None:
        progress(len(raw), len(raw))
    return _result(found)


def _points(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if isinstance(document.get("data_points"), list):
            return list(document["data_points"])
        if "header" in document or "body" in document:
            return [document]
    raise UnreadableFile(
        "not Open mHealth data: expected a data point ({header, body}), a list of them or {data_points: […]}",
        field="byte 0",
    )


def _get(obj: Any, key: str, where: str) -> Any:
    """``obj[key]``, required; ``where`` is the path of ``obj``."""
    if not isinstance(obj, dict):
        raise UnreadableFile("expected a JSON object", field=where)
    if key not in obj:
        raise UnreadableFile(f"{key} is missing", field=f"{where}.{key}")
    return obj[key]


def _point(found: _Found, point: Any, where: str) -> None:
    name = _get(
        _get(_get(point, "header", where), "schema_id", f"{where}.header"),
        "name",
        f"{where}.header.schema_id",
    )
    body = _get(point, "body", where)
    if not isinstance(body, dict):
        raise UnreadableFile("expected a JSON object", field=f"{where}.body")
    where = f"{where}, body"
    statistic = body.get("descriptive_statistic")
    if name == "heart-rate":
        if statistic not in (None, "average", "median"):
            found.skipped[f"heart-rate {statistic}"] += 1
            return
        bpm = _unit_value(_get(body, "heart_rate", where), f"{where}.heart_rate", {"beats/min": 1.0})
        if bpm <= 0:
            raise UnreadableFile(f"{bpm:g} is not a heart rate", field=f"{where}.heart_rate.value")
        found.hr.append((*_time_frame(body, where), bpm))
    elif name == "step-count":
        if statistic not in (None, "sum"):
            found.skipped[f"step-count {statistic}"] += 1
            return
        count = _get(body, "step_count", where)
        steps = _number(count, f"{where}.step_count") if not isinstance(count, dict) else None
        if steps is None:
            steps = _unit_value(count, f"{where}.step_count", {"steps": 1.0})
        found.steps.append((*_time_frame(body, where), steps))
    elif name == "physical-activity":
        _activity(found, body, where)
    else:
        found.skipped[str(name)] += 1


def _activity(found: _Found, body: dict[str, Any], where: str) -> None:
    label = _get(body, "activity_name", where)
    if not isinstance(label, str):
        raise UnreadableFile("expected a text", field=f"{where}.activity_name")
    frame = body.get("effective_time_frame")
    if not isinstance(frame, dict) or "time_interval" not in frame:
        found.skipped["physical-activity without a time interval"] += 1
        return
    start, end = _time_frame(body, where)
    distance = _unit_value(body["distance"], f"{where}.distance", _METRES) if "distance" in body else None
    kcal = (
        _unit_value(body["kcal_burned"], f"{where}.kcal_burned", {"kcal": 1.0})
        if "kcal_burned" in body
        else None
    )
    active = body.get("effective_duration")
    duration = _unit_value(active, f"{where}.effective_duration", _SECONDS) if active is not None else None
    if duration is not None and duration > _LONGEST_S:
        raise UnreadableFile(
            f"{duration:g} s is not a plausible duration", field=f"{where}.effective_duration"
        )
    found.activities.append((start, end, label, distance, kcal, duration))


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw < 0:
        raise UnreadableFile(f"{raw!r} is not a non-negative number", field=where)
    return float(raw)


def _unit_value(raw: Any, where: str, units: dict[str, float]) -> float:
    """A ``{"value": …, "unit": …}`` in the base unit of ``units``."""
    value = _number(_get(raw, "value", where), f"{where}.value")
    unit = _get(raw, "unit", where)
    if not isinstance(unit, str) or unit not in units:
        raise UnreadableFile(f"unit {unit!r} is not one of {', '.join(units)}", field=f"{where}.unit")
    return value * units[unit]


def _moment(raw: Any, where: str) -> int:
    """UTC ms of an RFC 3339 date-time, which must carry an offset."""
    if not isinstance(raw, str):
        raise UnreadableFile(f"{raw!r} is not a date-time text", field=where)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise UnreadableFile(f"{raw!r} is not an RFC 3339 date-time", field=where) from None
    if moment.utcoffset() is None:
        raise UnreadableFile(f"{raw!r} has no UTC offset (RFC 3339 requires one)", field=where)
    ms = (moment - _EPOCH) // timedelta(milliseconds=1)
    if not _EARLIEST_MS <= ms <= _LATEST_MS:
        raise UnreadableFile(f"{raw!r} is not a plausible time of a recording", field=where)
    return ms


def _time_frame(body: dict[str, Any], where: str) -> tuple[int, int]:
    """(start, end) UTC ms of ``effective_time_frame``; equal for a ``date_time``."""
    frame = _get(body, "effective_time_frame", where)
    where = f"{where}.effective_time_frame"
    if isinstance(frame, dict) and "date_time" in frame:
        moment = _moment(frame["date_time"], f"{where}.date_time")
        return moment, moment
    interval = _get(frame, "time_interval", where)
    where = f"{where}.time_interval"
    if not isinstance(interval, dict):
        raise UnreadableFile("expected a JSON object", field=where)
    start, end = (
        _moment(interval[key], f"{where}.{key}") if key in interval else None
        for key in ("start_date_time", "end_date_time")
    )
    if "duration" in interval and (start is None or end is None):  # time-interval-1.0: one end + duration
        seconds = _unit_value(interval["duration"], f"{where}.duration", _SECONDS)
        if seconds > _LONGEST_S:
            raise UnreadableFile(f"{seconds:g} s is not a plausible duration", field=f"{where}.duration")
        if start is not None:
            end = start + round(seconds * 1000)
        elif end is not None:
            start = end - round(seconds * 1000)
    if start is None or end is None:
        raise UnreadableFile(
            "needs start_date_time and end_date_time (or one of them and duration)", field=where
        )
    if end < start:
        raise UnreadableFile("end_date_time is before start_date_time", field=where)
    return start, end


def _series(metric: Metric, rows: list[tuple[int, int, float]]) -> MetricSeries:
    start = np.array([r[0] for r in rows], dtype=np.int64)
    order = np.argsort(start, kind="stable")
    return MetricSeries(
        metric=metric,
        start_ms=start[order],
        end_ms=np.array([r[1] for r in rows], dtype=np.int64)[order],
        value=np.array([r[2] for r in rows], dtype=np.float64)[order],
    )


def _result(found: _Found) -> ParsedFile:
    hr = _series("heart_rate", found.hr)
    sessions = []
    for start, end, label, distance, kcal, duration in sorted(found.activities):
        lo = int(np.searchsorted(hr.start_ms, start, side="left"))
        hi = int(np.searchsorted(hr.start_ms, end, side="right"))
        bpm = hr.value[lo:hi].copy()
        sessions.append(
            ParsedSession(
                start=_EPOCH + timedelta(milliseconds=start),
                end=_EPOCH + timedelta(milliseconds=end),
                sport=normalise_sport(label),
                device_sport=label,
                duration_s=duration if duration is not None else (end - start) / 1000,
                distance_m=distance,
                avg_hr=float(bpm.mean()) if len(bpm) else None,
                max_hr=float(bpm.max()) if len(bpm) else None,
                calories_kcal=kcal,
                samples=Samples.of(hr.start_ms[lo:hi].copy(), heart_rate=bpm),
            )
        )
    series = tuple(s for s in (hr, _series("steps", found.steps)) if len(s))
    warnings = tuple(
        f"{n} data points skipped: {what} is not read" for what, n in sorted(found.skipped.items())
    )
    return ParsedFile(format="omh", sessions=tuple(sessions), series=series, warnings=warnings)


def sniff(head: bytes) -> bool:
    """A JSON object (a Fitbit file is an array)."""
    return text_head(head).startswith(b"{")


SPEC = FormatSpec(
    name="omh",
    label="Open mHealth JSON",
    phrase="an Open mHealth JSON file",
    extensions=(".json",),
    media_types=("application/json",),
    sniff=sniff,
    read=read,
    limits=(
        Limit("data points", MAX_POINTS, "points", "_sessions.MAX_POINTS"),
        Limit("file size", MAX_FILE_BYTES, "bytes", "omh.MAX_FILE_BYTES"),
    ),
)
