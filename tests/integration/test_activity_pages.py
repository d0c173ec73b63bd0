"""The activity pages (TestClient over the demo clinic, both backends): the week with adherence, charts
and uploads, the session log form (times in the patient's timezone; bad input re-rendered naming the
field, status 422, nothing stored), a session with its heart-rate curve, adverse events and their
counts per protocol, and the upload page with its status fragment (polled while an import waits)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stride.activity.io.formats import REGISTRY
from stride.clinical.prescription import Refusal
from stride.domain.accounts import Actor, Role
from stride.services.context import Caller
from stride.services.plans import PlanRequest
from stride.services.registry import Services
from tests.conftest import csrf_of, login
from tests.samples import sample

PATIENT4 = ("patient4", "demo-clinic-patient")
PATIENT5 = ("patient5", "demo-clinic-patient")
RIVERA = ("dr.rivera", "demo-clinic-clinician")
RESEARCHER = ("researcher", "demo-clinic-research")
ADMIN = ("admin", "demo-clinic-manager")
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
FIT_WEEK = "2017-06-05"


def session_form(**change: str) -> dict[str, str]:
    """The log form as the patient fills it in (Wednesday evening of the test clock's week)."""
    form = {
        "timezone": "Europe/London",
        "start": "2026-11-25T18:30",
        "sport": "walking",
        "minutes": "35",
        "rpe": "13",
        "avg_hr": "118",
        "max_hr": "131",
        "distance_km": "3,1",
        "supervised": "no",
        "notes": "Round the park",
    }
    form.update(change)
    return form


EVENT_FORM = {
    "timezone": "Europe/London",
    "occurred_at": "2026-11-25T18:50",
    "severity": "moderate",
    "description": "Turned an ankle on the kerb",
    "action_taken": "Rested, ice; walked home slowly",
}


SEVERITIES = ("mild", "moderate", "severe", "serious")


def home_walking_counts(demo: Services) -> dict[str, int]:
    rows = demo.activity.adverse_event_counts(okafor(demo))
    return next((dict(r.by_severity) for r in rows if r.protocol == "home_walking"), {})


def patient_id(demo: Services, mrn: str) -> int:
    [found] = demo.patients.search(Caller.cli(), text=mrn).items
    return found.id


def okafor(demo: Services) -> Caller:
    """A clinician of both teams, to look at what the pages stored."""
    users = {u.username: u.id for u in demo.users.list(Caller.cli())}
    return Caller(actor=Actor(users["dr.okafor"], "dr.okafor", Role.CLINICIAN))


def give_plan(demo: Services, pid: int, *, start: date | None = None) -> None:
    who = okafor(demo)
    demo.screening.record(who, pid, SCREENING_CLEAR)
    plan = PlanRequest(
        protocol="home_walking", setting="home", days=("mon", "wed", "fri"), minutes=40, start_date=start
    )
    assert not isinstance(demo.plans.build(who, pid, plan), Refusal)


def post(client: TestClient, url: str, form: dict[str, str], **extra: Any) -> Any:
    return client.post(url, data={**form, "csrf_token": csrf_of(client)}, follow_redirects=False, **extra)


def upload(client: TestClient, pid: int, relative: str) -> Any:
    path = sample(relative)
    with path.open("rb") as fh:
        return client.post(
            f"/patients/{pid}/activity/import",
            data={"csrf_token": csrf_of(client)},
            files={"file": (path.name, fh, "application/octet-stream")},
            follow_redirects=False,
        )


def switch_to(client: TestClient, username: str, password: str) -> TestClient:
    client.cookies.clear()
    return login(client, username, password)


@pytest.fixture
def p4(demo: Services) -> int:
    return patient_id(demo, "DEMO-0004")


@pytest.fixture
def as_patient(client: TestClient) -> TestClient:
    return login(client, *PATIENT4)


# --- logging a session and seeing it in the week -----------------------------------------------------


def test_the_patient_logs_a_session_and_sees_it_counted_this_week(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    give_plan(demo, p4)
    form = as_patient.get(f"/patients/{p4}/activity/sessions/new")
    assert form.status_code == 200
    assert 'name="timezone" value="Europe/London"' in form.text
    assert '<option value="walking"' in form.text
    assert 'max="2026-11-26T09:00"' in form.text  # now, in the patient's timezone
    assert "Planned this week" in form.text

    sent = post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form())
    assert sent.status_code == 303, sent.text
    [stored] = demo.activity.sessions(okafor(demo), p4)
    assert stored.start == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    assert (stored.sport, stored.rpe, stored.supervised) == ("walking", 13, False)
    assert stored.distance_m == pytest.approx(3100)  # "3,1" km: a decimal comma is understood
    assert sent.headers["location"] == f"/patients/{p4}/activity?week=2026-11-25&logged={stored.id}#sessions"

    week = as_patient.get(sent.headers["location"])
    assert week.status_code == 200
    assert 'id="logged"' in week.text
    assert f'id="session-{stored.id}"' in week.text
    assert "Wed 25 Nov 2026 18:30" in week.text
    assert re.search(r'id="sessions-done">1 of 3 planned<', week.text)
    assert 'id="adherence-category"' in week.text
    assert "<svg" in week.text
    assert "Minutes planned and done, per week" in week.text
    assert f'href="/activity/sessions/{stored.id}"' in week.text

    # This week is the default; the record links to it; the nav too.
    assert f'id="session-{stored.id}"' in as_patient.get(f"/patients/{p4}/activity").text
    record = as_patient.get(f"/patients/{p4}")
    assert f'href="/patients/{p4}/activity"' in record.text
    assert 'id="nav-activity"' in record.text


def test_the_start_is_read_in_the_patients_timezone(client: TestClient, demo: Services, p4: int) -> None:
    details = demo.patients.get(Caller.cli(), p4).patient.details
    demo.patients.update(Caller.cli(), p4, replace(details, timezone="America/New_York"))
    login(client, *RIVERA)
    form = client.get(f"/patients/{p4}/activity/sessions/new")
    assert 'name="timezone" value="America/New_York"' in form.text
    assert 'max="2026-11-26T04:00"' in form.text
    sent = post(client, f"/patients/{p4}/activity/sessions/new", session_form(timezone="America/New_York"))
    assert sent.status_code == 303, sent.text
    [stored] = demo.activity.sessions(okafor(demo), p4)
    assert stored.start == datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 18:30 in New York
    week = client.get(sent.headers["location"])
    assert "Wed 25 Nov 2026 18:30" in week.text


@pytest.mark.parametrize(
    ("change", "field", "label"),
    [
        ({"rpe": "25"}, "rpe", "Effort (RPE 6-20)"),
        ({"rpe": "hard"}, "rpe", "Effort (RPE 6-20)"),
        ({"minutes": ""}, "minutes", "Minutes"),
        ({"minutes": "lots"}, "minutes", "Minutes"),
        ({"start": "2026-11-27T10:00"}, "start", "Start"),
        ({"start": "yesterday"}, "start", "Start"),
        ({"sport": "flying"}, "sport", "Activity"),
        ({"avg_hr": "150", "max_hr": "120"}, "max_hr", "Maximum heart rate"),
        ({"distance_km": "9999"}, "distance_km", "Distance (km)"),
        ({"timezone": "Mars/Olympus"}, "start", "Start"),
    ],
)
def test_bad_input_is_shown_again_naming_the_field_and_stores_nothing(
    as_patient: TestClient, demo: Services, p4: int, change: dict[str, str], field: str, label: str
) -> None:
    sent = post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form(**change))
    assert sent.status_code == 422, sent.text
    error = sent.text.split('id="form-error"', 1)[1].split("</article>", 1)[0]
    assert label in error
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', sent.text), f"{field} not marked"
    assert "Round the park</textarea>" in sent.text  # what was typed is kept
    assert demo.activity.sessions(okafor(demo), p4) == []


