"""Measurement-based care through the pages (TestClient over the demo clinic, both backends):
answering, crisis guidance, the alert inbox, the record's trajectory and the treatment form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import QuestionnaireResponseRow, SafetyAlertRow, TreatmentEntryRow
from tests.conftest import FakeClock, csrf_of, login

CLINICIAN = ("dr.rivera", "demo-clinic-clinician")
PATIENT = ("patient1", "demo-clinic-patient")
RESULT_URL = re.compile(r"/responses/(\d+)$")


def phq9_form(*values: int | str, item10: str = "") -> dict[str, str]:
    assert len(values) == 9
    form = {f"phq9_{i}": str(v) for i, v in enumerate(values, start=1)}
    form["phq9_10"] = item10
    return form


ITEM9 = phq9_form(2, 2, 2, 1, 1, 1, 1, 0, 1)  # total 11, item 9 positive
CALM = phq9_form(1, 1, 0, 1, 0, 0, 0, 1, 0, item10="1")  # total 4
SEVERE = phq9_form(3, 3, 3, 3, 2, 2, 2, 2, 0)  # total 20
REMITTED = phq9_form(1, 1, 1, 0, 0, 0, 0, 0, 0)  # total 3: remission from 20
RESPONDED = phq9_form(2, 2, 1, 1, 1, 1, 1, 0, 0)  # total 9: >= 50 % down from 20, not < 5


def patient_id(demo: Services, mrn: str) -> int:
    [found] = demo.patients.search(Caller.cli(), text=mrn).items
    return found.id


def stored(demo: Services, model: type[QuestionnaireResponseRow] | type[SafetyAlertRow], pid: int) -> int:
    with demo.deps.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(model.patient_id == pid)) or 0)


def switch_to(client: TestClient, username: str, password: str) -> TestClient:
    client.cookies.clear()
    return login(client, username, password)


def answer(client: TestClient, pid: int, form: dict[str, str], *, instrument: str = "phq9") -> int:
    """Submit a questionnaire through the form; the id of the stored response."""
    sent = client.post(
        f"/patients/{pid}/questionnaires/{instrument}",
        data={**form, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    match = RESULT_URL.search(sent.headers["location"])
    assert match, sent.headers["location"]
    return int(match.group(1))


@pytest.fixture
def p1(demo: Services) -> int:
    return patient_id(demo, "DEMO-0001")


@pytest.fixture
def as_patient(client: TestClient) -> TestClient:
    return login(client, *PATIENT)


# --- answering ---------------------------------------------------------------------------------


def test_patient_sees_the_form_with_every_answer_and_no_interview_date(
    as_patient: TestClient, p1: int
) -> None:
    page = as_patient.get(f"/patients/{p1}/questionnaires/phq9")
    assert page.status_code == 200
    assert 'class="questionnaire"' in page.text
    assert page.text.count('type="radio" name="phq9_9"') == 4
    assert page.text.count('type="radio" name="phq9_10"') == 4
    assert 'name="answered_on"' not in page.text


def test_item_9_shows_the_crisis_guidance_at_once(as_patient: TestClient, demo: Services, p1: int) -> None:
    rid = answer(as_patient, p1, ITEM9)
    page = as_patient.get(f"/responses/{rid}")
    assert page.status_code == 200
    assert re.search(r'id="result-total">\s*11 of 27', page.text)
    assert 'id="crisis-guidance"' in page.text
    assert "Your care team has been told" in page.text
    assert stored(demo, SafetyAlertRow, p1) == 1


def test_the_crisis_numbers_are_tel_links(as_patient: TestClient, p1: int) -> None:
    """A patient in crisis taps the number to call it: each phone number is a sanitised tel: link."""
    rid = answer(as_patient, p1, ITEM9)
    page = as_patient.get(f"/responses/{rid}")
    phones = page.text.split('class="crisis-phone"', 1)[1].split("</p>", 1)[0]
    assert re.findall(r'href="(tel:[^"]*)"', phones) == ["tel:116123", "tel:111", "tel:999"]
    assert ">116 123</a>" in phones


def test_the_record_shows_the_configured_crisis_guidance_with_tel_links_until_resolved(
    as_patient: TestClient, demo: Services, p1: int
) -> None:
    """The patient's record shows the same crisis guidance as the result page (the site's or the
    deployment's, not numbers written into the page), each number a tel: link."""
    answer(as_patient, p1, ITEM9)
    page = as_patient.get(f"/patients/{p1}").text
    guidance = page.split('id="crisis-guidance"', 1)[1].split("</article>", 1)[0]
    assert 'role="alert"' in page.split('id="crisis-guidance"', 1)[0].rsplit("<article", 1)[1]
    assert "Your care team has been told" in guidance
    phones = guidance.split('class="crisis-phone"', 1)[1].split("</p>", 1)[0]
    assert re.findall(r'href="(tel:[^"]*)"', phones) == ["tel:116123", "tel:111", "tel:999"]
    [alert] = demo.alerts.for_patient(
        Caller(actor=demo.auth.login(*CLINICIAN, client_addr="t", user_agent="t").actor), p1
    )
    rivera = Caller(actor=demo.auth.login(*CLINICIAN, client_addr="t", user_agent="t").actor)
    demo.alerts.acknowledge(rivera, alert.id, note="Phoned the patient; seeing them today.")
    assert 'id="crisis-guidance"' in as_patient.get(f"/patients/{p1}").text  # acknowledged is not resolved
    demo.alerts.resolve(
        rivera,
        alert.id,
        decision="safety_plan",
        reason="Seen today; safety plan in place.",
        next_review_on=demo.deps.clock().date(),
    )
    assert 'id="crisis-guidance"' not in as_patient.get(f"/patients/{p1}").text


