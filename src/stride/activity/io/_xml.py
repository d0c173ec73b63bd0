"""Helpers shared by the activity readers: safe XML parsing, values with a location, geodesy and
the per-session summaries every reader computes the same way.

XML comes from patients' devices and exports, so it is parsed with entities, DTDs and the network
switched off (no billion laughs, no external entity, no request leaving the server) and with
lxml's default size limits. Every problem becomes :class:`UnreadableFile` naming the line and the
element, because "line 4012, element Trackpoint" is what lets a person find it in the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import numpy as np
from lxml import etree

from stride.activity.model import F64, I64, Progress, Samples
from stride.errors import UnreadableFile

# Mean Earth radius (IUGG); the haversine on a sphere is within 0.5 % of the ellipsoid, far below
# the noise of consumer GPS.
EARTH_RADIUS_M = 6_371_008.8

_CHUNK = 1 << 20  # feed the parser a megabyte at a time so that progress can be reported


def safe_parser() -> etree.XMLParser:
    """A parser that never resolves entities, loads a DTD or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def localname(element: etree._Element) -> str:
    """The tag without its namespace (``"Trackpoint"``); comments and PIs give ``""``."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace_of(element: etree._Element) -> str:
    """``"{namespace}"`` of ``element``'s tag, or ``""`` when it has none, to build child tags."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[: tag.index("}") + 1]
    return ""


def where(element: etree._Element) -> str:
    """The location of ``element`` for :attr:`UnreadableFile.field`."""
    return f"line {element.sourceline or 1}, element {localname(element)}"


def text_float(element: etree._Element, text: str | None = None) -> float:
    """The number in ``element``'s text (or in ``text``, an attribute of it); must be finite."""
    raw = element.text if text is None else text
    try:
        value = float((raw or "").strip())
    except ValueError:
        raise UnreadableFile(f"not a number: {raw!r}", field=where(element)) from None
    if not math.isfinite(value):
        raise UnreadableFile(f"not a finite number: {raw!r}", field=where(element))
    return value


def text_time_ms(element: etree._Element, naive_tz: tzinfo, text: str | None = None) -> int:
    """The ISO 8601 time in ``element``'s text (or in ``text``, an attribute of it) as UTC epoch
    ms; a time without an offset is in ``naive_tz``."""
    raw = ((element.text if text is None else text) or "").strip()
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=naive_tz)
        return round(moment.timestamp() * 1000)
    except (ValueError, OverflowError):
        raise UnreadableFile(f"not an ISO 8601 time: {raw!r}", field=where(element)) from None


def ms_to_datetime(ms: int) -> datetime:
    """UTC epoch milliseconds as a timezone-aware UTC ``datetime``."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def haversine_m(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    """Great-circle distances in metres between paired points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def cumulative_distance_m(latitude: F64, longitude: F64, breaks: Sequence[int] = ()) -> F64:
    """Distance travelled up to each point along the positions, in metres.

    Points without a position carry the distance so far (0 before the first fix); all ``NaN`` when
    no point has one. ``breaks`` are indices where a new segment starts: the straight line across
    a gap in the recording (signal lost, paused) is not counted, as GPS tools do.
    """
    n = len(latitude)
    valid = np.flatnonzero(~(np.isnan(latitude) | np.isnan(longitude)))
    if len(valid) == 0:
        return np.full(n, np.nan)
    steps = haversine_m(
        latitude[valid[:-1]], longitude[valid[:-1]], latitude[valid[1:]], longitude[valid[1:]]
    )
    if breaks:
        # A step whose end point is the first position at or after a break crosses the gap.
        crossing = np.searchsorted(valid, np.asarray(breaks, dtype=np.int64)) - 1
        crossing = crossing[(crossing >= 0) & (crossing < len(steps))]
        steps[crossing] = 0.0
    at_valid = np.concatenate(([0.0], np.cumsum(steps)))
    # Carry forward: each point takes the cumulative distance of the last position at or before it.
    last = np.searchsorted(valid, np.arange(n), side="right") - 1
    return np.where(last >= 0, at_valid[np.maximum(last, 0)], 0.0)


def sorted_samples(
    time_ms: I64, heart_rate: F64, distance_m: F64, latitude: F64, longitude: F64, altitude_m: F64
) -> Samples:
    """:class:`Samples` of the columns, put in time order if the file had them out of order."""
    if len(time_ms) > 1 and bool(np.any(np.diff(time_ms) < 0)):
        order = np.argsort(time_ms, kind="stable")
        time_ms, heart_rate, distance_m = time_ms[order], heart_rate[order], distance_m[order]
        latitude, longitude, altitude_m = latitude[order], longitude[order], altitude_m[order]
    return Samples(
        time_ms=time_ms,
        heart_rate=heart_rate,
        distance_m=distance_m,
        latitude=latitude,
        longitude=longitude,
        altitude_m=altitude_m,
    )


def hr_from_samples(heart_rate: F64) -> tuple[float | None, float | None]:
    """Mean and maximum of the heart-rate samples that have a value; ``None`` when none has."""
    present = heart_rate[~np.isnan(heart_rate)]
    if len(present) == 0:
        return None, None
    return float(np.mean(present)), float(np.max(present))


def last_distance(distance_m: F64) -> float | None:
    """The largest cumulative distance of the samples, ``None`` when none has one."""
    present = distance_m[~np.isnan(distance_m)]
    return float(np.max(present)) if len(present) else None


def iter_xml(path: Path, *, progress: Progress | None = None) -> Iterator[tuple[str, etree._Element]]:
    """``("start" | "end", element)`` events of the XML file at ``path``, parsed incrementally with
    :func:`safe_parser`'s settings, so that a reader can clear what it has read and keep memory
    bounded whatever the file's size; syntax errors name their line."""
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        total = path.stat().st_size
        done = 0
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                parser.feed(chunk)
                yield from _events(parser)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        parser.close()
        yield from _events(parser)
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"not well-formed XML: {exc.msg}", field=f"line {exc.lineno or 1}") from None
    except (etree.LxmlError, ValueError) as exc:
        raise UnreadableFile(f"not well-formed XML: {exc}", field="line 1") from None


def drop_read(element: etree._Element) -> None:
    """Free ``element`` and the siblings before it, once read (the streaming readers' working set)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _events(parser: etree.XMLPullParser) -> Iterator[tuple[str, etree._Element]]:
    for event, element in parser.read_events():
        if isinstance(element, etree._Element):  # only start and end were asked for
            yield event, element
