"""A form sent with a mistake comes back with what was entered and the message beside the field.

For a representative set of forms (patient registration and edit, logging a session, reporting an
adverse event, the exercise screening, the plan builder, a questionnaire correction's reason, a new
user, a password change) the page is read as HTML: the wrong field is marked invalid and points,
through ``aria-describedby``, to its message, which sits in the field's own label; every other value
typed comes back in its field (passwords excepted: they are never sent back).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from stride.services.context import Caller
from stride.services.registry import Services
from tests.conftest import csrf_of, login

CLINICIAN = ("dr.rivera", "demo-clinic-clinician")
ADMIN = ("admin", "demo-clinic-manager")


class _Form(HTMLParser):
    """The controls of a page (name -> value, attributes) and the text of each element with an id,
    with the id of the label around each control."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: dict[str, dict[str, str | None]] = {}
        self.values: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.label_of: dict[str, int] = {}
        self.label_of_id: dict[str, int] = {}
        self._open: list[tuple[str, str | None]] = []
        self._labels = 0
        self._label: list[int] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self._labels += 1
            self._label.append(self._labels)
        name = a.get("name")
        if tag in ("input", "select", "textarea") and name and a.get("type") not in ("hidden", "checkbox"):
            self.controls.setdefault(name, a)
            if self._label:
                self.label_of.setdefault(name, self._label[-1])
            if tag == "input":
                self.values.setdefault(name, a.get("value") or "")
            self._select = name if tag == "select" else None
            self._textarea = name if tag == "textarea" else None
            if tag == "textarea":
                self.values.setdefault(name, "")
        if tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, a.get("value") or "")
        if a.get("id"):
            self.texts[str(a["id"])] = ""
            if self._label:
                self.label_of_id[str(a["id"])] = self._label[-1]
        if tag not in ("input", "br", "meta", "link", "img", "option"):
            self._open.append((tag, a.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label:
            self._label.pop()
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] = self.values.get(self._textarea, "") + data
        for _, element_id in self._open:
            if element_id:
                self.texts[element_id] += data


def _read(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def assert_beside(html: str, field: str, message: str, kept: dict[str, str]) -> None:
    page = _read(html)
    control = page.controls.get(field)
    assert control is not None, f"no field {field!r} on the page"
    assert control.get("aria-invalid") == "true", control
    described = (control.get("aria-describedby") or "").split()
    said = [page.texts.get(i, "") for i in described]
    assert any(message in text for text in said), (field, said)
    error_id = next(i for i, text in zip(described, said, strict=True) if message in text)
    assert page.label_of_id.get(error_id) == page.label_of.get(field), "the message is not beside its field"
    for name, value in kept.items():
        assert page.values.get(name) == value, (name, page.values.get(name), value)


def post(client: TestClient, url: str, form: dict[str, str]) -> tuple[int, str]:
    sent = client.post(url, data={**form, "csrf_token": csrf_of(client)}, follow_redirects=False)
    return sent.status_code, sent.text


def patient_id(demo: Services, mrn: str) -> int:
    [found] = demo.patients.search(Caller.cli(), text=mrn).items
    return found.id


PATIENT = {
    "given_name": "Ada",
    "family_name": "Quillfeather",
    "date_of_birth": "1980-04-02",
    "sex": "female",
    "mrn": "T-123",
    "email": "ada@example.org",
    "phone": "+44 20 7946 0000",
    "timezone": "Europe/London",
    "height_cm": "168",
    "weight_kg": "61,5",
    "resting_hr": "64",
}


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [("height_cm", "tall", "must be a number"), ("date_of_birth", "1980-13-45", "must be a date")],
)
def test_registering_a_patient(
    client: TestClient, demo: Services, field: str, bad: str, message: str
) -> None:
    login(client, *CLINICIAN)
    teams = demo.teams.list_teams(Caller.cli())
    form = {**PATIENT, field: bad, "team_id": str(teams[0].id)}
    status, html = post(client, "/patients/new", form)
    assert status == 422
    assert_beside(html, field, message, {k: v for k, v in form.items() if k != "team_id"})
    assert demo.patients.search(Caller.cli(), text="Quillfeather").items == []


def test_editing_a_patient(client: TestClient, demo: Services) -> None:
    login(client, *CLINICIAN)
    pid = patient_id(demo, "DEMO-0001")
    form = {**PATIENT, "resting_hr": "fast"}
    status, html = post(client, f"/patients/{pid}/edit", form)
    assert status == 422
    assert_beside(html, "resting_hr", "must be a whole number", form)


def test_logging_a_session(client: TestClient, demo: Services) -> None:
    login(client, "patient4", "demo-clinic-patient")
    pid = patient_id(demo, "DEMO-0004")
    form = {
        "start": "2026-11-25T18:30",
        "sport": "walking",
        "minutes": "half an hour",
        "rpe": "13",
        "avg_hr": "118",
        "max_hr": "131",
        "distance_km": "3,1",
        "supervised": "no",
        "notes": "Park",
    }
    status, html = post(
        client, f"/patients/{pid}/activity/sessions/new", {**form, "timezone": "Europe/London"}
    )
    assert status == 422
    assert_beside(html, "minutes", "must be a number", form)


def test_reporting_an_adverse_event(client: TestClient, demo: Services) -> None:
    login(client, "patient4", "demo-clinic-patient")
    pid = patient_id(demo, "DEMO-0004")
    form = {
        "occurred_at": "2026-11-25T18:50",
        "severity": "moderate",
        "session_id": "many",
        "description": "Twisted an ankle",
        "action_taken": "Rested",
    }
    status, html = post(
        client, f"/patients/{pid}/activity/adverse-events", {**form, "timezone": "Europe/London"}
    )
    assert status == 422
    assert_beside(html, "session_id", "must be a whole number", form)


def test_the_screening(client: TestClient, demo: Services) -> None:
    login(client, *CLINICIAN)
    pid = patient_id(demo, "DEMO-0001")
    form = {
        "currently_active": "no",
        "desired_intensity": "vigorous",
        "bp_systolic": "400",
        "bp_diastolic": "80",
        "phq9_item9": "0",
        "cssrs_risk": "",
        "medications": "sertraline",
        **{f"q{i}": "no" for i in range(1, 8)},
    }
    status, html = post(client, f"/patients/{pid}/screening", form)
    assert status == 422
    kept = {k: form[k] for k in ("desired_intensity", "bp_systolic", "bp_diastolic", "medications")}
    assert_beside(html, "bp_systolic", "400 is outside", kept)


def test_a_new_user(client: TestClient) -> None:
    login(client, *ADMIN)
    form = {
        "username": "new.nurse",
        "display_name": "New Nurse",
        "email": "nurse@example.org",
        "role": "clinician",
        "patient_id": "",
        "password": "short",
    }
    status, html = post(client, "/admin/users", form)
    assert status == 422
    kept = {k: v for k, v in form.items() if k != "password"}
    assert_beside(html, "password", "at least", kept)
    assert _read(html).values["password"] == ""  # a password is never sent back


def test_a_password_change(client: TestClient) -> None:
    login(client, *CLINICIAN)
    form = {"current_password": CLINICIAN[1], "new_password": "short", "confirm_password": "short"}
    status, html = post(client, "/account/password", form)
    assert status == 422
    assert_beside(html, "new_password", "at least", {})


def test_the_care_teams_page_marks_only_the_form_that_was_sent(client: TestClient, demo: Services) -> None:
    """Three forms share the page and two have a "name": the message goes to the one sent."""
    login(client, *ADMIN)
    sites = demo.teams.list_sites(Caller.cli())
    team = demo.teams.list_teams(Caller.cli())[0]
    form = {"name": team.name, "site_id": str(team.site_id)}
    status, html = post(client, "/teams", form)
    assert status == 409
    assert_beside(html, "name", "exists", form)
    assert html.count('class="field-error"') == 1
    assert "Name: " in html  # the summary names the field as people see it, not "team.name"

    site = sites[-1]
    status, html = post(client, f"/sites/{site.id}/crisis", {"crisis_text": "", "crisis_phone": "1" * 70})
    assert status == 422
    assert html.count('class="field-error"') == 1
    assert f'id="error-site-{site.id}-crisis_phone"' in html
    assert (
        'aria-invalid="true"'
        in html.split(f'id="error-site-{site.id}-crisis_phone"', 1)[0].rsplit("<input", 1)[1]
    )
