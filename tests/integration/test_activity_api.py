"""The activity API (TestClient over the demo clinic, both backends): sessions logged and listed, the
week's JSON with adherence against the plan, adverse events and their counts per protocol, and
device-file uploads (jobs run at once in tests: ``jobs="immediate"``), including a repeat upload and a
corrupt file. Bad input is refused naming the field, and stores nothing; wrong roles get 403."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from benchmarks.input_files import write_gpx
from fastapi.testclient import TestClient

from stride.activity.io.formats import REGISTRY
from stride.clinical.prescription import Refusal
from stride.domain.accounts import Actor, Role
from stride.services.context import Caller
from stride.services.plans import PlanRequest
from stride.services.registry import Services
from tests.samples import sample

SCREENING_CLEAR: dict[str, Any] = {
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "parq": {f"q{i}": False for i in range(1, 8)},
    "phq9_item9": 0,
    "resting_bp": [120, 80],
}
FIT_RUN = "fit/garmin-fenix-5-run.fit"
FIT_CORRUPT = "fit/invalid-activity-unexpected-eof.fit"
FIT_WEEK = "2017-06-05"  # the run was on Sunday 11 June 2017
THIS_WEEK = "2026-11-23"  # the test clock: Thursday 26 November 2026
SESSION = {
    "start": "2026-11-25T18:30:00+00:00",
    "sport": "walking",
    "minutes": 35,
    "rpe": 13,
    "avg_hr": 118,
    "max_hr": 131,
    "distance_km": 3.1,
    "supervised": False,
    "notes": "Round the park",
}
EVENT = {
    "occurred_at": "2026-11-25T18:50:00+00:00",
    "description": "Turned an ankle on the kerb",
    "severity": "moderate",
    "action_taken": "Rested, ice; walked home slowly",
}


class Api:
    """Bearer-token requests as one demo user."""

    def __init__(self, client: TestClient, demo: Services, username: str) -> None:
        self.client = client
        token = demo.auth.create_api_token(Caller.cli(), username=username, name="activity-test")
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, json: Any = None, files: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=json, files=files, headers=self.headers)

    def upload(self, pid: int, relative: str) -> Any:
        path = sample(relative)
        with path.open("rb") as fh:
            return self.post(
                f"/patients/{pid}/imports", files={"file": (path.name, fh, "application/octet-stream")}
            )


def counts(api: Api) -> dict[tuple[str | None, str], int]:
    """The adverse-event counts per (protocol, severity) as the API reports them."""
    sent = api.get("/adverse-events/summary")
    assert sent.status_code == 200, sent.text
    return {(row["protocol"], sev): n for row in sent.json() for sev, n in row["by_severity"].items()}


def patient_id(demo: Services, mrn: str) -> int:
    [found] = demo.patients.search(Caller.cli(), text=mrn).items
    return found.id


def clinician(demo: Services, username: str = "dr.rivera") -> Caller:
    users = {u.username: u.id for u in demo.users.list(Caller.cli())}
    return Caller(actor=Actor(users[username], username, Role.CLINICIAN))


def give_plan(demo: Services, pid: int, *, start: date | None = None) -> None:
    """Screen the patient (cleared) and prescribe home walking Mon/Wed/Fri, as dr.rivera."""
    rivera = clinician(demo)
    demo.screening.record(rivera, pid, SCREENING_CLEAR)
    plan = PlanRequest(
        protocol="home_walking", setting="home", days=("mon", "wed", "fri"), minutes=40, start_date=start
    )
    assert not isinstance(demo.plans.build(rivera, pid, plan), Refusal)


def sessions_of(demo: Services, pid: int) -> list[Any]:
    return demo.activity.sessions(clinician(demo, "dr.okafor"), pid)


@pytest.fixture
def p4(demo: Services) -> int:
    return patient_id(demo, "DEMO-0004")


@pytest.fixture
def patient(client: TestClient, demo: Services) -> Api:
    return Api(client, demo, "patient4")


@pytest.fixture
def rivera(client: TestClient, demo: Services) -> Api:
    return Api(client, demo, "dr.rivera")


# --- sessions and the week -----------------------------------------------------------------------


def test_a_logged_session_is_listed_and_counted_in_the_week(demo: Services, p4: int, patient: Api) -> None:
    give_plan(demo, p4)
    sent = patient.post(f"/patients/{p4}/sessions", json=SESSION)
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["patient_id"], body["source"], body["sport"], body["rpe"]) == (p4, "manual", "walking", 13)
    assert datetime.fromisoformat(body["start"]) == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    assert body["duration_s"] == pytest.approx(35 * 60)
    assert body["counted"] is True
    assert body["dose"], "a logged session has its dose"

    listed = patient.get(f"/patients/{p4}/sessions")
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()] == [body["id"]]

    week = patient.get(f"/patients/{p4}/activity/weeks/{THIS_WEEK}")
    assert week.status_code == 200, week.text
    w = week.json()
    assert (w["week_start"], w["week_end"], w["timezone"]) == (THIS_WEEK, "2026-11-29", "Europe/London")
    assert [s["id"] for s in w["sessions"]] == [body["id"]]
    assert w["plan_week_number"] == 1
    assert w["protocol_name"]
    assert [s["day"] for s in w["plan_week"]["sessions"]] == ["mon", "wed", "fri"]
    adherence = w["adherence"]
    assert adherence["sessions_done"] == 1
    assert adherence["sessions_planned"] == 3
    assert adherence["minutes_done"] == pytest.approx(35)
    assert adherence["category"]
    assert adherence["category_label"]
    assert w["summary"]["sessions"] == 1

    # Any day of the week names the week.
    assert patient.get(f"/patients/{p4}/activity/weeks/2026-11-26").json()["week_start"] == THIS_WEEK

    detail = patient.get(f"/sessions/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["session"]["id"] == body["id"]
    assert detail.json()["timezone"] == "Europe/London"


def test_a_clinician_logs_for_their_patient(demo: Services, p4: int, rivera: Api) -> None:
    sent = rivera.post(f"/patients/{p4}/sessions", json={**SESSION, "supervised": True})
    assert sent.status_code == 201, sent.text
    assert sent.json()["supervised"] is True
    assert sent.json()["recorded_by"] == clinician(demo).actor.user_id  # type: ignore[union-attr]
    week = rivera.get(f"/patients/{p4}/activity/weeks/{THIS_WEEK}").json()
    assert week["adherence"] is None, "no plan: sessions are counted, adherence is not"
    assert len(week["sessions"]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rpe": 25}, "rpe"),
        ({"rpe": "13"}, "rpe"),  # strict: a string is not a number
        ({"start": "2026-11-25T18:30:00"}, "start"),  # no timezone
        ({"start": "2026-11-27T09:00:00+00:00"}, "start"),  # in the future
        ({"start": 1764095400}, "start"),  # a number is not taken as a Unix time
        ({"sport": "flying"}, "sport"),
        ({"minutes": -5}, "minutes"),
        ({"avg_hr": 140, "max_hr": 120}, "max_hr"),
        ({"notes": "x" * 2001}, "notes"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_sessions_are_refused_naming_the_field(
    demo: Services, p4: int, patient: Api, change: dict[str, Any], field: str
) -> None:
    sent = patient.post(f"/patients/{p4}/sessions", json={**SESSION, **change})
    assert sent.status_code == 422, sent.text
    assert sent.json()["field"] == field
    assert sessions_of(demo, p4) == []


def test_a_missing_field_is_named(demo: Services, p4: int, patient: Api) -> None:
    sent = patient.post(f"/patients/{p4}/sessions", json={k: v for k, v in SESSION.items() if k != "minutes"})
    assert sent.status_code == 422
    assert sent.json()["field"] == "minutes"


@pytest.mark.parametrize(
    ("username", "mrn"),
    [
        ("patient5", "DEMO-0004"),  # another patient
        ("dr.rivera", "DEMO-0020"),  # a patient of another care team
        ("admin", "DEMO-0004"),  # administrators register patients, they do not read activity
        ("researcher", "DEMO-0004"),
    ],
)
def test_wrong_roles_are_refused_and_nothing_is_stored(
    client: TestClient, demo: Services, username: str, mrn: str
) -> None:
    api, pid = Api(client, demo, username), patient_id(demo, mrn)
    # Another patient's or another team's record is hidden (404, as for an unknown id); the
    # administrator and researcher are refused by role (403).
    code, error = (404, "not_found") if username in ("patient5", "dr.rivera") else (403, "permission_denied")
    for sent in (
        api.post(f"/patients/{pid}/sessions", json=SESSION),
        api.post(f"/patients/{pid}/adverse-events", json=EVENT),
        api.upload(pid, FIT_RUN),
        api.get(f"/patients/{pid}/sessions"),
        api.get(f"/patients/{pid}/adverse-events"),
        api.get(f"/patients/{pid}/imports"),
        api.get(f"/patients/{pid}/activity/weeks/{THIS_WEEK}"),
    ):
        assert sent.status_code == code, sent.text
        assert sent.json()["error"] == error
    assert sessions_of(demo, pid) == []
    assert demo.activity.adverse_events(clinician(demo, "dr.okafor"), pid) == []
    assert demo.imports.imports(clinician(demo, "dr.okafor"), pid) == []


def test_a_session_of_another_patient_is_refused(
    client: TestClient, demo: Services, p4: int, patient: Api
) -> None:
    own = patient.post(f"/patients/{p4}/sessions", json=SESSION).json()
    other = Api(client, demo, "patient5")
    assert other.get(f"/sessions/{own['id']}").status_code == 404
    assert Api(client, demo, "admin").get("/sessions/999999").status_code == 404


def test_anonymous_gets_401(client: TestClient, p4: int) -> None:
    sent = client.get(f"/api/v1/patients/{p4}/sessions")
    assert sent.status_code == 401
    assert sent.headers["www-authenticate"] == "Bearer"


def test_a_bad_week_is_named(p4: int, patient: Api) -> None:
    for week in ("2026-02-30", "26-11-2026"):
        sent = patient.get(f"/patients/{p4}/activity/weeks/{week}")
        assert sent.status_code == 422, sent.text
        assert sent.json()["field"] == "week_start"


# --- adverse events ------------------------------------------------------------------------------


def test_adverse_events_are_listed_and_counted_per_protocol(
    client: TestClient, demo: Services, p4: int, patient: Api, rivera: Api
) -> None:
    give_plan(demo, p4)
    before = counts(rivera)  # the demo clinic has events of its own
    session = patient.post(f"/patients/{p4}/sessions", json=SESSION).json()
    sent = patient.post(f"/patients/{p4}/adverse-events", json={**EVENT, "session_id": session["id"]})
    assert sent.status_code == 201, sent.text
    event = sent.json()
    assert (event["severity"], event["protocol"], event["session_id"]) == (
        "moderate",
        "home_walking",
        session["id"],
    )
    # Another patient's, with no plan.
    p3 = patient_id(demo, "DEMO-0003")
    assert (
        rivera.post(f"/patients/{p3}/adverse-events", json={**EVENT, "severity": "mild"}).status_code == 201
    )

    listed = rivera.get(f"/patients/{p4}/adverse-events")
    assert [e["id"] for e in listed.json()] == [event["id"]]
    assert [e["id"] for e in patient.get(f"/sessions/{session['id']}").json()["adverse_events"]] == [
        event["id"]
    ]

    summary = rivera.get("/adverse-events/summary")
    assert summary.status_code == 200
    after = counts(rivera)
    assert {key: n - before.get(key, 0) for key, n in after.items() if n != before.get(key, 0)} == {
        ("home_walking", "moderate"): 1,
        (None, "mild"): 1,
    }
    assert all(row["total"] == sum(row["by_severity"].values()) for row in summary.json())
    assert [row["protocol"] for row in summary.json()][-1] is None  # "no plan" comes last
    assert Api(client, demo, "researcher").get("/adverse-events/summary").json() == summary.json()
    for who in ("patient4", "admin"):
        assert Api(client, demo, who).get("/adverse-events/summary").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"severity": "catastrophic"}, "severity"),
        ({"description": "   "}, "description"),
        ({"action_taken": ""}, "action_taken"),
        ({"occurred_at": "2026-11-25T18:50:00"}, "occurred_at"),
        ({"occurred_at": "2027-01-01T00:00:00+00:00"}, "occurred_at"),
        ({"session_id": 999999}, "session_id"),
        ({"warning_signs": ["chest_pain", "headache"]}, "warning_signs"),
    ],
)
def test_bad_adverse_events_are_refused_naming_the_field(
    demo: Services, p4: int, patient: Api, change: dict[str, Any], field: str
) -> None:
    sent = patient.post(f"/patients/{p4}/adverse-events", json={**EVENT, **change})
    assert sent.status_code == 422, sent.text
    assert sent.json()["field"] == field
    assert demo.activity.adverse_events(clinician(demo), p4) == []


def test_a_warning_sign_is_stored_alerts_and_the_answer_carries_the_guidance(
    demo: Services, p4: int, patient: Api
) -> None:
    sent = patient.post(
        f"/patients/{p4}/adverse-events", json={**EVENT, "severity": "mild", "warning_signs": ["fainting"]}
    )
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["warning_signs"] == ["fainting"]
    assert body["stop_exercising"].startswith("Stop at once")
    [alert] = demo.alerts.for_patient(clinician(demo), p4, active_only=True)
    assert alert.code == "adverse_event_cardiac_sign"
    quiet = patient.post(f"/patients/{p4}/adverse-events", json=EVENT).json()
    assert (quiet["warning_signs"], quiet["stop_exercising"]) == ([], None)


# --- uploads -------------------------------------------------------------------------------------


def test_an_uploaded_fit_file_is_imported_into_its_week(demo: Services, p4: int, patient: Api) -> None:
    give_plan(demo, p4, start=date.fromisoformat(FIT_WEEK))
    sent = patient.upload(p4, FIT_RUN)
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert body["already_imported"] is False
    assert (body["status"], body["format"], body["sessions"], body["error"]) == ("done", "fit", 1, None)
    assert body["filename"] == Path(FIT_RUN).name
    assert body["progress"] == 1.0

    status = patient.get(f"/imports/{body['id']}")
    assert status.status_code == 200
    assert status.json()["status"] == "done"
    assert [r["id"] for r in patient.get(f"/patients/{p4}/imports").json()] == [body["id"]]

    week = patient.get(f"/patients/{p4}/activity/weeks/{FIT_WEEK}").json()
    [run] = week["sessions"]
    assert (run["sport"], run["source"], run["import_id"]) == ("running", "fit", body["id"])
    assert run["start"].startswith("2017-06-11T")
    assert week["adherence"]["sessions_done"] == 1
    assert week["plan_week_number"] == 1

    detail = patient.get(f"/sessions/{run['id']}").json()
    assert len(detail["hr_curve"]) > 10
    assert all(len(point) == 2 for point in detail["hr_curve"])


def test_the_same_file_again_adds_nothing(demo: Services, p4: int, patient: Api, rivera: Api) -> None:
    first = patient.upload(p4, FIT_RUN).json()
    again = rivera.upload(p4, FIT_RUN)
    assert again.status_code == 200, again.text
    assert again.json()["already_imported"] is True
    assert again.json()["id"] == first["id"]
    assert len(sessions_of(demo, p4)) == 1
    assert len(patient.get(f"/patients/{p4}/imports").json()) == 1


def test_a_corrupt_file_fails_with_the_readers_message_and_stores_nothing(
    demo: Services, p4: int, patient: Api
) -> None:
    sent = patient.upload(p4, FIT_CORRUPT)
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert body["status"] == "failed"
    assert "ends in the middle of a record" in body["error"]
    assert body["sessions"] == 0
    assert patient.get(f"/imports/{body['id']}").json()["error"] == body["error"]
    assert sessions_of(demo, p4) == []


def test_an_empty_or_missing_file_is_named(demo: Services, p4: int, patient: Api) -> None:
    empty = patient.post(
        f"/patients/{p4}/imports", files={"file": ("empty.fit", b"", "application/octet-stream")}
    )
    assert empty.status_code == 422, empty.text
    assert empty.json()["field"] == "file"
    missing = patient.post(
        f"/patients/{p4}/imports", files={"other": ("x.fit", b"x", "application/octet-stream")}
    )
    assert missing.status_code == 422
    assert missing.json()["field"] == "file"
    assert demo.imports.imports(clinician(demo), p4) == []


def test_a_browser_path_in_the_file_name_is_not_kept(p4: int, patient: Api) -> None:
    path = sample(FIT_RUN)
    files = {"file": ("C:\\fakepath\\my run.fit", path.read_bytes(), "application/octet-stream")}
    sent = patient.post(f"/patients/{p4}/imports", files=files)
    assert sent.status_code == 202, sent.text
    assert sent.json()["filename"] == "my run.fit"


def test_the_same_file_again_says_when_and_as_which_session_with_its_address(
    demo: Services, p4: int, patient: Api
) -> None:
    first = patient.upload(p4, FIT_RUN).json()
    [run] = sessions_of(demo, p4)
    again = patient.upload(p4, FIT_RUN)
    assert again.status_code == 200, again.text
    body = again.json()
    day = first["created_at"][:10]
    assert body["message"] == f"already imported on {day} as session {run.id}; nothing added"
    assert (body["session_id"], body["session_url"]) == (run.id, f"/api/v1/sessions/{run.id}")
    assert patient.client.get(body["session_url"], headers=patient.headers).json()["session"]["id"] == run.id
    assert first["message"] is None
    assert first["session_url"] is None


def test_a_session_answer_has_the_device_summary_beside_the_computed_one(
    demo: Services, p4: int, patient: Api
) -> None:
    patient.upload(p4, FIT_RUN)
    [run] = sessions_of(demo, p4)
    session = patient.get(f"/sessions/{run.id}").json()["session"]
    device = session["device_summary"]
    assert device is not None
    assert device["duration_s"] is not None
    assert device["duration_s"] > 0
    assert session["duration_s"] > 0  # from the samples, beside it
    [listed] = patient.get(f"/patients/{p4}/sessions").json()
    assert listed["device_summary"] == device
    logged = patient.post(f"/patients/{p4}/sessions", json=LOGGED_RPE)
    assert logged.status_code == 201, logged.text
    assert logged.json()["device_summary"] is None


LOGGED_RPE = {"start": "2026-11-25T18:30:00+00:00", "sport": "walking", "minutes": 30, "rpe": 13}


def test_a_session_without_heart_rate_has_no_zone_minutes(demo: Services, p4: int, patient: Api) -> None:
    logged = patient.post(f"/patients/{p4}/sessions", json=LOGGED_RPE)
    assert logged.status_code == 201, logged.text
    assert logged.json()["dose"]["hr_coverage"] == 0
    detail = patient.get(f"/sessions/{logged.json()['id']}").json()
    assert detail["zone_minutes"] == {}
    assert detail["hr_curve"] == []


def test_warnings_name_the_uploaded_file_not_its_content_hash(demo: Services, p4: int, patient: Api) -> None:
    """A Fitbit file uploaded on its own: the reader sees the upload's name (which says its metric),
    so the warnings and the import name it, never the stored blob's hash."""
    path = sample("fitbit/steps-1995-06-23_Fitbit.json")
    renamed = patient.post(
        f"/patients/{p4}/imports", files={"file": ("my-download.json", path.read_bytes(), "application/json")}
    )
    assert renamed.status_code == 202, renamed.text
    body = renamed.json()
    assert body["status"] == "done", body
    assert any(w.startswith("my-download.json: ") for w in body["warnings"]), body["warnings"]
    assert not any(body["sha256"][2:12] in w for w in body["warnings"])


