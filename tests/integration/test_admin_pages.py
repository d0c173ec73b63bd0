"""The administrator's audit page and user page, through real requests on both backends: the audit
page writes one entry per view and filters by names (user, patient name or MRN, action); a patient
login is made by picking the patient from those without one."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import AuditRow
from stride.store.repositories import users as user_repo
from tests.conftest import csrf_of, login


def _patient(demo: Services, mrn: str) -> tuple[int, str]:
    [found] = demo.patients.search(Caller.cli(), text=mrn).items
    return found.id, found.details.family_name


def _head(demo: Services) -> int:
    with demo.deps.db.transaction() as s:
        return int(s.scalar(select(func.max(AuditRow.seq))) or 0)


def _since(demo: Services, seq: int) -> list[tuple[str, int | None]]:
    with demo.deps.db.transaction() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.seq > seq).order_by(AuditRow.seq))
        return [(r.action, r.patient_id) for r in rows]


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def test_viewing_the_audit_log_writes_one_entry_and_names_users_and_patients(
    client: TestClient, demo: Services
) -> None:
    pid, family = _patient(demo, "DEMO-0003")
    rivera = TestClient(client.app)
    login(rivera, "dr.rivera", "demo-clinic-clinician")
    assert rivera.get(f"/patients/{pid}").status_code == 200
    login(client, "admin", "demo-clinic-manager")
    before = _head(demo)
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert _since(demo, before) == [("audit.read", None)]
    # Names, not numbers: the user name and the patient's name with their MRN.
    read = next(r for r in _rows(page.text) if "record.read" in r and "dr.rivera" in r)
    assert family in read
    assert "DEMO-0003" in read
    assert "User ID" not in page.text
    assert "Patient ID" not in page.text


def test_the_audit_log_filters_by_user_name_patient_and_action(client: TestClient, demo: Services) -> None:
    pid, family = _patient(demo, "DEMO-0003")
    other, _ = _patient(demo, "DEMO-0004")
    rivera = TestClient(client.app)
    login(rivera, "dr.rivera", "demo-clinic-clinician")
    for p in (pid, other):
        assert rivera.get(f"/patients/{p}").status_code == 200
    login(client, "admin", "demo-clinic-manager")

    by_user = _rows(client.get("/admin/audit?user=DR.Rivera").text)
    assert by_user
    assert all("dr.rivera" in r for r in by_user)
    assert any("auth.login" in r for r in by_user)

    for needle in ("DEMO-0003", f"{family.lower()} demo-0003"):
        by_patient = _rows(client.get("/admin/audit", params={"patient": needle}).text)
        assert by_patient, needle
        assert all("DEMO-0003" in r for r in by_patient), needle
        assert not any("DEMO-0004" in r for r in by_patient)
    by_name = _rows(client.get("/admin/audit", params={"patient": family.upper()}).text)
    assert any("DEMO-0003" in r for r in by_name)
    assert all(family in r for r in by_name)

    both = _rows(
        client.get(
            "/admin/audit", params={"user": "dr.rivera", "patient": "DEMO-0004", "action": "record.read"}
        ).text
    )
    assert len(both) == 1
    assert "DEMO-0004" in both[0]
    assert "record.read" in both[0]

    nobody = client.get("/admin/audit", params={"user": "no.such.user"})
    assert nobody.status_code == 200
    assert _rows(nobody.text) == []
    # Control characters are separators, not a database error.
    assert client.get("/admin/audit", params={"patient": "DEMO\x000003"}).status_code == 200
    # The view of a filtered log is itself one entry, naming what was looked for.
    before = _head(demo)
    client.get("/admin/audit", params={"user": "dr.rivera"})
    with demo.deps.db.transaction() as s:
        [entry] = s.scalars(select(AuditRow).where(AuditRow.seq > before)).all()
        assert (entry.action, entry.detail) == ("audit.read", "user='dr.rivera'")


def test_a_patient_login_is_made_by_picking_a_patient_without_one(client: TestClient, demo: Services) -> None:
    login(client, "admin", "demo-clinic-manager")
    has_login, _ = _patient(demo, "DEMO-0001")
    free, family = _patient(demo, "DEMO-0020")
    page = client.get("/admin/users").text
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', page))
    assert str(free) in options
    assert family in options[str(free)]
    assert "DEMO-0020" in options[str(free)]
    assert str(has_login) not in options  # already has a login: not offered
    assert 'name="patient_id" inputmode' not in page  # no id to type

    r = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_of(client),
            "username": "new.patient20",
            "display_name": "New Patient",
            "role": "patient",
            "patient_id": str(free),
            "password": "a long walk by the river",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    with demo.deps.db.transaction() as s:
        row = user_repo.get_row_by_username(s, "new.patient20")
        assert row is not None
        assert row.patient_id == free
    after = client.get("/admin/users").text
    assert f'<option value="{free}"' not in after
    # The account list names the linked patient rather than showing a number.
    line = next(r for r in re.findall(r"<tr>(.*?)</tr>", after, flags=re.S) if "new.patient20" in r)
    assert family in line
    assert "DEMO-0020" in line

    # Picking a patient who meanwhile got a login is refused, naming the field, and nothing is made.
    again = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_of(client),
            "username": "second.login",
            "role": "patient",
            "patient_id": str(free),
            "password": "a long walk by the river",
        },
    )
    assert again.status_code == 409
    assert "already has an account" in again.text
    with demo.deps.db.transaction() as s:
        assert user_repo.get_row_by_username(s, "second.login") is None
