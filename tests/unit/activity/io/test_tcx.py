"""The TCX reader on the shared sample and on small TCX documents written here.

The sample's expected values are computed in the test with the standard library's
``xml.etree.ElementTree``, independently of the reader (which uses lxml).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from stride.activity.io import tcx
from stride.errors import UnreadableFile
from tests.samples import sample

NS = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
SKIING = "tcx/cross-country-skiing_activity_1.tcx"


def _iso_ms(text: str) -> int:
    return int(datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp() * 1000)


def test_skiing_sample_matches_an_independent_parse() -> None:
    path = sample(SKIING)
    root = ET.parse(path).getroot()
    laps = root.findall(".//t:Lap", NS)
    seconds = [float(lap.findtext("t:TotalTimeSeconds", namespaces=NS) or "nan") for lap in laps]
    distances = [float(lap.findtext("t:DistanceMeters", namespaces=NS) or "nan") for lap in laps]
    averages = [float(lap.findtext("t:AverageHeartRateBpm/t:Value", namespaces=NS) or "nan") for lap in laps]
    maxima = [float(lap.findtext("t:MaximumHeartRateBpm/t:Value", namespaces=NS) or "nan") for lap in laps]
    kcal = [float(lap.findtext("t:Calories", namespaces=NS) or "nan") for lap in laps]
    points = root.findall(".//t:Trackpoint", NS)
    times = [_iso_ms(p.findtext("t:Time", namespaces=NS) or "") for p in points]
    hr = [float(p.findtext("t:HeartRateBpm/t:Value", namespaces=NS) or "nan") for p in points]

    parsed = tcx.read(path)

    assert parsed.format == "tcx"
    (s,) = parsed.sessions
    assert (s.sport, s.device_sport) == ("other", "Other")  # Garmin exported the ski session as "Other"
    assert s.start == datetime(2020, 12, 26, 15, 14, 21, tzinfo=UTC)
    # From the trackpoints: first to last time, their heart rate, the last cumulative distance.
    assert s.duration_s == (times[-1] - times[0]) / 1000
    assert s.avg_hr == pytest.approx(float(np.mean(hr)))
    assert s.max_hr == max(hr)
    last_distance = float(points[-1].findtext("t:DistanceMeters", namespaces=NS) or "nan")
    assert s.distance_m == pytest.approx(last_distance)
    assert s.end.timestamp() * 1000 == times[-1]
    # The laps' totals, as the device wrote them, beside.
    assert s.device_summary is not None
    assert s.device_summary.duration_s == pytest.approx(sum(seconds))
    assert s.device_summary.distance_m == pytest.approx(sum(distances))
    assert s.device_summary.avg_hr == pytest.approx(
        sum(a * w for a, w in zip(averages, seconds, strict=True)) / sum(seconds)
    )
    assert s.device_summary.max_hr == max(maxima)
    assert s.calories_kcal == sum(kcal)
    assert len(s.samples) == len(points)
    np.testing.assert_array_equal(s.samples.time_ms, np.array(times, dtype=np.int64))
    np.testing.assert_array_equal(s.samples.heart_rate, np.array(hr))


def test_skiing_sample_known_numbers() -> None:
    """SOURCES.md's "36 min, ~5 km, avg 144 / max 172" is the first of the two laps; the file
    has a second lap of 4 min and 692 m, so the session is 40 min and 5.69 km."""
    (s,) = tcx.read(sample(SKIING)).sessions
    assert len(s.samples) == 486
    assert s.duration_s == 2401.0
    assert s.device_summary is not None
    assert s.device_summary.duration_s == pytest.approx(2160.432 + 240.828)
    assert s.device_summary.distance_m == pytest.approx(5000.0 + 692.01)
    assert s.device_summary.avg_hr == pytest.approx((144 * 2160.432 + 131 * 240.828) / 2401.26)
    assert s.device_summary.max_hr == 172.0
    assert s.calories_kcal == 532.0
    assert s.end - s.start == timedelta(seconds=2401)
    # The altitude glitch at the start is the device's and is kept as recorded.
    assert s.samples.altitude_m[0] == pytest.approx(1257.6, abs=0.01)
    assert s.samples.altitude_m[1] == pytest.approx(1913.2, abs=0.01)
    assert s.samples.latitude[0] == pytest.approx(46.495856987312436)


def test_progress_ends_complete() -> None:
    path = sample(SKIING)
    calls: list[tuple[int, int]] = []
    tcx.read(path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)


# ---------------------------------------------------------------------------------------------


def _doc(body: str, *, namespace: bool = True) -> str:
    xmlns = ' xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"' if namespace else ""
    return f'<?xml version="1.0"?>\n<TrainingCenterDatabase{xmlns}>\n{body}\n</TrainingCenterDatabase>\n'


def _point(time: str, *, hr: int | None = None, lat: float | None = None, lon: float | None = None) -> str:
    parts = [f"<Time>{time}</Time>"]
    if lat is not None:
        parts.append(
            f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>{lon}</LongitudeDegrees></Position>"
        )
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    return "<Trackpoint>" + "".join(parts) + "</Trackpoint>"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "a.tcx"
    path.write_text(text, encoding="utf-8")
    return path


def test_multisport_activities_are_separate_and_one_without_trackpoints_is_skipped(tmp_path: Path) -> None:
    run = (
        '<Activity Sport="Running"><Id>2026-01-05T09:00:00Z</Id>'
        '<Lap StartTime="2026-01-05T09:00:00Z"><TotalTimeSeconds>120</TotalTimeSeconds>'
        "<Track>"
        + _point("2026-01-05T09:00:00Z", hr=100, lat=45.0, lon=14.0)
        + _point("2026-01-05T09:01:00Z", hr=110, lat=45.001, lon=14.0)
        + _point("2026-01-05T09:02:00Z", hr=130, lat=45.002, lon=14.0)
        + "</Track></Lap></Activity>"
    )
    ride = (
        '<Activity Sport="Biking"><Id>2026-01-05T10:00:00Z</Id>'
        '<Lap StartTime="2026-01-05T10:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>'
        "<DistanceMeters>400</DistanceMeters>"
        "<AverageHeartRateBpm><Value>120</Value></AverageHeartRateBpm>"
        "<MaximumHeartRateBpm><Value>150</Value></MaximumHeartRateBpm>"
        "</Lap></Activity>"
    )
    body = (
        f"<Activities><MultiSportSession><FirstSport>{run}</FirstSport>"
        f"<NextSport>{ride}</NextSport></MultiSportSession></Activities>"
    )
    parsed = tcx.read(_write(tmp_path, _doc(body)))

    # The ride's lap totals come without a timed trackpoint: a summary, not a recording.
    (first,) = parsed.sessions
    assert parsed.warnings == ("line 3, element Activity: an activity without timed trackpoints was skipped",)
    assert (first.sport, first.device_sport) == ("running", "Running")
    # No lap distance, no trackpoint distance: measured along the positions (2 × 0.001° lat).
    assert first.distance_m == pytest.approx(2 * math.radians(0.001) * 6_371_008.8, rel=1e-6)
    assert (first.avg_hr, first.max_hr) == (pytest.approx(340 / 3), 130.0)
    assert first.calories_kcal is None


def test_times_without_offset_are_in_the_given_timezone(tmp_path: Path) -> None:
    body = (
        '<Activities><Activity Sport="Running"><Lap StartTime="2026-01-05T09:00:00">'
        "<TotalTimeSeconds>60</TotalTimeSeconds><Track>"
        + _point("2026-01-05T09:00:00")
        + _point("2026-01-05T09:01:00+01:00")
        + "</Track></Lap></Activity></Activities>"
    )
    tz = timezone(timedelta(hours=1))
    (s,) = tcx.read(_write(tmp_path, _doc(body)), tz=tz).sessions
    assert s.start == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert s.samples.time_ms[1] - s.samples.time_ms[0] == 60_000


def test_document_without_namespace_is_read(tmp_path: Path) -> None:
    body = (
        '<Activities><Activity Sport="Walking"><Lap StartTime="2026-01-05T09:00:00Z">'
        "<TotalTimeSeconds>30</TotalTimeSeconds><Track>"
        + _point("2026-01-05T09:00:00Z", hr=90)
        + "</Track></Lap></Activity></Activities>"
    )
    (s,) = tcx.read(_write(tmp_path, _doc(body, namespace=False))).sessions
    assert (s.sport, s.avg_hr) == ("walking", 90.0)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            '<Activities>\n<Activity Sport="Running">\n<Lap><TotalTimeSeconds>1</TotalTimeSeconds></Lap>'
            "</Activity></Activities>",
            "line 5, element Lap",
            "StartTime",
        ),
        (
            '<Activities>\n<Activity Sport="Running">\n<Lap StartTime="2026-01-05T09:00:00Z">\n'
            "<TotalTimeSeconds>1</TotalTimeSeconds><Track><Trackpoint><Time>2026-01-05T09:00:00Z</Time>\n"
            "<HeartRateBpm><Value>fast</Value></HeartRateBpm></Trackpoint></Track></Lap></Activity></Activities>",
            "line 7, element Value",
            "not a number",
        ),
        (
            '<Activities>\n<Activity Sport="Running">\n<Lap StartTime="2026-01-05T09:00:00Z">\n'
            "<TotalTimeSeconds>1</TotalTimeSeconds><Track><Trackpoint>\n<Time>yesterday</Time></Trackpoint></Track></Lap></Activity></Activities>",
            "line 7, element Time",
            "ISO 8601",
        ),
        ("<Activities>\n<Activity>\n<Lap>\n</Activities>", "line 6", "not well-formed"),
        (
            "<Courses><Course><Name>x</Name></Course></Courses>",
            "line 2, element TrainingCenterDatabase",
            "course",
        ),
        ("<Workouts><Workout/></Workouts>", "line 2, element TrainingCenterDatabase", "workout definition"),
        ("<Activities/>", "line 2, element TrainingCenterDatabase", "no recorded activity"),
    ],
)
def test_broken_or_empty_documents_name_the_place(tmp_path: Path, body: str, field: str, words: str) -> None:
    with pytest.raises(UnreadableFile) as err:
        tcx.read(_write(tmp_path, _doc(body)))
    assert err.value.field == field
    assert words in err.value.message


def test_wrong_root_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        tcx.read(_write(tmp_path, "<gpx/>"))
    assert "not a TCX file" in err.value.message
    with pytest.raises(UnreadableFile) as err:
        tcx.read(_write(tmp_path, ""))
    assert err.value.field == "line 1"


def test_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<TrainingCenterDatabase><Activities><Activity Sport="&xxe;&b;">'
        '<Lap StartTime="2026-01-05T09:00:00Z">'
        "<TotalTimeSeconds>1</TotalTimeSeconds></Lap></Activity></Activities></TrainingCenterDatabase>"
    )
    try:
        parsed = tcx.read(_write(tmp_path, text))
    except UnreadableFile as err:
        assert "TOP-SECRET" not in str(err)
    else:
        assert "TOP-SECRET" not in parsed.sessions[0].device_sport
        assert "aaaaaaaaaa" not in parsed.sessions[0].device_sport