def test_an_unknown_activity_without_heart_rate_or_effort_has_its_dose_unknown_never_zero(
    demo: Services, p4: int, patient: Api
) -> None:
    unknown = {"start": "2026-11-24T10:00:00+00:00", "sport": "other", "minutes": 40}
    logged = patient.post(f"/patients/{p4}/sessions", json=unknown)
    assert logged.status_code == 201, logged.text
    body = logged.json()
    assert body["dose"]["met_minutes"] is None
    assert body["dose"]["kcal_per_kg"] is None
    assert body["dose_note"] == "dose unknown"
    walked = patient.post(f"/patients/{p4}/sessions", json=LOGGED_RPE)
    assert walked.json()["dose_note"] is None
    week = patient.get(f"/patients/{p4}/activity/weeks/2026-11-24").json()
    assert week["unknown_dose_sessions"] == 1
    assert week["summary"]["sessions"] == 2
    assert week["summary"]["met_minutes"] == pytest.approx(walked.json()["dose"]["met_minutes"])


def test_an_imported_track_of_an_activity_the_device_names_is_priced_from_the_compendium(
    demo: Services, p4: int, patient: Api, tmp_path: Path
) -> None:
    track = tmp_path / "lake.gpx"
    write_gpx(track, points=1800)
    track.write_text(track.read_text().replace("<type>walking</type>", "<type>Kayaking</type>"))
    sent = patient.post(
        f"/patients/{p4}/imports",
        files={"file": ("lake.gpx", track.read_bytes(), "application/octet-stream")},
    )
    assert sent.json()["status"] == "done", sent.text
    [session] = sessions_of(demo, p4)
    assert (session.sport, session.device_sport) == ("other", "Kayaking")
    assert session.dose is not None
    assert session.dose.met_source == "Kayaking, moderate effort (Compendium 18200)"
    assert session.dose.met_minutes is not None
    assert session.dose.met_minutes > 0