def test_a_calm_answer_shows_the_total_and_no_crisis_guidance(
    as_patient: TestClient, demo: Services, p1: int
) -> None:
    rid = answer(as_patient, p1, CALM)
    page = as_patient.get(f"/responses/{rid}")
    assert re.search(r'id="result-total">\s*4 of 27', page.text)
    assert re.search(r'id="result-severity">\s*minimal', page.text)
    assert 'id="crisis-guidance"' not in page.text
    assert stored(demo, SafetyAlertRow, p1) == 0


@pytest.mark.parametrize(
    ("change", "field_text", "message"),
    [
        ({"phq9_4": "7"}, "Question 4", "not a valid answer"),
        ({"phq9_2": "-1"}, "Question 2", "not a valid answer"),
        ({"phq9_6": "often"}, "Question 6", "choose one of the answers"),
        ({"phq9_3": ""}, "Question 3", "please answer every question"),
        ({"phq9_9": "", "phq9_5": ""}, "Question 5", "please answer every question"),
    ],
)
def test_a_wrong_or_incomplete_form_shows_the_error_and_stores_nothing(
    as_patient: TestClient, demo: Services, p1: int, change: dict[str, str], field_text: str, message: str
) -> None:
    sent = as_patient.post(
        f"/patients/{p1}/questionnaires/phq9",
        data={**ITEM9, **change, "csrf_token": csrf_of(as_patient)},
        follow_redirects=False,
    )
    assert sent.status_code == 422
    assert 'id="form-error"' in sent.text
    # The summary names the question as the form numbers it, not by its internal id ("Phq9 3").
    assert field_text in sent.text.split('id="form-error"', 1)[1].split("</article>", 1)[0]
    assert message in sent.text
    first_bad = sorted(change, key=lambda k: int(k.split("_")[1]))[0]
    assert re.search(
        rf'id="item-{first_bad}"\s+aria-invalid="true" aria-describedby="error-{first_bad}"', sent.text
    )
    # The message sits in the question's own box, right under its wording.
    item = sent.text.split(f'id="item-{first_bad}"', 1)[1].split("</fieldset>", 1)[0]
    assert re.search(rf'<small class="field-error" id="error-{first_bad}">[^<]*{message}', item)
    assert stored(demo, QuestionnaireResponseRow, p1) == 0
    assert stored(demo, SafetyAlertRow, p1) == 0


