"""Reader of Stride's own activity CSV, the format documented in ``docs/activity-csv.md``.

One row per sample, a header line first. ``time`` (ISO 8601 *with* a UTC offset) is required;
``heart_rate``, ``distance_m``, ``latitude``, ``longitude``, ``altitude_m``, ``steps``, ``session``
and ``sport`` are optional; other columns are ignored with a warning. Rows with the same
``session`` value form one session (without the column, the file is one session). Every problem
is an :class:`UnreadableFile` naming the line and the column, e.g. ``line 12, column heart_rate:
'abc' is not a number``.

Times without an offset are refused rather than placed in ``tz``: the documented format requires
the offset, because a file that crossed a daylight-saving change or was written in another zone
cannot be placed correctly without it, and a silent guess would shift every sample.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np

from stride.activity.io._sessions import MAX_POINTS, too_many_points
from stride.activity.io.spec import FormatSpec, Limit, text_head
from stride.activity.io.sports import normalise_sport
from stride.activity.model import F64, I64, MetricSeries, ParsedFile, ParsedSession, Progress, Samples
from stride.errors import UnreadableFile

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The file is read whole (then parsed row by row, each row kept as numbers): 64 MiB holds the
# MAX_POINTS rows (150,000) of every documented column at over 400 bytes a row.
MAX_FILE_BYTES = 64 << 20

NUMERIC = ("heart_rate", "distance_m", "latitude", "longitude", "altitude_m", "steps")
COLUMNS = ("time", *NUMERIC, "session", "sport")

# Plausibility bounds: values outside are recording or typing errors, not physiology or geography.
# Heart rate: below the 25 bpm resting bound and above the 220 bpm age-zero HRmax of Stride's
# data-entry bounds (docs/clinical-rules.md "Data-entry plausibility bounds": Doyle 2019 BMJ Case
# Rep; Fox 1971), widened to 20–250 so that sleeping bradycardia and exercise tachyarrhythmia that
# a sensor really measured still pass. They are not clinical limits.
HEART_RATE_BPM = (20.0, 250.0)
# WGS 84 coordinate ranges (degrees).
LATITUDE = (-90.0, 90.0)
LONGITUDE = (-180.0, 180.0)
# Altitude: the Dead Sea shore (-430 m) to the summit of Everest (8,849 m), with margin.
ALTITUDE_M = (-500.0, 9000.0)
# Distance from the session start: at most a 1,000 km ultra-endurance event.
DISTANCE_M = (0.0, 1_000_000.0)
_RANGES = {
    "heart_rate": HEART_RATE_BPM,
    "latitude": LATITUDE,
    "longitude": LONGITUDE,
    "altitude_m": ALTITUDE_M,
    "distance_m": DISTANCE_M,
    "steps": (0.0, math.inf),
}
# No wearable recorded before 1900 or after 2200; the bounds also keep datetime arithmetic in range.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius, for the haversine distance


@dataclass(slots=True)
class _Group:
    """The rows of one session, in file order."""

    lines: list[int] = field(default_factory=list)
    time_ms: list[int] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in NUMERIC})
    sport: str = ""
    sport_line: int = 0


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read a Stride activity CSV (``tz`` is unused: the format requires offsets)."""
    del tz
    raw = _bytes(path)
    rows = _rows(_text(raw))
    header, header_line = next(rows, ([], 1))
    columns, warnings = _header(header, header_line)
    groups: dict[str, _Group] = {}
    for count, (cells, line) in enumerate(rows, start=1):
        if count > MAX_POINTS:
            raise too_many_points(f"line {line}", MAX_POINTS)
        _row(groups, columns, cells, line, len(header))
    if progress is not None:
        progress(len(raw), len(raw))
    if not groups:
        raise UnreadableFile("no data rows after the header", field=f"line {header_line + 1}")
    sessions, steps = [], []
    for group in groups.values():
        session, step_series = _session(group)
        sessions.append(session)
        steps.append(step_series)
    return ParsedFile(
        format="csv",
        sessions=tuple(sorted(sessions, key=lambda s: s.start)),
        series=_steps_series(steps),
        warnings=tuple(warnings),
    )


def _bytes(path: Path) -> bytes:
    """The file's bytes, refused before reading when it is over the size limit."""
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"{size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} bytes for an activity CSV file",
                field="file",
            )
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None


