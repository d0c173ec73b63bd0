"""Open mHealth / IEEE 1752.1 reader: the three schemas, the containers, skipped data points, and
every malformed case naming the item and field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stride.activity.io import detect
from stride.activity.io.omh import read
from stride.errors import UnreadableFile


def _point(
    name: str, body: dict[str, Any], *, version: str = "2.0", namespace: str = "omh"
) -> dict[str, Any]:
    return {
        "header": {
            "id": f"{name}-1",
            "creation_date_time": "2024-05-01T09:00:00Z",
            "schema_id": {"namespace": namespace, "name": name, "version": version},
        },
        "body": body,
    }


def _hr(at: str, bpm: float) -> dict[str, Any]:
    return _point(
        "heart-rate",
        {"heart_rate": {"value": bpm, "unit": "beats/min"}, "effective_time_frame": {"date_time": at}},
    )


def _interval(start: str, end: str) -> dict[str, Any]:
    return {"time_interval": {"start_date_time": start, "end_date_time": end}}


WALK = _point(
    "physical-activity",
    {
        "activity_name": "brisk walking",
        "effective_time_frame": _interval("2024-05-01T08:00:00+02:00", "2024-05-01T08:30:00+02:00"),
        "distance": {"value": 1.5, "unit": "mi"},
        "kcal_burned": {"value": 160, "unit": "kcal"},
        "effective_duration": {"value": 28, "unit": "min"},
    },
    version="1.2",
)
POINTS = [
    _hr("2024-05-01T06:10:00Z", 120),
    _hr("2024-05-01T06:00:00Z", 100),  # out of order on purpose
    _hr("2024-05-01T06:30:00Z", 130),
    _hr("2024-05-01T09:00:00+02:00", 70),
    _point(
        "step-count",
        {
            "step_count": 1200,
            "effective_time_frame": _interval("2024-05-01T06:00:00Z", "2024-05-01T06:15:00Z"),
        },
    ),
    _point(
        "step-count",
        {
            "step_count": {"value": 800, "unit": "steps"},
            "effective_time_frame": {
                "time_interval": {
                    "start_date_time": "2024-05-01T06:15:00Z",
                    "duration": {"value": 15, "unit": "min"},
                }
            },
        },
        version="3.0",
        namespace="ieee",
    ),
    WALK,
]


def _write(tmp_path: Path, document: Any, name: str = "points.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


def test_heart_rate_steps_and_activity(tmp_path: Path) -> None:
    path = _write(tmp_path, {"data_points": POINTS})
    assert detect(path) == "omh"
    calls: list[tuple[int, int]] = []
    parsed = read(path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1][0] == calls[-1][1] == path.stat().st_size
    assert parsed.format == "omh"
    assert parsed.warnings == ()
    hr, steps = parsed.series
    assert hr.metric == "heart_rate"
    assert hr.value.tolist() == [100, 120, 130, 70]
    assert hr.start_ms.tolist() == hr.end_ms.tolist()
    assert steps.value.tolist() == [1200, 800]
    assert (steps.end_ms - steps.start_ms).tolist() == [900_000, 900_000]
    (walk,) = parsed.sessions
    assert walk.start == datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    assert walk.end == datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
    assert (walk.sport, walk.device_sport) == ("walking", "brisk walking")
    assert walk.distance_m == pytest.approx(1.5 * 1609.344)
    assert walk.calories_kcal == 160
    assert walk.duration_s == 28 * 60
    assert walk.samples.heart_rate.tolist() == [100, 120, 130]  # the readings in its interval
    assert (walk.avg_hr, walk.max_hr) == (pytest.approx(350 / 3), 130)


def test_single_point_and_plain_list(tmp_path: Path) -> None:
    single = read(_write(tmp_path, _hr("2024-05-01T06:10:00Z", 61)))
    assert single.series[0].value.tolist() == [61]
    assert single.sessions == ()
    listed = read(_write(tmp_path, POINTS[:2]))
    assert listed.series[0].value.tolist() == [100, 120]
    end_and_duration = _point(
        "step-count",
        {
            "step_count": 5,
            "effective_time_frame": {
                "time_interval": {
                    "end_date_time": "2024-05-01T06:15:00Z",
                    "duration": {"value": 1, "unit": "h"},
                }
            },
        },
    )
    (steps,) = read(_write(tmp_path, [end_and_duration])).series
    assert steps.start_ms[0] == datetime(2024, 5, 1, 5, 15, tzinfo=UTC).timestamp() * 1000


def test_unknown_schemas_and_summaries_are_skipped_with_a_warning(tmp_path: Path) -> None:
    weight = _point("body-weight", {"body_weight": {"value": 70, "unit": "kg"}})
    daily_max = _point(
        "step-count",
        {
            "step_count": 26000,
            "effective_time_frame": _interval("2016-02-05T07:00:00Z", "2016-06-05T07:00:00Z"),
            "descriptive_statistic": "maximum",
        },
    )
    undated = _point("physical-activity", {"activity_name": "yoga"})
    parsed = read(_write(tmp_path, [weight, weight, daily_max, undated, POINTS[0]]))
    assert parsed.warnings == (
        "2 data points skipped: body-weight is not read",
        "1 data points skipped: physical-activity without a time interval is not read",
        "1 data points skipped: step-count maximum is not read",
    )
    assert [s.metric for s in parsed.series] == ["heart_rate"]


def _broken(index: int, path: list[str], value: Any) -> list[dict[str, Any]]:
    """POINTS with ``POINTS[index]`` at ``path`` set to ``value`` (deleted when ``value`` is ...)."""
    points = copy.deepcopy(POINTS)
    target: Any = points[index]
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return points


MALFORMED: list[tuple[Any, str, str]] = [
    ("[{", "line 1", "not valid JSON"),
    ('"text"', "byte 0", "not Open mHealth data"),
    ({"points": []}, "byte 0", "not Open mHealth data"),
    ([1], "item 0", "expected a JSON object"),
    (_broken(2, ["header"], ...), "item 2.header", "header is missing"),
    (_broken(2, ["header", "schema_id", "name"], ...), "item 2.header.schema_id.name", "missing"),
    (_broken(2, ["body"], []), "item 2.body", "expected a JSON object"),
    (
        _broken(0, ["body", "heart_rate", "unit"], "bpm"),
        "item 0, body.heart_rate.unit",
        "not one of beats/min",
    ),
    (
        _broken(0, ["body", "heart_rate", "value"], "72"),
        "item 0, body.heart_rate.value",
        "not a non-negative",
    ),
    (
        _broken(0, ["body", "heart_rate", "value"], True),
        "item 0, body.heart_rate.value",
        "not a non-negative",
    ),
    (_broken(0, ["body", "heart_rate", "value"], 0), "item 0, body.heart_rate.value", "not a heart rate"),
    (_broken(0, ["body", "heart_rate"], ...), "item 0, body.heart_rate", "missing"),
    (
        _broken(0, ["body", "effective_time_frame", "date_time"], "2024-05-01T06:10:00"),
        "item 0, body.effective_time_frame.date_time",
        "no UTC offset",
    ),
    (
        _broken(0, ["body", "effective_time_frame", "date_time"], "soon"),
        "item 0, body.effective_time_frame.date_time",
        "not an RFC 3339",
    ),
    (
        _broken(0, ["body", "effective_time_frame", "date_time"], "0001-01-01T00:00:00+01:00"),
        "item 0, body.effective_time_frame.date_time",
        "not a plausible time",
    ),
    (_broken(0, ["body", "effective_time_frame"], ...), "item 0, body.effective_time_frame", "missing"),
    (_broken(4, ["body", "step_count"], -3), "item 4, body.step_count", "not a non-negative"),
    (
        _broken(
            4, ["body", "effective_time_frame", "time_interval", "end_date_time"], "2024-05-01T05:00:00Z"
        ),
        "item 4, body.effective_time_frame.time_interval",
        "before start",
    ),
    (
        _broken(4, ["body", "effective_time_frame", "time_interval", "end_date_time"], ...),
        "item 4, body.effective_time_frame.time_interval",
        "needs start_date_time and end_date_time",
    ),
    (
        _broken(5, ["body", "effective_time_frame", "time_interval", "duration", "value"], 1e300),
        "item 5, body.effective_time_frame.time_interval.duration",
        "not a plausible duration",
    ),
    (_broken(6, ["body", "distance", "unit"], "furlong"), "item 6, body.distance.unit", "not one of"),
    (_broken(6, ["body", "activity_name"], 3), "item 6, body.activity_name", "expected a text"),
    (_broken(6, ["body", "kcal_burned"], 160), "item 6, body.kcal_burned", "expected a JSON object"),
]


@pytest.mark.parametrize(("document", "where", "message"), MALFORMED)
def test_malformed_names_item_and_field(tmp_path: Path, document: Any, where: str, message: str) -> None:
    with pytest.raises(UnreadableFile) as raised:
        read(_write(tmp_path, document))
    assert raised.value.field == where
    assert message in raised.value.message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "points.json"
    path.write_bytes(b'{"data_points": ["\xff"]}')
    with pytest.raises(UnreadableFile) as raised:
        read(path)
    assert raised.value.field == "byte 18"
