"""The JSON shape of ``stride inspect PATH --json`` (external checks rely on it; see README):

``{"format": str, "sessions": [{"start", "end", "sport", "duration_s", "distance_m", "avg_hr",
"max_hr", "samples"}], "warnings": [str]}`` with ISO-8601 times carrying their offset.
"""

from __future__ import annotations

import math
from typing import Any

from stride.activity.model import MetricSeries, ParsedFile, ParsedSession


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 3)


def session_report(session: ParsedSession) -> dict[str, Any]:
    return {
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "sport": session.sport,
        "duration_s": _number(session.duration_s),
        "distance_m": _number(session.distance_m),
        "avg_hr": _number(session.avg_hr),
        "max_hr": _number(session.max_hr),
        "samples": len(session.samples),
    }


def series_report(series: MetricSeries) -> dict[str, Any]:
    """A summary of a metric series, for people (not part of the JSON contract)."""
    return {
        "metric": series.metric,
        "values": len(series),
        "total": _number(float(series.value.sum()))
        if series.metric != "heart_rate" and len(series)
        else None,
    }


def inspect_report(parsed: ParsedFile) -> dict[str, Any]:
    """Exactly the contract's keys, nothing more (checks may compare the key sets)."""
    return {
        "format": parsed.format,
        "sessions": [session_report(s) for s in parsed.sessions],
        "warnings": list(parsed.warnings),
    }