def _text(raw: bytes) -> str:
    """The bytes as UTF-8 text (a byte-order mark allowed); a binary file is refused."""
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text ({exc.reason})", field=f"byte {exc.start}") from None
    if "\x00" in content:  # csv accepts NUL, but no text file holds one: a binary file named .csv
        line = content.count("\n", 0, content.index("\x00")) + 1
        raise UnreadableFile("a NUL character: this is not a text file", field=f"line {line}")
    return content


def _rows(content: str) -> Iterator[tuple[list[str], int]]:
    """Non-blank rows with the line each starts on."""
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableFile(f"not valid CSV ({exc})", field=f"line {reader.line_num}") from None
        if any(cell.strip() for cell in cells):
            yield cells, line
        line = reader.line_num + 1


def _header(header: list[str], line: int) -> tuple[dict[str, int], list[str]]:
    """Column name -> index of the known columns, and warnings about the others."""
    if not header:
        raise UnreadableFile("an empty file: the first line must name the columns", field=f"line {line}")
    columns: dict[str, int] = {}
    ignored = []
    for index, raw in enumerate(header):
        name = raw.strip().lower()
        if name in columns:
            raise UnreadableFile("the column is named twice", field=f"line {line}, column {name}")
        if name in COLUMNS:
            columns[name] = index
        elif name:  # an unnamed column (a trailing comma) is not worth a warning
            ignored.append(raw.strip())
    if "time" not in columns:
        raise UnreadableFile(
            "the header has no 'time' column (see docs/activity-csv.md)", field=f"line {line}"
        )
    warnings = [f"columns ignored (not in the documented format): {', '.join(ignored)}"] if ignored else []
    return columns, warnings


def _row(groups: dict[str, _Group], columns: dict[str, int], cells: list[str], line: int, width: int) -> None:
    if len(cells) != width:
        raise UnreadableFile(f"{len(cells)} fields, the header has {width}", field=f"line {line}")
    key = ""
    if "session" in columns:
        key = cells[columns["session"]].strip()
        if not key:
            raise UnreadableFile(
                "empty: every row must name its session", field=f"line {line}, column session"
            )
    group = groups.setdefault(key, _Group())
    group.lines.append(line)
    group.time_ms.append(_time(cells[columns["time"]].strip(), line))
    for name in NUMERIC:
        cell = cells[columns[name]].strip() if name in columns else ""
        group.values[name].append(_number(cell, name, line) if cell else math.nan)
    if "sport" in columns and (label := cells[columns["sport"]].strip()):
        if group.sport and label != group.sport:
            raise UnreadableFile(
                f"{label!r} differs from {group.sport!r} on line {group.sport_line} of the same session",
                field=f"line {line}, column sport",
            )
        group.sport, group.sport_line = label, line


def _time(cell: str, line: int) -> int:
    where = f"line {line}, column time"
    try:
        moment = datetime.fromisoformat(cell)
    except ValueError:
        raise UnreadableFile(
            f"{cell!r} is not an ISO 8601 time like 2024-05-01T07:30:00+02:00", field=where
        ) from None
    if moment.utcoffset() is None:
        raise UnreadableFile(
            f"{cell!r} has no UTC offset; the format requires one (+02:00 or Z)", field=where
        )
    if not _EARLIEST <= moment < _LATEST:
        raise UnreadableFile(f"{cell!r} is not a plausible time of a recording", field=where)
    return (moment - _UTC_EPOCH) // timedelta(milliseconds=1)


def _number(cell: str, name: str, line: int) -> float:
    where = f"line {line}, column {name}"
    try:
        value = float(cell)
    except ValueError:
        raise UnreadableFile(f"{cell!r} is not a number", field=where) from None
    low, high = _RANGES[name]
    if not math.isfinite(value) or not low <= value <= high:
        raise UnreadableFile(f"{cell!r} is outside the plausible range {low:g} to {high:g}", field=where)
    if name == "steps" and not value.is_integer():
        raise UnreadableFile(f"{cell!r} is not a whole number of steps", field=where)
    return value


