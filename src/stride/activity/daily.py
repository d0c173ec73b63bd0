"""Per-day totals of interval series (steps, calories) in the patient's local days, and the
downsampled heart-rate curve of a session for display. Vectorised with numpy."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

import numpy as np

from stride.activity.model import F64, I64, MetricSeries

_MS_PER_DAY = 86_400_000


def _utc_offsets_ms(start_ms: I64, tz: tzinfo) -> I64:
    """The zone's UTC offset at each instant. Offsets change rarely (DST), so they are looked up
    once per distinct UTC hour rather than once per value."""
    hours = start_ms // 3_600_000
    unique_hours, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array(
        [
            int(datetime.fromtimestamp(int(h) * 3600, tz).utcoffset().total_seconds() * 1000)  # type: ignore[union-attr]
            for h in unique_hours
        ],
        dtype=np.int64,
    )
    return offsets[inverse]


def daily_totals(series: MetricSeries, tz: tzinfo) -> dict[date, float]:
    """The sum of ``series`` per local day of each value's start (a value spanning midnight counts
    on the day it began: trackers report steps per minute, so the error is at most a minute)."""
    if len(series) == 0:
        return {}
    local_ms = series.start_ms + _utc_offsets_ms(series.start_ms, tz)
    days = local_ms // _MS_PER_DAY
    unique_days, inverse = np.unique(days, return_inverse=True)
    sums = np.bincount(inverse, weights=np.nan_to_num(series.value), minlength=len(unique_days))
    epoch = date(1970, 1, 1)
    return {epoch + timedelta(days=int(d)): float(v) for d, v in zip(unique_days, sums, strict=True)}


def downsample_curve(time_ms: I64, values: F64, *, start_ms: int, points: int) -> list[tuple[float, float]]:
    """At most ``points`` ``(seconds from start, value)`` pairs: the mean of each of ``points``
    equal time bins, NaN values and empty bins left out, so a chart stays light whatever the
    sampling rate."""
    keep = ~np.isnan(values)
    t, v = time_ms[keep], values[keep]
    if len(t) == 0:
        return []
    if len(t) <= points:
        return [(float((a - start_ms) / 1000), float(b)) for a, b in zip(t, v, strict=True)]
    edges = np.linspace(t[0], t[-1] + 1, points + 1)
    bins = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, points - 1)
    counts = np.bincount(bins, minlength=points)
    t_mean = np.bincount(bins, weights=t.astype(np.float64), minlength=points)
    v_mean = np.bincount(bins, weights=v, minlength=points)
    filled = counts > 0
    return [
        (float((a / n - start_ms) / 1000), float(b / n))
        for a, b, n in zip(t_mean[filled], v_mean[filled], counts[filled], strict=True)
    ]
