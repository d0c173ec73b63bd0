"""Charts as inline SVG, drawn on the server: questionnaire totals over time (``trajectory``) and the
activity charts (``activity``), drawn with the one set of parts in ``svg`` (frame and scales, round
axis steps, bands, lines, the accessible opening).

Why not a JavaScript chart library: the pages' Content-Security-Policy forbids ``eval``, which
Vega needs unless a separately bundled interpreter is shipped; an SVG drawn here needs no script
at all, prints as it looks, and carries a text alternative for screen readers.
"""

from __future__ import annotations

from stride.web.charts.activity import EMPTY, Chart, hr_curve, planned_vs_done, zone_label, zone_minutes
from stride.web.charts.svg import Frame, nice_axis
from stride.web.charts.trajectory import FRAME as TRAJECTORY_FRAME
from stride.web.charts.trajectory import ChartBand, ChartPoint, chart_for, trajectory_svg

__all__ = [
    "EMPTY",
    "TRAJECTORY_FRAME",
    "Chart",
    "ChartBand",
    "ChartPoint",
    "Frame",
    "chart_for",
    "hr_curve",
    "nice_axis",
    "planned_vs_done",
    "trajectory_svg",
    "zone_label",
    "zone_minutes",
]
