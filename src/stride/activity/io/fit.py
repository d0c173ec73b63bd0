"""Garmin FIT reader: one session per ``session`` message, records assigned to them by time.

The summary is computed from the records (elapsed time first to last, the last cumulative
``distance``, mean and maximum ``heart_rate``); the session message's ``total_elapsed_time``,
``total_distance``, ``avg_heart_rate`` and ``max_heart_rate`` are kept beside as the device's summary.

The decoding is fitdecode's, with the CRC checked so that a corrupt file is refused rather than
half-read. Everything the decoder can raise on hostile bytes (its own errors and the ``struct``,
lookup, type and assertion errors it lets through) becomes :class:`UnreadableFile` naming the byte
offset. Only the first ``file_id`` decides the kind: a workout, course, monitoring or settings
file holds no recorded activity and is refused as soon as that message is read.

Speed matters (a year of a patient's watch files is imported at once), so records are reduced to
six plain lists in one pass over their fields and turned into arrays once; sessions, which are
few, are read into dictionaries.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import IO, Any

import fitdecode
import numpy as np

from stride.activity.io._sessions import MAX_POINTS, from_samples, too_many_points
from stride.activity.io._xml import cumulative_distance_m, last_distance, ms_to_datetime
from stride.activity.io.spec import FormatSpec, Limit
from stride.activity.io.sports import normalise_sport
from stride.activity.model import F64, I64, DeviceSummary, ParsedFile, ParsedSession, Progress, Samples, Sport
from stride.errors import UnreadableFile

FIT_EPOCH_S = 631_065_600  # 1989-12-31T00:00:00Z, where FIT's date_time counts from
SEMICIRCLE_DEG = 180.0 / 2**31

# Global message numbers (FIT profile).
_FILE_ID, _SESSION, _RECORD, _SPORT, _DEVELOPER_DATA_ID = 0, 18, 20, 12, 207
_PROGRESS_EVERY = 4096  # frames between progress calls: often enough for a bar, cheap enough

# Record fields kept, by profile name, and their column in _Decoded.columns.
_COLUMNS = {
    "timestamp": 0,
    "heart_rate": 1,
    "distance": 2,
    "position_lat": 3,
    "position_long": 4,
    "enhanced_altitude": 5,
    "altitude": 6,
}

# What a FIT file of another kind (file_id.type) is, for the refusal: "a FIT <this>, not a ...".
_NOT_ACTIVITY = {
    "workout": "workout definition (a planned workout)",
    "course": "course (a planned route)",
    "segment": "segment (a planned route section)",
    "segment_list": "segment list (planned route sections)",
    "schedules": "training schedule (planned workouts)",
    "monitoring": "monitoring file (all-day tracking)",  # monitoring_a, monitoring_b, monitoring_daily
    "settings": "settings file (device or user settings)",
    "device": "device description file",
    "sport": "sport settings file",
    "totals": "totals file (lifetime summaries)",
    "goals": "goals file",
    "activity_summary": "activity summary without the recording",
    "weight": "weight-scale file",
    "blood_pressure": "blood-pressure file",
}

# What the decoder lets escape on malformed bytes besides its own FitError: it unpacks with
# struct, indexes profile tables, asserts invariants, does date arithmetic and decodes strings.
_DECODER_ERRORS: tuple[type[BaseException], ...] = (
    fitdecode.FitError,
    struct.error,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    AssertionError,
    ArithmeticError,
    EOFError,
)
_OFFSET_IN_MESSAGE = re.compile(r"(?:@|offset:)\s*(\d+)")


@dataclass(slots=True)
class _Decoded:
    """What one pass over the file collected, before it is split into sessions."""

    columns: tuple[list[Any], ...] = field(default_factory=lambda: tuple([] for _ in _COLUMNS))
    sessions: list[dict[str, Any]] = field(default_factory=list)
    sport: dict[str, Any] = field(default_factory=dict)
    frames: int = 0
    file_id_seen: bool = False
    offset: int = 0  # where the frame being taken ends, to name the byte of a refusal


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read the FIT file at ``path``. ``tz`` is not used: FIT times are UTC by definition."""
    try:
        total = path.stat().st_size
        fh = path.open("rb")
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None
    with fh:
        decoded = _decode(fh, total, progress)
    if progress is not None:
        progress(total, total)
    sessions, warnings = _sessions(decoded)
    return ParsedFile(format="fit", sessions=sessions, warnings=warnings)


