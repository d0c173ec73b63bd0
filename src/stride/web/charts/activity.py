"""Activity charts: planned vs done minutes per week (bars), minutes per heart-rate zone (bars), and
one session's heart-rate curve with the plan's target band shaded. Each comes with its text alternative
(the SVG's ``<title>``/``<desc>``) and the rows of a data table the page shows beside it, so that the
numbers are there for screen readers, for print and for copying.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from markupsafe import Markup, escape

from stride.services.activity_views import WeekBar
from stride.web.charts.svg import Frame, Scale, band, band_label, line, nice_axis, svg_open, ticks, y_labels
from stride.web.charts.svg import number as _num

FRAME = Frame(top=14, bottom=34)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = (
    FRAME.width,
    FRAME.height,
    FRAME.left,
    FRAME.right,
    FRAME.top,
    FRAME.bottom,
)

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


def _open(kind: str, chart_id: str, title: str, desc: str, *, height: int = HEIGHT) -> str:
    return svg_open(css=f"activity-chart {kind}", chart_id=chart_id, title=title, desc=desc, height=height)


def _y_axis(parts: list[str], axis: tuple[float, float, float], y: Scale, unit: str) -> None:
    parts += y_labels(FRAME, ticks(*axis), y, grid=True)
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
    slot = FRAME.plot_w / len(history)
    bar = min(slot * 0.36, 28.0)
    y = FRAME.y_scale(0.0, top)

    done_weeks = sum(1 for b in history if b.planned_minutes and b.done_minutes >= b.planned_minutes)
    summary = (
        f"Planned and done minutes for {len(history)} weeks from {history[0].week_start.isoformat()} to "
        f"{history[-1].week_start.isoformat()}: the plan's minutes were reached in {done_weeks} of them"
    )
    parts = [_open("weeks", chart_id, "Minutes planned and done, per week", summary)]
    _y_axis(parts, axis, y, "min")
    for i, b in enumerate(history):
        cls = " current" if current is not None and b.week_start == current else ""
        parts += _week_bars(b, LEFT + slot * i, slot=slot, bar=bar, y=y, cls=cls)
    parts.append(_WEEKS_LEGEND)
    parts.append("</svg>")
    return Chart(
        svg=Markup("".join(parts)),  # noqa: S704 - every text and attribute above is escaped or numeric
        summary=summary,
        headers=("Week of", "Planned (min)", "Done (min)", "Adherence"),
        rows=tuple(
            (
                b.week_start.isoformat(),
                _num(b.planned_minutes),
                _num(b.done_minutes),
                (b.category or "—").replace("_", " "),
            )
            for b in history
        ),
    )


def _week_bars(b: WeekBar, left: float, *, slot: float, bar: float, y: Scale, cls: str) -> list[str]:
    """One week's planned and done bars side by side in its slot, and the week's date under them."""
    x0 = left + (slot - 2 * bar) / 2
    label = f"week of {b.week_start.isoformat()}"
    planned_y, done_y = y(b.planned_minutes), y(b.done_minutes)
    return [
        f'<rect x="{x0:.1f}" y="{planned_y:.1f}" width="{bar:.1f}" height="{y(0) - planned_y:.1f}" '
        f'class="planned{cls}"><title>{escape(label)}: {_num(b.planned_minutes)} min planned</title>'
        "</rect>",
        f'<rect x="{x0 + bar:.1f}" y="{done_y:.1f}" width="{bar:.1f}" height="{y(0) - done_y:.1f}" '
        f'class="done{cls}"><title>{escape(label)}: {_num(b.done_minutes)} min done</title></rect>',
        f'<text x="{left + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" class="axis{cls}" '
        f'text-anchor="middle">{escape(_short(b.week_start))}</text>',
    ]


_WEEKS_LEGEND = (
    f'<rect x="{LEFT}" y="{HEIGHT - 14}" width="10" height="10" class="planned"/>'
    f'<text x="{LEFT + 14}" y="{HEIGHT - 5}" class="axis">planned</text>'
    f'<rect x="{LEFT + 80}" y="{HEIGHT - 14}" width="10" height="10" class="done"/>'
    f'<text x="{LEFT + 94}" y="{HEIGHT - 5}" class="axis">done</text>'
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
    parts = [_open("zones", chart_id, "Minutes per heart-rate zone", summary, height=height)]
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
    target: tuple[int, int] | None,
    *,
    chart_id: str = "hr",
    table_points: int = 12,
) -> Chart:
    """The heart rate over the session (minutes from the start), the plan's target band shaded."""
    points = [(t, bpm) for t, bpm in curve if not math.isnan(bpm)]  # gaps are left out
    if len(points) < 2:
        return EMPTY
    end = max(points[-1][0], 1.0)
    values = [bpm for _, bpm in points]
    lo = min(values + ([target[0]] if target else []))
    hi = max(values + ([target[1]] if target else []))
    y_min, y_max, y_step = nice_axis(max(0.0, lo - 5), hi + 5)

    x, y = FRAME.x_scale(0.0, end), FRAME.y_scale(y_min, y_max)
    summary = _hr_summary(points, target, end=end)
    parts = [_open("hr", chart_id, "Heart rate during the session", summary)]
    if target:
        top_y, bottom_y = y(target[1]), y(target[0])
        parts.append(
            band(FRAME, top=top_y, bottom=bottom_y, title=f"Target band {target[0]}–{target[1]} bpm")
        )
        parts.append(band_label(FRAME, f"target {target[0]}–{target[1]}", y=top_y - 4))
    _y_axis(parts, (y_min, y_max, y_step), y, "bpm")
    parts += _time_labels(end, x)
    parts.append(line((x(t), y(b)) for t, b in points))
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" class="axis" text-anchor="end">time (min:s)</text>'
    )
    parts.append("</svg>")
    return Chart(
        svg=Markup("".join(parts)),  # noqa: S704 - every text and attribute above is escaped or numeric
        summary=summary,
        headers=("Time (min:s)", "Heart rate (bpm)"),
        rows=tuple((_clock(t), f"{b:.0f}") for t, b in _table_sample(points, table_points)),
    )


def _hr_summary(points: Sequence[tuple[float, float]], target: tuple[int, int] | None, *, end: float) -> str:
    values = [bpm for _, bpm in points]
    average = sum(values) / len(values)
    span = f"{end:.0f} seconds" if end < 90 else f"{end / 60:.0f} minutes"
    summary = (
        f"Heart rate over {span}: average {average:.0f}, lowest {min(values):.0f}, "
        f"highest {max(values):.0f} beats a minute"
    )
    if target:
        inside = _share_inside(points, target)
        summary += f"; {inside:.0f} % of the time in the target band {target[0]}–{target[1]}"
    return summary


def _time_labels(end: float, x: Scale) -> list[str]:
    """Five times along the x axis, from the start to the end of the session."""
    labels = []
    for i in range(5):
        seconds = end * i / 4
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        labels.append(
            f'<text x="{x(seconds):.1f}" y="{HEIGHT - BOTTOM + 16}" class="axis" text-anchor="{anchor}">'
            f"{_clock(seconds)}</text>"
        )
    return labels


def _table_sample(points: list[tuple[float, float]], table_points: int) -> list[tuple[float, float]]:
    """About ``table_points`` evenly spaced points for the data table, the last point always among them."""
    every = max(1, len(points) // table_points)
    sampled = points[::every]
    if sampled[-1] != points[-1]:
        sampled.append(points[-1])
    return sampled


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
