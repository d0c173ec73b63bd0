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
from tests.conftest import csrf_of, login
from tests.integration.test_activity_api import Api, patient_id, sessions_of
from tests.samples import sample
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


# --- one recording, one session; the summary from the samples, the device's beside -----------------


def test_a_walk_saved_as_seven_tracks_is_one_session() -> None:
    code, payload, _ = inspect(sample("gpx/cerknicko-jezero.gpx"))
    assert code == 0
    [walk] = payload["sessions"]
    assert (walk["start"], walk["end"]) == ("2010-08-05T14:23:59+00:00", "2010-08-05T16:23:49+00:00")
    assert walk["samples"] == 296


def test_the_split_gap_is_configurable_and_the_cut_is_said() -> None:
    result = runner.invoke(
        app, ["inspect", str(sample("gpx/cerknicko-jezero.gpx")), "--json", "--split-gap", "10"]
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    # The pauses of 10:14, 14:03 and 14:54 min are longer than 10 min; those of 3 and 6.5 are not.
    assert [s["start"][11:19] for s in payload["sessions"]] == [
        "14:23:59",
        "15:24:25",
        "15:38:49",
        "15:58:31",
    ]
    assert any("split into 4 sessions at pauses longer than 10 min" in w for w in payload["warnings"])
    bad = runner.invoke(app, ["inspect", str(sample("gpx/cerknicko-jezero.gpx")), "--split-gap", "0"])
    assert bad.exit_code == 2
    assert "--split-gap" in bad.stderr


def test_an_imported_track_stays_one_session(client: TestClient, demo: Services) -> None:
    pid = patient_id(demo, "DEMO-0004")
    sent = Api(client, demo, "patient4").upload(pid, "gpx/cerknicko-jezero.gpx")
    assert sent.status_code == 202, sent.text
    assert (sent.json()["status"], sent.json()["sessions"]) == ("done", 1)
    [walk] = sessions_of(demo, pid)
    assert walk.duration_s == 2 * 3600 - 10


def test_the_session_page_shows_the_samples_summary_and_the_devices_lap_summary(
    client: TestClient, demo: Services
) -> None:
    pid = patient_id(demo, "DEMO-0004")
    sent = Api(client, demo, "patient4").upload(pid, "fit/garmin-fenix-5-run.fit")
    assert sent.json()["status"] == "done", sent.text
    [run] = sessions_of(demo, pid)
    # The records: 57 s, mean HR 85; the session message: 56.887 s, average 90.
    assert (run.duration_s, round(run.avg_hr or 0)) == (57.0, 85)
    assert run.device_summary is not None
    assert (run.device_summary.duration_s, run.device_summary.avg_hr) == (56.887, 90.0)
    page = login(client, "patient4", "demo-clinic-patient").get(f"/activity/sessions/{run.id}")
    assert page.status_code == 200
    summary = page.text.split('id="summary"', 1)[1].split("</article>", 1)[0]
    device = page.text.split('id="device-summary"', 1)[1].split("</article>", 1)[0]
    assert "From the recorded samples" in summary
    assert "average 85, maximum 112 bpm" in summary
    assert "0:57 (min:s)" in summary
    assert "The device&#39;s lap summary" in device or "The device's lap summary" in device
    assert "average 90, maximum 112 bpm" in device
    assert "0:56 (min:s)" in device


def test_no_device_summary_is_shown_where_the_file_has_none(client: TestClient, demo: Services) -> None:
    pid = patient_id(demo, "DEMO-0004")
    Api(client, demo, "patient4").upload(pid, "gpx/track-with-empty-segment.gpx")
    [walk] = sessions_of(demo, pid)
    page = login(client, "patient4", "demo-clinic-patient").get(f"/activity/sessions/{walk.id}")
    assert 'id="device-summary"' not in page.text
    assert "From the recorded samples" not in page.text


def test_a_repeat_upload_says_when_and_as_which_session_with_a_link(
    client: TestClient, demo: Services
) -> None:
    pid = patient_id(demo, "DEMO-0004")
    page = login(client, "patient4", "demo-clinic-patient")
    path = sample("fit/garmin-fenix-5-walk.fit")

    def send() -> Any:
        return page.post(
            f"/patients/{pid}/activity/import",
            data={"csrf_token": csrf_of(page)},
            files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
            follow_redirects=False,
        )

    assert send().status_code == 202
    [walk] = sessions_of(demo, pid)
    again = send()
    assert again.status_code == 200
    notice = again.text.split('id="already-imported"', 1)[1].split("</p>", 1)[0]
    assert "already imported on " in notice
    assert f'as <a href="/activity/sessions/{walk.id}" id="earlier-session">session {walk.id}</a>' in notice
    assert len(sessions_of(demo, pid)) == 1
