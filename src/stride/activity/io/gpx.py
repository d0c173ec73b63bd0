"""GPX 1.0/1.1 reader: the timed tracks (``trk``) of a file are one recording, one session.

A device that saves its log in several tracks (a Garmin "ACTIVE LOG #2", "#3"... at each stop) still
recorded one walk: the tracks are joined in time order, and ``_sessions.split_at_pauses`` cuts it
only where the recording paused for longer than the configured gap. A track without times is a
drawn or planned route, not a recording: it is skipped with a warning, and a file without any timed
track (routes, waypoints only) is refused. GPX carries no device summary, so the duration is last
minus first time, the distance is measured along the positions (segment by segment and track by
track, not across the gaps between them, as gpxpy's ``length_2d`` does) and the heart rate, from
the Garmin ``TrackPointExtension`` (``hr`` in any of its namespace versions), is summarised from the
points. Times without an offset are UTC, as the GPX schema requires.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path

import numpy as np
from lxml import etree

from stride.activity.io._sessions import MAX_POINTS, from_samples, too_many_points
from stride.activity.io._xml import (
    cumulative_distance_m,
    drop_read,
    iter_xml,
    localname,
    ms_to_datetime,
    namespace_of,
    sorted_samples,
    text_float,
    text_time_ms,
    where,
)
from stride.activity.io.spec import FormatSpec, Limit, is_xml_with
from stride.activity.io.sports import normalise_sport
from stride.activity.model import ParsedFile, ParsedSession, Progress
from stride.errors import UnreadableFile

_HR_NAMES = frozenset({"hr", "heartrate"})  # Garmin TrackPointExtension v1/v2; Cluetrust gpxdata


# The document is never held as a tree and points are kept in typed arrays, so a 1 M-point file is
# refused within ~25 MB of the idle server; MAX_POINTS (``_sessions``) caps the points of one file.
__all__ = ["MAX_POINTS", "SPEC", "read", "sniff"]


@dataclass(slots=True)
class _Track:
    """Point values of the file's tracks in typed arrays (8 bytes a value, not a Python object each)."""

    time_ms: array[int] = field(default_factory=lambda: array("q"))
    heart_rate: array[float] = field(default_factory=lambda: array("d"))
    latitude: array[float] = field(default_factory=lambda: array("d"))
    longitude: array[float] = field(default_factory=lambda: array("d"))
    altitude_m: array[float] = field(default_factory=lambda: array("d"))
    segment_starts: list[int] = field(default_factory=list)
    untimed: int = 0


class _Tags:
    def __init__(self, ns: str) -> None:
        self.trk, self.trkseg, self.trkpt = f"{ns}trk", f"{ns}trkseg", f"{ns}trkpt"
        self.time, self.ele, self.ext = f"{ns}time", f"{ns}ele", f"{ns}extensions"
        self.name, self.type = f"{ns}name", f"{ns}type"


