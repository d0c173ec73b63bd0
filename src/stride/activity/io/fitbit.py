"""Reader of a Fitbit account export: the folder, a zip of it, or one of its JSON files.

Files read (by name, anywhere in the folder or zip, as the Fitbit Google Takeout export names
them):

* ``heart_rate-YYYY-MM-DD.json``: ``[{"dateTime": "06/24/95 16:00:10", "value": {"bpm": 70,
  "confidence": 0}}, …]`` at 1–15 s spacing → series ``heart_rate`` (instantaneous);
* ``steps-YYYY-MM-DD.json``, ``calories-YYYY-MM-DD.json`` (a ``_suffix`` before ``.json`` is
  allowed): per-minute ``{"dateTime": …, "value": "12"}`` → series ``steps`` and ``calories``, each
  value covering the minute from its time;
* ``exercise-N.json``: logged exercises (``activityName``, ``startTime``, ``duration`` in ms,
  ``activeDuration``, ``distance`` + ``distanceUnit``, ``calories``, ``averageHeartRate``) →
  sessions, with the heart-rate readings of their interval as samples.

Every other file of the export (sleep, distance, zones, …) is ignored. A single JSON file whose
name does not say its metric is judged by content: ``bpm`` values are heart rate, ``activityName``
items exercises, fractional values calories, whole numbers steps (with a warning saying so).

Times: Fitbit writes local wall-clock times without an offset (``MM/DD/YY HH:MM:SS``; two-digit
years 69–99 are 19xx, 00–68 20xx, as C ``strptime``); they are placed in ``tz``, the patient's
zone. A time in a spring-forward gap (which no clock showed) is read with the offset before the
change, i.e. moved forward by the gap, as PEP 495 specifies for ``fold=0``. A time in an
autumn-back fold (shown twice) is the first occurrence unless it comes, in the file's own order,
after a later wall time: then the clock has been turned back and it is the second occurrence.
Each such adjustment is counted in a warning.

Errors name the file and the item, counted from 0 as in the JSON array (``steps-2020-01-01.json
item 5``), or the line for JSON syntax errors.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np

from stride.activity.io.archive import ZIP_LIMITS, check_entry, open_archive, read_member
from stride.activity.io.spec import FormatSpec, Limit, text_head
from stride.activity.io.sports import normalise_sport
from stride.activity.model import F64, I64, Metric, MetricSeries, ParsedFile, ParsedSession, Progress, Samples
from stride.errors import UnreadableFile

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Kind = Literal["heart_rate", "steps", "calories", "exercise"]
_KINDS: dict[str, Kind] = {
    "heart_rate": "heart_rate",
    "steps": "steps",
    "calories": "calories",
    "exercise": "exercise",
}
_METRIC: dict[Kind, Metric] = {"heart_rate": "heart_rate", "steps": "steps", "calories": "calories"}
_File = tuple[str, "Kind | None", int, Callable[[], bytes]]  # (name, kind by name, size, loader)
_NAME = re.compile(r"(heart_rate|steps|calories|exercise)-[\w-]*\.json", re.IGNORECASE)
_MDY = re.compile(r"(\d\d)/(\d\d)/(\d\d) (\d\d:\d\d:\d\d)")
_ISO = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d{1,6})?)")
_MINUTE_MS = 60_000
_NAIVE_EPOCH = datetime(1970, 1, 1)  # naive on purpose: the origin of naive local wall times
_METRES = {"kilometer": 1000.0, "mile": 1609.344, "meter": 1.0, "km": 1000.0, "mi": 1609.344, "m": 1.0}
# No wearable recorded before 1900 or after 2200; the bounds also keep datetime arithmetic in range.
_EARLIEST = np.datetime64("1900-01-01", "ms").astype(np.int64)
_LATEST = np.datetime64("2200-01-01", "ms").astype(np.int64)
_LONGEST_EXERCISE_MS = 7 * 86_400_000  # a week: longer than any multi-day ultra event
# One day's heart rate is ~1 MB (§1.7), 10 MB at one reading a second; a file is parsed whole, at
# ~7 bytes of memory per byte of JSON, so the bound on the file is the bound on the memory.
MAX_FILE_BYTES = 16 << 20


@dataclass(slots=True)
class _Collected:
    times: dict[Kind, list[I64]] = field(default_factory=dict)
    values: dict[Kind, list[F64]] = field(default_factory=dict)
    exercises: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)  # (file, item, index)
    warnings: list[str] = field(default_factory=list)
    gaps: int = 0
    folds: int = 0


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read a Fitbit export folder, its zip, or one of its JSON files; local times are put in ``tz``."""
    found = _Collected()
    with _sources(path) as files:
        if not files:
            raise UnreadableFile(
                "no Fitbit heart_rate-, steps-, calories- or exercise- JSON files found", field=path.name
            )
        total = sum(size for _, _, size, _ in files)
        done = 0
        for name, kind, size, load in files:
            items = _parse_json(name, load())
            _take(found, name, kind or _judge(found, name, items), items, tz)
            done += size
            if progress is not None:
                progress(done, total)
    return _result(found, tz)


