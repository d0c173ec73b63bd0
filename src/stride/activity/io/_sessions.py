"""The session summary every reader computes the same way, from the recorded samples, and the rule
that one recording is one session: a GPS track or TCX activity is split only where the recording
pauses for longer than a configurable gap.

The summary follows the reference parsers (gpxpy, tcxreader, the records fitdecode decodes): the
duration is the elapsed time from the first to the last sample, the distance the cumulative
distance at the last sample, the heart rate the mean and maximum of the samples that have one.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from stride.activity.io._xml import hr_from_samples, last_distance, ms_to_datetime
from stride.activity.model import FileFormat, ParsedFile, ParsedSession, Samples
from stride.errors import UnreadableFile

MAX_POINTS = 150_000
"""The cap on recorded points (samples) in one file, for every format that records them (GPX track
points, TCX trackpoints, FIT records, CSV rows, Open mHealth data points): 150,000 points is 41 hours
at one point a second (a 24-hour race is 86,400). Readers count while they read and stop at the
first point over it, so a file of millions of points costs no more memory than one at the cap."""


def too_many_points(where: str, limit: int = MAX_POINTS) -> UnreadableFile:
    """The refusal of a file over ``limit`` points, located at the first point over it."""
    return UnreadableFile(
        f"the file has more than {limit:,} points (the limit for one file): "
        "split the recording into shorter files",
        field=where,
    )


SPLIT_GAP_S = 15 * 60.0
"""The default longest pause inside one session. A walk with stops at a viewpoint or a café stays
one session; a recording left on between a morning and an evening walk becomes two."""

# FIT files carry the device's own session messages, which decide the sessions; tracker exports
# (Fitbit, Apple Health, CSV, Open mHealth) name their sessions and have sparse samples.
_SPLIT_FORMATS: frozenset[FileFormat] = frozenset({"gpx", "tcx"})


def from_samples(samples: Samples) -> tuple[float, float | None, float | None, float | None]:
    """Duration (s), distance (m), mean and maximum heart rate of non-empty ``samples``."""
    duration_s = (int(samples.time_ms[-1]) - int(samples.time_ms[0])) / 1000
    avg_hr, max_hr = hr_from_samples(samples.heart_rate)
    return duration_s, last_distance(samples.distance_m), avg_hr, max_hr


def split_at_pauses(parsed: ParsedFile, *, gap_s: float = SPLIT_GAP_S) -> ParsedFile:
    """``parsed`` with each GPX/TCX session cut where no sample was recorded for over ``gap_s``.

    The parts get their summary from their own samples; the device's summary and calories cover
    the whole recording, so no part keeps them, and a warning says where the cut was made.
    """
    if gap_s <= 0:
        raise ValueError("gap_s must be above 0")
    if parsed.format not in _SPLIT_FORMATS:
        return parsed
    sessions: list[ParsedSession] = []
    warnings = list(parsed.warnings)
    for session in parsed.sessions:
        parts = _split(session, gap_ms=round(gap_s * 1000))
        if len(parts) > 1:
            warnings.append(
                f"the recording starting {session.start:%Y-%m-%d %H:%M} UTC was split into {len(parts)} "
                f"sessions at pauses longer than {gap_s / 60:g} min"
            )
        sessions.extend(parts)
    return replace(parsed, sessions=tuple(sessions), warnings=tuple(warnings))


def _split(session: ParsedSession, *, gap_ms: int) -> list[ParsedSession]:
    t = session.samples.time_ms
    cuts = (np.flatnonzero(np.diff(t) > gap_ms) + 1).tolist()
    if not cuts:
        return [session]
    bounds = [0, *cuts, len(t)]
    return [
        _part(session, start, stop, first=index == 0)
        for index, (start, stop) in enumerate(itertools.pairwise(bounds))
    ]


def _part(session: ParsedSession, start: int, stop: int, *, first: bool) -> ParsedSession:
    whole = session.samples
    distance = whole.distance_m[start:stop]
    present = distance[~np.isnan(distance)]
    if not first and len(present):
        # A later part counts from where it starts, not across the pause before it.
        distance = distance - present[0]
    samples = Samples(
        time_ms=whole.time_ms[start:stop],
        heart_rate=whole.heart_rate[start:stop],
        distance_m=distance,
        latitude=whole.latitude[start:stop],
        longitude=whole.longitude[start:stop],
        altitude_m=whole.altitude_m[start:stop],
    )
    duration_s, distance_m, avg_hr, max_hr = from_samples(samples)
    return ParsedSession(
        start=ms_to_datetime(int(samples.time_ms[0])),
        end=ms_to_datetime(int(samples.time_ms[-1])),
        sport=session.sport,
        device_sport=session.device_sport,
        duration_s=duration_s,
        distance_m=distance_m,
        avg_hr=avg_hr,
        max_hr=max_hr,
        calories_kcal=None,
        samples=samples,
    )