@pytest.mark.parametrize(
    ("who", "mrn"),
    [(PATIENT5, "DEMO-0004"), (RIVERA, "DEMO-0020"), (ADMIN, "DEMO-0004"), (RESEARCHER, "DEMO-0004")],
)
def test_wrong_roles_are_refused_and_nothing_is_stored(
    client: TestClient, demo: Services, who: tuple[str, str], mrn: str
) -> None:
    login(client, *who)
    pid = patient_id(demo, mrn)
    # Another patient's or another team's record is hidden (404); admin and researcher get 403.
    code, marker = (404, 'id="not-found"') if who in (PATIENT5, RIVERA) else (403, 'id="forbidden"')
    for path in ("activity", "activity/sessions/new", "activity/adverse-events", "activity/import"):
        page = client.get(f"/patients/{pid}/{path}")
        assert page.status_code == code, path
        assert marker in page.text
    assert post(client, f"/patients/{pid}/activity/sessions/new", session_form()).status_code == code
    assert post(client, f"/patients/{pid}/activity/adverse-events", EVENT_FORM).status_code == code
    assert upload(client, pid, FIT_RUN).status_code == code
    # Even a bad form is refused rather than shown again.
    assert post(client, f"/patients/{pid}/activity/sessions/new", session_form(rpe="99")).status_code == code
    assert demo.activity.sessions(okafor(demo), pid) == []
    assert demo.activity.adverse_events(okafor(demo), pid) == []
    assert demo.imports.imports(okafor(demo), pid) == []