@contextmanager
def _sources(path: Path) -> Iterator[list[_File]]:
    """Every file to read, in name order (a zip stays open while they are read)."""
    if path.is_dir():
        chosen = sorted((p for p in path.rglob("*.json") if _NAME.fullmatch(p.name)), key=lambda p: p.name)
        yield [(p.name, _kind(p.name), p.stat().st_size, partial(_read_file, p)) for p in chosen]
    elif _starts_like_zip(path):
        with open_archive(path) as archive:
            yield _zip_files(archive)
    else:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None
        yield [(path.name, _kind(path.name), size, partial(_read_file, path))]


def _starts_like_zip(path: Path) -> bool:
    """A zip's local-file signature at byte 0 (``is_zipfile`` also accepts a JSON file that holds a
    central-directory signature near its end by chance)."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None


def _zip_files(archive: zipfile.ZipFile) -> list[_File]:
    files: list[_File] = []
    infos = [i for i in archive.infolist() if _NAME.fullmatch(i.filename.rsplit("/", 1)[-1])]
    for info in sorted(infos, key=lambda i: i.filename.rsplit("/", 1)[-1]):
        name = info.filename.rsplit("/", 1)[-1]
        check_entry(archive, info, max_bytes=MAX_FILE_BYTES)
        files.append((name, _kind(name), info.file_size, partial(_read_member, archive, info, name)))
    return files


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    del name  # the entry's own name (with its folder) is in the errors of read_member
    return read_member(archive, info, max_bytes=MAX_FILE_BYTES)


def _read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"{path.stat().st_size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} for this file",
                field=path.name,
            )
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None


def _kind(name: str) -> Kind | None:
    match = _NAME.fullmatch(name)
    return _KINDS[match.group(1).lower()] if match else None


def _parse_json(name: str, raw: bytes) -> list[Any]:
    try:
        items = json.loads(raw.decode("utf-8-sig"))  # decoded here: json.loads would guess UTF-16/32
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text ({exc.reason})", field=f"{name} byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON ({exc.msg})", field=f"{name} line {exc.lineno}") from None
    except RecursionError:
        raise UnreadableFile("JSON nested too deeply", field=name) from None
    if not isinstance(items, list):
        raise UnreadableFile("a Fitbit export file is a JSON array ([…])", field=name)
    return items


def _judge(found: _Collected, name: str, items: list[Any]) -> Kind:
    """The kind of a file whose name does not say it, from its first items."""
    first = next((i for i in items if isinstance(i, dict)), {})
    value = first.get("value")
    if isinstance(value, dict) and "bpm" in value:
        return "heart_rate"
    if "activityName" in first:
        return "exercise"
    fractional = any(isinstance(i, dict) and "." in str(i.get("value", "")) for i in items[:1440])
    kind: Kind = "calories" if fractional else "steps"
    found.warnings.append(f"{name}: the file name does not say its metric; read as {kind} from its values")
    return kind


def _take(found: _Collected, name: str, kind: Kind, items: list[Any], tz: tzinfo) -> None:
    if kind == "exercise":
        found.exercises += [(name, item, i) for i, item in enumerate(items)]
        return
    stamps: list[str] = []
    values = np.empty(len(items), dtype=np.float64)
    for i, item in enumerate(items):
        where = f"{name} item {i}"
        if not isinstance(item, dict):
            raise UnreadableFile("an item is not a JSON object", field=where)
        stamps.append(_stamp(item.get("dateTime"), where))
        raw = item.get("value")
        if kind == "heart_rate":
            raw = raw.get("bpm") if isinstance(raw, dict) else None
        values[i] = _number(raw, f"{where} value{'.bpm' if kind == 'heart_rate' else ''}")
    local = _local_ms(stamps, name)
    found.times.setdefault(kind, []).append(_to_utc(found, local, tz))
    found.values.setdefault(kind, []).append(values)


def _stamp(raw: Any, where: str) -> str:
    """``dateTime`` as ISO ``YYYY-MM-DDTHH:MM:SS`` (still local, no offset)."""
    if isinstance(raw, str):
        if match := _MDY.fullmatch(raw):
            month, day, yy, clock = match.groups()
            century = "19" if int(yy) >= 69 else "20"  # C strptime's %y pivot
            return f"{century}{yy}-{month}-{day}T{clock}"
        if match := _ISO.fullmatch(raw):
            return f"{match.group(1)}T{match.group(2)}"
    raise UnreadableFile(
        f"dateTime {raw!r} is not a time like '06/24/95 16:00:10'", field=f"{where} dateTime"
    )


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, (int, float, str)) and not isinstance(raw, bool):
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if np.isfinite(value) and value >= 0:
            return value
    raise UnreadableFile(f"{raw!r} is not a non-negative number", field=where)


def _local_ms(stamps: list[str], name: str) -> I64:
    try:
        result: I64 = np.array(stamps, dtype="datetime64[ms]").astype(np.int64)
    except ValueError:
        result = np.zeros(len(stamps), dtype=np.int64)  # the bound check below names the item
        for i, stamp in enumerate(stamps):
            try:
                result[i] = np.datetime64(stamp, "ms").astype(np.int64)
            except ValueError:
                raise UnreadableFile(
                    f"{stamp!r} is not a calendar date", field=f"{name} item {i} dateTime"
                ) from None
    implausible = (result < _EARLIEST) | (result >= _LATEST)
    if implausible.any():
        i = int(np.argmax(implausible))
        raise UnreadableFile(
            f"{stamps[i]!r} is not a plausible time of a recording", field=f"{name} item {i} dateTime"
        )
    return result


def _to_utc(found: _Collected, local: I64, tz: tzinfo) -> I64:
    """UTC ms of local wall times in ``tz`` (gaps and folds as the module docstring says)."""
    if len(local) == 0:
        return local
    minutes = local // _MINUTE_MS
    unique, inverse = np.unique(minutes, return_inverse=True)
    before = np.empty(len(unique), dtype=np.int64)  # offset with fold=0, ms
    after = np.empty(len(unique), dtype=np.int64)  # offset with fold=1
    for i, minute in enumerate(unique.tolist()):  # one step per distinct minute, not per reading
        wall = _NAIVE_EPOCH + timedelta(minutes=minute)
        before[i] = _offset_ms(wall.replace(tzinfo=tz))
        after[i] = _offset_ms(wall.replace(tzinfo=tz, fold=1))
    off0, off1 = before[inverse], after[inverse]
    ambiguous = off0 > off1  # a fold: the earlier offset is the larger one (DST before the change)
    later_seen = np.zeros(len(local), dtype=np.bool_)
    later_seen[1:] = np.maximum.accumulate(local)[:-1] > local[1:]
    second = ambiguous & later_seen
    found.gaps += int((off0 < off1).sum())
    found.folds += int(ambiguous.sum())
    result: I64 = local - np.where(second, off1, off0)
    return result


def _offset_ms(moment: datetime) -> int:
    offset = moment.utcoffset()
    return 0 if offset is None else int(offset.total_seconds() * 1000)


def _series(found: _Collected, kind: Kind) -> MetricSeries:
    start = np.concatenate(found.times[kind])
    value = np.concatenate(found.values[kind])
    order = np.argsort(start, kind="stable")
    start, value = start[order], value[order]
    unique = np.ones(len(start), dtype=np.bool_)
    unique[1:] = start[1:] != start[:-1]
    if not unique.all():  # overlapping exports repeat days; a minute must not count twice
        found.warnings.append(f"{kind}: {int((~unique).sum())} readings at a time already read were dropped")
        start, value = start[unique], value[unique]
    end = start if kind == "heart_rate" else start + _MINUTE_MS
    metric = _METRIC[kind]
    return MetricSeries(metric=metric, start_ms=start, end_ms=end.copy(), value=value)


def _result(found: _Collected, tz: tzinfo) -> ParsedFile:
    series = tuple(
        _series(found, kind) for kind in ("heart_rate", "steps", "calories") if kind in found.times
    )
    hr = next((s for s in series if s.metric == "heart_rate"), None)
    sessions = tuple(
        sorted(
            (_exercise(found, name, item, i, tz, hr) for name, item, i in found.exercises),
            key=lambda s: s.start,
        )
    )
    if found.gaps or found.folds:
        found.warnings.append(
            f"{found.gaps} readings fell in a daylight-saving gap (moved forward by it) and "
            f"{found.folds} in a repeated hour (placed by their order in the file) of {tz}"
        )
    return ParsedFile(format="fitbit", sessions=sessions, series=series, warnings=tuple(found.warnings))


def _exercise(
    found: _Collected, name: str, item: Any, index: int, tz: tzinfo, hr: MetricSeries | None
) -> ParsedSession:
    """A session of an ``exercise-N.json`` item, with the heart-rate readings of its interval.

    ``duration`` (ms) is the elapsed time and sets the end; ``activeDuration`` (pauses excluded)
    is the session's duration when given. Fitbit's own ``averageHeartRate`` wins over the readings'.
    """
    where = f"{name} item {index}"
    if not isinstance(item, dict):
        raise UnreadableFile("an item is not a JSON object", field=where)
    start_ms = int(_to_utc(found, _local_ms([_stamp(item.get("startTime"), where)], name), tz)[0])
    elapsed_ms = _number(item.get("duration"), f"{where} duration")
    if elapsed_ms > _LONGEST_EXERCISE_MS:
        raise UnreadableFile(
            f"{elapsed_ms:g} ms is not a plausible exercise duration", field=f"{where} duration"
        )
    end_ms = start_ms + int(elapsed_ms)
    active = _optional(item, "activeDuration", where)
    avg = _optional(item, "averageHeartRate", where)
    label = str(item.get("activityName") or "")
    time_ms, bpm = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    if hr is not None:
        lo = int(np.searchsorted(hr.start_ms, start_ms, side="left"))
        hi = int(np.searchsorted(hr.start_ms, end_ms, side="right"))
        time_ms, bpm = hr.start_ms[lo:hi].copy(), hr.value[lo:hi].copy()
    return ParsedSession(
        start=_UTC_EPOCH + timedelta(milliseconds=start_ms),
        end=_UTC_EPOCH + timedelta(milliseconds=end_ms),
        sport=normalise_sport(label),
        device_sport=label,
        duration_s=(active if active is not None else elapsed_ms) / 1000,
        distance_m=_distance(item, where),
        avg_hr=avg if avg is not None else (float(bpm.mean()) if len(bpm) else None),
        max_hr=float(bpm.max()) if len(bpm) else None,
        calories_kcal=_optional(item, "calories", where),
        samples=Samples.of(time_ms, heart_rate=bpm),
    )


def _optional(item: dict[str, Any], key: str, where: str) -> float | None:
    return None if item.get(key) is None else _number(item[key], f"{where} {key}")


def _distance(item: dict[str, Any], where: str) -> float | None:
    """``distance`` in metres by ``distanceUnit`` (the account's unit system: km or miles)."""
    if item.get("distance") is None:
        return None
    unit = item.get("distanceUnit")
    if not isinstance(unit, str) or unit.lower() not in _METRES:
        raise UnreadableFile(f"distanceUnit {unit!r} is not known", field=f"{where} distanceUnit")
    return _number(item["distance"], f"{where} distance") * _METRES[unit.lower()]


def sniff(head: bytes) -> bool:
    """One JSON file of the export: an array (a zip or folder is judged by its members)."""
    return text_head(head).startswith(b"[")


SPEC = FormatSpec(
    name="fitbit",
    label="Fitbit export",
    phrase="a Fitbit export",
    extensions=(".zip", ".json"),
    media_types=("application/zip", "application/json"),
    sniff=sniff,
    read=read,
    limits=(
        Limit("size of each JSON file", MAX_FILE_BYTES, "bytes", "fitbit.MAX_FILE_BYTES"),
        *ZIP_LIMITS,
    ),
    samples=(
        "fitbit/heart_rate-1995-06-24.json",
        "fitbit/steps-1995-06-23_Fitbit.json",
        "fitbit/calories-1995-06-23_Fitbit.json",
    ),
    folder=True,
)
