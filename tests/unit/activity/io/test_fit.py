"""The FIT reader on every shared sample file and on small FIT files built here byte by byte.

Expected values come from outside the reader: the numbers the devices wrote (decoded once and
written down here, cross-checked against fitdecode's plain API in the test) and, for the built
files, the values put into them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import fitdecode
import numpy as np
import pytest

from stride.activity.io import fit
from stride.activity.io.fit import FIT_EPOCH_S, SEMICIRCLE_DEG
from stride.activity.model import ParsedFile
from stride.errors import UnreadableFile
from tests.samples import sample

# ---------------------------------------------------------------------------------------------
# A minimal FIT encoder (header, one definition before each data message, CRC), enough to build
# files with the exact sessions and records a test needs.

# Base types by number; 0x0D is a byte array, here always the 16 bytes of an application_id.
_FORMATS = {0x00: "B", 0x02: "B", 0x0D: "16s", 0x84: "H", 0x85: "i", 0x86: "I"}
_INVALID: dict[int, int | bytes] = {
    0x00: 0xFF,
    0x02: 0xFF,
    0x0D: b"\xff" * 16,
    0x84: 0xFFFF,
    0x85: 0x7FFFFFFF,
    0x86: 0xFFFFFFFF,
}


@dataclass(frozen=True)
class Message:
    """One data message: global number and ``(field number, base type, raw value)`` triples."""

    number: int
    fields: tuple[tuple[int, int, int | bytes | None], ...]


def fit_bytes(messages: list[Message]) -> bytes:
    """A complete FIT file holding ``messages``, with a valid header and file CRC."""
    body = bytearray()
    for message in messages:
        body += struct.pack("<BBBHB", 0x40, 0, 0, message.number, len(message.fields))
        for number, base, _ in message.fields:
            body += struct.pack("<BBB", number, struct.calcsize(_FORMATS[base]), base)
        body += b"\x00"
        for _, base, value in message.fields:
            body += struct.pack("<" + _FORMATS[base], _INVALID[base] if value is None else value)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fitdecode.utils.compute_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", fitdecode.utils.compute_crc(data))


def fit_time(moment: datetime) -> int:
    return int(moment.timestamp()) - FIT_EPOCH_S


def file_id(kind: int = 4) -> Message:
    return Message(0, ((0, 0x00, kind), (4, 0x86, fit_time(T0))))


def record(
    moment: datetime,
    *,
    hr: int | None = None,
    distance_m: float | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> Message:
    return Message(
        20,
        (
            (253, 0x86, fit_time(moment)),
            (3, 0x02, hr),
            (5, 0x86, None if distance_m is None else round(distance_m * 100)),
            (0, 0x85, None if lat is None else round(lat / SEMICIRCLE_DEG)),
            (1, 0x85, None if lon is None else round(lon / SEMICIRCLE_DEG)),
        ),
    )


def session(
    start: datetime,
    elapsed_s: float,
    *,
    sport: int = 1,
    sub_sport: int = 0,
    distance_m: float | None = None,
    avg_hr: int | None = None,
    max_hr: int | None = None,
) -> Message:
    return Message(
        18,
        (
            (253, 0x86, fit_time(start) + int(elapsed_s)),
            (2, 0x86, fit_time(start)),
            (7, 0x86, round(elapsed_s * 1000)),
            (9, 0x86, None if distance_m is None else round(distance_m * 100)),
            (5, 0x00, sport),
            (6, 0x00, sub_sport),
            (16, 0x02, avg_hr),
            (17, 0x02, max_hr),
        ),
    )


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(T0.timestamp() + seconds, tz=UTC)


def write(tmp_path: Path, messages: list[Message], name: str = "built.fit") -> Path:
    path = tmp_path / name
    path.write_bytes(fit_bytes(messages))
    return path


# ---------------------------------------------------------------------------------------------
# The shared sample files.

_SAMPLES = {
    # file: (sport, device_sport, start, duration_s, distance_m, avg_hr, max_hr, kcal, records)
    "garmin-edge-500-activity.fit": (
        "cycling",
        "cycling",
        datetime(2011, 9, 25, 13, 0, 21, tzinfo=UTC),
        12691.28,
        92622.34,
        162.0,
        189.0,
        1954.0,
        10686,
    ),
    "garmin-fenix-5-run.fit": (
        "running",
        "running",
        datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC),
        56.887,
        157.56,
        90.0,
        112.0,
        5.0,
        21,
    ),
    "garmin-fenix-5-walk.fit": (
        "walking",
        "walking",
        datetime(2017, 6, 11, 14, 32, 51, tzinfo=UTC),
        45.379,
        67.85,
        75.0,
        82.0,
        4.0,
        17,
    ),
    # The fēnix 2 wrote no heart-rate summary: avg/max come from the records (checked below).
    "activity-small-fenix2-run.fit": (
        "running",
        "running",
        datetime(2015, 8, 15, 14, 45, 8, tzinfo=UTC),
        2832.0,
        9008.22,
        None,
        None,
        516.0,
        2809,
    ),
}


def _plain_records(path: Path) -> list[dict[str, Any]]:
    """Record messages through fitdecode's documented API, independent of the reader's pass."""
    rows = []
    with fitdecode.FitReader(str(path)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                rows.append({f.name: f.value for f in frame.fields})
    return rows


@cache
def _read_sample(name: str) -> ParsedFile:
    # The Edge 500 file takes most of a second to decode; read each sample once for all tests.
    return fit.read(sample(f"fit/{name}"))


@pytest.mark.parametrize("name", sorted(_SAMPLES))
def test_sample_activity_summary_and_samples(name: str) -> None:
    sport, device_sport, start, duration, distance, avg_hr, max_hr, kcal, count = _SAMPLES[name]
    path = sample(f"fit/{name}")
    parsed = _read_sample(name)

    assert parsed.format == "fit"
    assert parsed.warnings == ()
    (s,) = parsed.sessions
    assert (s.sport, s.device_sport) == (sport, device_sport)
    assert s.start.utcoffset() == UTC.utcoffset(None)
    # The session message, as the device wrote it, is kept beside.
    assert s.device_summary is not None
    assert s.device_summary.duration_s == pytest.approx(duration)
    assert s.device_summary.distance_m == pytest.approx(distance)
    assert (s.device_summary.avg_hr, s.device_summary.max_hr) == (avg_hr, max_hr)
    assert s.calories_kcal == kcal
    assert len(s.samples) == count

    # The summary is the records' as fitdecode decodes them: first to last, last distance, HR.
    rows = _plain_records(path)
    assert len(rows) == count
    hr = np.array([np.nan if r.get("heart_rate") is None else r["heart_rate"] for r in rows], dtype=float)
    first, last = rows[0], rows[-1]
    assert s.start == first["timestamp"]
    assert s.end == last["timestamp"]
    assert abs((s.start - start).total_seconds()) <= 1
    assert s.duration_s == (last["timestamp"] - first["timestamp"]).total_seconds()
    assert s.distance_m == pytest.approx(max(r["distance"] for r in rows if r.get("distance") is not None))
    assert s.avg_hr == pytest.approx(float(np.nanmean(hr)))
    assert s.max_hr == float(np.nanmax(hr))
    np.testing.assert_array_equal(s.samples.heart_rate, hr)
    assert s.samples.time_ms[0] == ms(first["timestamp"])
    assert s.samples.time_ms[-1] == ms(last["timestamp"])
    assert s.samples.latitude[0] == pytest.approx(first["position_lat"] * 180 / 2**31)
    assert s.samples.longitude[-1] == pytest.approx(last["position_long"] * 180 / 2**31)
    assert s.samples.altitude_m[0] == pytest.approx(first["enhanced_altitude"])
    assert s.samples.distance_m[-1] == pytest.approx(last["distance"])
    assert np.all(np.diff(s.samples.time_ms) >= 0)
    assert s.samples.time_ms.dtype == np.int64


def test_edge_500_positions_are_in_degrees_where_the_ride_was() -> None:
    (s,) = _read_sample("garmin-edge-500-activity.fit").sessions
    # The ride starts at 43.7134 N, 79.3637 W (Toronto); semicircles would be ~5e8.
    assert s.samples.latitude[0] == pytest.approx(521521093 * 180 / 2**31)
    assert s.samples.longitude[0] == pytest.approx(-946874053 * 180 / 2**31)
    assert 43.0 < np.nanmin(s.samples.latitude) < np.nanmax(s.samples.latitude) < 45.0


def test_workout_definition_is_refused_as_a_plan() -> None:
    with pytest.raises(UnreadableFile) as err:
        fit.read(sample("fit/WorkoutRepeatSteps.fit"))
    assert "a FIT workout definition (a planned workout), not a recorded activity" in err.value.message
    assert err.value.field == "file_id.type"


@pytest.mark.parametrize(
    ("name", "offset", "words"),
    [
        ("invalid-activity-unexpected-eof.fit", 768, "truncated"),
        ("invalid-activity-settings-corruptheader.fit", 771, "corrupt FIT header"),
    ],
)
def test_broken_sample_names_the_byte(name: str, offset: int, words: str) -> None:
    with pytest.raises(UnreadableFile) as err:
        fit.read(sample(f"fit/{name}"))
    assert err.value.field == f"byte {offset}"
    assert words in err.value.message


def test_progress_is_reported_now_and_then_and_ends_complete() -> None:
    path = sample("fit/garmin-edge-500-activity.fit")
    calls: list[tuple[int, int]] = []
    fit.read(path, progress=lambda done, total: calls.append((done, total)))
    size = path.stat().st_size
    assert 2 <= len(calls) < 100  # not per record (10 686 of them)
    assert calls[-1] == (size, size)
    assert all(total == size for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# ---------------------------------------------------------------------------------------------
# Built files: multisport, sub-sports, missing summaries, other file types, corruption.


def test_multisport_file_gives_one_session_per_session_message(tmp_path: Path) -> None:
    messages = [file_id()]
    # Run 0-600 s (distance 0..1200 m), transition, ride 700-1300 s with the counter carrying on.
    messages += [
        record(at(t), hr=120 + t // 60, distance_m=2.0 * t, lat=45.0, lon=14.0) for t in range(0, 601, 60)
    ]
    messages += [record(at(t), hr=140, distance_m=1200 + 5.0 * (t - 700)) for t in range(700, 1301, 60)]
    messages += [
        session(at(0), 600, sport=1, distance_m=1200, avg_hr=125, max_hr=130),
        session(at(700), 600, sport=2, distance_m=3000),
    ]
    parsed = fit.read(write(tmp_path, messages))

    run, ride = parsed.sessions
    assert (run.sport, ride.sport) == ("running", "cycling")
    assert (run.start, ride.start) == (at(0), at(700))
    assert (run.end, ride.end) == (at(600), at(1300))
    assert (len(run.samples), len(ride.samples)) == (11, 11)
    assert (run.distance_m, ride.distance_m) == (1200.0, 3000.0)
    assert (run.avg_hr, run.max_hr) == (125.0, 130.0)
    assert (ride.avg_hr, ride.max_hr) == (140.0, 140.0)  # no summary: from the records
    # The ride's distance is counted from its own start, not from the run's.
    assert ride.samples.distance_m[0] == 0.0
    assert ride.samples.distance_m[-1] == pytest.approx(3000.0)
    assert np.isnan(ride.samples.latitude).all()
    assert parsed.warnings == ()


def test_records_outside_every_session_are_left_out_with_a_warning(tmp_path: Path) -> None:
    messages = [file_id(), record(at(-120), hr=90)]
    messages += [record(at(t), hr=100) for t in (0, 10, 20)]
    messages += [record(at(500), hr=90), session(at(0), 20)]
    parsed = fit.read(write(tmp_path, messages))
    (s,) = parsed.sessions
    assert len(s.samples) == 3
    assert parsed.warnings == ("2 records outside every session were left out",)


@pytest.mark.parametrize(
    ("sport", "sub_sport", "expected", "label"),
    [
        (10, 20, "strength", "training/strength_training"),
        (4, 15, "elliptical", "fitness_equipment/elliptical"),
        (4, 14, "rowing", "fitness_equipment/indoor_rowing"),
        (1, 1, "running", "running/treadmill"),
        (0, 0, "other", "generic"),
        (11, 0, "walking", "walking"),
    ],
)
def test_sport_and_sub_sport_map_to_the_normalised_sport(
    tmp_path: Path, sport: int, sub_sport: int, expected: str, label: str
) -> None:
    messages = [file_id(), record(at(0), hr=100), session(at(0), 60, sport=sport, sub_sport=sub_sport)]
    (s,) = fit.read(write(tmp_path, messages)).sessions
    assert (s.sport, s.device_sport) == (expected, label)


def test_file_without_session_message_is_summarised_from_its_records(tmp_path: Path) -> None:
    points = [(45.0, 14.0), (45.001, 14.0), (45.002, 14.0)]
    messages = [file_id()] + [
        record(at(60 * i), hr=100 + i, lat=la, lon=lo) for i, (la, lo) in enumerate(points)
    ]
    parsed = fit.read(write(tmp_path, messages))
    (s,) = parsed.sessions
    assert (s.start, s.end, s.duration_s) == (at(0), at(120), 120.0)
    assert (s.avg_hr, s.max_hr) == (101.0, 102.0)
    # No distance field: measured along the positions (0.001° of latitude ≈ 111.2 m).
    assert s.distance_m == pytest.approx(2 * 111.19, rel=1e-3)
    assert s.samples.distance_m[0] == 0.0
    assert "no session summary" in parsed.warnings[0]


def test_file_without_session_or_record_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        fit.read(write(tmp_path, [file_id()]))
    assert "no session and no record" in err.value.message


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (15, "monitoring file"),
        (6, "course (a planned route)"),
        (2, "settings file"),
        (5, "workout definition"),
    ],
)
def test_files_that_are_not_activities_are_refused_by_kind(tmp_path: Path, kind: int, words: str) -> None:
    messages = [file_id(kind), record(at(0), hr=80), session(at(0), 10)]
    with pytest.raises(UnreadableFile) as err:
        fit.read(write(tmp_path, messages))
    assert words in err.value.message
    assert "not a recorded activity" in err.value.message
    assert err.value.field == "file_id.type"


def test_a_flipped_byte_fails_the_crc_and_names_the_end_of_the_file(tmp_path: Path) -> None:
    data = bytearray(fit_bytes([file_id(), record(at(0), hr=100), session(at(0), 10)]))
    # Header 14 + file_id definition 12 and data 6 + record definition 21 + record header 1 +
    # timestamp 4: the heart-rate byte. The structure stays intact, only the checksum is wrong.
    hr_at = 14 + 12 + 6 + 21 + 1 + 4
    assert data[hr_at] == 100
    data[hr_at] = 101
    path = tmp_path / "flipped.fit"
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableFile) as err:
        fit.read(path)
    assert "checksum" in err.value.message
    assert err.value.field == f"byte {len(data) - 2}"


@pytest.mark.parametrize("content", [b"", b"hello, this is not FIT", b"\x0e\x20"])
def test_not_fit_at_all(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.fit"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as err:
        fit.read(path)
    assert err.value.field == "byte 0"


def test_missing_file_is_unreadable_not_oserror(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile):
        fit.read(tmp_path / "absent.fit")
