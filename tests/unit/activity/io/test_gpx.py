"""The GPX reader on the shared samples and on small GPX documents written here.

Expected values for the samples are computed in the test with ``xml.etree.ElementTree`` and a
haversine written out with ``math``, independently of the reader (lxml, numpy).
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from stride.activity.io import gpx
from stride.errors import UnreadableFile
from tests.samples import sample

R = 6_371_008.8


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def _tracks(path: Path) -> list[list[list[tuple[float, float, int]]]]:
    """Tracks → segments → (lat, lon, epoch ms) of the timed points, by a plain parse."""
    root = ET.parse(path).getroot()
    ns = root.tag[: root.tag.index("}") + 1]
    out = []
    for trk in root.iter(f"{ns}trk"):
        segments = []
        for seg in trk.iter(f"{ns}trkseg"):
            points = []
            for pt in seg.iter(f"{ns}trkpt"):
                time = pt.findtext(f"{ns}time")
                if time:
                    stamp = datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp()
                    points.append(
                        (float(pt.get("lat", "nan")), float(pt.get("lon", "nan")), int(stamp * 1000))
                    )
            segments.append(points)
        out.append(segments)
    return out


def _length(segments: list[list[tuple[float, float, int]]]) -> float:
    return sum(_haversine(a[:2], b[:2]) for seg in segments for a, b in itertools.pairwise(seg))


def test_cerknicko_jezero_is_one_recording_one_session() -> None:
    """A Garmin saved this walk as seven timed tracks, one per stop; it is one recording."""
    path = sample("gpx/cerknicko-jezero.gpx")
    expected = [t for t in _tracks(path) if any(t)]
    parsed = gpx.read(path)

    assert parsed.format == "gpx"
    assert len(expected) == 7
    # The first <trk> ("ACTIVE LOG", line 59) has an empty segment: skipped, and said so.
    (warning,) = parsed.warnings
    assert warning.startswith("line 59, element trk (ACTIVE LOG): a track without timestamps")
    (s,) = parsed.sessions
    points = [p for track in expected for seg in track for p in seg]
    assert len(s.samples) == len(points) == 296
    assert s.start == datetime(2010, 8, 5, 14, 23, 59, tzinfo=UTC)
    assert s.end == datetime(2010, 8, 5, 16, 23, 49, tzinfo=UTC)
    assert s.duration_s == (points[-1][2] - points[0][2]) / 1000
    # Along each segment of each track, never across the gaps between them.
    assert s.distance_m == pytest.approx(sum(_length(track) for track in expected), rel=1e-9)
    np.testing.assert_allclose(s.samples.latitude, [p[0] for p in points])
    np.testing.assert_allclose(s.samples.longitude, [p[1] for p in points])
    assert (s.sport, s.device_sport) == ("other", "other")
    assert (s.avg_hr, s.max_hr, s.calories_kcal, s.device_summary) == (None, None, None, None)
    assert np.isnan(s.samples.heart_rate).all()
    assert s.samples.altitude_m[0] == pytest.approx(542.320923)


def test_track_with_an_empty_segment() -> None:
    path = sample("gpx/track-with-empty-segment.gpx")
    (segments,) = _tracks(path)
    parsed = gpx.read(path)
    (s,) = parsed.sessions
    assert parsed.warnings == ()
    assert len(s.samples) == 9
    assert s.duration_s == 76.0  # 17:26:26 → 17:27:42
    assert s.distance_m == pytest.approx(_length(segments), rel=1e-9)
    assert s.samples.distance_m[0] == 0.0
    assert s.samples.distance_m[-1] == pytest.approx(s.distance_m)
    assert np.all(np.diff(s.samples.distance_m) >= 0)


def test_garmin_extension_sample_is_a_waypoint_not_a_recording() -> None:
    """The sample's heart rate sits on a <wpt>: a file of waypoints is no recorded session."""
    with pytest.raises(UnreadableFile) as err:
        gpx.read(sample("gpx/gpx_with_garmin_extension.gpx"))
    assert "no track with timestamps" in err.value.message
    assert str(err.value.field).startswith("line ")


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
        "http://www.garmin.com/xmlschemas/TrackPointExtension/v2",
    ],
)
@pytest.mark.parametrize("prefix", ["gpxtpx", "ns3"])
def test_garmin_extension_heart_rate_from_the_sample_as_a_track(
    tmp_path: Path, namespace: str, prefix: str
) -> None:
    text = sample("gpx/gpx_with_garmin_extension.gpx").read_text(encoding="utf-8")
    # The same point, made a track point, then a second one a minute later.
    text = text.replace("http://www.garmin.com/xmlschemas/TrackPointExtension/v1", namespace)
    text = text.replace("gpxtpx:", f"{prefix}:").replace("xmlns:gpxtpx", f"xmlns:{prefix}")
    point = text[text.index("<wpt") : text.index("</wpt>") + 6].replace("wpt", "trkpt")
    later = point.replace("23:41:03", "23:42:03").replace(">171<", ">181<")
    text = (
        text[: text.index("<wpt")] + f"<trk><type>running</type><trkseg>{point}{later}</trkseg></trk></gpx>"
    )
    path = tmp_path / "hr.gpx"
    path.write_text(text, encoding="utf-8")

    (s,) = gpx.read(path).sessions
    np.testing.assert_array_equal(s.samples.heart_rate, [171.0, 181.0])
    assert (s.avg_hr, s.max_hr) == (176.0, 181.0)
    assert (s.sport, s.device_sport) == ("running", "running")
    assert s.samples.altitude_m[0] == 3.4
    assert s.distance_m == 0.0  # same position twice