def _session(group: _Group) -> tuple[ParsedSession, MetricSeries]:
    order = np.argsort(np.array(group.time_ms, dtype=np.int64), kind="stable")
    time_ms = np.array(group.time_ms, dtype=np.int64)[order]
    col = {name: np.array(values, dtype=np.float64)[order] for name, values in group.values.items()}
    lines = np.array(group.lines, dtype=np.int64)[order]
    _check_rows(col, lines)
    samples = Samples.of(
        time_ms,
        heart_rate=col["heart_rate"],
        distance_m=col["distance_m"],
        latitude=col["latitude"],
        longitude=col["longitude"],
        altitude_m=col["altitude_m"],
    )
    hr = col["heart_rate"][~np.isnan(col["heart_rate"])]
    start = _UTC_EPOCH + timedelta(milliseconds=int(time_ms[0]))
    end = _UTC_EPOCH + timedelta(milliseconds=int(time_ms[-1]))
    session = ParsedSession(
        start=start,
        end=end,
        sport=normalise_sport(group.sport),
        device_sport=group.sport,
        duration_s=(int(time_ms[-1]) - int(time_ms[0])) / 1000,
        distance_m=_distance(col),
        avg_hr=float(hr.mean()) if len(hr) else None,
        max_hr=float(hr.max()) if len(hr) else None,
        calories_kcal=None,
        samples=samples,
    )
    has_steps = ~np.isnan(col["steps"])
    previous = np.concatenate([time_ms[:1], time_ms[:-1]])  # a row's steps cover since the row before
    steps = MetricSeries(
        metric="steps", start_ms=previous[has_steps], end_ms=time_ms[has_steps], value=col["steps"][has_steps]
    )
    return session, steps


def _check_rows(col: dict[str, F64], lines: I64) -> None:
    """Checks across rows: position pairs complete, distance never falling."""
    lat_only = np.isnan(col["latitude"]) != np.isnan(col["longitude"])
    if lat_only.any():
        at = int(np.argmax(lat_only))
        column = "longitude" if np.isnan(col["longitude"][at]) else "latitude"
        raise UnreadableFile(
            "latitude and longitude come in pairs; this one is empty",
            field=f"line {lines[at]}, column {column}",
        )
    distance = col["distance_m"]
    known = np.flatnonzero(~np.isnan(distance))
    falling = np.flatnonzero(np.diff(distance[known]) < 0)
    if len(falling):
        at = known[falling[0] + 1]
        raise UnreadableFile(
            f"{distance[at]:g} is less than the {distance[known[falling[0]]]:g} before it in the session: "
            "distance_m is cumulative from the session start",
            field=f"line {lines[at]}, column distance_m",
        )


def _distance(col: dict[str, F64]) -> float | None:
    """The recorded cumulative distance, else the haversine length of the positions, else None."""
    distance = col["distance_m"][~np.isnan(col["distance_m"])]
    if len(distance):
        return float(distance[-1])
    has_position = ~np.isnan(col["latitude"])
    if has_position.sum() < 2:
        return None
    lat, lon = np.radians(col["latitude"][has_position]), np.radians(col["longitude"][has_position])
    a = np.sin(np.diff(lat) / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2
    return float((2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))).sum())


def _steps_series(parts: list[MetricSeries]) -> tuple[MetricSeries, ...]:
    start = np.concatenate([p.start_ms for p in parts])
    if len(start) == 0:
        return ()
    order = np.argsort(start, kind="stable")
    end, value = np.concatenate([p.end_ms for p in parts]), np.concatenate([p.value for p in parts])
    return (MetricSeries(metric="steps", start_ms=start[order], end_ms=end[order], value=value[order]),)


def sniff(head: bytes) -> bool:
    """Text that is not markup or JSON, with a comma in its first line (the header)."""
    text = text_head(head)
    return not text.startswith((b"<", b"[", b"{")) and b"," in text.split(b"\n", 1)[0]


SPEC = FormatSpec(
    name="csv",
    label="Stride CSV",
    phrase="a Stride CSV file",
    extensions=(".csv",),
    media_types=("text/csv",),
    sniff=sniff,
    read=read,
    limits=(
        Limit("rows", MAX_POINTS, "points", "_sessions.MAX_POINTS"),
        Limit("file size", MAX_FILE_BYTES, "bytes", "csv_reader.MAX_FILE_BYTES"),
    ),
)
