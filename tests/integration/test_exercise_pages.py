"""The exercise pages (TestClient over the demo clinic, both backends): the screening form and its
decision, the plan builder and its versions, the plan as the patient sees it, the on-hold banner and
the protocol library."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from stride.clinical.prescription import protocol_ids
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import ExercisePlanRow, ScreeningRow
from tests.conftest import FakeClock, csrf_of, login

CLINICIAN = ("dr.rivera", "demo-clinic-clinician")
PATIENT = ("patient1", "demo-clinic-patient")
ITEM9_PHQ9 = {f"phq9_{i}": v for i, v in enumerate((2, 2, 2, 1, 1, 1, 1, 0, 1), start=1)}
NO_RISK_PHQ9 = {f"phq9_{i}": v for i, v in enumerate((1, 1, 2, 1, 0, 1, 0, 1, 0), start=1)}


def screening_form(**change: str | list[str]) -> dict[str, str | list[str]]:
    """The screening form as a clinician fills it in: inactive, healthy, moderate, all PAR-Q+ no."""
    form: dict[str, str | list[str]] = {
        "currently_active": "no",
        "desired_intensity": "moderate",
        "bp_systolic": "122",
        "bp_diastolic": "78",
        **{f"q{i}": "no" for i in range(1, 8)},
        "phq9_item9": "0",
        "cssrs_risk": "",
        "medications": "",
    }
    form.update(change)
    return form


def builder_form(**change: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "protocol": "home_walking",
        "setting": "home",
        "minutes": "30",
        "weeks": "12",
        "days": ["mon", "wed", "fri"],
    }
    form.update(change)
    return form


def patient_id(demo: Services, mrn: str) -> int:
    [found] = demo.patients.search(Caller.cli(), text=mrn).items
    return found.id


def stored(demo: Services, model: type[ScreeningRow] | type[ExercisePlanRow], pid: int) -> int:
    with demo.deps.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(model.patient_id == pid)) or 0)


def caller(demo: Services, username: str, password: str) -> Caller:
    return Caller(actor=demo.auth.login(username, password, client_addr="t", user_agent="t").actor)


def post(client: TestClient, url: str, form: dict[str, str | list[str]]) -> tuple[int, str]:
    """Send a form with the session's CSRF token, not following a redirect: (status, page)."""
    sent = client.post(url, data={**form, "csrf_token": csrf_of(client)}, follow_redirects=False)
    return sent.status_code, sent.text


