"""GPX and TCX files are read as a stream (``lxml`` pull parsing, each point cleared once read, columns in
typed arrays), so memory follows the points kept, not the document tree; and a file with more than
the documented cap of points (``MAX_POINTS``) is refused naming the point and the cap.
The cap is lowered for the test; the benchmark ``input_bounds`` reads a real 1 M-point file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchmarks.input_files import write_gpx, write_tcx

from stride.activity.io import gpx, tcx
from stride.errors import UnreadableFile


def test_a_file_over_the_point_cap_is_refused_naming_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.gpx"
    write_gpx(path, points=101)
    monkeypatch.setattr(gpx, "MAX_POINTS", 100)
    with pytest.raises(UnreadableFile) as error:
        gpx.read(path)
    assert "the file has more than 100 points (the limit for one file)" in error.value.message
    assert error.value.field is not None
    assert "element trkpt" in error.value.field


def test_a_file_at_the_cap_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "long.gpx"
    write_gpx(path, points=100)
    monkeypatch.setattr(gpx, "MAX_POINTS", 100)
    [session] = gpx.read(path).sessions
    assert len(session.samples.time_ms) == 100
    assert session.duration_s == 99
    assert np.all(np.diff(session.samples.time_ms) == 1000)
    assert session.samples.heart_rate[:3].tolist() == [100.0, 101.0, 102.0]


def test_waypoints_and_routes_around_the_track_do_not_change_it(tmp_path: Path) -> None:
    path = tmp_path / "mixed.gpx"
    write_gpx(path, points=50)
    text = path.read_text()
    extra = '<wpt lat="1" lon="2"><name>w</name></wpt><rte><rtept lat="1" lon="2"/></rte>'
    mixed = tmp_path / "mixed2.gpx"
    mixed.write_text(text.replace(" <trk>", extra + " <trk>").replace("</gpx>", extra + "</gpx>"))
    a, b = gpx.read(path).sessions[0], gpx.read(mixed).sessions[0]
    assert a.distance_m == b.distance_m
    assert np.array_equal(a.samples.time_ms, b.samples.time_ms)


def test_a_tcx_file_over_the_point_cap_is_refused_at_the_first_point_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.tcx"
    write_tcx(path, points=101)
    monkeypatch.setattr(tcx, "MAX_POINTS", 100)
    with pytest.raises(UnreadableFile) as error:
        tcx.read(path)
    assert "the file has more than 100 points (the limit for one file)" in error.value.message
    assert error.value.field is not None
    assert "element Trackpoint" in error.value.field


def test_a_tcx_file_is_streamed_not_held_as_a_tree(tmp_path: Path) -> None:
    """A TCX larger than the former whole-tree limit (32 MiB) is read, its points cleared as read:
    the parser's document keeps only a handful of elements at the end."""
    path = tmp_path / "long.tcx"
    size = write_tcx(path, points=150_000)
    assert size > 32 << 20
    [session] = tcx.read(path).sessions
    assert len(session.samples) == 150_000
    assert session.duration_s == 149_999
    assert session.samples.heart_rate[:3].tolist() == [100.0, 101.0, 102.0]
    assert session.distance_m == pytest.approx(2.5 * 149_999)
    assert session.device_summary is not None
    assert session.device_summary.duration_s == 149_999
