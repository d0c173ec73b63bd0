"""Device files through the real paths (``stride inspect``, the API upload): what a recording
without times is, FIT developer-data definitions that do not hold together, and the session summaries
and splitting of real samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stride.cli.main import app
from stride.services.registry import Services
from tests.integration.test_activity_api import Api, patient_id, sessions_of
from tests.unit.activity.io.test_fit import T0, Message, at, file_id, fit_bytes, record, session

runner = CliRunner()

UNTIMED_GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<metadata><time>2026-03-02T08:00:00Z</time></metadata>
<trk><name>Walk</name><type>walking</type><trkseg>
<trkpt lat="46.0" lon="14.0"><ele>300</ele></trkpt>
<trkpt lat="46.001" lon="14.0"><ele>301</ele></trkpt>
</trkseg></trk>
</gpx>
"""

UNTIMED_TCX = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Running"><Id>2026-03-02T08:00:00Z</Id>
<Lap StartTime="2026-03-02T08:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds>
<DistanceMeters>1500</DistanceMeters><Track>
<Trackpoint><Position><LatitudeDegrees>46.0</LatitudeDegrees>
<LongitudeDegrees>14.0</LongitudeDegrees></Position></Trackpoint>
<Trackpoint><Position><LatitudeDegrees>46.01</LatitudeDegrees>
<LongitudeDegrees>14.0</LongitudeDegrees></Position></Trackpoint>
</Track></Lap></Activity></Activities></TrainingCenterDatabase>
"""


def inspect(path: Path) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout), result.stderr


@pytest.mark.parametrize(("name", "text"), [("route.gpx", UNTIMED_GPX), ("laps-only.tcx", UNTIMED_TCX)])
def test_a_track_without_timestamps_is_refused(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    code, payload, err = inspect(path)
    assert code == 2, payload
    assert payload["error"] == "unreadable_file"
    assert "no timed session in this file" in payload["message"]
    assert "no timed session in this file" in err


def test_an_uploaded_route_fails_saying_so_and_stores_nothing(client: TestClient, demo: Services) -> None:
    pid = patient_id(demo, "DEMO-0004")
    api = Api(client, demo, "patient4")
    files = {"file": ("route.gpx", UNTIMED_GPX.encode(), "application/gpx+xml")}
    sent = api.post(f"/patients/{pid}/imports", files=files)
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "failed"
    assert "no timed session in this file" in sent.json()["error"]
    assert sessions_of(demo, pid) == []


# developer_data_id (global message 207): 1 application_id, 3 developer_data_index, 4 version.
def _developer_data_id(*, index: int | None, application: bool) -> Message:
    fields: list[tuple[int, int, int | bytes | None]] = [(4, 0x86, 1)]
    if index is not None:
        fields.append((3, 0x02, index))
    if application:
        fields.append((1, 0x0D, bytes(range(16))))
    return Message(207, tuple(fields))


def _activity(dev: Message) -> bytes:
    return fit_bytes([file_id(), dev, record(at(0), hr=100), record(at(60), hr=110), session(T0, 60)])


@pytest.mark.parametrize(
    ("dev", "words"),
    [
        (_developer_data_id(index=0, application=False), "application_id"),
        (_developer_data_id(index=None, application=True), "developer_data_index"),
    ],
    ids=["without-application-id", "without-index"],
)
def test_invalid_developer_data_definitions_are_refused(tmp_path: Path, dev: Message, words: str) -> None:
    path = tmp_path / "dev.fit"
    path.write_bytes(_activity(dev))
    code, payload, _ = inspect(path)
    assert code == 2, payload
    assert "developer" in payload["message"]
    assert words in payload["message"]
    assert payload["field"].startswith("byte ")