def screen(client: TestClient, pid: int, **change: str | list[str]) -> None:
    sent = client.post(
        f"/patients/{pid}/screening",
        data={**screening_form(**change), "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith(f"/patients/{pid}/screening#decision")


def build(client: TestClient, pid: int, **change: str | list[str]) -> None:
    sent = client.post(
        f"/patients/{pid}/plan/new",
        data={**builder_form(**change), "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith(f"/patients/{pid}/plan")


def switch_to(client: TestClient, username: str, password: str) -> TestClient:
    client.cookies.clear()
    return login(client, username, password)


def decision_of(page: str) -> str:
    match = re.search(r'id="screening-decision">([^<]*)<', page)
    assert match, "no decision on the page"
    return match.group(1)


@pytest.fixture
def p1(demo: Services) -> int:
    return patient_id(demo, "DEMO-0001")


@pytest.fixture
def as_clinician(client: TestClient) -> TestClient:
    return login(client, *CLINICIAN)


# --- the screening form ---------------------------------------------------------------------------


def test_the_form_never_prefills_a_risk_answer(
    as_clinician: TestClient, demo: Services, p1: int, clock: FakeClock
) -> None:
    """Suicide risk is assessed afresh at each (re-)screening, never carried over from earlier answers."""
    patient = caller(demo, *PATIENT)
    demo.measurements.submit(patient, p1, "phq9", NO_RISK_PHQ9)
    clock.advance(minutes=10)  # less than the session's idle timeout
    demo.measurements.submit(patient, p1, "phq9", {**NO_RISK_PHQ9, "phq9_9": 2})
    demo.measurements.submit(
        patient, p1, "cssrs_screen", {"cssrs_screen_q1": 1, "cssrs_screen_q2": 0, "cssrs_screen_q6": 0}
    )

    page = as_clinician.get(f"/patients/{p1}/screening")
    assert page.status_code == 200
    assert "Not screened yet" in page.text
    item9 = page.text.split('name="phq9_item9"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\d)"\s*selected>', item9) == []
    cssrs = page.text.split('name="cssrs_risk"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\w+)"\s*selected>', cssrs) == []
    assert 'name="age"' not in page.text  # age and sex come from the record
    assert 'name="sex"' not in page.text


def test_the_form_keeps_the_previous_screenings_answers(as_clinician: TestClient, p1: int) -> None:
    screen(as_clinician, p1, medications="sertraline, bisoprolol", bp_systolic="138", bp_diastolic="86")
    page = as_clinician.get(f"/patients/{p1}/screening")
    assert 'name="medications" value="sertraline, bisoprolol"' in page.text
    assert 'name="bp_systolic" inputmode="numeric" value="138"' in page.text
    assert "Screen again" in page.text


def test_a_screening_sent_through_the_api_without_par_q_renders_as_not_answered(
    client: TestClient, demo: Services, p1: int
) -> None:
    """PAR-Q+ is optional in the screening rules (its rules are then not applied and the reasons say
    so); a screening the API stored without it once made the screening page answer 500 for ever."""
    token = demo.auth.create_api_token(Caller.cli(), username=CLINICIAN[0], name="no-parq")
    answers = {
        "currently_active": False,
        "known_disease": [],
        "symptoms": [],
        "desired_intensity": "moderate",
        "resting_bp": [120, 80],
        "phq9_item9": 0,
    }
    sent = client.post(
        f"/api/v1/patients/{p1}/screenings", json=answers, headers={"Authorization": f"Bearer {token}"}
    )
    assert sent.status_code == 201, sent.text
    assert "parq_not_given" in [r["code"] for r in sent.json()["reasons"]]

    page = login(client, *CLINICIAN).get(f"/patients/{p1}/screening")
    assert page.status_code == 200, page.text
    assert decision_of(page.text) == "cleared"
    assert "PAR-Q+ not given: its rules were not applied." in page.text
    assert 'id="parq-not-answered"' in page.text
    parq = page.text.split("PAR-Q+ general health questions", 1)[1].split("</fieldset>", 1)[0]
    assert "checked" not in parq  # every question left unanswered, none prefilled


def test_the_decision_is_shown_with_its_reasons_and_sources(
    as_clinician: TestClient, demo: Services, p1: int
) -> None:
    screen(as_clinician, p1, medications="bisoprolol")
    page = as_clinician.get(f"/patients/{p1}/screening")

    assert decision_of(page.text) == "cleared with restrictions"
    assert re.search(r'class="badge restriction">intensity by rpe<', page.text)
    reasons = page.text.split('<ol class="reasons">', 1)[1].split("</ol>", 1)[0]
    assert reasons.count("<li>") == 3
    assert "<strong>beta blocker</strong>: Bisoprolol is a beta-blocker" in reasons
    assert reasons.count('class="source">Source: ') == 3
    assert "Eston" in reasons
    assert 'id="build-plan"' in page.text
    assert stored(demo, ScreeningRow, p1) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bp_systolic": "abc"}, "must be a whole number"),
        ({"bp_systolic": "400"}, "400 is outside"),
        # A negative number is a number: the screening's own range names it, as for the API.
        ({"bp_systolic": "-120"}, "-120 is outside"),
    ],
)
def test_an_invalid_value_shows_the_error_and_stores_nothing(
    as_clinician: TestClient, demo: Services, p1: int, change: dict[str, str], message: str
) -> None:
    status, text = post(as_clinician, f"/patients/{p1}/screening", screening_form(**change))
    assert status == 422
    error = text.split('id="form-error"', 1)[1].split("</article>", 1)[0]
    assert "Resting blood pressure (systolic)" in error
    assert message in error
    assert f'value="{change["bp_systolic"]}"' in text  # the form keeps what was typed
    assert 'id="screening-decision"' not in text
    assert stored(demo, ScreeningRow, p1) == 0


def test_a_diastolic_above_the_systolic_is_refused(as_clinician: TestClient, demo: Services, p1: int) -> None:
    form = screening_form(bp_systolic="80", bp_diastolic="95")
    status, text = post(as_clinician, f"/patients/{p1}/screening", form)
    assert status == 422
    assert "diastolic 95 is not below systolic 80" in text
    assert stored(demo, ScreeningRow, p1) == 0


def test_the_patient_may_not_open_or_post_the_screening_form(
    client: TestClient, demo: Services, p1: int
) -> None:
    login(client, *PATIENT)
    assert client.get(f"/patients/{p1}/screening").status_code == 403
    assert post(client, f"/patients/{p1}/screening", screening_form())[0] == 403
    assert stored(demo, ScreeningRow, p1) == 0


# --- "Build an exercise plan" only when cleared and valid ---------------------------------------


@pytest.mark.parametrize(
    ("change", "decision", "offered"),
    [
        ({}, "cleared", True),
        ({"medications": "bisoprolol"}, "cleared with restrictions", True),
        ({"phq9_item9": "1"}, "defer", False),
        ({"cssrs_risk": "high"}, "defer", False),
        ({"known_disease": ["cardiovascular"], "desired_intensity": "vigorous"}, None, False),
    ],
)
def test_build_is_offered_only_when_cleared(
    as_clinician: TestClient, p1: int, change: dict[str, str], decision: str | None, offered: bool
) -> None:
    screen(as_clinician, p1, **change)
    page = as_clinician.get(f"/patients/{p1}/screening").text
    if decision is not None:
        assert decision_of(page) == decision
    else:
        assert decision_of(page) in {"medical clearance required", "defer"}
    assert ('id="build-plan"' in page) is offered
    record = as_clinician.get(f"/patients/{p1}").text
    section = record.split('<section id="exercise">', 1)[1].split("</section>", 1)[0]
    assert (f"/patients/{p1}/plan/new" in section) is offered


def test_build_is_not_offered_once_an_alert_makes_the_screening_lapse(
    as_clinician: TestClient, demo: Services, p1: int, clock: FakeClock
) -> None:
    screen(as_clinician, p1)
    clock.advance(minutes=10)
    assert demo.measurements.submit(caller(demo, *PATIENT), p1, "phq9", ITEM9_PHQ9).alert is not None
    page = as_clinician.get(f"/patients/{p1}/screening").text
    assert "no longer valid: a safety alert was raised after this screening" in page
    assert 'id="build-plan"' not in page


# --- the builder and the plan ---------------------------------------------------------------------


def test_build_then_the_plan_shows_this_week_and_the_rationale(
    as_clinician: TestClient, demo: Services, p1: int
) -> None:
    screen(as_clinician, p1)
    builder = as_clinician.get(f"/patients/{p1}/plan/new")
    assert builder.status_code == 200
    assert builder.text.count('<option value="') >= 10  # "recommend" and the nine protocols
    assert 'name="reason"' not in builder.text  # no plan yet, so no reason to give

    build(as_clinician, p1)
    page = as_clinician.get(f"/patients/{p1}/plan")
    assert page.status_code == 200
    assert "Exercise plan: " in page.text
    assert "version 1 from 2026-11-26" in page.text
    assert re.search(r"This week \(week 1 of 12\)", page.text)
    week = page.text.split('id="this-week"', 1)[1].split("</article>", 1)[0]
    assert week.count("<li><strong>") >= 1
    assert "Why this plan" in page.text
    assert page.text.count('class="source">Source: ') >= 3
    assert 'id="adjust-plan"' in page.text
    assert 'id="plan-on-hold"' not in page.text
    assert stored(demo, ExercisePlanRow, p1) == 1


def test_the_builder_plans_the_protocols_own_length(as_clinician: TestClient, p1: int) -> None:
    """Weeks left empty: SMILE's 16 weeks, not a 12-week default cutting it short."""
    screen(as_clinician, p1)
    builder = as_clinician.get(f"/patients/{p1}/plan/new")
    assert 'name="weeks" inputmode="numeric" value=""' in builder.text
    assert re.search(r'<option value="smile_aerobic">[^<]*\(16 weeks\)', builder.text)
    build(as_clinician, p1, protocol="smile_aerobic", weeks="", modality_1="aerobic")
    page = as_clinician.get(f"/patients/{p1}/plan")
    assert re.search(r"This week \(week 1 of 16\)", page.text), page.text


def test_a_builder_error_is_shown_beside_its_field_with_the_choices_kept(
    as_clinician: TestClient, demo: Services, p1: int
) -> None:
    screen(as_clinician, p1)
    form = builder_form(
        protocol="yoga", weeks="3", minutes="35", days=["tue", "sat"], mood_symptoms="fatigue"
    )
    status, page = post(as_clinician, f"/patients/{p1}/plan/new", form)
    assert status == 422
    weeks = r'name="weeks" inputmode="numeric" value="3" aria-invalid="true" aria-describedby="error-weeks'
    assert re.search(weeks, page)
    assert re.search(r'<small class="field-error" id="error-weeks">3 is outside 6-52</small>', page)
    assert '<option value="yoga" selected>' in page
    assert 'name="minutes" inputmode="numeric" value="35"' in page
    assert re.findall(r'name="days" value="(\w+)" checked', page) == ["tue", "sat"]
    assert 'value="fatigue" checked' in page
    assert stored(demo, ExercisePlanRow, p1) == 0


def test_adjusting_needs_a_reason_and_makes_version_2(
    as_clinician: TestClient, demo: Services, p1: int, clock: FakeClock
) -> None:
    screen(as_clinician, p1)
    build(as_clinician, p1)
    clock.advance(days=2)
    switch_to(as_clinician, *CLINICIAN)  # the session has timed out meanwhile
    builder = as_clinician.get(f"/patients/{p1}/plan/new").text
    assert 'name="reason"' in builder
    assert "the current plan, v1, is kept" in builder

    status, text = post(as_clinician, f"/patients/{p1}/plan/new", builder_form(minutes="45"))
    assert status == 422
    assert re.search(r'id="form-error">\s*<strong>Reason: </strong>', text)
    assert stored(demo, ExercisePlanRow, p1) == 1

    build(as_clinician, p1, minutes="45", reason="Patient can manage longer sessions")
    page = as_clinician.get(f"/patients/{p1}/plan").text
    assert "version 2 from 2026-11-28" in page
    assert "changed: Patient can manage longer sessions" in page
    assert stored(demo, ExercisePlanRow, p1) == 2
    versions = demo.plans.versions(caller(demo, *CLINICIAN), p1)
    assert [(v.version, v.change_reason) for v in versions] == [
        (1, None),
        (2, "Patient can manage longer sessions"),
    ]


def test_a_deferred_screening_shows_the_refusal_and_stores_nothing(
    as_clinician: TestClient, demo: Services, p1: int
) -> None:
    screen(as_clinician, p1, cssrs_risk="moderate")
    status, text = post(as_clinician, f"/patients/{p1}/plan/new", builder_form())
    assert status == 422
    refused = text.split('id="plan-refused"', 1)[1].split("</article>", 1)[0]
    assert "No plan: the screening does not clear this patient (defer)" in refused
    assert "C-SSRS screener risk moderate" in refused
    assert "<small>(C-SSRS triage levels" in refused
    assert stored(demo, ExercisePlanRow, p1) == 0
    assert "No exercise plan yet" in as_clinician.get(f"/patients/{p1}/plan").text


def test_the_builder_without_a_screening_says_screen_first(
    as_clinician: TestClient, demo: Services, p1: int
) -> None:
    assert "Not screened yet" in as_clinician.get(f"/patients/{p1}/plan/new").text
    status, text = post(as_clinician, f"/patients/{p1}/plan/new", builder_form())
    assert status == 422
    assert "screen the patient first" in text
    assert stored(demo, ExercisePlanRow, p1) == 0


# --- the patient's view -----------------------------------------------------------------------------


def test_the_patient_sees_this_week_in_plain_language_without_the_rationale(
    client: TestClient, demo: Services, p1: int
) -> None:
    login(client, *CLINICIAN)
    screen(client, p1, medications="bisoprolol")
    build(client, p1)

    switch_to(client, *PATIENT)
    record = client.get(f"/patients/{p1}").text
    assert f'href="/patients/{p1}/plan" id="open-plan"' in record
    assert 'id="open-screening"' not in record
    page = client.get(f"/patients/{p1}/plan")
    assert page.status_code == 200
    week = page.text.split('id="this-week"', 1)[1].split("</article>", 1)[0]
    assert "This week (week 1 of 12)" in week
    assert re.search(r"\d+ minutes at a (light|moderate) effort", week)
    assert "how hard it feels" in week
    assert "beats a minute" not in week  # a beta-blocker: by how it feels, never a heart rate
    assert "Why this plan" not in page.text
    assert 'class="source"' not in page.text
    assert 'id="adjust-plan"' not in page.text
    assert client.get(f"/patients/{p1}/plan/new").status_code == 403


def test_the_patient_may_not_see_another_patients_plan(client: TestClient, demo: Services) -> None:
    other = patient_id(demo, "DEMO-0002")
    login(client, *CLINICIAN)
    screen(client, other)
    build(client, other)
    switch_to(client, *PATIENT)
    assert client.get(f"/patients/{other}/plan").status_code == 404


def test_the_patient_sees_the_cardiac_warning_signs_on_their_plan(client: TestClient, p1: int) -> None:
    login(client, *CLINICIAN)
    screen(client, p1)
    build(client, p1)
    assert 'id="cardiac-warning"' not in client.get(f"/patients/{p1}/plan").text  # for the patient
    switch_to(client, *PATIENT)
    page = client.get(f"/patients/{p1}/plan").text
    warning = page.split('id="cardiac-warning"', 1)[1].split("</article>", 1)[0]
    for words in ("chest", "faint", "heartbeat while at rest", "Breathlessness", "Stop at once"):
        assert words in warning
    assert "Guidelines for Exercise Testing and Prescription, 11th ed. (2021), chapter 2" in warning
    assert "Med Sci Sports Exerc 2015;47:2473" in warning


def test_an_item_9_alert_puts_the_plan_on_hold_for_both(
    client: TestClient, demo: Services, p1: int, clock: FakeClock
) -> None:
    login(client, *CLINICIAN)
    screen(client, p1)
    build(client, p1)
    clock.advance(days=1)

    switch_to(client, *PATIENT)
    status, _ = post(
        client, f"/patients/{p1}/questionnaires/phq9", {k: str(v) for k, v in ITEM9_PHQ9.items()}
    )
    assert status == 303
    page = client.get(f"/patients/{p1}/plan").text
    banner = page.split('id="plan-on-hold"', 1)[1].split("</article>", 1)[0]
    assert "a safety alert is under review" in banner
    assert "Please do not start new sessions" in banner

    switch_to(client, *CLINICIAN)
    page = client.get(f"/patients/{p1}/plan").text
    assert 'id="plan-on-hold"' in page
    assert "Please do not start new sessions" not in page
    assert 'id="record-plan-on-hold"' in client.get(f"/patients/{p1}").text


# --- the protocol library ---------------------------------------------------------------------------


def test_the_library_lists_the_nine_protocols(as_clinician: TestClient) -> None:
    page = as_clinician.get("/protocols")
    assert page.status_code == 200
    linked = re.findall(r'<a href="/protocols/([a-z_]+)">', page.text)
    assert sorted(linked) == sorted(protocol_ids())
    assert len(linked) == 9


def test_each_protocol_shows_all_19_cert_items(as_clinician: TestClient) -> None:
    for pid in protocol_ids():
        page = as_clinician.get(f"/protocols/{pid}")
        assert page.status_code == 200, pid
        items = re.findall(r'<dt id="cert-([0-9a-z]+)">', page.text)
        assert len(items) == 19, (pid, items)
        assert len(set(items)) == 19
        assert page.text.count('class="source">Source: ') == 19


def test_a_protocol_page_is_one_html_document(as_clinician: TestClient) -> None:
    page = as_clinician.get("/protocols/yoga").text
    assert page.lower().count("<!doctype") == 1
    assert page.count("<html") == 1
    assert page.count("<body") == 1


def test_an_unknown_protocol_is_not_found(as_clinician: TestClient) -> None:
    assert as_clinician.get("/protocols/swimming").status_code == 404
