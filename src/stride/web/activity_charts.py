"""Activity charts as inline SVG drawn on the server (no script: see ``stride.web.charts``).

Three charts: planned vs done minutes per week (bars), minutes per heart-rate zone (bars), and one
session's heart-rate curve with the plan's target band shaded. Each comes with its text alternative
(the SVG's ``<title>``/``<desc>``) and the rows of a data table the page shows beside it, so that the
numbers are there for screen readers, for print and for copying.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from markupsafe import Markup, escape

from stride.services.activity_views import WeekBar

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 34

ZONE_LABELS = {
    "unclassified": "No heart rate",
    "below": "Below the zones",
    "light": "Light",
    "moderate": "Moderate",
    "vigorous": "Vigorous",
}


@dataclass(frozen=True, slots=True)
class Chart:
    """An SVG chart, its one-sentence text alternative and the rows of its data table."""

    svg: Markup
    summary: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.svg)


EMPTY = Chart(svg=Markup(""), summary="", headers=(), rows=())


def zone_label(zone: str) -> str:
    return ZONE_LABELS.get(zone, zone.replace("_", " ").capitalize())


def _num(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


NICE_STEPS = (1, 2, 5, 10, 15, 20, 25, 30, 50, 60, 100, 120, 150, 200, 250, 300, 500, 1000, 2000, 5000)


def nice_axis(low: float, high: float, *, most: int = 5) -> tuple[float, float, float]:
    """(bottom, top, step) of an axis over ``low..high`` with at most ``most`` round steps."""
    low, high = min(low, high), max(high, low, low + 1)
    step = next(
        (s for s in NICE_STEPS if math.ceil(high / s) - math.floor(low / s) <= most),
        float(10 ** math.ceil(math.log10(high - low))),
    )
    bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
    return float(bottom), float(max(top, bottom + step)), float(step)


def _ticks(bottom: float, top: float, step: float) -> list[float]:
    return [bottom + step * i for i in range(round((top - bottom) / step) + 1)]


def _open(chart_id: str, css: str, title: str, desc: str) -> list[str]:
    cid = f"chart-{escape(chart_id)}"
    return [
        f'<svg class="activity-chart {css}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _y_axis(
    parts: list[str], axis: tuple[float, float, float], y: Callable[[float], float], unit: str
) -> None:
    for tick in _ticks(*axis):
        ty = y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" class="axis" text-anchor="end">{tick:g}</text>')
    parts.append(f'<text x="4" y="{TOP - 2}" class="axis">{escape(unit)}</text>')


def _short(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


# --- planned vs done minutes per week --------------------------------------------------------------


def planned_vs_done(
    history: Sequence[WeekBar], *, chart_id: str = "weeks", current: date | None = None
) -> Chart:
    """Bars of planned (outlined) and done (filled) minutes for each week, oldest first."""
    if not history:
        return EMPTY
    axis = nice_axis(0.0, max(max(b.planned_minutes, b.done_minutes) for b in history))
    top = axis[1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(history)
    bar = min(slot * 0.36, 28.0)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - min(max(value, 0.0), top) / top)

    done_weeks = sum(1 for b in history if b.planned_minutes and b.done_minutes >= b.planned_minutes)
    summary = (
        f"Planned and done minutes for {len(history)} weeks from {history[0].week_start.isoformat()} to "
        f"{history[-1].week_start.isoformat()}: the plan's minutes were reached in {done_weeks} of them"
    )
    parts = _open(chart_id, "weeks", "Minutes planned and done, per week", summary)
    _y_axis(parts, axis, y, "min")
    rows = []
    for i, b in enumerate(history):
        x0 = LEFT + slot * i + (slot - 2 * bar) / 2
        label = f"week of {b.week_start.isoformat()}"
        planned_y, done_y = y(b.planned_minutes), y(b.done_minutes)
        cls = " current" if current is not None and b.week_start == current else ""
        parts.append(
            f'<rect x="{x0:.1f}" y="{planned_y:.1f}" width="{bar:.1f}" height="{y(0) - planned_y:.1f}" '
            f'class="planned{cls}"><title>{escape(label)}: {_num(b.planned_minutes)} min planned</title>'
            "</rect>"
        )
        parts.append(
            f'<rect x="{x0 + bar:.1f}" y="{done_y:.1f}" width="{bar:.1f}" height="{y(0) - done_y:.1f}" '
            f'class="done{cls}"><title>{escape(label)}: {_num(b.done_minutes)} min done</title></rect>'
        )
        parts.append(
            f'<text x="{LEFT + slot * i + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" class="axis{cls}" '
            f'text-anchor="middle">{escape(_short(b.week_start))}</text>'
        )
        rows.append(
            (
                b.week_start.isoformat(),
                _num(b.planned_minutes),
                _num(b.done_minutes),
                (b.category or "—").replace("_", " "),
            )
        )
    parts.append(
        f'<rect x="{LEFT}" y="{HEIGHT - 14}" width="10" height="10" class="planned"/>'
        f'<text x="{LEFT + 14}" y="{HEIGHT - 5}" class="axis">planned</text>'
        f'<rect x="{LEFT + 80}" y="{HEIGHT - 14}" width="10" height="10" class="done"/>'
        f'<text x="{LEFT + 94}" y="{HEIGHT - 5}" class="axis">done</text>'
    )
    parts.append("</svg>")
    return Chart(
        svg=Markup("".join(parts)),  # noqa: S704 - every text and attribute above is escaped or numeric
        summary=summary,
        headers=("Week of", "Planned (min)", "Done (min)", "Adherence"),
        rows=tuple(rows),
    )


# --- minutes per heart-rate zone -------------------------------------------------------------------


def zone_minutes(minutes: Mapping[str, float], *, chart_id: str = "zones") -> Chart:
    """Horizontal bars of minutes per zone, in the service's (intensity) order."""
    zones = [(z, m) for z, m in minutes.items()]
    if not zones or not any(m > 0 for _, m in zones):
        return EMPTY
    top = nice_axis(0.0, max(m for _, m in zones))[1]
    label_w = 130
    height = TOP + 28 * len(zones) + 24
    plot_w = WIDTH - label_w - RIGHT - 50

    summary = "Minutes per heart-rate zone: " + ", ".join(f"{zone_label(z)} {_num(m)}" for z, m in zones)
    cid = f"chart-{escape(chart_id)}"
    parts = [
        f'<svg class="activity-chart zones" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">Minutes per heart-rate zone</title>',
        f'<desc id="{cid}-desc">{escape(summary)}</desc>',
    ]
    for i, (zone, value) in enumerate(zones):
        y0 = TOP + 28 * i
        w = plot_w * min(value, top) / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + 15}" class="axis" text-anchor="end">'
            f"{escape(zone_label(zone))}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y0 + 2}" width="{w:.1f}" height="18" class="zone zone-{escape(zone)}">'
            f"<title>{escape(zone_label(zone))}: {_num(value)} min</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y0 + 15}" class="axis">{_num(value)} min</text>')
    parts.append("</svg>")
    return Chart(
        svg=Markup("".join(parts)),  # noqa: S704 - every text and attribute above is escaped or numeric
        summary=summary,
        headers=("Zone", "Minutes"),
        rows=tuple((zone_label(z), _num(m)) for z, m in zones),
    )


