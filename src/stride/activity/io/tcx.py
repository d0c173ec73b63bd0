"""Garmin Training Center XML (TCX) reader: one session per ``Activity``.

The summary is computed from the trackpoints, as tcxreader computes it: the duration from the first
to the last timed trackpoint, the distance the last trackpoint's ``DistanceMeters`` (measured along
the positions when no trackpoint has one), the heart rate the mean and maximum of the trackpoints'.
The laps' own totals (``TotalTimeSeconds`` and ``DistanceMeters`` summed, ``AverageHeartRateBpm``
weighted by lap time, the largest ``MaximumHeartRateBpm``) are kept beside as the device's summary:
lap time stops when the watch is paused, so the two differ. Activities of a ``MultiSportSession``
are sessions of their own; an activity without a timed trackpoint is not a recording and is skipped.
A file of only ``Courses`` or ``Workouts`` is a plan, not a recording, and is refused.

The file is pull-parsed: each trackpoint is taken into its activity's columns and cleared, each lap
and activity dropped once read, so memory holds the columns, not the document, and a file over
:data:`~._sessions.MAX_POINTS` trackpoints is refused at the first point over it.
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
from stride.activity.model import DeviceSummary, ParsedFile, ParsedSession, Progress, Samples
from stride.errors import UnreadableFile


@dataclass(slots=True)
class _Columns:
    """Trackpoint values of one activity in typed arrays (8 bytes a value, not a Python object each)."""

    time_ms: array[int] = field(default_factory=lambda: array("q"))
    heart_rate: array[float] = field(default_factory=lambda: array("d"))
    distance_m: array[float] = field(default_factory=lambda: array("d"))
    latitude: array[float] = field(default_factory=lambda: array("d"))
    longitude: array[float] = field(default_factory=lambda: array("d"))
    altitude_m: array[float] = field(default_factory=lambda: array("d"))


@dataclass(slots=True)
class _Laps:
    """The device's lap totals of one activity; ``None`` where a lap lacked the value."""

    start_ms: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    distance_m: list[float | None] = field(default_factory=list)
    calories: list[float | None] = field(default_factory=list)
    avg_hr: list[float | None] = field(default_factory=list)
    max_hr: list[float | None] = field(default_factory=list)


class _Tags:
    """Fully qualified tag names in the document's namespace (TCX v2, or none at all)."""

    def __init__(self, ns: str) -> None:
        self.Activity = ns + "Activity"
        self.Lap = ns + "Lap"
        self.Track = ns + "Track"
        self.Trackpoint = ns + "Trackpoint"
        self.Time = ns + "Time"
        self.Position = ns + "Position"
        self.LatitudeDegrees = ns + "LatitudeDegrees"
        self.LongitudeDegrees = ns + "LongitudeDegrees"
        self.AltitudeMeters = ns + "AltitudeMeters"
        self.DistanceMeters = ns + "DistanceMeters"
        self.HeartRateBpm = ns + "HeartRateBpm"
        self.Value = ns + "Value"
        self.TotalTimeSeconds = ns + "TotalTimeSeconds"
        self.Calories = ns + "Calories"
        self.AverageHeartRateBpm = ns + "AverageHeartRateBpm"
        self.MaximumHeartRateBpm = ns + "MaximumHeartRateBpm"
        self.Courses = ns + "Courses"
        self.Workouts = ns + "Workouts"


@dataclass(slots=True)
class _Activity:
    """The activity being read: its sport, laps and trackpoint columns."""

    device_sport: str
    laps: _Laps = field(default_factory=_Laps)
    columns: _Columns = field(default_factory=_Columns)