def _decode(fh: IO[bytes], total: int, progress: Progress | None) -> _Decoded:
    """One pass over every frame; decoder failures become :class:`UnreadableFile` at a byte."""
    decoded = _Decoded()
    reader = fitdecode.FitReader(
        fh,
        check_crc=fitdecode.CrcCheck.RAISE,
        # No value post-processing: it only turns date_time fields into datetime objects, and the
        # raw seconds are what is kept; skipping it saves about a quarter of the decoding time.
        processor=None,
        # Unknown developer fields are common and harmless; real corruption fails the CRC.
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    try:
        for frame in reader:
            decoded.frames += 1
            if progress is not None and decoded.frames % _PROGRESS_EVERY == 0:
                progress(fh.tell(), total)
            if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                decoded.offset = fh.tell()
                _take(frame, decoded)
    except _DECODER_ERRORS as exc:
        offset = _offset(exc, fh)
        raise UnreadableFile(_describe(exc, offset), field=f"byte {offset}") from None
    except OSError as exc:
        raise UnreadableFile(
            f"cannot read the file: {exc.strerror or exc}", field=f"byte {fh.tell()}"
        ) from None
    finally:
        reader.close()
    if decoded.frames == 0:
        raise UnreadableFile("the file is empty", field="byte 0")
    return decoded


def _take(frame: Any, decoded: _Decoded) -> None:
    """Keep what Stride uses of one data message; only the first ``file_id`` decides the kind."""
    number = frame.def_mesg.global_mesg_num
    if number == _RECORD:
        if len(decoded.columns[0]) >= MAX_POINTS:
            raise too_many_points(f"byte {decoded.offset}", MAX_POINTS)
        _add_record(frame, decoded.columns)
    elif number == _SESSION:
        decoded.sessions.append(_values(frame))
    elif number == _FILE_ID and not decoded.file_id_seen:
        decoded.file_id_seen = True
        _check_file_type(frame)
    elif number == _SPORT and not decoded.sport:
        decoded.sport = _values(frame)
    elif number == _DEVELOPER_DATA_ID:
        _check_developer_data_id(frame, decoded.offset)


def _check_developer_data_id(frame: Any, offset: int) -> None:
    """A developer data id must say which index it declares and which application it is: the
    decoder lets a definition without either through (inventing a placeholder), and the developer
    fields that follow would then be read against a guess."""
    present = {f.name: f.value for f in frame.fields if f.field is not None and f.value is not None}
    for name in ("developer_data_index", "application_id"):
        if name not in present:
            raise UnreadableFile(
                f"invalid developer-data definitions: a developer_data_id message without its {name}",
                field=f"byte {offset}",
            )


def _add_record(frame: Any, columns: tuple[list[Any], ...]) -> None:
    """Append the kept fields of one ``record`` message; ``None`` where it lacks one."""
    row: list[Any] = [None] * len(_COLUMNS)
    get = _COLUMNS.get
    for field_data in frame.fields:
        profile_field = field_data.field
        if profile_field is None:
            continue
        column = get(profile_field.name)
        if column is not None:
            # Scaled but not post-processed (no processor): timestamps stay FIT-epoch seconds.
            row[column] = field_data.value
    for values, value in zip(columns, row, strict=True):
        values.append(value)


def _values(frame: Any) -> dict[str, Any]:
    """Every named field of a (rare) message; the first one wins where a name repeats."""
    out: dict[str, Any] = {}
    for field_data in frame.fields:
        if field_data.field is not None:
            out.setdefault(field_data.field.name, field_data.value)
    return out


def _check_file_type(frame: Any) -> None:
    kind = _values(frame).get("type")
    if kind is None or kind == "activity":
        return
    key = "monitoring" if str(kind).startswith("monitoring") else str(kind)
    what = _NOT_ACTIVITY.get(key, f"file of type {kind!r}")
    raise UnreadableFile(f"a FIT {what}, not a recorded activity", field="file_id.type")


def _describe(exc: BaseException, offset: int) -> str:
    if isinstance(exc, fitdecode.FitEOFError):
        return "the file ends in the middle of a record: it is truncated"
    if isinstance(exc, fitdecode.FitCRCError):
        return "the checksum does not match: the file is corrupt"
    if isinstance(exc, fitdecode.FitHeaderError):
        if offset == 0:
            return f"not a FIT file: no valid FIT header at the start ({_strip_offset(exc)})"
        # Several FIT files may follow each other in one; the one starting here is damaged.
        return f"a corrupt FIT header after the first FIT file in it ({_strip_offset(exc)})"
    if isinstance(exc, fitdecode.FitError):
        return f"corrupt FIT data ({_strip_offset(exc)})"
    return f"corrupt FIT data ({type(exc).__name__}: {exc})"


def _strip_offset(exc: BaseException) -> str:
    return _OFFSET_IN_MESSAGE.sub("", str(exc)).replace("()", "").strip(" :;")


def _offset(exc: BaseException, fh: IO[bytes]) -> int:
    """The byte offset where decoding failed: the decoder's own when it says, else where it got to."""
    offset = getattr(exc, "offset", None)
    if isinstance(offset, int):
        return offset
    found = _OFFSET_IN_MESSAGE.search(str(exc))
    if found:
        return int(found.group(1))
    try:
        return fh.tell()
    except (OSError, ValueError):
        return 0


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


def _sessions(decoded: _Decoded) -> tuple[tuple[ParsedSession, ...], tuple[str, ...]]:
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


def _summaries(decoded: _Decoded, time_ms: I64, warnings: list[str]) -> list[_Summary]:
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


def _record_arrays(decoded: _Decoded) -> dict[str, F64]:
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
