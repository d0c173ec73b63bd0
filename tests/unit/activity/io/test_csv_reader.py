"""Stride activity CSV reader: the documented format, and every malformed case naming line and column."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from stride.activity.io import detect
from stride.activity.io.csv_reader import HEART_RATE_BPM, read
from stride.errors import UnreadableFile

HEADER = "time,heart_rate,distance_m,latitude,longitude,altitude_m,steps,session,sport"
VALID = f"""{HEADER}
2024-05-01T07:30:00+02:00,100,0,52.0,13.0,35,,morning,Running
2024-05-01T07:30:10+02:00,110,30,52.0003,13.0,35,20,morning,Running
2024-05-01T07:30:20+02:00,130,61.5,52.0006,13.0,36,21,morning,
2024-05-02T18:01:00Z,95,,,,,100,evening,"Walk, brisk"
2024-05-02T18:00:00Z,90,,,,,,evening,"Walk, brisk"
"""


def _write(tmp_path: Path, content: str | bytes, name: str = "activity.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_sessions_samples_and_steps(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)
    assert detect(path) == "csv"
    calls: list[tuple[int, int]] = []
    parsed = read(path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(len(VALID), len(VALID))]
    assert parsed.format == "csv"
    assert parsed.warnings == ()
    run, walk = parsed.sessions
    assert run.start == datetime(2024, 5, 1, 5, 30, tzinfo=UTC)
    assert run.end == datetime(2024, 5, 1, 5, 30, 20, tzinfo=UTC)
    assert (run.sport, run.device_sport) == ("running", "Running")
    assert run.duration_s == 20
    assert run.distance_m == 61.5  # the recorded cumulative distance
    assert run.avg_hr == pytest.approx(340 / 3)
    assert run.max_hr == 130
    assert run.calories_kcal is None
    assert run.samples.altitude_m.tolist() == [35, 35, 36]
    assert run.samples.latitude.tolist() == [52.0, 52.0003, 52.0006]
    # Rows of a session are put in time order.
    assert walk.samples.heart_rate.tolist() == [90, 95]
    assert (walk.sport, walk.device_sport) == ("walking", "Walk, brisk")
    assert walk.distance_m is None
    assert math.isnan(walk.samples.latitude[0])
    (steps,) = parsed.series
    assert steps.metric == "steps"
    assert steps.value.tolist() == [20, 21, 100]
    # A row's steps cover the time since the previous row of its session.
    assert (steps.end_ms - steps.start_ms).tolist() == [10_000, 10_000, 60_000]


def test_one_session_without_a_session_column_and_distance_from_positions(tmp_path: Path) -> None:
    content = "\ufefftime,latitude,longitude,Notes\n"  # a byte-order mark, as Excel writes
    content += "2024-05-01 07:30:00+02:00,52.00,13.0,a\n\n2024-05-01 07:31:00.500+02:00,52.01,13.0,b\n"
    parsed = read(_write(tmp_path, content))
    (session,) = parsed.sessions
    assert session.sport == "other"
    assert session.device_sport == ""
    assert session.duration_s == 60.5
    # 0.01 degree of latitude on the mean Earth sphere: 6,371,008.8 m * pi / 18,000.
    assert session.distance_m == pytest.approx(6_371_008.8 * math.pi / 18_000)
    assert parsed.series == ()
    assert parsed.warnings == ("columns ignored (not in the documented format): Notes",)


def test_heart_rate_bounds_are_inclusive(tmp_path: Path) -> None:
    low, high = HEART_RATE_BPM
    content = f"time,heart_rate\n2024-05-01T07:30:00Z,{low:g}\n2024-05-01T07:30:01Z,{high:g}\n"
    assert read(_write(tmp_path, content)).sessions[0].samples.heart_rate.tolist() == [low, high]


MALFORMED: list[tuple[str, str, str]] = [
    (f"{HEADER}\n2024-05-01T07:30:00Z,abc,,,,,,a,\n", "line 2, column heart_rate", "'abc' is not a number"),
    (
        f"{HEADER}\n2024-05-01T07:30:00Z,251,,,,,,a,\n",
        "line 2, column heart_rate",
        "plausible range 20 to 250",
    ),
    (f"{HEADER}\n2024-05-01T07:30:00Z,19.9,,,,,,a,\n", "line 2, column heart_rate", "plausible range"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,nan,,,,,,a,\n", "line 2, column heart_rate", "plausible range"),
    (f"{HEADER}\n2024-05-01T07:30:00,90,,,,,,a,\n", "line 2, column time", "has no UTC offset"),
    (f"{HEADER}\nyesterday,90,,,,,,a,\n", "line 2, column time", "not an ISO 8601 time"),
    (f"{HEADER}\n1850-05-01T07:30:00Z,90,,,,,,a,\n", "line 2, column time", "not a plausible time"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,95,13,,,a,\n", "line 2, column latitude", "plausible range"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,,181,,,a,\n", "line 2, column longitude", "plausible range"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,,,9500,,a,\n", "line 2, column altitude_m", "plausible range"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,,,,2.5,a,\n", "line 2, column steps", "not a whole number"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,,,,-1,a,\n", "line 2, column steps", "plausible range"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,52,,,,a,\n", "line 2, column longitude", "come in pairs"),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,,,,,,\n", "line 2, column session", "every row must name"),
    (
        f"{HEADER}\n2024-05-01T07:30:00Z,90,100,,,,,a,\n\n2024-05-01T07:30:05Z,90,50,,,,,a,\n",
        "line 4, column distance_m",
        "cumulative",
    ),
    (
        f"{HEADER}\n2024-05-01T07:30:00Z,90,,,,,,a,run\n2024-05-01T07:31:00Z,90,,,,,,a,swim\n",
        "line 3, column sport",
        "differs",
    ),
    (f"{HEADER}\n2024-05-01T07:30:00Z,90,,,,,,a\n", "line 2", "8 fields, the header has 9"),
    (f"{HEADER}\n", "line 2", "no data rows"),
    ("", "line 1", "empty file"),
    ("heart_rate,steps\n90,1\n", "line 1", "no 'time' column"),
    ("time,steps,Steps\n2024-05-01T07:30:00Z,1,2\n", "line 1, column steps", "named twice"),
    ('time,sport\n2024-05-01T07:30:00Z,"run\n', "line 2", "not valid CSV"),
    ("time,sport\n2024-05-01T07:30:00Z,r\x00un\n", "line 2", "NUL character"),
]


@pytest.mark.parametrize(("content", "where", "message"), MALFORMED)
def test_malformed_names_line_and_column(tmp_path: Path, content: str, where: str, message: str) -> None:
    with pytest.raises(UnreadableFile) as raised:
        read(_write(tmp_path, content))
    assert raised.value.field == where
    assert message in raised.value.message


def test_not_utf8_names_the_byte(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as raised:
        read(_write(tmp_path, b"time,sport\n2024-05-01T07:30:00Z,caf\xe9\n"))
    assert raised.value.field == "byte 35"


def test_message_reads_as_documented(tmp_path: Path) -> None:
    rows = "".join(f"2024-05-01T07:30:{i:02d}Z,{90 + i}\n" for i in range(10)) + "2024-05-01T07:30:10Z,abc\n"
    with pytest.raises(UnreadableFile) as raised:
        read(_write(tmp_path, "time,heart_rate\n" + rows))
    assert str(raised.value) == "line 12, column heart_rate: 'abc' is not a number"


def test_samples_are_arrays_of_equal_length(tmp_path: Path) -> None:
    session = read(_write(tmp_path, VALID)).sessions[0]
    assert session.samples.time_ms.dtype == np.int64
    assert {len(getattr(session.samples, name)) for name in ("heart_rate", "distance_m", "altitude_m")} == {3}
