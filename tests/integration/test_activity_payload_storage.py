"""A session's dose and a plan version in the database: versioned JSON (``"v": 1``) written by the
API's real path, and a row written before the version existed (no ``"v"``) shown exactly as before,
on both backends."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from stride.services.context import Caller
from stride.services.registry import Services

SCREENING_CLEAR: dict[str, Any] = {
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "parq": {f"q{i}": False for i in range(1, 8)},
    "phq9_item9": 0,
    "resting_bp": [120, 80],
}
PLAN = {"protocol": "home_walking", "setting": "home", "days": ["mon", "wed", "fri"], "minutes": 40}
WALK = {"start": "2026-11-25T18:30:00+00:00", "sport": "walking", "minutes": 35, "rpe": 13, "avg_hr": 118}


def _api(client: TestClient, demo: Services) -> tuple[dict[str, str], int]:
    [found] = demo.patients.search(Caller.cli(), text="DEMO-0004").items
    token = demo.auth.create_api_token(Caller.cli(), username="patient4", name="dose-storage-test")
    return {"Authorization": f"Bearer {token}"}, found.id


def _stored(demo: Services, session_id: int) -> dict[str, Any]:
    with demo.deps.db.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT dose FROM activity_session WHERE id = :id"), {"id": session_id}
        ).scalar()
    assert isinstance(raw, str)
    loaded: dict[str, Any] = json.loads(raw)
    return loaded


def test_a_logged_sessions_dose_is_stored_with_its_version(client: TestClient, demo: Services) -> None:
    headers, pid = _api(client, demo)
    sent = client.post(f"/api/v1/patients/{pid}/sessions", json=WALK, headers=headers)
    assert sent.status_code == 201, sent.text
    stored = _stored(demo, sent.json()["id"])
    assert stored["v"] == 1
    assert {k: v for k, v in stored.items() if k != "v"} == sent.json()["dose"]


def test_a_dose_stored_without_a_version_is_shown_as_before(client: TestClient, demo: Services) -> None:
    headers, pid = _api(client, demo)
    sent = client.post(f"/api/v1/patients/{pid}/sessions", json=WALK, headers=headers)
    assert sent.status_code == 201, sent.text
    sid = sent.json()["id"]
    before = client.get(f"/api/v1/sessions/{sid}", headers=headers).json()
    unversioned = {k: v for k, v in _stored(demo, sid).items() if k != "v"}
    with demo.deps.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE activity_session SET dose = :dose WHERE id = :id"),
            {"dose": json.dumps(unversioned, sort_keys=True), "id": sid},
        )
    assert "v" not in _stored(demo, sid)
    assert client.get(f"/api/v1/sessions/{sid}", headers=headers).json() == before
    page = client.get(f"/api/v1/patients/{pid}/activity/weeks/2026-11-23", headers=headers)
    assert page.status_code == 200
    assert [s["dose"] for s in page.json()["sessions"]] == [before["session"]["dose"]]


# --- plan versions ---------------------------------------------------------------------------------


def _plan_rows(demo: Services, pid: int) -> list[tuple[int, dict[str, Any]]]:
    with demo.deps.db.engine.connect() as conn:
        query = text("SELECT id, plan FROM exercise_plan WHERE patient_id = :p ORDER BY id")
        return [(int(i), json.loads(p)) for i, p in conn.execute(query, {"p": pid})]


def test_a_plan_version_is_stored_with_its_version_and_shown_as_stored(
    client: TestClient, demo: Services
) -> None:
    [found] = demo.patients.search(Caller.cli(), text="DEMO-0001").items
    token = demo.auth.create_api_token(Caller.cli(), username="dr.rivera", name="plan-storage-test")
    headers = {"Authorization": f"Bearer {token}"}
    sent = client.post(f"/api/v1/patients/{found.id}/screenings", json=SCREENING_CLEAR, headers=headers)
    assert sent.status_code == 201, sent.text
    built = client.post(f"/api/v1/patients/{found.id}/plans", json=PLAN, headers=headers)
    assert built.status_code == 201, built.text
    [(plan_id, stored)] = [r for r in _plan_rows(demo, found.id) if r[0] == built.json()["id"]]
    assert stored["v"] == 1
    shown = {k: v for k, v in stored.items() if k != "v"}
    assert json.dumps(built.json()["plan"]) == json.dumps(shown), "the API shows the stored JSON, keys sorted"

    # A row written before the version existed reads the same.
    with demo.deps.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE exercise_plan SET plan = :plan WHERE id = :id"),
            {"plan": json.dumps(shown, sort_keys=True), "id": plan_id},
        )
    versions = client.get(f"/api/v1/patients/{found.id}/plans", headers=headers)
    assert versions.status_code == 200, versions.text
    [again] = [v for v in versions.json() if v["id"] == plan_id]
    assert json.dumps(again["plan"]) == json.dumps(shown)
