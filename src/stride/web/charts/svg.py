"""The parts every chart is drawn with: its frame and scales, round axis steps, the opening of an
accessible SVG, the value labels of a y axis, a shaded band and a line through points.

Each part returns SVG text built only from escaped text and numbers, so that a chart module can
join them into one ``Markup``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import escape

Scale = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class Frame:
    """The chart's size and the margins around its plot area (for the axis labels)."""

    width: int = 640
    height: int = 220
    left: int = 44
    right: int = 12
    top: int = 12
    bottom: int = 30

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    def x_scale(self, start: float, span: float) -> Scale:
        """``start`` at the plot's left edge, ``start + span`` at its right edge."""
        return lambda value: self.left + self.plot_w * (value - start) / span

    def y_scale(self, low: float, high: float) -> Scale:
        """``low`` at the plot's bottom, ``high`` at its top; values beyond them sit on the edge."""
        return lambda value: self.top + self.plot_h * (1 - (min(max(value, low), high) - low) / (high - low))


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


def ticks(bottom: float, top: float, step: float) -> list[float]:
    """The axis values from ``bottom`` in ``step``s, none above ``top``."""
    return [bottom + step * i for i in range(math.floor((top - bottom) / step + 1e-9) + 1)]


def svg_open(*, css: str, chart_id: str, title: str, desc: str | None, height: int, width: int = 640) -> str:
    """The ``<svg>`` element named by its ``<title>`` (and ``<desc>``): an image to screen readers,
    with ids of its own so that two charts on a page do not share one."""
    cid = f"chart-{escape(chart_id)}"
    if desc is None:
        return (
            f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}">'
            f'<title id="{cid}">{escape(title)}</title>'
        )
    return (
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(desc)}</desc>'
    )


def y_labels(frame: Frame, values: Iterable[float], y: Scale, *, grid: bool) -> list[str]:
    """The value of each tick left of the plot (and, with ``grid``, a line across it)."""
    parts = []
    for tick in values:
        ty = y(tick)
        if grid:
            parts.append(
                f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{ty:.1f}" y2="{ty:.1f}" '
                'class="grid"/>'
            )
        parts.append(
            f'<text x="{frame.left - 6}" y="{ty + 4:.1f}" class="axis" text-anchor="end">{tick:g}</text>'
        )
    return parts


def band(frame: Frame, *, top: float, bottom: float, title: str, fill: str | None = None) -> str:
    """A band shaded across the plot between the heights ``top`` and ``bottom``, named by its title."""
    paint = f'fill="{fill}"' if fill else 'class="band"'
    return (
        f'<rect x="{frame.left}" y="{top:.1f}" width="{frame.plot_w}" height="{max(bottom - top, 0):.1f}" '
        f"{paint}><title>{escape(title)}</title></rect>"
    )


def band_label(frame: Frame, text: str, *, y: float) -> str:
    """A band's name at the plot's right edge."""
    return (
        f'<text x="{frame.width - frame.right - 4}" y="{y:.1f}" class="band-label" text-anchor="end">'
        f"{escape(text)}</text>"
    )


def line(points: Iterable[tuple[float, float]]) -> str:
    """A line through the points (already scaled), in order."""
    path = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(points))
    return f'<path d="{path}" class="line" fill="none"/>'


def number(value: float) -> str:
    """A value as a label: whole from 10 up, else with one decimal unless it is whole."""
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"
