"""Fitbit export reader: the real sample files, zips, single files, DST, and every malformed case."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from stride.activity.io import detect
from stride.activity.io.fitbit import read
from stride.errors import UnreadableFile
from tests.samples import sample

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def _ms(*args: int, tz: Any = UTC) -> int:
    return int(datetime(*args, tzinfo=tz).timestamp() * 1000)


def _write(folder: Path, name: str, items: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(items))
    return path


@pytest.fixture
def samples() -> Path:
    return sample("fitbit/heart_rate-1995-06-24.json").parent


def _expected(folder: Path, prefix: str) -> list[dict[str, Any]]:
    """The items of the sample files of one metric, read with plain json (the independent check)."""
    return [item for path in sorted(folder.glob(f"{prefix}-*.json")) for item in json.loads(path.read_text())]


def test_real_sample_folder_values_match_the_files(samples: Path) -> None:
    parsed = read(samples, tz=NEW_YORK)
    series = {s.metric: s for s in parsed.series}
    assert parsed.format == "fitbit"
    assert parsed.sessions == ()
    assert set(series) == {"heart_rate", "steps", "calories"}

    hr_items = _expected(samples, "heart_rate")
    hr = series["heart_rate"]
    assert len(hr) == len(hr_items) == 201
    assert hr.value.sum() == sum(item["value"]["bpm"] for item in hr_items)
    # 06/24/95 16:00:10 in New York (EDT, UTC-4) is 20:00:10 UTC.
    assert hr.start_ms[0] == _ms(1995, 6, 24, 20, 0, 10)
    assert np.array_equal(hr.start_ms, hr.end_ms)
    assert np.all(np.diff(hr.start_ms) > 0)

    steps_items = _expected(samples, "steps")
    steps = series["steps"]
    assert steps.value.sum() == sum(int(item["value"]) for item in steps_items) == 607
    assert np.all(steps.end_ms - steps.start_ms == 60_000)
    calories = series["calories"]
    assert calories.value.sum() == pytest.approx(
        sum(float(item["value"]) for item in _expected(samples, "calories"))
    )
    assert len(calories) == 47


def test_zip_of_the_folder_and_single_files_read_the_same(samples: Path, tmp_path: Path) -> None:
    archive = tmp_path / "MyFitbitData.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in samples.glob("*.json"):
            zf.write(path, f"MyFitbitData/Anna/Global Export Data/{path.name}")
        zf.writestr("MyFitbitData/Anna/Global Export Data/sleep-2020-01-01.json", "not read")
    assert detect(archive) == "fitbit"
    from_zip = {s.metric: s for s in read(archive, tz=NEW_YORK).series}
    from_dir = {s.metric: s for s in read(samples, tz=NEW_YORK).series}
    for metric, series in from_dir.items():
        assert np.array_equal(series.start_ms, from_zip[metric].start_ms)
        assert np.array_equal(series.value, from_zip[metric].value)

    single = read(sample("fitbit/heart_rate-1995-06-24.json"), tz=NEW_YORK)
    assert [s.metric for s in single.series] == ["heart_rate"]
    assert np.array_equal(single.series[0].start_ms, from_dir["heart_rate"].start_ms)


def test_single_file_without_a_metric_in_its_name_is_judged_by_content(samples: Path, tmp_path: Path) -> None:
    shutil.copy(samples / "calories-1995-06-23_Fitbit.json", tmp_path / "upload-1.json")
    shutil.copy(samples / "steps-1995-06-23_Fitbit.json", tmp_path / "upload-2.json")
    shutil.copy(samples / "heart_rate-1995-06-24.json", tmp_path / "upload-3.json")
    assert detect(tmp_path / "upload-1.json") == "fitbit"
    calories = read(tmp_path / "upload-1.json")
    assert calories.series[0].metric == "calories"
    assert "read as calories" in calories.warnings[0]
    assert read(tmp_path / "upload-2.json").series[0].metric == "steps"
    assert read(tmp_path / "upload-3.json").series[0].metric == "heart_rate"


def test_global_export_names_iso_times_and_exercises(tmp_path: Path) -> None:
    folder = tmp_path / "Global Export Data"
    _write(folder, "steps-2020-01-01.json", [{"dateTime": "2020-01-01 10:00:00", "value": "30"}])
    hr = [
        {"dateTime": f"01/01/20 10:{m:02d}:00", "value": {"bpm": 100 + m, "confidence": 2}} for m in range(40)
    ]
    _write(folder, "heart_rate-2020-01-01.json", hr)
    exercise = {
        "logId": 1,
        "activityName": "Walk",
        "startTime": "01/01/20 10:05:00",
        "duration": 1_200_000,
        "activeDuration": 1_140_000,
        "distance": 1.5,
        "distanceUnit": "Kilometer",
        "calories": 110,
        "steps": 2000,
    }
    _write(folder, "exercise-0.json", [exercise])
    parsed = read(tmp_path, tz=BERLIN)
    assert {s.metric: s.value.sum() for s in parsed.series} == {
        "heart_rate": sum(100 + m for m in range(40)),
        "steps": 30,
    }
    (session,) = parsed.sessions
    assert session.sport == "walking"
    assert session.device_sport == "Walk"
    assert session.start == datetime(2020, 1, 1, 9, 5, tzinfo=UTC)  # CET = UTC+1
    assert session.end == datetime(2020, 1, 1, 9, 25, tzinfo=UTC)
    assert session.duration_s == 1140
    assert session.distance_m == 1500
    assert session.calories_kcal == 110
    # Heart-rate readings at 10:05 … 10:25 local (both ends included) are the samples.
    assert len(session.samples) == 21
    assert session.max_hr == 125
    assert session.avg_hr == pytest.approx(sum(range(105, 126)) / 21)


def test_dst_gap_moves_forward_and_fold_is_placed_by_file_order(tmp_path: Path) -> None:
    # 2021-03-28 02:00 CET the clocks in Berlin jumped to 03:00: 02:30 never existed.
    _write(tmp_path, "steps-2021-03-28.json", [{"dateTime": "03/28/21 02:30:00", "value": "5"}])
    # 2021-10-31 03:00 CEST the clocks went back to 02:00: 02:00-02:59 happened twice.
    times = ["02:30:00", "02:59:00", "02:15:00", "02:45:00", "03:10:00"]
    items = [{"dateTime": f"10/31/21 {t}", "value": {"bpm": 60, "confidence": 3}} for t in times]
    _write(tmp_path, "heart_rate-2021-10-31.json", items)
    parsed = read(tmp_path, tz=BERLIN)
    series = {s.metric: s for s in parsed.series}
    assert series["steps"].start_ms[0] == _ms(2021, 3, 28, 1, 30)  # as if still CET: 03:30 CEST
    expected = [_ms(2021, 10, 31, 0, 30), _ms(2021, 10, 31, 0, 59), _ms(2021, 10, 31, 1, 15)]
    expected += [_ms(2021, 10, 31, 1, 45), _ms(2021, 10, 31, 2, 10)]
    assert series["heart_rate"].start_ms.tolist() == expected
    assert "1 readings fell in a daylight-saving gap" in parsed.warnings[-1]
    assert "4 in a repeated hour" in parsed.warnings[-1]


def test_repeated_readings_in_overlapping_files_count_once(tmp_path: Path) -> None:
    items = [
        {"dateTime": "01/01/20 10:00:00", "value": "30"},
        {"dateTime": "01/01/20 10:01:00", "value": "7"},
    ]
    _write(tmp_path / "a", "steps-2020-01-01.json", items)
    _write(tmp_path / "b", "steps-2020-01-01_copy.json", items[:1])
    parsed = read(tmp_path)
    assert parsed.series[0].value.sum() == 37
    assert "1 readings at a time already read were dropped" in parsed.warnings[0]


def test_progress_reports_bytes_of_the_files(samples: Path) -> None:
    calls: list[tuple[int, int]] = []
    read(samples, progress=lambda done, total: calls.append((done, total)))
    total = sum(p.stat().st_size for p in samples.glob("*.json"))
    assert calls[-1] == (total, total)
    assert len(calls) == 3


MALFORMED: list[tuple[str, bytes, str, str]] = [
    ("steps-2020-01-01.json", b"[{", "steps-2020-01-01.json line 1", "not valid JSON"),
    ("steps-2020-01-01.json", b'{"a": 1}', "steps-2020-01-01.json", "JSON array"),
    ("steps-2020-01-01.json", b"[1, 2]", "steps-2020-01-01.json item 0", "not a JSON object"),
    (
        "steps-2020-01-01.json",
        b'[{"dateTime": "01/01/20 10:00:00", "value": "1"}, {"dateTime": "yesterday", "value": "1"}]',
        "steps-2020-01-01.json item 1 dateTime",
        "not a time",
    ),
    (
        "steps-2020-01-01.json",
        b'[{"dateTime": "02/30/20 10:00:00", "value": "1"}]',
        "steps-2020-01-01.json item 0 dateTime",
        "not a calendar date",
    ),
    (
        "calories-2020-01-01.json",
        b'[{"dateTime": "01/01/20 10:00:00", "value": "1"}, {}]',
        "calories-2020-01-01.json item 1 dateTime",
        "not a time",
    ),
    (
        "calories-2020-01-01.json",
        b'[{"dateTime": "01/01/20 10:02:00", "value": "abc"}]',
        "calories-2020-01-01.json item 0 value",
        "not a non-negative number",
    ),
    (
        "heart_rate-2020-01-01.json",
        b'[{"dateTime": "01/01/20 10:02:00", "value": {"confidence": 1}}]',
        "heart_rate-2020-01-01.json item 0 value.bpm",
        "not a non-negative number",
    ),
    (
        "exercise-0.json",
        b'[{"activityName": "Run", "startTime": "01/01/20 10:00:00", "duration": 60000, "distance": 2,'
        b' "distanceUnit": "Furlong"}]',
        "exercise-0.json item 0 distanceUnit",
        "not known",
    ),
    (
        "exercise-0.json",
        b'[{"activityName": "Run", "startTime": "01/01/20 10:00:00"}]',
        "exercise-0.json item 0 duration",
        "not a non-negative number",
    ),
    ("steps-2020-01-01.json", b"\xff\xfe[]", "steps-2020-01-01.json byte 0", "not UTF-8"),
    (
        "steps-2020-01-01.json",
        b'[{"dateTime": "1800-01-01 10:00:00", "value": "1"}]',
        "steps-2020-01-01.json item 0 dateTime",
        "not a plausible time",
    ),
]


@pytest.mark.parametrize(("name", "content", "where", "message"), MALFORMED)
def test_malformed_files_name_the_file_and_item(
    tmp_path: Path, name: str, content: bytes, where: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as raised:
        read(path)
    assert raised.value.field == where
    assert message in raised.value.message


def test_folder_without_fitbit_files_and_damaged_zip(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "sleep-2020-01-01.json").write_text("[]")
    with pytest.raises(UnreadableFile, match="no Fitbit"):
        read(tmp_path / "empty")
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "steps-2020-01-01.json", json.dumps([{"dateTime": "01/01/20 10:00:00", "value": "3"}] * 500)
        )
    damaged = tmp_path / "damaged.zip"
    raw = bytearray(good.read_bytes())
    raw[60:70] = b"\x00" * 10  # inside the deflated member
    damaged.write_bytes(bytes(raw))
    with pytest.raises(UnreadableFile):
        read(damaged)