# ---------------------------------------------------------------------------------------------


def _gpx(body: str, version: str = "1/1") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/{version}">\n{body}\n</gpx>\n'
    )


def _pt(lat: float, lon: float, time: str | None) -> str:
    inner = f"<time>{time}</time>" if time else ""
    return f'<trkpt lat="{lat}" lon="{lon}">{inner}</trkpt>'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "a.gpx"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_gap_between_segments_is_not_distance(tmp_path: Path) -> None:
    body = (
        "<trk><trkseg>"
        + _pt(45.0, 14.0, "2026-01-05T09:00:00Z")
        + _pt(45.001, 14.0, "2026-01-05T09:01:00Z")
        + "</trkseg><trkseg>"
        + _pt(46.0, 14.0, "2026-01-05T09:30:00Z")
        + _pt(46.001, 14.0, "2026-01-05T09:31:00Z")
        + "</trkseg></trk>"
    )
    (s,) = gpx.read(_write(tmp_path, _gpx(body, "1/0"))).sessions
    step = _haversine((45.0, 14.0), (45.001, 14.0))
    assert s.distance_m == pytest.approx(2 * step, rel=1e-9)
    np.testing.assert_allclose(s.samples.distance_m, [0.0, step, step, 2 * step], rtol=1e-9)
    assert s.duration_s == 31 * 60


def test_untimed_tracks_and_points_are_skipped_with_warnings(tmp_path: Path) -> None:
    body = (
        "<trk><name>planned</name><trkseg>"
        + _pt(45.0, 14.0, None)
        + _pt(45.1, 14.0, None)
        + "</trkseg></trk>\n"
        "<trk><type>Walk</type><trkseg>"
        + _pt(45.0, 14.0, "2026-01-05T09:00:00")
        + _pt(45.0, 14.1, None)
        + _pt(45.0, 14.0, "2026-01-05T09:10:00+01:00")
        + "</trkseg></trk>"
    )
    parsed = gpx.read(_write(tmp_path, _gpx(body)))
    (s,) = parsed.sessions
    assert (s.sport, s.device_sport) == ("walking", "Walk")
    # A time without offset is UTC (the GPX schema says so); the +01:00 one is 08:10 UTC.
    np.testing.assert_array_equal(s.samples.time_ms, [1767603600000, 1767600600000][::-1])
    assert s.start == datetime(2026, 1, 5, 8, 10, tzinfo=UTC)
    assert len(parsed.warnings) == 2
    assert "line 3, element trk (planned)" in parsed.warnings[0]
    assert "1 points without a timestamp" in parsed.warnings[1]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("<rte><rtept lat='1' lon='2'/></rte>", "line 2, element gpx", "no track with timestamps"),
        (
            "<trk><trkseg>\n<trkpt lon='2'><time>2026-01-05T09:00:00Z</time></trkpt></trkseg></trk>",
            "line 4, element trkpt",
            "lat",
        ),
        (
            "<trk><trkseg>\n<trkpt lat='x' lon='2'><time>2026-01-05T09:00:00Z</time></trkpt></trkseg></trk>",
            "line 4, element trkpt",
            "not a number",
        ),
        (
            "<trk><trkseg>\n<trkpt lat='91' lon='2'><time>2026-01-05T09:00:00Z</time></trkpt></trkseg></trk>",
            "line 4, element trkpt",
            "outside",
        ),
        (
            "<trk><trkseg><trkpt lat='1' lon='2'>\n<time>soon</time></trkpt></trkseg></trk>",
            "line 4, element time",
            "ISO 8601",
        ),
        (
            "<trk><trkseg><trkpt lat='1' lon='2'>\n<ele>high</ele></trkpt></trkseg></trk>",
            "line 4, element ele",
            "not a number",
        ),
        ("<trk>\n<trkseg>\n</trk>", "line 5", "not well-formed"),
    ],
)
def test_broken_documents_name_the_place(tmp_path: Path, body: str, field: str, words: str) -> None:
    with pytest.raises(UnreadableFile) as err:
        gpx.read(_write(tmp_path, _gpx(body)))
    assert err.value.field == field
    assert words in err.value.message


def test_wrong_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        gpx.read(_write(tmp_path, "<TrainingCenterDatabase/>"))
    assert "not a GPX file" in err.value.message


@pytest.mark.parametrize(
    ("label", "sport"),
    [
        ("running", "running"),
        ("Morning Ride", "cycling"),
        ("HIKING", "hiking"),
        ("cross_country_skiing", "skiing"),
        ("Throwing", "other"),
        ("9", "other"),
        ("", "other"),
    ],
)
def test_track_type_is_normalised_and_kept(tmp_path: Path, label: str, sport: str) -> None:
    kind = f"<type>{label}</type>" if label else ""
    body = f"<trk>{kind}<trkseg>" + _pt(45.0, 14.0, "2026-01-05T09:00:00Z") + "</trkseg></trk>"
    (s,) = gpx.read(_write(tmp_path, _gpx(body))).sessions
    assert (s.sport, s.device_sport) == (sport, label or "other")
    assert (s.duration_s, s.distance_m, len(s.samples)) == (0.0, 0.0, 1)
