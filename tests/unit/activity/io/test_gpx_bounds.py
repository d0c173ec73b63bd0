"""GPX files are read as a stream (``lxml`` pull parsing, each point cleared once read, columns in
typed arrays), so memory follows the points kept, not the document tree; and a file with more than
the documented cap of track points (``gpx.MAX_POINTS``) is refused naming the point and the cap.
The cap is lowered for the test; the benchmark ``input_bounds`` reads a real 1 M-point file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchmarks.input_files import write_gpx

from stride.activity.io import gpx
from stride.errors import UnreadableFile


def test_a_file_over_the_point_cap_is_refused_naming_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.gpx"
    write_gpx(path, points=101)
    monkeypatch.setattr(gpx, "MAX_POINTS", 100)
    with pytest.raises(UnreadableFile) as error:
        gpx.read(path)
    assert "more than 100 track points" in error.value.message
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


def test_a_tcx_file_over_the_tree_size_cap_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stride.activity.io import _xml, tcx
    from tests.samples import sample

    monkeypatch.setattr(_xml, "MAX_TREE_BYTES", 1 << 10)
    with pytest.raises(UnreadableFile) as error:
        tcx.read(sample("tcx/cross-country-skiing_activity_1.tcx"))
    assert "more than the limit of 1,024 bytes" in error.value.message
