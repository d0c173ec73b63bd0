"""Every date and time that comes in has a plausible range (``stride.domain.dates``, bounds in
``dates.toml``): a year 0001 or 9999, a birth date in the future, a rating dated the day after
tomorrow are refused with 422 naming the field and saying why, through the API, the web forms and
the CLI, and nothing is stored. (TestClient over the demo clinic, both backends; the test clock is
Thursday 26 November 2026, 09:00 UTC.)"""

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
from tests.integration.test_activity_api import EVENT, SESSION, Api, clinician, patient_id, sessions_of
from tests.integration.test_activity_pages import RIVERA

PHQ9 = {f"phq9_{i}": 1 for i in range(1, 10)}
PATIENT = {"given_name": "Ada", "family_name": "Byron", "sex": "female", "team_id": 1}


@pytest.fixture
def api(client: TestClient, demo: Services) -> Api:
    return Api(client, demo, RIVERA[0])


@pytest.fixture
def p4(demo: Services) -> int:
    return patient_id(demo, "DEMO-0004")


def refused(sent: Any, field: str, words: str) -> None:
    assert sent.status_code == 422, sent.text
    body = sent.json()
    assert body["field"] == field, body
    assert words in body["message"], body


@pytest.mark.parametrize("year", ["0001", "1899", "9999"])
def test_sessions_and_adverse_events_outside_the_range_are_refused(
    api: Api, demo: Services, p4: int, year: str
) -> None:
    before = len(sessions_of(demo, p4))
    when = f"{year}-06-01T10:00:00+00:00"
    refused(
        api.post(f"/patients/{p4}/sessions", json={**SESSION, "start": when}), "start", "not a plausible time"
    )
    refused(
        api.post(f"/patients/{p4}/adverse-events", json={**EVENT, "occurred_at": when}),
        "occurred_at",
        "not a plausible time",
    )
    assert len(sessions_of(demo, p4)) == before
    assert demo.activity.adverse_events(clinician(demo), p4) == []


def test_a_year_9999_time_west_of_utc_is_refused_not_a_500(api: Api, p4: int) -> None:
    """9999-12-31T23:30-05:00 has no UTC equivalent; it is compared, never converted."""
    sent = api.post(f"/patients/{p4}/sessions", json={**SESSION, "start": "9999-12-31T23:30:00-05:00"})
    refused(sent, "start", "not a plausible time")


@pytest.mark.parametrize(
    ("answered_on", "words"),
    [
        ("0001-01-01", "not a plausible date"),
        ("9999-12-31", "not a plausible date"),
        ("2026-11-28", "not a plausible date"),
        ("2026-11-27", "is in the future"),
    ],
)
def test_a_rating_dated_outside_the_range_is_refused(api: Api, p4: int, answered_on: str, words: str) -> None:
    before = len(api.get(f"/patients/{p4}/responses").json())
    sent = api.post(
        f"/patients/{p4}/responses", json={"instrument": "phq9", "answers": PHQ9, "answered_on": answered_on}
    )
    refused(sent, "answered_on", words)
    assert len(api.get(f"/patients/{p4}/responses").json()) == before


@pytest.mark.parametrize(
    ("dob", "words"),
    [
        ("0001-01-01", "not a plausible date of birth"),
        ("2026-11-27", "is in the future"),
        ("9999-01-01", "is in the future"),
    ],
)
def test_an_implausible_birth_date_is_refused(api: Api, dob: str, words: str) -> None:
    refused(api.post("/patients", json={**PATIENT, "date_of_birth": dob}), "date_of_birth", words)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_treatment_episode_plan_schedule_and_week_dates_are_bounded(api: Api, p4: int, day: str) -> None:
    episode = api.client.put(
        f"/api/v1/patients/{p4}/episode",
        headers=api.headers,
        json={"episode_start": day, "severity": "moderate"},
    )
    refused(episode, "episode_start", "not a plausible date")
    trial = {
        "kind": "antidepressant",
        "drug": "sertraline",
        "daily_dose_mg": 100,
        "weeks": 8,
        "adherent": True,
        "improvement_pct": 10,
        "start_date": day,
    }
    refused(api.post(f"/patients/{p4}/treatment", json=trial), "start_date", "not a plausible date")
    schedule = api.client.put(
        f"/api/v1/patients/{p4}/schedule/phq9",
        headers=api.headers,
        json={"every_days": 14, "start_date": day},
    )
    refused(schedule, "start_date", "not a plausible start")
    plan = {"protocol": "home_walking", "setting": "home", "days": ["mon"], "minutes": 30, "start_date": day}
    refused(api.post(f"/patients/{p4}/plans", json=plan), "start_date", "not a plausible start")
    refused(api.get(f"/patients/{p4}/activity/weeks/{day}"), "week_start", "not a plausible date")