@dataclass(slots=True)
class _State:
    sessions: list[ParsedSession] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    activity: _Activity | None = None
    activities: int = 0
    points: int = 0
    plans: set[str] = field(default_factory=set)  # "Courses" / "Workouts" seen


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read the TCX file at ``path``; times without an offset are taken to be in ``tz``."""
    root: etree._Element | None = None
    tags = _Tags("")
    state = _State()
    for event, element in iter_xml(path, progress=progress):
        if root is None:
            root = element
            if localname(root) != "TrainingCenterDatabase":
                raise UnreadableFile(
                    f"not a TCX file: the root element is <{localname(root)}>, not <TrainingCenterDatabase>",
                    field=where(root),
                )
            tags = _Tags(namespace_of(root))
        elif event == "start":
            _started(state, element, tags)
        else:
            _ended(state, element, tags, tz)
    assert root is not None  # iter_xml raises on a document without an element
    if not state.sessions:
        raise UnreadableFile(_why_empty(state), field=where(root))
    return ParsedFile(format="tcx", sessions=tuple(state.sessions), warnings=tuple(state.warnings))


def _started(state: _State, element: etree._Element, tags: _Tags) -> None:
    if element.tag == tags.Activity:
        state.activities += 1
        state.activity = _Activity(device_sport=element.get("Sport", ""))
    elif element.tag in (tags.Courses, tags.Workouts):
        state.plans.add(localname(element))


def _ended(state: _State, element: etree._Element, tags: _Tags, tz: tzinfo) -> None:
    activity = state.activity
    if element.tag == tags.Trackpoint:
        if activity is not None:  # a course's trackpoints are a planned route: not read
            state.points += 1
            if state.points > MAX_POINTS:
                raise too_many_points(where(element), MAX_POINTS)
            _trackpoint(element, tags, tz, activity.columns)
        drop_read(element)
    elif element.tag == tags.Lap and activity is not None:
        _lap(element, tags, tz, activity.laps)  # its own totals; its trackpoints are read already
        drop_read(element)
    elif element.tag == tags.Activity and activity is not None:
        session = _session(activity.laps, _samples(activity.columns), activity.device_sport)
        if session is None:
            # Lap totals alone are a summary typed in or a plan, not a recording to measure.
            state.warnings.append(f"{where(element)}: an activity without timed trackpoints was skipped")
        else:
            state.sessions.append(session)
        state.activity = None
        drop_read(element)
    elif element.tag in (tags.Courses, tags.Workouts):
        drop_read(element)


def _why_empty(state: _State) -> str:
    if state.activities:
        return "no timed session in this file: no activity in it has trackpoints with a time"
    if "Courses" in state.plans:
        return "a TCX course (a planned route), not a recorded activity"
    if "Workouts" in state.plans:
        return "a TCX workout definition (a planned workout), not a recorded activity"
    return "the TCX file holds no recorded activity"


def _lap(lap: etree._Element, tags: _Tags, tz: tzinfo, laps: _Laps) -> None:
    start = lap.get("StartTime")
    if start is None:
        raise UnreadableFile("a lap without its StartTime attribute", field=where(lap))
    laps.start_ms.append(text_time_ms(lap, tz, start))
    seconds = lap.find(tags.TotalTimeSeconds)
    if seconds is None:
        raise UnreadableFile("a lap without TotalTimeSeconds", field=where(lap))
    laps.seconds.append(text_float(seconds))
    laps.distance_m.append(_optional(lap.find(tags.DistanceMeters)))
    laps.calories.append(_optional(lap.find(tags.Calories)))
    laps.avg_hr.append(_optional(lap.find(f"{tags.AverageHeartRateBpm}/{tags.Value}")))
    laps.max_hr.append(_optional(lap.find(f"{tags.MaximumHeartRateBpm}/{tags.Value}")))


def _optional(element: etree._Element | None) -> float | None:
    return None if element is None else text_float(element)


def _trackpoint(point: etree._Element, tags: _Tags, tz: tzinfo, columns: _Columns) -> None:
    """Append one trackpoint's values; a trackpoint without a time (a lap marker) is skipped."""
    time_ms: int | None = None
    hr = dist = lat = lon = alt = np.nan
    # One pass over the children instead of a find() per value: TCX files run to 100 000 points.
    for child in point:
        tag = child.tag
        if tag == tags.Time:
            time_ms = text_time_ms(child, tz)
        elif tag == tags.Position:
            for coord in child:
                if coord.tag == tags.LatitudeDegrees:
                    lat = text_float(coord)
                elif coord.tag == tags.LongitudeDegrees:
                    lon = text_float(coord)
        elif tag == tags.AltitudeMeters:
            alt = text_float(child)
        elif tag == tags.DistanceMeters:
            dist = text_float(child)
        elif tag == tags.HeartRateBpm:
            value = child.find(tags.Value)
            if value is not None:
                hr = text_float(value)
    if time_ms is None:
        return
    columns.time_ms.append(time_ms)
    columns.heart_rate.append(hr)
    columns.distance_m.append(dist)
    columns.latitude.append(lat)
    columns.longitude.append(lon)
    columns.altitude_m.append(alt)