def test_pages_need_a_login(client: TestClient, p4: int) -> None:
    sent = client.get(f"/patients/{p4}/activity", follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"].startswith("/login")


def test_the_week_moves_and_a_bad_week_is_named(as_patient: TestClient, p4: int) -> None:
    page = as_patient.get(f"/patients/{p4}/activity?week=2026-11-18")  # a Wednesday
    assert page.status_code == 200
    assert "week of 16 Nov 2026" in page.text
    assert f'href="/patients/{p4}/activity?week=2026-11-09"' in page.text
    assert f'href="/patients/{p4}/activity?week=2026-11-23"' in page.text
    assert 'id="this-week-link"' in page.text
    assert 'id="no-plan"' in page.text
    bad = as_patient.get(f"/patients/{p4}/activity?week=2026-13-01")
    assert bad.status_code == 422
    assert "the week must be given as a date" in bad.text


def test_a_clinician_sees_the_patients_week(client: TestClient, demo: Services, p4: int) -> None:
    give_plan(demo, p4)
    login(client, *PATIENT4)
    post(client, f"/patients/{p4}/activity/sessions/new", session_form())
    switch_to(client, *RIVERA)
    page = client.get(f"/patients/{p4}/activity")
    assert page.status_code == 200
    name = demo.patients.get(Caller.cli(), p4).patient.display_name
    assert name in page.text
    assert re.search(r'id="sessions-done">1 of 3 planned<', page.text)


# --- one session ---------------------------------------------------------------------------------


def test_an_imported_session_shows_its_heart_rate_curve_with_the_target_band(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    give_plan(demo, p4, start=date.fromisoformat(FIT_WEEK))
    assert upload(as_patient, p4, FIT_RUN).status_code == 202
    [run] = demo.activity.sessions(okafor(demo), p4)
    page = as_patient.get(f"/activity/sessions/{run.id}")
    assert page.status_code == 200
    assert "Imported from a FIT file" in page.text
    assert "Heart rate during the session" in page.text
    assert 'class="line"' in page.text
    assert 'class="band"' in page.text, "the plan's target band is shaded"
    assert "Shaded: the plan&#39;s target band" in page.text or "Shaded: the plan's target band" in page.text
    assert "The numbers" in page.text  # the data table beside the chart
    assert f'href="/patients/{p4}/activity?week=2017-06-11"' in page.text

    week = as_patient.get(f"/patients/{p4}/activity?week=2017-06-11")
    assert f'id="session-{run.id}"' in week.text
    assert re.search(r'id="sessions-done">1 of \d+ planned<', week.text)


def test_a_logged_session_without_samples_has_no_curve(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form())
    [stored] = demo.activity.sessions(okafor(demo), p4)
    page = as_patient.get(f"/activity/sessions/{stored.id}")
    assert page.status_code == 200
    assert "Logged by hand" in page.text
    assert "Round the park" in page.text
    switch_to(as_patient, *PATIENT5)
    assert as_patient.get(f"/activity/sessions/{stored.id}").status_code == 404


def test_a_session_without_heart_rate_shows_no_zone_chart(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form(avg_hr="", max_hr=""))
    [stored] = demo.activity.sessions(okafor(demo), p4)
    page = as_patient.get(f"/activity/sessions/{stored.id}")
    assert "No heart-rate recording for this session." in page.text
    assert "chart-session-zones" not in page.text
    assert "Minutes per heart-rate zone" not in page.text


def test_a_session_with_heart_rate_never_says_there_is_no_recording(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form(rpe=""))
    [stored] = demo.activity.sessions(okafor(demo), p4)
    page = as_patient.get(f"/activity/sessions/{stored.id}")
    assert "No heart-rate recording" not in page.text
    assert "The heart rate was entered with the session (average 118, maximum 131 bpm)" in page.text


def test_an_unknown_activity_shows_dose_unknown_on_its_page_and_in_the_week(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    form = session_form(sport="other", rpe="", avg_hr="", max_hr="")
    assert post(as_patient, f"/patients/{p4}/activity/sessions/new", form).status_code == 303
    [stored] = demo.activity.sessions(okafor(demo), p4)
    page = as_patient.get(f"/activity/sessions/{stored.id}")
    assert re.search(r"<dt>MET-minutes</dt><dd>dose unknown</dd>", page.text)
    assert re.search(r"<dt>kcal per kg</dt><dd>dose unknown</dd>", page.text)
    week = as_patient.get(f"/patients/{p4}/activity?week=2026-11-25")
    assert "1 session with dose unknown, not counted" in week.text
    assert 'class="dose-unknown">dose unknown<' in week.text


def test_steps_entered_in_the_log_form_are_kept_and_shown(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    assert (
        post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form(steps="3200")).status_code
        == 303
    )
    [stored] = demo.activity.sessions(okafor(demo), p4)
    assert stored.steps == 3200
    page = as_patient.get(f"/activity/sessions/{stored.id}")
    assert '<dd id="session-steps">3,200</dd>' in page.text
    bad = post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form(steps="-4"))
    assert bad.status_code == 422
    assert 'name="steps"' in bad.text
    assert len(demo.activity.sessions(okafor(demo), p4)) == 1


def test_a_week_without_heart_rate_shows_no_heart_rate_zone_minutes(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form(avg_hr="", max_hr=""))
    week = as_patient.get(f"/patients/{p4}/activity?week=2026-11-25")
    assert "No heart-rate minutes this week." in week.text
    assert 'id="chart-zones-title"' not in week.text


# --- adverse events ------------------------------------------------------------------------------


def test_an_adverse_event_is_listed_and_counted_per_protocol(
    client: TestClient, demo: Services, p4: int
) -> None:
    give_plan(demo, p4)
    before = home_walking_counts(demo)  # the demo clinic has events of its own
    login(client, *PATIENT4)
    sent = post(client, f"/patients/{p4}/activity/adverse-events", EVENT_FORM)
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"])
    assert 'id="saved"' in page.text
    assert "Turned an ankle on the kerb" in page.text
    assert "Wed 25 Nov 2026 18:50" in page.text
    [event] = demo.activity.adverse_events(okafor(demo), p4)
    assert (event.severity.value, event.protocol) == ("moderate", "home_walking")
    assert client.get("/activity/adverse-events/summary").status_code == 403

    switch_to(client, *RIVERA)
    assert 'id="nav-adverse-events"' in client.get(f"/patients/{p4}/activity/adverse-events").text
    summary = client.get("/activity/adverse-events/summary")
    assert summary.status_code == 200
    row = summary.text.split('data-protocol="home_walking"', 1)[1].split("</tr>", 1)[0]
    shown = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", row)]  # mild .. serious, total
    assert shown == [before.get(sv, 0) + (sv == "moderate") for sv in SEVERITIES] + [sum(before.values()) + 1]
    switch_to(client, *RESEARCHER)
    assert client.get("/activity/adverse-events/summary").status_code == 200
    switch_to(client, *ADMIN)
    assert client.get("/activity/adverse-events/summary").status_code == 403


def test_a_bad_adverse_event_is_shown_again_naming_the_field(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    sent = post(as_patient, f"/patients/{p4}/activity/adverse-events", {**EVENT_FORM, "severity": ""})
    assert sent.status_code == 422
    assert "Severity" in sent.text.split('id="form-error"', 1)[1].split("</article>", 1)[0]
    assert re.search(r'name="severity"[^>]*aria-invalid="true"', sent.text)
    assert "Turned an ankle on the kerb</textarea>" in sent.text
    assert demo.activity.adverse_events(okafor(demo), p4) == []


def test_a_ticked_warning_sign_tells_the_patient_to_stop_and_alerts_the_care_team(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    give_plan(demo, p4)
    form = as_patient.get(f"/patients/{p4}/activity/adverse-events").text
    assert 'name="warning_sign.chest_pain"' in form
    assert 'id="cardiac-warning"' not in form  # nothing reported yet: no alarm on an empty form
    assert "999" in form.split('id="report"', 1)[1]  # the configured crisis numbers, not a fixed text

    sent = post(
        as_patient,
        f"/patients/{p4}/activity/adverse-events",
        {**EVENT_FORM, "severity": "mild", "description": "Felt odd", "warning_sign.chest_pain": "1"},
    )
    assert sent.status_code == 303, sent.text
    page = as_patient.get(sent.headers["location"]).text
    box = page.split('id="cardiac-warning"', 1)[1].split("</article>", 1)[0]
    assert "Stop exercising and get help" in box
    assert "You reported: pain, pressure or tightness in the chest" in box
    assert "Stop at once" in box
    assert 'href="tel:999"' in page.split('id="cardiac-phone"', 1)[1].split("</p>", 1)[0]
    assert "Your care team has been alerted" in page
    [event] = demo.activity.adverse_events(okafor(demo), p4)
    assert event.warning_signs == ("chest_pain",)
    [alert] = demo.alerts.for_patient(okafor(demo), p4, active_only=True)
    assert (alert.code, alert.severity) == ("adverse_event_cardiac_sign", "mild")


def test_a_warning_sign_written_in_the_report_brings_the_guidance_up(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    sent = post(
        as_patient,
        f"/patients/{p4}/activity/adverse-events",
        {**EVENT_FORM, "severity": "severe", "description": "A severe chest tightness on the hill"},
    )
    page = as_patient.get(sent.headers["location"]).text
    assert "You reported: pain, pressure or tightness in the chest" in page
    # Named, not ticked: the guidance is shown, the stored event keeps what was ticked (nothing).
    [event] = demo.activity.adverse_events(okafor(demo), p4)
    assert event.warning_signs == ()


def test_an_unknown_warning_sign_is_refused_and_the_form_comes_back(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    sent = post(
        as_patient,
        f"/patients/{p4}/activity/adverse-events",
        {**EVENT_FORM, "warning_sign.chest_pain": "1", "warning_sign.headache": "1"},
    )
    assert sent.status_code == 422
    assert "unknown warning sign 'headache'" in html.unescape(sent.text)
    assert re.search(r'name="warning_sign.chest_pain" value="1" checked', sent.text)
    assert demo.activity.adverse_events(okafor(demo), p4) == []


def test_session_notes_naming_a_warning_sign_bring_the_guidance_up(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    sent = post(
        as_patient, f"/patients/{p4}/activity/sessions/new", session_form(notes="Got short of breath")
    )
    week = as_patient.get(sent.headers["location"]).text
    assert "You reported: breathlessness far beyond" in week
    [stored] = demo.activity.sessions(okafor(demo), p4)
    link = week.split('id="report-signs"', 1)[1].split("</p>", 1)[0]
    assert f"/activity/adverse-events?session_id={stored.id}" in link
    assert 'id="cardiac-warning"' in as_patient.get(f"/activity/sessions/{stored.id}").text

    quiet = post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form(start="2026-11-24T18:30"))
    assert 'id="cardiac-warning"' not in as_patient.get(quiet.headers["location"]).text


def test_the_report_form_can_name_the_session(as_patient: TestClient, demo: Services, p4: int) -> None:
    post(as_patient, f"/patients/{p4}/activity/sessions/new", session_form())
    [stored] = demo.activity.sessions(okafor(demo), p4)
    form = as_patient.get(f"/patients/{p4}/activity/adverse-events?session_id={stored.id}")
    assert f'name="session_id" inputmode="numeric" value="{stored.id}"' in form.text
    sent = post(
        as_patient, f"/patients/{p4}/activity/adverse-events", {**EVENT_FORM, "session_id": str(stored.id)}
    )
    assert sent.status_code == 303
    assert "Turned an ankle" in as_patient.get(f"/activity/sessions/{stored.id}").text


# --- uploads -------------------------------------------------------------------------------------


def test_an_upload_shows_the_import_done_and_a_repeat_adds_nothing(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    page = as_patient.get(f"/patients/{p4}/activity/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert '<script src="/static/upload.js" defer></script>' in page.text

    sent = upload(as_patient, p4, FIT_RUN)
    assert sent.status_code == 202, sent.text
    result = sent.text.split('id="upload-result"', 1)[1]
    assert '<span class="import-state">done</span>' in result
    assert '<span class="import-sessions">1</span> session imported from a FIT file' in result
    assert "hx-trigger" not in result, "a finished import is not polled"
    [rec] = demo.imports.imports(okafor(demo), p4)

    again = upload(as_patient, p4, FIT_RUN)
    assert again.status_code == 200
    assert 'id="already-imported"' in again.text
    assert len(demo.activity.sessions(okafor(demo), p4)) == 1
    assert [r.id for r in demo.imports.imports(okafor(demo), p4)] == [rec.id]

    fragment = as_patient.get(f"/activity/imports/{rec.id}/status?already=1")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'id="already-imported"' in fragment.text
    assert "done" in fragment.text
    assert rec.filename in as_patient.get(f"/patients/{p4}/activity").text  # recent uploads


def test_a_corrupt_file_shows_the_readers_message(as_patient: TestClient, demo: Services, p4: int) -> None:
    sent = upload(as_patient, p4, FIT_CORRUPT)
    assert sent.status_code == 202
    assert '<span class="import-state">failed</span>' in sent.text
    assert "the file ends in the middle of a record" in sent.text
    assert "Nothing from it was stored" in sent.text
    assert demo.activity.sessions(okafor(demo), p4) == []


def test_no_file_is_named(as_patient: TestClient, demo: Services, p4: int) -> None:
    sent = post(as_patient, f"/patients/{p4}/activity/import", {})
    assert sent.status_code == 422
    assert "File" in sent.text.split('id="form-error"', 1)[1].split("</article>", 1)[0]
    assert demo.imports.imports(okafor(demo), p4) == []


def test_a_waiting_import_is_polled_until_it_is_done(as_patient: TestClient, demo: Services, p4: int) -> None:
    queued: list[int] = []
    demo.imports.use_queue(queued.append)  # a queue no worker takes from: the import waits
    sent = upload(as_patient, p4, FIT_RUN)
    assert sent.status_code == 202
    [import_id] = queued
    waiting = as_patient.get(f"/activity/imports/{import_id}/status")
    assert f'hx-get="/activity/imports/{import_id}/status"' in waiting.text
    assert 'hx-trigger="every 1s"' in waiting.text
    assert '<span class="import-state">waiting</span>' in waiting.text

    demo.imports.run(import_id)  # the worker's turn
    done = as_patient.get(f"/activity/imports/{import_id}/status", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.text
    assert '<span class="import-state">done</span>' in done.text
    switch_to(as_patient, *PATIENT5)
    assert as_patient.get(f"/activity/imports/{import_id}/status").status_code == 404


def test_a_serious_event_tells_the_patient_the_care_team_is_alerted(
    client: TestClient, demo: Services, p4: int
) -> None:
    give_plan(demo, p4)
    login(client, *PATIENT4)
    sent = post(client, f"/patients/{p4}/activity/adverse-events", {**EVENT_FORM, "severity": "serious"})
    assert sent.status_code == 303, sent.text
    assert "saved=alerted&event=" in sent.headers["location"]
    page = client.get(sent.headers["location"])
    assert "Your care team has been alerted" in page.text
    assert 'role="alert"' in page.text
    [alert] = demo.alerts.for_patient(okafor(demo), p4, active_only=True)
    assert alert.code == "adverse_event_serious"


# --- the formats come from the registry -------------------------------------------------------------

# One walk as an Open mHealth physical-activity data point (no real sample of the format is shared).
OMH_WALK = (
    b'{"data_points": [{"header": {"schema_id": {"namespace": "omh", "name": "physical-activity", '
    b'"version": "1.2"}}, "body": {"activity_name": "walking", "effective_time_frame": {"time_interval": '
    b'{"start_date_time": "2026-11-20T06:00:00Z", "duration": {"value": 30, "unit": "min"}}}, '
    b'"distance": {"value": 2, "unit": "km"}}}]}'
)


def test_the_upload_page_lists_every_format_the_readers_know(as_patient: TestClient, p4: int) -> None:
    page = as_patient.get(f"/patients/{p4}/activity/import").text
    accept = re.search(r'<input type="file"[^>]* accept="([^"]*)"', page)
    assert accept is not None
    offered = set(accept.group(1).split(","))
    listed = page.split('id="upload-formats"', 1)[1].split("</ul>", 1)[0]
    for spec in REGISTRY:
        assert set(spec.extensions) <= offered, spec.name
        item = re.search(rf'<li data-format="{spec.name}">(.*?)</li>', listed)
        assert item is not None, f"{spec.name} is not listed"
        assert html.unescape(item.group(1)).startswith(f"{spec.label}: "), item.group(1)
        for limit in spec.limits:
            assert limit.text in html.unescape(item.group(1)), (spec.name, limit.text)
    assert offered == {ext for spec in REGISTRY for ext in spec.extensions}


def test_an_import_says_which_kind_of_file_it_came_from(
    as_patient: TestClient, demo: Services, p4: int
) -> None:
    # It used to read "from a OMH file" (the stored code upper-cased) for every format but FIT, TCX,
    # GPX and CSV; the words now come from the format's spec.
    sent = as_patient.post(
        f"/patients/{p4}/activity/import",
        data={"csrf_token": csrf_of(as_patient)},
        files={"file": ("walk.json", OMH_WALK, "application/json")},
        follow_redirects=False,
    )
    assert sent.status_code == 202, sent.text
    result = sent.text.split('id="upload-result"', 1)[1]
    assert '<span class="import-sessions">1</span> session imported from an Open mHealth JSON file' in result
    [walk] = demo.activity.sessions(okafor(demo), p4)
    page = as_patient.get(f"/activity/sessions/{walk.id}")
    assert "Imported from an Open mHealth JSON file" in page.text