def test_the_web_forms_show_the_date_error(client: TestClient, p4: int) -> None:
    login(client, *RIVERA)
    form = {"timezone": "Europe/London", "start": "0001-06-01T10:00", "sport": "walking", "minutes": "30"}
    sent = client.post(f"/patients/{p4}/activity/sessions/new", data={**form, "csrf_token": csrf_of(client)})
    assert sent.status_code == 422
    assert "not a plausible time" in sent.text
    sent = client.post(
        f"/patients/{p4}/questionnaires/phq9",
        data={
            **{k: str(v) for k, v in PHQ9.items()},
            "answered_on": "9999-12-31",
            "csrf_token": csrf_of(client),
        },
    )
    assert sent.status_code == 422
    assert "not a plausible date" in sent.text


def test_stride_stage_refuses_a_year_9999_as_of(tmp_path: Path) -> None:
    history = {
        "as_of": "9999-01-01",
        "episode_start": "2025-01-01",
        "severity": "moderate",
        "trials": [],
        "augmentation": False,
        "ect": False,
    }
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history), encoding="utf-8")
    result = CliRunner().invoke(app, ["stage", "--input", str(path)])
    assert result.exit_code == 2, result.output
    assert "as_of" in result.stderr
    assert "not a plausible date" in result.stderr


def gpx(*tracks: str) -> bytes:
    """A GPX file with one three-point walking track per start day given."""
    body = "".join(
        "<trk><name>Walk</name><type>walking</type><trkseg>"
        + "".join(
            f'<trkpt lat="51.50{i}" lon="-0.1"><time>{day}T10:0{i}:00Z</time></trkpt>' for i in range(3)
        )
        + "</trkseg></trk>"
        for day in tracks
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>'
    ).encode()


def upload(api: Api, pid: int, name: str, content: bytes) -> dict[str, Any]:
    sent = api.post(f"/patients/{pid}/imports", files={"file": (name, content, "application/octet-stream")})
    assert sent.status_code == 202, sent.text
    body: dict[str, Any] = sent.json()
    return body


@pytest.mark.parametrize("day", ["0001-06-01", "9999-06-01"])
def test_an_import_whose_only_session_is_implausible_fails_naming_it(
    api: Api, demo: Services, p4: int, day: str
) -> None:
    body = upload(api, p4, f"walk-{day}.gpx", gpx(day))
    assert body["status"] == "failed", body
    assert f"session 1 starts {day}T10:00" in body["error"]
    assert "not a plausible time" in body["error"]
    assert sessions_of(demo, p4) == []


def test_implausible_sessions_are_skipped_with_a_warning_and_the_rest_imported(
    api: Api, demo: Services, p4: int
) -> None:
    body = upload(api, p4, "three-walks.gpx", gpx("2026-11-20", "9999-06-01", "2026-11-21"))
    assert body["status"] == "done", body
    assert body["sessions"] == 2
    [warning] = [w for w in body["warnings"] if "skipped" in w]
    assert "starts 9999-06-01T10:00" in warning  # numbered in time order, as the import lists them
    assert sorted(s.start.date().isoformat() for s in sessions_of(demo, p4)) == ["2026-11-20", "2026-11-21"]


def test_a_csv_dated_in_the_next_century_is_refused(api: Api, demo: Services, p4: int) -> None:
    """The CSV reader's own bounds (1900-2200) let 2150 through; the import's range does not."""
    csv = b"time,heart_rate\n2150-01-01T10:00:00+00:00,100\n2150-01-01T10:30:00+00:00,110\n"
    body = upload(api, p4, "future.csv", csv)
    assert body["status"] == "failed", body
    assert "session 1 starts 2150-01-01T10:00" in body["error"]
    assert sessions_of(demo, p4) == []