def test_steps_logged_with_a_session_count_towards_a_step_target(
    demo: Services, p4: int, patient: Api
) -> None:
    give_plan(demo, p4, start=date(2026, 11, 23))  # home walking: a target in steps per walking day
    walk = {"start": "2026-11-25T18:30:00+00:00", "sport": "walking", "minutes": 30, "rpe": 12, "steps": 3200}
    logged = patient.post(f"/patients/{p4}/sessions", json=walk)
    assert logged.status_code == 201, logged.text
    assert logged.json()["steps"] == 3200
    adherence = patient.get(f"/patients/{p4}/activity/weeks/2026-11-25").json()["adherence"]
    assert adherence["dose_unit"] == "steps_per_day"
    assert adherence["dose_done"] == pytest.approx(3200)
    assert adherence["dose_ratio"] >= 1.0


def test_implausible_steps_are_refused_naming_the_field(demo: Services, p4: int, patient: Api) -> None:
    walk = {"start": "2026-11-25T18:30:00+00:00", "sport": "walking", "minutes": 30, "steps": 500_000}
    sent = patient.post(f"/patients/{p4}/sessions", json=walk)
    assert sent.status_code == 422, sent.text
    assert "steps" in sent.text
    assert sessions_of(demo, p4) == []


def test_a_trackers_steps_count_towards_a_step_target(demo: Services, p4: int, patient: Api) -> None:
    give_plan(demo, p4, start=date(1995, 6, 19))
    sent = patient.upload(p4, "fitbit/steps-1995-06-23_Fitbit.json")
    assert sent.json()["status"] == "done", sent.text
    adherence = patient.get(f"/patients/{p4}/activity/weeks/1995-06-19").json()["adherence"]
    assert adherence["dose_unit"] == "steps_per_day"
    assert adherence["dose_done"] > 0


def test_an_upload_with_a_very_long_name_is_read_under_it(demo: Services, p4: int, patient: Api) -> None:
    path = sample(FIT_RUN)
    name = "é" * 130 + ".fit"  # 264 bytes in UTF-8: over the 255 a file system allows a name
    sent = patient.post(
        f"/patients/{p4}/imports", files={"file": (name, path.read_bytes(), "application/octet-stream")}
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "done", sent.json()
    assert sent.json()["filename"] == name


def test_the_upload_endpoint_documents_every_format_and_its_limits(client: TestClient) -> None:
    # The summary named five of the seven formats (no CSV, no Open mHealth) before it read the registry.
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/patients/{patient_id}/imports"]["post"]
    for spec in REGISTRY:
        assert spec.label in operation["summary"], spec.name
        line = next(x for x in operation["description"].splitlines() if x.startswith(f"- {spec.label} "))
        assert f"`{spec.name}`" in line
        assert all(ext in line for ext in spec.extensions), line
        assert all(limit.text in line for limit in spec.limits), line
