"""Score trajectories drawn as inline SVG: geometry inside the viewBox, bands, markers, text alternative."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta

import pytest
from markupsafe import Markup

from stride.clinical.labels import label as code_label
from stride.clinical.measurement import get_instrument
from stride.domain.measurements import ResponseSource, StoredResponse
from stride.services.record import trajectories
from stride.web.charts import TRAJECTORY_FRAME, ChartBand, ChartPoint, chart_for, trajectory_svg

F = TRAJECTORY_FRAME
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = F.width, F.height, F.left, F.right, F.top, F.bottom

DAY0 = date(2026, 9, 3)
TODAY = date(2026, 11, 26)
PHQ9_BANDS = [ChartBand(b.label, b.min, b.max) for b in get_instrument("phq9").bands]


def draw(**options: object) -> Markup:
    options.setdefault("chart_id", "phq9")
    return trajectory_svg(**options)  # type: ignore[arg-type]


def parse(svg: Markup) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == "svg"
    return root


def circles(root: ET.Element) -> list[ET.Element]:
    return root.findall("circle")


def xy(circle: ET.Element) -> tuple[float, float]:
    return float(circle.attrib["cx"]), float(circle.attrib["cy"])


def series(*values: float, every: int = 14) -> list[ChartPoint]:
    return [ChartPoint(day=DAY0 + timedelta(days=every * i), value=v) for i, v in enumerate(values)]


def test_empty_series_gives_empty_markup() -> None:
    empty = draw(title="PHQ-9", points=[], bands=PHQ9_BANDS, y_max=27)
    assert isinstance(empty, Markup)
    assert str(empty) == ""


def test_svg_has_the_trajectory_class_and_viewbox() -> None:
    root = parse(draw(title="PHQ-9", points=series(20, 12), bands=PHQ9_BANDS, y_max=27))
    assert root.attrib["class"] == "trajectory"
    assert root.attrib["viewBox"] == f"0 0 {WIDTH} {HEIGHT}"
    assert root.attrib["role"] == "img"


@pytest.mark.parametrize(
    "values",
    [(20, 12, 8, 3), (0, 27), (27, 27, 27), (35, -4, 13.5), (5,)],
    ids=["falling", "extremes", "flat", "out-of-scale", "single"],
)
def test_points_lie_inside_the_plot_area(values: tuple[float, ...]) -> None:
    root = parse(draw(title="PHQ-9", points=series(*values), bands=PHQ9_BANDS, y_max=27))
    points = [xy(c) for c in circles(root)]
    assert len(points) == len(values)
    for x, y in points:
        assert LEFT <= x <= WIDTH - RIGHT
        assert TOP <= y <= HEIGHT - BOTTOM
    path = root.find("path")
    assert path is not None
    coords = [tuple(map(float, step[1:].split(","))) for step in path.attrib["d"].split()]
    assert coords == [(round(x, 1), round(y, 1)) for x, y in points]


def test_later_days_are_further_right_and_higher_totals_higher_up() -> None:
    root = parse(draw(title="PHQ-9", points=series(20, 12, 12, 3), bands=PHQ9_BANDS, y_max=27))
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = (xy(c) for c in circles(root))
    assert x0 < x1 < x2 < x3
    assert y0 < y1 == y2 < y3  # SVG y grows downwards
    assert x1 - x0 == pytest.approx(x3 - x2, abs=0.11)  # equal gaps in days, equal gaps on the page


def test_a_single_point_sits_in_the_middle_of_the_time_axis() -> None:
    root = parse(draw(title="PHQ-9", points=series(9), bands=PHQ9_BANDS, y_max=27))
    [(x, y)] = [xy(c) for c in circles(root)]
    assert x == pytest.approx(LEFT + (WIDTH - LEFT - RIGHT) / 2, abs=0.1)
    assert y == pytest.approx(TOP + (HEIGHT - TOP - BOTTOM) * (1 - 9 / 27), abs=0.1)


def band_rects(root: ET.Element) -> list[tuple[str, float, float]]:
    out = []
    for rect in root.findall("rect"):
        label = rect.find("title")
        assert label is not None
        assert label.text
        top = float(rect.attrib["y"])
        out.append((label.text, top, top + float(rect.attrib["height"])))
    return out


@pytest.mark.parametrize("instrument", ["phq9", "gad7", "hamd17", "madrs", "qids_sr16", "who5"])
def test_bands_cover_the_whole_scale_without_gaps_or_overlaps(instrument: str) -> None:
    ins = get_instrument(instrument)
    assert ins.max_total is not None
    bands = [ChartBand(b.label, b.min, b.max) for b in ins.bands]
    root = parse(
        draw(title=ins.name.replace(" ", "-"), points=series(3, 4), bands=bands, y_max=float(ins.max_total))
    )
    rects = band_rects(root)
    assert [label for label, _, _ in rects] == [code_label(b.label) for b in ins.bands]
    spans = sorted((top, bottom) for _, top, bottom in rects)
    assert spans[0][0] == pytest.approx(TOP, abs=0.05)  # the top of the scale (max)
    assert spans[-1][1] == pytest.approx(HEIGHT - BOTTOM, abs=0.05)  # zero
    for (_, bottom), (top, _) in itertools.pairwise(spans):
        assert top == pytest.approx(bottom, abs=0.11)
    for rect in root.findall("rect"):
        assert float(rect.attrib["x"]) == LEFT
        assert float(rect.attrib["width"]) == WIDTH - LEFT - RIGHT


def test_band_labels_are_shown_without_underscores() -> None:
    root = parse(draw(title="PHQ-9", points=series(20), bands=PHQ9_BANDS, y_max=27))
    labels = [t.text for t in root.findall("text") if t.attrib.get("class") == "band-label"]
    assert labels == ["minimal", "mild", "moderate", "moderately severe", "severe"]


def test_response_and_remission_points_are_marked() -> None:
    points = [
        ChartPoint(DAY0, 20),
        ChartPoint(DAY0 + timedelta(days=28), 9, marker="response"),
        ChartPoint(DAY0 + timedelta(days=56), 4, marker="remission"),
    ]
    root = parse(draw(title="PHQ-9", points=points, bands=PHQ9_BANDS, y_max=27))
    marks = [(c.attrib["class"], c.attrib["r"], c.findtext("title")) for c in circles(root)]
    assert marks == [
        ("point", "4", "2026-09-03: 20"),
        ("point response", "6", "2026-10-01: 9 (response)"),
        ("point remission", "6", "2026-10-29: 4 (remission)"),
    ]


def test_text_alternative_names_the_first_and_last_values() -> None:
    points = [*series(21, 15, every=10), ChartPoint(DAY0 + timedelta(days=30), 4, marker="remission")]
    root = parse(draw(title="PHQ-9", points=points, bands=PHQ9_BANDS, y_max=27))
    title = root.find("title")
    assert title is not None
    assert title.text is not None
    assert "PHQ-9" in title.text
    assert "3 scores" in title.text
    assert "from 21 on 2026-09-03" in title.text
    assert "to 4 on 2026-10-03" in title.text
    assert "remission on 2026-10-03" in title.text
    label_ids = root.attrib["aria-labelledby"].split()
    assert label_ids == [title.attrib["id"]]


@pytest.mark.parametrize("instrument", ["borg_cr10", "borg_rpe", "phq9", "who5"])
def test_accessible_name_reference_resolves_even_for_names_with_spaces(instrument: str) -> None:
    # aria-labelledby is a space-separated list of ids: "t-Borg CR10" would point at "t-Borg" and "CR10".
    ins = get_instrument(instrument)
    assert ins.max_total is not None
    [trajectory] = trajectories([response(1, instrument, DAY0, ins.max_total)])
    root = parse(chart_for(trajectory, today=TODAY))
    ids = {element.attrib["id"] for element in root.iter() if "id" in element.attrib}
    referenced = root.attrib["aria-labelledby"].split()
    assert len(referenced) == 1
    assert referenced[0] in ids
    assert root.findtext("title", "").startswith(f"{ins.name}: ")


def test_two_charts_on_one_page_have_distinct_label_ids() -> None:
    first = parse(draw(chart_id="phq9", title="PHQ-9", points=series(20), bands=PHQ9_BANDS, y_max=27))
    second = parse(draw(chart_id="gad7", title="GAD-7", points=series(9), bands=PHQ9_BANDS, y_max=21))
    assert first.attrib["aria-labelledby"] != second.attrib["aria-labelledby"]


def test_titles_and_labels_are_escaped() -> None:
    nasty = '<script>alert("x")</script> & "PHQ"'
    svg = draw(
        chart_id='x"><script>',
        title=nasty,
        points=series(20, 10),
        bands=[ChartBand("<b>bold</b>", 0, 27)],
        y_max=27,
    )
    text = str(svg)
    assert "<script>" not in text
    assert "<b>" not in text
    assert 'x">' not in text
    assert "&lt;script&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    root = parse(svg)  # still well-formed
    title = root.find("title")
    assert title is not None
    assert title.text is not None
    assert title.text.startswith(nasty)
    assert [r[0] for r in band_rects(root)] == ["<b>bold</b>"]


def test_axis_shows_the_first_and_last_dates_and_ticks_within_the_scale() -> None:
    root = parse(draw(title="PHQ-9", points=series(20, 10, 6), bands=PHQ9_BANDS, y_max=27))
    axis = [t.text for t in root.findall("text") if t.attrib.get("class") == "axis"]
    assert "2026-09-03" in axis
    assert "2026-10-01" in axis
    ticks = [float(t) for t in axis if t and "-" not in t]
    assert ticks[0] == 0
    assert max(ticks) <= 27
    assert len(ticks) <= 7


def response(rid: int, instrument: str, day: date, total: float | None) -> StoredResponse:
    at = datetime.combine(day, time(12), UTC)
    return StoredResponse(
        id=rid,
        patient_id=1,
        instrument=instrument,
        answers={},
        total=total,
        severity=None,
        flags=(),
        details={},
        answered_at=at,
        recorded_at=at,
        recorded_by=1,
        source=ResponseSource.CLINICIAN,
        version=1,
        supersedes_id=None,
        correction_reason=None,
    )


def test_chart_for_a_phq9_trajectory_marks_response_then_remission() -> None:
    history = [
        response(1, "phq9", DAY0, 20),
        response(2, "phq9", DAY0 + timedelta(days=14), 14),  # 30 %: partial, not marked
        response(3, "phq9", DAY0 + timedelta(days=28), 10),  # 50 %: response
        response(4, "phq9", DAY0 + timedelta(days=42), 4),  # < 5: remission
    ]
    [trajectory] = trajectories(history)
    root = parse(chart_for(trajectory, today=TODAY))
    assert [c.attrib["class"] for c in circles(root)] == [
        "point",
        "point",
        "point response",
        "point remission",
    ]
    assert len(band_rects(root)) == 5


def test_chart_for_an_instrument_without_totals_is_empty() -> None:
    [trajectory] = trajectories([response(1, "cssrs_screen", DAY0, None)])
    assert str(chart_for(trajectory, today=TODAY)) == ""


def test_chart_for_who5_keeps_values_on_the_raw_scale() -> None:
    [trajectory] = trajectories(
        [response(1, "who5", DAY0, 8), response(2, "who5", DAY0 + timedelta(days=14), 25)]
    )
    root = parse(chart_for(trajectory, today=TODAY))
    (_, low), (_, top) = (xy(c) for c in circles(root))
    assert top == pytest.approx(TOP, abs=0.05)  # 25 is the top of the WHO-5 scale
    assert low > top
    assert [c.attrib["class"] for c in circles(root)] == ["point", "point"]  # no cited response rule
