"""Decoding a FIT file: one pass over its frames with fitdecode, keeping what Stride uses.

The decoding is fitdecode's, with the CRC checked so that a corrupt file is refused rather than
half-read. Everything the decoder can raise on hostile bytes (its own errors and the ``struct``,
lookup, type and assertion errors it lets through) becomes :class:`UnreadableFile` naming the byte
offset. Only the first ``file_id`` decides the kind: a workout, course, monitoring or settings
file holds no recorded activity and is refused as soon as that message is read.

Speed matters (a year of a patient's watch files is imported at once), so records are reduced to
plain lists, one per kept field (:data:`COLUMNS`), in one pass over their fields; sessions, which
are few, are read into dictionaries. :mod:`stride.activity.io.fit` turns them into sessions.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from typing import IO, Any

import fitdecode

from stride.activity.io._sessions import MAX_POINTS, too_many_points
from stride.activity.model import Progress
from stride.errors import UnreadableFile

# Global message numbers (FIT profile).
_FILE_ID, _SESSION, _RECORD, _SPORT, _DEVELOPER_DATA_ID = 0, 18, 20, 12, 207
_PROGRESS_EVERY = 4096  # frames between progress calls: often enough for a bar, cheap enough

# Record fields kept, by profile name, and their column in Decoded.columns.
COLUMNS = {
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
class Decoded:
    """What one pass over the file collected, before it is split into sessions."""

    columns: tuple[list[Any], ...] = field(default_factory=lambda: tuple([] for _ in COLUMNS))
    sessions: list[dict[str, Any]] = field(default_factory=list)
    sport: dict[str, Any] = field(default_factory=dict)
    frames: int = 0
    file_id_seen: bool = False
    offset: int = 0  # where the frame being taken ends, to name the byte of a refusal


def decode(fh: IO[bytes], total: int, progress: Progress | None) -> Decoded:
    """One pass over every frame; decoder failures become :class:`UnreadableFile` at a byte."""
    decoded = Decoded()
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


def _take(frame: Any, decoded: Decoded) -> None:
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
    row: list[Any] = [None] * len(COLUMNS)
    get = COLUMNS.get
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