@dataclass(slots=True)
class _State:
    """The one recording the file's tracks make, and where the track being read began in it."""

    warnings: list[str] = field(default_factory=list)
    track: _Track = field(default_factory=_Track)
    in_track: bool = False
    timed_before: int = 0
    untimed_before: int = 0
    device_sport: str = ""
    points: int = 0


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read the GPX file at ``path``. ``tz`` is not used: GPX times are UTC by definition.

    The file is pull-parsed: each point is taken into the track's columns and cleared, and every
    child of the root is dropped once read, so memory holds the columns, not the document.
    """
    root: etree._Element | None = None
    tags = _Tags("")
    state = _State()
    for event, element in iter_xml(path, progress=progress):
        if root is None:
            root = element
            if localname(root) != "gpx":
                raise UnreadableFile(
                    f"not a GPX file: the root element is <{localname(root)}>, not <gpx>", field=where(root)
                )
            tags = _Tags(namespace_of(root))
        elif event == "start":
            _started(state, element, tags)
        else:
            _ended(state, root, element, tags)
    assert root is not None  # iter_xml raises on a document without an element
    if not state.track.time_ms:
        raise UnreadableFile(
            "no timed session in this file: it holds no track with timestamps (a route or a set of "
            "waypoints, not a recording)",
            field=where(root),
        )
    session = _session(state.track, state.device_sport)
    return ParsedFile(format="gpx", sessions=(session,), warnings=tuple(state.warnings))


def _started(state: _State, element: etree._Element, tags: _Tags) -> None:
    if element.tag == tags.trk and not state.in_track:
        state.in_track = True
        state.timed_before, state.untimed_before = len(state.track.time_ms), state.track.untimed
    elif element.tag == tags.trkseg and state.in_track:
        # Each segment (and so each track) starts a new stretch: no distance across the gap.
        state.track.segment_starts.append(len(state.track.time_ms))


def _ended(state: _State, root: etree._Element, element: etree._Element, tags: _Tags) -> None:
    parent = element.getparent()
    if element.tag == tags.trkpt and state.in_track and parent is not None and parent.tag == tags.trkseg:
        state.points += 1
        if state.points > MAX_POINTS:
            raise too_many_points(where(element), MAX_POINTS)
        _point(state.track, element, tags)
        drop_read(element)
    elif element.tag == tags.trk and parent is root and state.in_track:
        _track_done(state, element, tags)
        state.in_track = False
        drop_read(element)
    elif parent is root:  # a waypoint, a route, the metadata: nothing a session is made of
        drop_read(element)


def _track_done(state: _State, trk: etree._Element, tags: _Tags) -> None:
    track = state.track
    name = (trk.findtext(tags.name) or "").strip()
    label = f"{where(trk)} ({name})" if name else where(trk)
    if len(track.time_ms) == state.timed_before:
        state.warnings.append(f"{label}: a track without timestamps (a route, not a recording) was skipped")
        return
    if (untimed := track.untimed - state.untimed_before) > 0:
        state.warnings.append(f"{label}: {untimed} points without a timestamp were left out")
    state.device_sport = state.device_sport or (trk.findtext(tags.type) or "").strip()


def _point(track: _Track, point: etree._Element, tags: _Tags) -> None:
    time_ms: int | None = None
    ele = hr = np.nan
    for child in point:
        tag = child.tag
        if tag == tags.time:
            time_ms = text_time_ms(child, UTC)
        elif tag == tags.ele:
            ele = text_float(child)
        elif tag == tags.ext:
            hr = _heart_rate(child)
    if time_ms is None:
        track.untimed += 1
        return
    track.time_ms.append(time_ms)
    track.latitude.append(_coordinate(point, "lat", 90.0))
    track.longitude.append(_coordinate(point, "lon", 180.0))
    track.altitude_m.append(ele)
    track.heart_rate.append(hr)


def _coordinate(point: etree._Element, name: str, limit: float) -> float:
    raw = point.get(name)
    if raw is None:
        raise UnreadableFile(f"a track point without its {name} attribute", field=where(point))
    value = text_float(point, raw)
    if not -limit <= value <= limit:
        raise UnreadableFile(f"{name}={raw} is outside ±{limit:g} degrees", field=where(point))
    return value


def _heart_rate(extensions: etree._Element) -> float:
    for element in extensions.iter():
        if localname(element) in _HR_NAMES:
            return text_float(element)
    return np.nan


def _session(track: _Track, device_sport: str) -> ParsedSession:
    lat = np.asarray(track.latitude, dtype=np.float64)
    lon = np.asarray(track.longitude, dtype=np.float64)
    # Segment starts are indices among the timed points; the first one is no gap.
    breaks = sorted({s for s in track.segment_starts if 0 < s < len(lat)})
    samples = sorted_samples(
        np.asarray(track.time_ms, dtype=np.int64),
        np.asarray(track.heart_rate, dtype=np.float64),
        cumulative_distance_m(lat, lon, breaks),
        lat,
        lon,
        np.asarray(track.altitude_m, dtype=np.float64),
    )
    duration_s, distance_m, avg_hr, max_hr = from_samples(samples)
    return ParsedSession(
        start=ms_to_datetime(int(samples.time_ms[0])),
        end=ms_to_datetime(int(samples.time_ms[-1])),
        sport=normalise_sport(device_sport),
        device_sport=device_sport or "other",
        duration_s=duration_s,
        distance_m=distance_m,
        avg_hr=avg_hr,
        max_hr=max_hr,
        calories_kcal=None,
        samples=samples,
    )


def sniff(head: bytes) -> bool:
    return is_xml_with(head, b"<gpx")


SPEC = FormatSpec(
    name="gpx",
    label="GPX",
    phrase="a GPX file",
    extensions=(".gpx",),
    media_types=("application/gpx+xml",),
    sniff=sniff,
    read=read,
    limits=(Limit("track points", MAX_POINTS, "points", "_sessions.MAX_POINTS"),),
    samples=(
        "gpx/cerknicko-jezero.gpx",
        "gpx/track-with-empty-segment.gpx",
        "gpx/gpx_with_garmin_extension.gpx",
    ),
)
