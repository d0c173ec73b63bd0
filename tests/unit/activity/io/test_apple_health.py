"""Apple Health export reader: generated exports with the real traps, hand-written edge cases,
chunk boundaries, zips, and every malformed case."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from benchmarks.generators import AppleHealthStats, write_apple_health_export

from stride.activity.io import apple_health, detect
from stride.activity.io.apple_health import read
from stride.activity.model import MetricSeries, ParsedFile
from stride.errors import UnreadableFile

WATCH = 'sourceName="Watch" sourceVersion="9.1" device="&lt;&lt;HKDevice: 0x1&gt;, name:Apple Watch&gt;"'
PHONE = 'sourceName="Phone"'


def _export(body: str, *, head: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ATTLIST VisionPrescription\n'
        f'  brand CDATA #IMPLIED\n]>\n<HealthData locale="en_GB">\n{head}'
        ' <ExportDate value="2024-01-09 09:00:00 +0100"/>\n'
        f"{body}</HealthData>\n"
    ).encode()


def _steps(source: str, start: str, end: str, value: str) -> str:
    return (
        f' <Record type="HKQuantityTypeIdentifierStepCount" {source} unit="count" '
        f'creationDate="{end}" startDate="{start}" endDate="{end}" value="{value}"/>\n'
    )


def _hr(at: str, value: str, *, extra: str = "") -> str:
    return (
        f' <Record type="HKQuantityTypeIdentifierHeartRate" {WATCH} unit="count/min" '
        f'creationDate="{at}" startDate="{at}" endDate="{at}" value="{value}"{extra}/>\n'
    )


def _write(tmp_path: Path, content: bytes, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _local_day_total(series: MetricSeries, day: date, offset: timedelta) -> float:
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone(offset))
    lo = int(midnight.timestamp() * 1000)
    inside = (series.start_ms >= lo) & (series.start_ms < lo + 86_400_000)
    return float(series.value[inside].sum())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[AppleHealthStats, ParsedFile]:
    path = tmp_path_factory.mktemp("apple") / "export.xml"
    stats = write_apple_health_export(path, days=7, seed=11)
    return stats, read(path)


def test_generated_export_has_the_real_traps(generated: tuple[AppleHealthStats, ParsedFile]) -> None:
    stats, _ = generated
    raw = stats.path.read_bytes()
    assert b"\x0b" in raw
    assert b"<WorkoutStatistics " in raw
    assert b"totalEnergyBurned=" in raw
    assert b"<MetadataEntry " in raw
    with pytest.raises(ET.ParseError):  # the broken DTD stops a conforming XML parser
        ET.parse(stats.path)
    # Phone and watch both count the same walks: a naive sum is far above the de-duplicated one.
    for day, steps in stats.steps_per_day.items():
        assert stats.raw_steps_per_day[day] > 1.5 * steps
    assert detect(stats.path) == "apple_health"


def test_generated_export_steps_per_day_counted_once(generated: tuple[AppleHealthStats, ParsedFile]) -> None:
    stats, parsed = generated
    series = {s.metric: s for s in parsed.series}
    steps = series["steps"]
    for day, expected in stats.steps_per_day.items():
        assert _local_day_total(steps, day, stats.utc_offset[day]) == expected
    assert np.all(np.diff(steps.start_ms) >= 0)
    assert any("counted once" in w and "Pedometer++" in w for w in parsed.warnings)


def test_generated_export_heart_rate_and_workouts(generated: tuple[AppleHealthStats, ParsedFile]) -> None:
    stats, parsed = generated
    hr = next(s for s in parsed.series if s.metric == "heart_rate")
    assert len(hr) == stats.heart_rate_records
    assert np.all(np.diff(hr.start_ms) >= 0)
    assert len(parsed.sessions) == len(stats.workouts) == 6
    for truth, session in zip(stats.workouts, parsed.sessions, strict=True):
        assert session.start == truth.start
        assert session.end == truth.end
        assert session.device_sport == truth.activity_type
        assert session.sport == truth.activity_type.removeprefix("HKWorkoutActivityType").lower()
        assert session.duration_s == pytest.approx(truth.duration_s, abs=1e-6)
        assert session.distance_m == pytest.approx(truth.distance_m, rel=1e-6)
        assert session.calories_kcal == pytest.approx(truth.energy_kcal)
        assert len(session.samples) == truth.hr_samples
        assert session.avg_hr == pytest.approx(truth.avg_hr)
        assert session.max_hr == truth.max_hr


def test_zip_and_small_chunks_give_the_same_result(
    generated: tuple[AppleHealthStats, ParsedFile], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats, parsed = generated
    archive = tmp_path / "export.zip"
    zipped = write_apple_health_export(archive, days=7, seed=11)
    assert zipped.bytes_written == stats.bytes_written
    assert detect(archive) == "apple_health"
    calls: list[tuple[int, int]] = []
    from_zip = read(archive, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (stats.bytes_written, stats.bytes_written)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(calls))
    # Pieces of 8 KiB cut through workouts and multi-line records everywhere.
    monkeypatch.setattr(apple_health, "CHUNK", 8192)
    small = read(stats.path)
    for other in (from_zip, small):
        assert len(other.sessions) == len(parsed.sessions)
        for a, b in zip(parsed.series, other.series, strict=True):
            assert np.array_equal(a.start_ms, b.start_ms)
            assert np.array_equal(a.value, b.value)
        assert [s.calories_kcal for s in other.sessions] == [s.calories_kcal for s in parsed.sessions]


def test_hand_written_export_rules(tmp_path: Path) -> None:
    body = (
        # 10:00 hour: watch 100, phone 80 (and 5 more) -> the watch's 100; 11:00: phone only, 40.
        _steps(WATCH, "2024-01-08 10:00:00 +0100", "2024-01-08 10:10:00 +0100", "60")
        + _steps(WATCH, "2024-01-08 10:20:00 +0100", "2024-01-08 10:30:00 +0100", "40")
        + _steps(PHONE, "2024-01-08 10:01:00 +0100", "2024-01-08 10:09:00 +0100", "80")
        + _steps(PHONE, "2024-01-08 10:50:00 +0100", "2024-01-08 10:55:00 +0100", "5")
        + _steps(PHONE, "2024-01-08 11:05:00 +0100", "2024-01-08 11:15:00 +0100", "40")
        + _hr("2024-01-08 10:00:00 +0100", "90")
        + _hr("2024-01-08 10:05:00 +0100", "120", extra=' note="x"')
        + _hr("2024-01-08 12:00:00 +0100", "70")
        # Not heart rate, although the type name starts alike; not steps either.
        + ' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" '
        'startDate="2024-01-08 10:02:00 +0100" endDate="2024-01-08 10:02:00 +0100" value="40"/>\n'
        ' <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="W" unit="count/min" '
        'startDate="2024-01-08 10:02:00 +0100" endDate="2024-01-08 10:02:00 +0100" value="50"/>\n'
        # Attributes in another order, with a negative offset (New York).
        ' <Record type="HKQuantityTypeIdentifierHeartRate" value="100" endDate="2024-01-08 04:03:00 -0500" '
        'startDate="2024-01-08 04:03:00 -0500" sourceName="Strap"/>\n'
        ' <Workout workoutActivityType="HKWorkoutActivityTypeTraditionalStrengthTraining" duration="0.25" '
        'durationUnit="h" totalEnergyBurned="100" totalEnergyBurnedUnit="kJ" sourceName="W" '
        'startDate="2024-01-08 10:00:00 +0100" endDate="2024-01-08 10:15:00 +0100"/>\n'
        ' <Workout workoutActivityType="HKWorkoutActivityTypeYoga" sourceName="W" '
        'startDate="2024-01-08 13:00:00 +0100" endDate="2024-01-08 13:30:00 +0100">\n'
        '  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="88" maximum="99" '
        'unit="count/min"/>\n </Workout>\n'
    )
    parsed = read(_write(tmp_path, _export(body)))
    series = {s.metric: s for s in parsed.series}
    assert series["steps"].value.tolist() == [60, 40, 40]
    assert series["heart_rate"].value.tolist() == [90, 100, 120, 70]
    assert series["heart_rate"].start_ms[1] == datetime(2024, 1, 8, 9, 3, tzinfo=UTC).timestamp() * 1000
    strength, yoga = parsed.sessions
    assert strength.sport == "strength"
    assert strength.duration_s == 900
    assert strength.calories_kcal == pytest.approx(100 / 4.184)
    assert strength.distance_m is None
    assert strength.samples.heart_rate.tolist() == [90, 100, 120]
    assert strength.max_hr == 120
    assert yoga.sport == "yoga"
    assert yoga.duration_s == 1800  # no duration attribute: the wall-clock span
    assert len(yoga.samples) == 0
    assert (yoga.avg_hr, yoga.max_hr) == (88, 99)  # from WorkoutStatistics when no readings fall inside


def test_single_bad_records_are_skipped_with_their_lines(tmp_path: Path) -> None:
    body = (
        _hr("2024-01-08 10:00:00 +0100", "90")
        + _hr("2024-01-08 10:01:00 +0100", "abc")
        + _hr("2024-01-08 10:02:00", "91")
        + _steps(PHONE, "2024-01-08 10:00:00 +0100", "2024-01-08 09:00:00 +0100", "5")
        + _steps(PHONE, "2024-02-30 10:00:00 +0100", "2024-02-30 10:10:00 +0100", "5")
        + ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" sourceName="W" '
        'startDate="soon" endDate="2024-01-08 13:30:00 +0100"/>\n'
    )
    parsed = read(_write(tmp_path, _export(body)))
    assert next(s for s in parsed.series if s.metric == "heart_rate").value.tolist() == [90]
    assert parsed.warnings[0].startswith("4 malformed heart-rate/step records skipped (lines 9, 10, 11, 12)")
    assert "value 'abc' is not a number" in parsed.warnings[0]
    assert parsed.sessions == ()
    assert "Workout skipped (export.xml line 13)" in parsed.warnings[1]


def test_many_bad_records_reject_the_file(tmp_path: Path) -> None:
    body = _hr("2024-01-08 10:00:00 +0100", "90") * 3 + _hr("2024-01-08 10:00:00 +0100", "x") * 101
    with pytest.raises(UnreadableFile) as raised:
        read(_write(tmp_path, _export(body)))
    assert raised.value.field == "export.xml line 11"  # lines 1-7 are the head, 8-10 good records
    assert "more than 100 malformed records" in raised.value.message


def test_truncated_and_foreign_files_are_refused(tmp_path: Path) -> None:
    whole = _export(_hr("2024-01-08 10:00:00 +0100", "90") * 50)
    cases = [
        (whole[: len(whole) // 2], "export.xml line 32", "truncated"),
        (whole[: len(whole) // 2] + b"\n", "export.xml line 32", "truncated"),
        (b"", "export.xml line 1", "empty"),
        (b'<?xml version="1.0"?>\n<gpx version="1.1"><trk/></gpx>\n', "export.xml line 1", "not an Apple"),
        (b"\x00" * 100_000, "export.xml line 1", "not an Apple"),
    ]
    for content, where, message in cases:
        with pytest.raises(UnreadableFile) as raised:
            read(_write(tmp_path, content))
        assert raised.value.field == where, content[:40]
        assert message in raised.value.message


def test_no_line_end_for_too_long_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apple_health, "CHUNK", 1024)
    monkeypatch.setattr(apple_health, "MAX_CARRY", 4096)
    content = _export(" <Workout " + "x" * 10_000 + ">\n" + _hr("2024-01-08 10:00:00 +0100", "90") * 100)
    with pytest.raises(UnreadableFile) as raised:
        read(_write(tmp_path, content))
    assert raised.value.field == "export.xml line 8"  # the line the Workout starts on


def test_damaged_and_foreign_zips(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("apple_health_export/export_cda.xml", "<x/>")
    with pytest.raises(UnreadableFile, match=r"no export\.xml"):
        read(other)
    good = tmp_path / "export.zip"
    with zipfile.ZipFile(good, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export.xml", _export(_hr("2024-01-08 10:00:00 +0100", "90") * 2000))
    raw = bytearray(good.read_bytes())
    raw[200:260] = b"\x01" * 60
    damaged = _write(tmp_path, bytes(raw), "damaged.zip")
    with pytest.raises(UnreadableFile):
        read(damaged)