def _samples(columns: _Columns) -> Samples:
    lat = np.asarray(columns.latitude, dtype=np.float64)
    lon = np.asarray(columns.longitude, dtype=np.float64)
    dist = np.asarray(columns.distance_m, dtype=np.float64)
    if len(dist) and bool(np.all(np.isnan(dist))):
        # A device without a distance sensor or GPS distance field: measure along the track.
        dist = cumulative_distance_m(lat, lon)
    return sorted_samples(
        np.asarray(columns.time_ms, dtype=np.int64),
        np.asarray(columns.heart_rate, dtype=np.float64),
        dist,
        lat,
        lon,
        np.asarray(columns.altitude_m, dtype=np.float64),
    )


def _session(laps: _Laps, samples: Samples, device_sport: str) -> ParsedSession | None:
    if not len(samples):
        return None
    duration_s, distance_m, avg_hr, max_hr = from_samples(samples)
    lap_avg, lap_max = _lap_heart_rate(laps)
    return ParsedSession(
        start=ms_to_datetime(int(samples.time_ms[0])),
        end=ms_to_datetime(int(samples.time_ms[-1])),
        sport=normalise_sport(device_sport),
        device_sport=device_sport,
        duration_s=duration_s,
        distance_m=distance_m,
        avg_hr=avg_hr,
        max_hr=max_hr,
        calories_kcal=_sum_all(laps.calories),
        samples=samples,
        device_summary=DeviceSummary(
            duration_s=float(sum(laps.seconds)),
            distance_m=_sum_all(laps.distance_m),
            avg_hr=lap_avg,
            max_hr=lap_max,
        ),
    )


def _sum_all(values: list[float | None]) -> float | None:
    """The sum when every lap has the value; a partial sum would understate the session."""
    if not values or any(v is None for v in values):
        return None
    return float(sum(v for v in values if v is not None))


def _lap_heart_rate(laps: _Laps) -> tuple[float | None, float | None]:
    """Session heart rate from the laps: the average weighted by lap time, the highest maximum."""
    max_hr = None if any(v is None for v in laps.max_hr) else max(v for v in laps.max_hr if v is not None)
    if any(v is None for v in laps.avg_hr):
        return None, max_hr
    weights = laps.seconds if sum(laps.seconds) > 0 else [1.0] * len(laps.seconds)
    avg = sum(w * (v or 0.0) for w, v in zip(weights, laps.avg_hr, strict=True)) / sum(weights)
    return float(avg), max_hr


def sniff(head: bytes) -> bool:
    return is_xml_with(head, b"<trainingcenterdatabase")


SPEC = FormatSpec(
    name="tcx",
    label="TCX",
    phrase="a TCX file",
    extensions=(".tcx",),
    media_types=("application/vnd.garmin.tcx+xml",),
    sniff=sniff,
    read=read,
    limits=(Limit("trackpoints", MAX_POINTS, "points", "_sessions.MAX_POINTS"),),
    samples=("tcx/cross-country-skiing_activity_1.tcx",),
)
