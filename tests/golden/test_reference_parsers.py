"""Session summaries of the real samples against the reference parsers: gpxpy for GPX, tcxreader
for TCX (fitdecode's records for FIT are compared in tests/unit/activity/io/test_fit.py and the
CLI contract test). The summary is computed from the samples the way these libraries compute it."""

from __future__ import annotations

import gpxpy
import pytest
from tcxreader.tcxreader import TCXReader

from stride.activity.io import read_any
from tests.samples import sample

# Stride measures on a sphere of the mean Earth radius, gpxpy on one of the equatorial radius:
# 0.11 % apart, far below the noise of consumer GPS.
_RADIUS_TOLERANCE = 0.002


@pytest.mark.parametrize("name", ["cerknicko-jezero.gpx", "track-with-empty-segment.gpx"])
def test_gpx_summary_matches_gpxpy(name: str) -> None:
    path = sample(f"gpx/{name}")
    with path.open() as fh:
        reference = gpxpy.parse(fh)
    (s,) = read_any(path).sessions
    bounds = reference.get_time_bounds()
    assert bounds.start_time is not None
    assert bounds.end_time is not None
    assert s.start == bounds.start_time
    assert s.end == bounds.end_time
    assert s.duration_s == (bounds.end_time - bounds.start_time).total_seconds()
    assert s.distance_m == pytest.approx(reference.length_2d(), rel=_RADIUS_TOLERANCE)
    assert len(s.samples) == reference.get_points_no()


def test_tcx_summary_matches_tcxreader() -> None:
    path = sample("tcx/cross-country-skiing_activity_1.tcx")
    reference = TCXReader().read(str(path), only_gps=False)
    (s,) = read_any(path).sessions
    assert s.start == reference.start_time.astimezone(s.start.tzinfo)
    assert s.duration_s == pytest.approx(reference.duration)
    assert s.avg_hr == pytest.approx(reference.hr_avg)
    assert s.max_hr == reference.hr_max
    assert s.distance_m == pytest.approx(reference.trackpoints[-1].distance)
    assert len(s.samples) == len(reference.trackpoints)
    # tcxreader's own total distance is the laps' sum: the device's summary, kept beside.
    assert s.device_summary is not None
    assert s.device_summary.distance_m == pytest.approx(reference.distance)