# --- a session's heart-rate curve with the target band ---------------------------------------------


def hr_curve(
    curve: Sequence[tuple[float, float]],
    band: tuple[int, int] | None,
    *,
    chart_id: str = "hr",
    table_points: int = 12,
) -> Chart:
    """The heart rate over the session (minutes from the start), the plan's target band shaded."""
    points = [(t, bpm) for t, bpm in curve if not math.isnan(bpm)]  # gaps are left out
    if len(points) < 2:
        return EMPTY
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    end = max(points[-1][0], 1.0)
    values = [bpm for _, bpm in points]
    lo = min(values + ([band[0]] if band else []))
    hi = max(values + ([band[1]] if band else []))
    y_min, y_max, y_step = nice_axis(max(0.0, lo - 5), hi + 5)

    def x(seconds: float) -> float:
        return LEFT + plot_w * seconds / end

    def y(bpm: float) -> float:
        return TOP + plot_h * (1 - (min(max(bpm, y_min), y_max) - y_min) / (y_max - y_min))

    average = sum(values) / len(values)
    span = f"{end:.0f} seconds" if end < 90 else f"{end / 60:.0f} minutes"
    summary = (
        f"Heart rate over {span}: average {average:.0f}, lowest {min(values):.0f}, "
        f"highest {max(values):.0f} beats a minute"
    )
    if band:
        inside = _share_inside(points, band)
        summary += f"; {inside:.0f} % of the time in the target band {band[0]}–{band[1]}"
    parts = _open(chart_id, "hr", "Heart rate during the session", summary)
    if band:
        top_y, bottom_y = y(band[1]), y(band[0])
        parts.append(
            f'<rect x="{LEFT}" y="{top_y:.1f}" width="{plot_w}" height="{bottom_y - top_y:.1f}" class="band">'
            f"<title>Target band {band[0]}–{band[1]} bpm</title></rect>"
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT - 4}" y="{top_y - 4:.1f}" class="band-label" text-anchor="end">'
            f"target {band[0]}–{band[1]}</text>"
        )
    _y_axis(parts, (y_min, y_max, y_step), y, "bpm")
    for i in range(5):
        seconds = end * i / 4
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        parts.append(
            f'<text x="{x(seconds):.1f}" y="{HEIGHT - BOTTOM + 16}" class="axis" text-anchor="{anchor}">'
            f"{_clock(seconds)}</text>"
        )
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(t):.1f},{y(b):.1f}" for i, (t, b) in enumerate(points))
    parts.append(f'<path d="{path}" class="line" fill="none"/>')
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" class="axis" text-anchor="end">time (min:s)</text>'
    )
    parts.append("</svg>")
    every = max(1, len(points) // table_points)
    sampled = points[::every]
    if sampled[-1] != points[-1]:
        sampled.append(points[-1])
    return Chart(
        svg=Markup("".join(parts)),  # noqa: S704 - every text and attribute above is escaped or numeric
        summary=summary,
        headers=("Time (min:s)", "Heart rate (bpm)"),
        rows=tuple((_clock(t), f"{b:.0f}") for t, b in sampled),
    )


def _share_inside(points: Sequence[tuple[float, float]], band: tuple[int, int]) -> float:
    """Percent of the time (weighted by the gap to the next point) with the heart rate in the band."""
    total = inside = 0.0
    for (t0, bpm), (t1, _) in pairwise(points):
        dt = max(t1 - t0, 0.0)
        total += dt
        if band[0] <= bpm <= band[1]:
            inside += dt
    return 100 * inside / total if total else 0.0


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