def test_the_form_without_its_csrf_token_is_refused(as_patient: TestClient, demo: Services, p1: int) -> None:
    sent = as_patient.post(f"/patients/{p1}/questionnaires/phq9", data=ITEM9, follow_redirects=False)
    assert sent.status_code == 403
    assert stored(demo, QuestionnaireResponseRow, p1) == 0


def test_patient_may_not_open_a_clinician_rated_scale_or_another_patients_form(
    as_patient: TestClient, demo: Services, p1: int
) -> None:
    assert as_patient.get(f"/patients/{p1}/questionnaires/hamd17").status_code == 403
    other = patient_id(demo, "DEMO-0002")
    assert as_patient.get(f"/patients/{other}/questionnaires/phq9").status_code == 404
    sent = as_patient.post(
        f"/patients/{other}/questionnaires/phq9",
        data={**CALM, "csrf_token": csrf_of(as_patient)},
        follow_redirects=False,
    )
    assert sent.status_code == 404
    assert stored(demo, QuestionnaireResponseRow, other) == 0
    assert as_patient.get("/dashboard").status_code == 403
    assert as_patient.get("/alerts").status_code == 403


# --- the care team's side ----------------------------------------------------------------------


def test_clinician_sees_the_alert_everywhere_and_acknowledges_it(
    client: TestClient, demo: Services, p1: int
) -> None:
    login(client, *PATIENT)
    rid = answer(client, p1, ITEM9)
    [alert] = demo.alerts.for_patient(
        Caller(actor=demo.auth.login(*CLINICIAN, client_addr="t", user_agent="t").actor), p1
    )
    family = demo.patients.get(Caller.cli(), p1).patient.details.family_name

    switch_to(client, *CLINICIAN)
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert family in dashboard.text
    assert f"/alerts/{alert.id}" in dashboard.text
    inbox = client.get("/alerts")
    assert f'id="alert-{alert.id}"' in inbox.text
    assert 'id="no-alerts"' not in inbox.text
    record = client.get(f"/patients/{p1}")
    assert 'id="open-alerts"' in record.text
    assert f"/alerts/{alert.id}/acknowledge" in record.text
    result = client.get(f"/responses/{rid}")
    assert 'id="response-alert"' in result.text
    assert 'id="crisis-guidance"' not in result.text  # that is for the patient

    too_short = client.post(
        f"/alerts/{alert.id}/acknowledge",
        data={"note": "ok", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert too_short.status_code == 422
    assert 'id="form-error"' in too_short.text
    assert f'id="alert-{alert.id}"' in too_short.text
    assert "ok</textarea>" in too_short.text.split(f'id="alert-{alert.id}"', 1)[1]
    from_page = client.post(
        f"/alerts/{alert.id}/acknowledge",
        data={"note": "ok", "back": f"/alerts/{alert.id}", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert from_page.status_code == 422  # back on the alert's own page, the note kept
    assert "ok</textarea>" in from_page.text
    assert 'id="alert-state"' in from_page.text

    done = client.post(
        f"/alerts/{alert.id}/acknowledge",
        data={
            "note": "Phoned the patient; risk assessed, safety plan agreed.",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith("/alerts")
    # Acknowledged is not resolved: the alert stays in the inbox, on the record and the dashboard.
    inbox = client.get("/alerts")
    card = inbox.text.split(f'id="alert-{alert.id}"', 1)[1].split("</article>", 1)[0]
    assert "safety plan agreed" in card
    assert "acknowledged" in card
    assert f'href="/alerts/{alert.id}"' in card
    assert 'id="open-alerts"' in client.get(f"/patients/{p1}").text
    assert f"/alerts/{alert.id}" in client.get("/dashboard").text

    again = client.post(
        f"/alerts/{alert.id}/acknowledge",
        data={"note": "Acknowledging a second time", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert again.status_code == 422

    page = client.get(f"/alerts/{alert.id}")
    assert page.status_code == 200
    assert 'id="resolve-form"' in page.text
    assert page.text.count('name="decision"') == 5
    missing = client.post(
        f"/alerts/{alert.id}/resolve",
        data={
            "reason": "Seen in clinic today.",
            "next_review_on": "2026-12-03",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert missing.status_code == 422
    assert "Decision:" in missing.text.split('id="form-error"', 1)[1]
    # What was typed comes back with the error.
    assert "Seen in clinic today.</textarea>" in missing.text
    assert 'name="next_review_on" min="2026-11-26" required value="2026-12-03"' in missing.text
    short = client.post(
        f"/alerts/{alert.id}/resolve",
        data={"decision": "referred", "reason": "ok", "next_review_on": "", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert short.status_code == 422
    assert re.search(r'value="referred" required checked', short.text)
    resolved = client.post(
        f"/alerts/{alert.id}/resolve",
        data={
            "decision": "safety_plan",
            "reason": "Seen in clinic today; safety plan in place.",
            "next_review_on": "2026-12-03",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert resolved.status_code == 303
    shown = client.get(resolved.headers["location"]).text
    assert 'id="alert-resolved"' in shown
    assert "Safety plan in place" in shown.split('id="alert-decision"', 1)[1]
    assert 'id="resolve-form"' not in shown
    assert 'id="no-alerts"' in client.get("/alerts").text
    assert 'id="open-alerts"' not in client.get(f"/patients/{p1}").text
    assert "None open." in client.get("/dashboard").text
    assert "Safety plan in place" in client.get("/alerts?all=1").text.split(f'id="alert-{alert.id}"', 1)[1]
    twice = client.post(
        f"/alerts/{alert.id}/resolve",
        data={
            "decision": "referred",
            "reason": "Second decision on the same alert.",
            "next_review_on": "2026-12-03",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert twice.status_code == 409
    assert "already resolved" in twice.text


def test_acknowledging_from_the_record_returns_to_the_record(
    client: TestClient, demo: Services, p1: int
) -> None:
    login(client, *PATIENT)
    answer(client, p1, ITEM9)
    answer(client, p1, ITEM9)
    switch_to(client, *CLINICIAN)
    record = client.get(f"/patients/{p1}")
    first, second = re.findall(r"/alerts/(\d+)/acknowledge", record.text)
    done = client.post(
        f"/alerts/{first}/acknowledge",
        data={"note": "Seen in clinic today", "back": f"/patients/{p1}", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/patients/{p1}")
    elsewhere = client.post(
        f"/alerts/{second}/acknowledge",
        data={"note": "Phoned the patient", "back": "https://evil.example/", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert elsewhere.status_code == 303
    assert elsewhere.headers["location"] == "/alerts"  # never off-site
    record = client.get(f"/patients/{p1}").text
    assert "/acknowledge" not in record  # both acknowledged: each now links to its decision
    assert f'href="/alerts/{first}"' in record
    assert f'href="/alerts/{second}"' in record


@pytest.mark.parametrize(("second", "marker"), [(REMITTED, "remission"), (RESPONDED, "response")])
def test_record_shows_the_trajectory_with_outcome_markers(
    client: TestClient, clock: FakeClock, p1: int, second: dict[str, str], marker: str
) -> None:
    login(client, *PATIENT)
    answer(client, p1, SEVERE)
    assert 'class="trajectory"' in client.get(f"/patients/{p1}").text  # one point already draws
    clock.advance(days=28)
    switch_to(client, *PATIENT)  # the session has expired in four weeks
    answer(client, p1, second)

    switch_to(client, *CLINICIAN)
    page = client.get(f"/patients/{p1}")
    assert page.status_code == 200
    svg = re.search(r'<svg class="trajectory".*?</svg>', page.text, re.S)
    assert svg, "no trajectory chart on the record"
    classes = re.findall(r'<circle [^>]*class="([^"]+)"', svg.group(0))
    assert classes == ["point", f"point {marker}"]
    assert "PHQ-9: 2 scores from 20" in svg.group(0)
    assert re.search(r"now: <strong>\s*" + marker, page.text)


def test_record_without_scores_has_no_chart(client: TestClient, p1: int) -> None:
    login(client, *CLINICIAN)
    page = client.get(f"/patients/{p1}")
    assert page.status_code == 200
    assert 'class="trajectory"' not in page.text
    assert 'id="answer-hamd17"' in page.text  # the clinician may enter a rating


# --- corrections -------------------------------------------------------------------------------


def test_clinician_corrects_a_response_through_the_form(client: TestClient, demo: Services, p1: int) -> None:
    login(client, *PATIENT)
    rid = answer(client, p1, CALM)
    assert client.get(f"/responses/{rid}/correct").status_code == 403

    switch_to(client, *CLINICIAN)
    form = client.get(f"/responses/{rid}/correct")
    assert form.status_code == 200
    assert f'action="/responses/{rid}/correct"' in form.text
    assert 'name="reason"' in form.text
    assert re.search(r'name="phq9_1" value="1"\s+checked', form.text)

    no_reason = client.post(
        f"/responses/{rid}/correct",
        data={**CALM, "phq9_3": "2", "reason": "", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert no_reason.status_code == 422
    assert "Reason" in no_reason.text
    assert stored(demo, QuestionnaireResponseRow, p1) == 1

    fixed = client.post(
        f"/responses/{rid}/correct",
        data={
            **CALM,
            "phq9_3": "2",
            "reason": "Patient phoned: item 3 was wrong",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    match = RESULT_URL.search(fixed.headers["location"])
    assert match
    assert int(match.group(1)) != rid
    page = client.get(f"/responses/{match.group(1)}")
    assert "version 2 (corrected: Patient phoned: item 3 was wrong)" in page.text
    assert re.search(r'id="result-total">\s*6 of 27', page.text)
    assert stored(demo, QuestionnaireResponseRow, p1) == 2
    again = client.post(
        f"/responses/{rid}/correct",
        data={**CALM, "reason": "Correcting the old version", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert again.status_code == 422
    assert stored(demo, QuestionnaireResponseRow, p1) == 2


def test_clinician_enters_a_dated_rating(client: TestClient, clock: FakeClock, p1: int) -> None:
    login(client, *CLINICIAN)
    day = (clock.now.date() - timedelta(days=2)).isoformat()
    rid = answer(
        client, p1, {**{f"hamd17_{i}": "1" for i in range(1, 18)}, "answered_on": day}, instrument="hamd17"
    )
    page = client.get(f"/responses/{rid}").text
    # A date without a time shows as a date only: the stored noon is not a time anyone gave.
    assert f'Answered <span id="answered-on">{day}</span> (the date given, no time)' in page
    assert "12:00" not in page.split("Answered", 1)[1].split("</p>", 1)[0]
    future = (clock.now.date() + timedelta(days=1)).isoformat()
    sent = client.post(
        f"/patients/{p1}/questionnaires/hamd17",
        data={
            **{f"hamd17_{i}": "1" for i in range(1, 18)},
            "answered_on": future,
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 422
    assert "is in the future" in sent.text


def test_schedule_form_sets_a_schedule_shown_on_the_record(
    client: TestClient, clock: FakeClock, p1: int
) -> None:
    login(client, *CLINICIAN)
    sent = client.post(
        f"/patients/{p1}/schedule",
        data={
            "instrument": "phq9",
            "every_days": "14",
            "start_date": clock.now.date().isoformat(),
            "active": "on",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(f"/patients/{p1}")
    assert "14 days" in page.text
    assert "status-due" in page.text
    assert "status-due" in client.get("/dashboard").text
    refused = client.post(
        f"/patients/{p1}/schedule",
        data={"instrument": "phq9", "every_days": "0", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert refused.status_code == 422


# --- treatment ---------------------------------------------------------------------------------


def trial(drug: str, dose: str, start: str, weeks: str, improvement: str) -> dict[str, str]:
    return {
        "kind": "antidepressant",
        "drug": drug,
        "daily_dose_mg": dose,
        "start_date": start,
        "weeks": weeks,
        "adherent": "yes",
        "improvement_pct": improvement,
    }


def test_treatment_page_records_the_episode_and_trials_and_shows_trd(
    client: TestClient, demo: Services
) -> None:
    pid = patient_id(demo, "DEMO-0002")
    login(client, *CLINICIAN)
    assert client.get(f"/patients/{pid}/treatment").status_code == 200
    episode = client.post(
        f"/patients/{pid}/episode",
        data={"episode_start": "2025-10-01", "severity": "moderate", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert episode.status_code == 303
    for form in (
        trial("sertraline", "100", "2025-10-15", "8", "20"),
        trial("venlafaxine", "150", "2026-01-10", "10", "10"),
    ):
        sent = client.post(
            f"/patients/{pid}/treatment", data={**form, "csrf_token": csrf_of(client)}, follow_redirects=False
        )
        assert sent.status_code == 303, sent.text

    page = client.get(f"/patients/{pid}/treatment")
    assert re.search(r'id="trd-status">Meets the criteria for TRD', page.text)
    assert re.search(r'id="msm-score">6<', page.text)
    record = client.get(f"/patients/{pid}")
    assert re.search(r'id="trd-status">Meets the criteria for treatment-resistant depression', record.text)
    assert record.text.count("adequate, failed") == 2

    typo = client.post(
        f"/patients/{pid}/treatment",
        data={**trial("sertralin", "100", "2025-10-15", "8", "20"), "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert typo.status_code == 422
    assert "did you mean sertraline" in typo.text
    with demo.deps.db.transaction() as s:
        count = s.scalar(
            select(func.count()).select_from(TreatmentEntryRow).where(TreatmentEntryRow.patient_id == pid)
        )
    assert count == 2


def test_patient_cannot_open_the_treatment_form(client: TestClient, demo: Services, p1: int) -> None:
    login(client, *PATIENT)
    assert client.get(f"/patients/{p1}/treatment").status_code == 403
    sent = client.post(
        f"/patients/{p1}/episode",
        data={"episode_start": "2025-10-01", "severity": "moderate", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 403
    assert client.get(f"/patients/{p1}").status_code == 200


def test_an_entry_is_retracted_with_the_entry_a_reason_and_the_checkbox(
    client: TestClient, demo: Services
) -> None:
    # Retracting says "this was entered in error": re-typing the trial's dose and weeks must not be needed.
    pid = patient_id(demo, "DEMO-0002")
    login(client, *CLINICIAN)
    client.post(
        f"/patients/{pid}/episode",
        data={"episode_start": "2025-10-01", "severity": "moderate", "csrf_token": csrf_of(client)},
    )
    client.post(
        f"/patients/{pid}/treatment",
        data={**trial("sertraline", "100", "2025-10-15", "8", "20"), "csrf_token": csrf_of(client)},
    )
    entry = re.search(
        r'<option value="(\d+)">#\d+ sertraline</option>', client.get(f"/patients/{pid}/treatment").text
    )
    assert entry
    sent = client.post(
        f"/patients/{pid}/treatment",
        data={
            "kind": "antidepressant",
            "supersedes": entry.group(1),
            "reason": "Entered on the wrong patient",
            "retract": "on",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, re.findall(r'id="form-error">(.*?)</article>', sent.text, re.S)
    page = client.get(f"/patients/{pid}/treatment")
    assert "<h2>Recorded</h2>" not in page.text  # no current entry left
    assert re.search(r'id="trd-status">Does not meet the criteria for TRD</strong>: 0 adequate', page.text)
