"""The week's streak of adherent weeks (adherence.toml ``[streaks]``) through the API and the page,
and the week view reading the sessions of every week it shows (this week, the history chart, the
streak) in one query, on both backends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from stride.clinical.prescription import Refusal
from stride.domain.accounts import Actor, Role
from stride.services.context import Caller
from stride.services.plans import PlanRequest
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
THIS_WEEK = "2026-11-23"  # the test clock: Thursday 26 November 2026
PLAN_START = date(2026, 11, 9)  # two weeks before this one
_SESSIONS = re.compile(r"FROM activity_session\b")


def _walk(day: str) -> dict[str, Any]:
    return {"start": f"{day}T18:30:00+00:00", "sport": "walking", "minutes": 60, "rpe": 12, "steps": 9000}


@pytest.fixture
def setup(client: TestClient, demo: Services) -> tuple[TestClient, dict[str, str], int]:
    [found] = demo.patients.search(Caller.cli(), text="DEMO-0004").items
    users = {u.username: u.id for u in demo.users.list(Caller.cli())}
    rivera = Caller(actor=Actor(users["dr.rivera"], "dr.rivera", Role.CLINICIAN))
    demo.screening.record(rivera, found.id, SCREENING_CLEAR)
    plan = PlanRequest(
        protocol="home_walking", setting="home", days=("mon", "wed", "fri"), minutes=40, start_date=PLAN_START
    )
    assert not isinstance(demo.plans.build(rivera, found.id, plan), Refusal)
    token = demo.auth.create_api_token(Caller.cli(), username="patient4", name="streak-test")
    return client, {"Authorization": f"Bearer {token}"}, found.id


def _adherence(setup: tuple[TestClient, dict[str, str], int], week: str) -> Any:
    client, headers, pid = setup
    sent = client.get(f"/api/v1/patients/{pid}/activity/weeks/{week}", headers=headers)
    assert sent.status_code == 200, sent.text
    return sent.json()["adherence"]


def _log(setup: tuple[TestClient, dict[str, str], int], *days: str) -> None:
    client, headers, pid = setup
    for day in days:
        sent = client.post(f"/api/v1/patients/{pid}/sessions", json=_walk(day), headers=headers)
        assert sent.status_code == 201, sent.text


def test_three_adherent_weeks_in_a_row_make_a_streak_of_three(
    setup: tuple[TestClient, dict[str, str], int],
) -> None:
    _log(setup, "2026-11-11", "2026-11-18", "2026-11-25")
    weeks = [_adherence(setup, w) for w in ("2026-11-09", "2026-11-16", THIS_WEEK)]
    assert [a["category"] for a in weeks] == ["adherent"] * 3
    assert [a["streak_weeks"] for a in weeks] == [1, 2, 3]


def test_a_week_without_a_walk_ends_the_streak(setup: tuple[TestClient, dict[str, str], int]) -> None:
    _log(setup, "2026-11-11", "2026-11-25")
    assert _adherence(setup, "2026-11-16")["category"] == "non_adherent"
    assert _adherence(setup, "2026-11-16")["streak_weeks"] == 0
    assert _adherence(setup, THIS_WEEK)["streak_weeks"] == 1


@contextmanager
def _session_queries(demo: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and _SESSIONS.search(statement):
            seen.append(statement)

    engine = demo.deps.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_week_view_reads_the_sessions_of_all_its_weeks_in_one_query(
    demo: Services, setup: tuple[TestClient, dict[str, str], int]
) -> None:
    _log(setup, "2026-11-11", "2026-11-18", "2026-11-25")
    with _session_queries(demo) as seen:
        adherence = _adherence(setup, THIS_WEEK)
    assert adherence["streak_weeks"] == 3
    assert len(seen) == 1, seen
