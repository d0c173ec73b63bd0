"""A questionnaire's totals over time: one line, the instrument's severity bands shaded, response
and remission marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from stride.clinical.labels import label as code_label
from stride.domain.dates import DateRange, event_range
from stride.services.record import Trajectory
from stride.web.charts.svg import Frame, Scale, band, band_label, line, nice_axis, svg_open, ticks, y_labels

FRAME = Frame()
# Band fills from calm to alarming; enough shades for the longest band list (five).
BAND_FILLS = ("#e8f5ee", "#f3f7d9", "#fff3cd", "#fde2c8", "#fbd0cf", "#f6b8b6")


@dataclass(frozen=True, slots=True)
class ChartPoint:
    day: date
    value: float
    marker: str | None = None  # "response", "remission" or None


@dataclass(frozen=True, slots=True)
class ChartBand:
    label: str
    low: float
    high: float


def trajectory_svg(
    *,
    chart_id: str,
    title: str,
    points: Sequence[ChartPoint],
    bands: Sequence[ChartBand],
    y_max: float,
    higher_is_better: bool = False,
    plausible: DateRange | None = None,
) -> Markup:
    """An accessible SVG line chart of one instrument's totals over time, severity bands shaded.

    Points dated outside ``plausible`` (stored before dates were checked: a year 0001 or 9999) are
    not drawn, because they would squash every other point against one edge; the chart says so.
    """
    skipped = [p for p in points if plausible is not None and p.day not in plausible]
    points = [p for p in points if p not in skipped]
    note = _skipped_note(skipped)
    if not points:
        return Markup(f'<p class="chart-note">{escape(note)}</p>') if note else Markup("")  # noqa: S704 - the note is escaped
    first, last = points[0].day, points[-1].day
    at = _day_scale(first, last)
    y = FRAME.y_scale(0.0, y_max)
    title_text = _describe(title, points) + (". " + note if note else "")
    parts = [svg_open(css="trajectory", chart_id=chart_id, title=title_text, desc=None, height=FRAME.height)]
    parts += _bands(bands, y, y_max=y_max, higher_is_better=higher_is_better)
    parts += y_labels(FRAME, ticks(0.0, y_max, nice_axis(0.0, y_max, most=6)[2]), y, grid=False)
    axis_y = FRAME.height - 8
    parts.append(f'<text x="{FRAME.left}" y="{axis_y}" class="axis">{first.isoformat()}</text>')
    if last != first:
        end = f'<text x="{at(last):.1f}" y="{axis_y}" class="axis" text-anchor="end">'
        parts.append(f"{end}{last.isoformat()}</text>")
    parts.append(line((at(p.day), y(p.value)) for p in points))
    parts += _point_marks(points, at, y)
    if note:
        parts.append(
            f'<text x="{FRAME.left + 4}" y="{FRAME.top + 12}" class="axis chart-note">{escape(note)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above is escaped or numeric


def _day_scale(first: date, last: date) -> Callable[[date], float]:
    """The x position of a day, the first and last day padded by a twentieth of the span."""
    # Day numbers, not date arithmetic: no padding can step outside the calendar.
    span = max(last.toordinal() - first.toordinal(), 1)
    start = first.toordinal() - max(1, span // 20)
    days = max(last.toordinal() - start + max(1, span // 20), 1)
    x = FRAME.x_scale(start, days)

    def at(day: date) -> float:
        return x(day.toordinal())

    return at


def _bands(bands: Sequence[ChartBand], y: Scale, *, y_max: float, higher_is_better: bool) -> list[str]:
    """The severity bands shaded, calm to alarming, each named at its lower edge."""
    fills = BAND_FILLS if not higher_is_better else tuple(reversed(BAND_FILLS[: len(bands)]))
    parts = []
    for i, b in enumerate(bands):
        # Totals are whole numbers: a band "15-19" covers 14.5-19.5, so adjacent bands meet and a
        # one-value band (Borg CR10 "10") still has a height.
        top, bottom = y(min(b.high + 0.5, y_max)), y(max(b.low - 0.5, 0.0))
        name = code_label(b.label)
        parts.append(band(FRAME, top=top, bottom=bottom, title=name, fill=fills[i % len(fills)]))
        parts.append(band_label(FRAME, name, y=bottom - 4))
    return parts


def _point_marks(points: Sequence[ChartPoint], at: Callable[[date], float], y: Scale) -> list[str]:
    """A circle on each score with its date and value as its title; response and remission larger."""
    marks = []
    for p in points:
        cls = f"point {p.marker}" if p.marker else "point"
        label = f"{p.day.isoformat()}: {p.value:g}" + (f" ({p.marker})" if p.marker else "")
        radius = 6 if p.marker else 4
        marks.append(
            f'<circle cx="{at(p.day):.1f}" cy="{y(p.value):.1f}" r="{radius}" class="{cls}">'
            f"<title>{escape(label)}</title></circle>"
        )
    return marks


def _skipped_note(skipped: Sequence[ChartPoint]) -> str:
    if not skipped:
        return ""
    days = ", ".join(sorted({p.day.isoformat() for p in skipped}))
    return (
        f"{len(skipped)} score{'' if len(skipped) == 1 else 's'} with an implausible date not drawn ({days})"
    )


def _describe(title: str, points: Sequence[ChartPoint]) -> str:
    marked = [f"{p.marker} on {p.day.isoformat()}" for p in points if p.marker]
    text = (
        f"{title}: {len(points)} scores from {points[0].value:g} on {points[0].day.isoformat()} "
        f"to {points[-1].value:g} on {points[-1].day.isoformat()}"
    )
    return text + (". " + "; ".join(marked) if marked else "")


def chart_for(trajectory: Trajectory, *, today: date) -> Markup:
    """The chart of one instrument's trajectory; response and remission points are marked."""
    outcomes = trajectory.outcomes
    instrument = trajectory.instrument
    if outcomes is None or instrument.max_total is None:
        return Markup("")
    points = [
        ChartPoint(
            day=p.when,
            value=p.total,
            marker="remission" if p.remission else "response" if p.response else None,
        )
        for p in outcomes.points
    ]
    bands = [ChartBand(label=b.label, low=b.min, high=b.max) for b in instrument.bands]
    higher_is_better = outcomes.rules.direction == "higher_is_better"
    return trajectory_svg(
        chart_id=instrument.id,
        title=instrument.name,
        points=points,
        bands=bands,
        y_max=float(instrument.max_total),
        higher_is_better=higher_is_better,
        plausible=event_range(today=today),
    )
