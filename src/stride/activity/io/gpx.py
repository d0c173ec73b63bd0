"""GPX 1.0/1.1 reader: one session per track (``trk``) that has timestamps.

A track without times is a drawn or planned route, not a recording: it is skipped with a warning,
and a file without any timed track (routes, waypoints only) is refused. GPX carries no device
summary, so the duration is last minus first time, the distance is measured along the positions
(segment by segment, not across the gaps between them) and the heart rate, from the Garmin
``TrackPointExtension`` (``hr`` in any of its namespace versions), is summarised from the points.
Times without an offset are UTC, as the GPX schema requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path

import numpy as np
from lxml import etree

from stride.activity.io import Progress
from stride.activity.io._xml import (
    cumulative_distance_m,
    hr_from_samples,
    last_distance,
    localname,
    ms_to_datetime,
    namespace_of,
    parse_xml,
    sorted_samples,
    text_float,
    text_time_ms,
    where,
)
from stride.activity.io.sports import normalise_sport
from stride.activity.model import ParsedFile, ParsedSession
from stride.errors import UnreadableFile

_HR_NAMES = frozenset({"hr", "heartrate"})  # Garmin TrackPointExtension v1/v2; Cluetrust gpxdata


@dataclass(slots=True)
class _Track:
    """Point values of one track as plain lists, turned into arrays once at the end."""

    time_ms: list[int] = field(default_factory=list)
    heart_rate: list[float] = field(default_factory=list)
    latitude: list[float] = field(default_factory=list)
    longitude: list[float] = field(default_factory=list)
    altitude_m: list[float] = field(default_factory=list)
    segment_starts: list[int] = field(default_factory=list)
    untimed: int = 0


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read the GPX file at ``path``. ``tz`` is not used: GPX times are UTC by definition."""
    root = parse_xml(path, progress=progress)
    if localname(root) != "gpx":
        raise UnreadableFile(
            f"not a GPX file: the root element is <{localname(root)}>, not <gpx>", field=where(root)
        )
    ns = namespace_of(root)
    sessions: list[ParsedSession] = []
    warnings: list[str] = []
    for trk in root.iterchildren(f"{ns}trk"):
        name = (trk.findtext(f"{ns}name") or "").strip()
        label = f"{where(trk)} ({name})" if name else where(trk)
        track = _points(trk, ns)
        if not track.time_ms:
            warnings.append(f"{label}: a track without timestamps (a route, not a recording) was skipped")
            continue
        if track.untimed:
            warnings.append(f"{label}: {track.untimed} points without a timestamp were left out")
        sessions.append(_session(track, (trk.findtext(f"{ns}type") or "").strip()))
    if not sessions:
        raise UnreadableFile(
            "no timed session in this file: it holds no track with timestamps (a route or a set of "
            "waypoints, not a recording)",
            field=where(root),
        )
    return ParsedFile(format="gpx", sessions=tuple(sessions), warnings=tuple(warnings))


def _points(trk: etree._Element, ns: str) -> _Track:
    track = _Track()
    tag_pt, tag_time, tag_ele, tag_ext = f"{ns}trkpt", f"{ns}time", f"{ns}ele", f"{ns}extensions"
    for segment in trk.iterchildren(f"{ns}trkseg"):
        track.segment_starts.append(len(track.time_ms))
        for point in segment.iterchildren(tag_pt):
            time_ms: int | None = None
            ele = hr = np.nan
            for child in point:
                tag = child.tag
                if tag == tag_time:
                    time_ms = text_time_ms(child, UTC)
                elif tag == tag_ele:
                    ele = text_float(child)
                elif tag == tag_ext:
                    hr = _heart_rate(child)
            if time_ms is None:
                track.untimed += 1
                continue
            track.time_ms.append(time_ms)
            track.latitude.append(_coordinate(point, "lat", 90.0))
            track.longitude.append(_coordinate(point, "lon", 180.0))
            track.altitude_m.append(ele)
            track.heart_rate.append(hr)
    return track


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
    start_ms, end_ms = int(samples.time_ms[0]), int(samples.time_ms[-1])
    avg_hr, max_hr = hr_from_samples(samples.heart_rate)
    return ParsedSession(
        start=ms_to_datetime(start_ms),
        end=ms_to_datetime(end_ms),
        sport=normalise_sport(device_sport),
        device_sport=device_sport or "other",
        duration_s=(end_ms - start_ms) / 1000,
        distance_m=last_distance(samples.distance_m),
        avg_hr=avg_hr,
        max_hr=max_hr,
        calories_kcal=None,
        samples=samples,
    )
