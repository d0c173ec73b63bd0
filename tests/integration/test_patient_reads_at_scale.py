"""What the patient list and a patient's record read from the database, through the API, so that
they cost the same for a team of 25 patients as for one of 10,000 (the load benchmark,
``benchmarks/load.py``, measures the time; these check the reasons, without timing anything)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from stride.services.context import Caller
from stride.services.registry import Services


@contextmanager
def statements(svc: Services) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement (and its parameters) the app runs inside the block."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    engine = svc.deps.db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def bearer(demo: Services, username: str = "dr.okafor") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {demo.auth.create_api_token(Caller.cli(), username=username, name='t')}"
    }


def test_a_patient_record_names_their_teams_without_reading_the_teams_patient_lists(
    demo: Services, client: TestClient
) -> None:
    headers = bearer(demo)
    listed = client.get("/api/v1/patients", params={"limit": 1}, headers=headers).json()["items"][0]
    with statements(demo) as seen:
        answer = client.get(f"/api/v1/patients/{listed['id']}", headers=headers)
    assert answer.status_code == 200
    assert len(answer.json()["team_ids"]) == 1
    # The team's member and patient lists (10,000 ids for a large team) are not what a record shows.
    assert not [s for s, _ in seen if "FROM team_patient" in s and "team_patient.team_id = " in s]
    assert not [s for s, _ in seen if "FROM team_member" in s and "team_member.team_id = " in s]


def test_the_record_page_still_names_the_patients_care_team(demo: Services, client: TestClient) -> None:
    info = demo.auth.login("dr.rivera", "demo-clinic-clinician", client_addr="testclient", user_agent="t")
    client.cookies.set("stride_session", info.token)
    headers = bearer(demo, "dr.rivera")
    first = client.get("/api/v1/patients", params={"limit": 1}, headers=headers).json()["items"][0]
    page = client.get(f"/patients/{first['id']}")
    assert page.status_code == 200
    assert "Mood Disorders Team" in page.text


def test_the_patient_list_is_in_name_order_page_after_page(demo: Services, client: TestClient) -> None:
    headers = bearer(demo)
    pages = [
        client.get("/api/v1/patients", params={"limit": 10, "offset": offset}, headers=headers).json()
        for offset in (0, 10, 20)
    ]
    items = [p for page in pages for p in page["items"]]
    assert {page["total"] for page in pages} == {25}
    keys = [(p["family_name"], p["given_name"], p["id"]) for p in items]
    assert keys == sorted(keys)
    assert len({p["id"] for p in items}) == 25


def test_a_page_of_a_clinicians_patients_is_read_from_the_name_index_not_sorted(
    demo: Services, client: TestClient
) -> None:
    headers = bearer(demo)
    with statements(demo) as seen:
        answer = client.get("/api/v1/patients", params={"offset": 10, "limit": 5}, headers=headers)
    assert answer.status_code == 200
    statement, parameters = next(
        (s, p) for s, p in seen if s.lstrip().startswith("SELECT patient.id") and "ORDER BY" in s
    )
    with demo.deps.db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # PostgreSQL's planner chooses by table statistics (25 rows: a sort is cheaper); the index
            # it would walk at 10,000 is there.
            names = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'patient'")
            assert "ix_patient_family_given_id" in {n for (n,) in names}
            return
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    plan = "\n".join(str(r[-1]) for r in rows)
    assert "ix_patient_family_given_id" in plan
    assert "TEMP B-TREE" not in plan


def test_a_clinicians_patients_are_counted_from_the_team_tables_and_checked_from_one_index(
    demo: Services, client: TestClient
) -> None:
    headers = bearer(demo)
    with statements(demo) as seen:
        answer = client.get("/api/v1/patients", params={"limit": 5}, headers=headers)
    assert answer.status_code == 200
    [count] = [s for s, _ in seen if "count(" in s.lower()]
    assert "FROM team_patient" in count
    assert "patient.id" not in count, "no patient row is read to count them"
    statement, parameters = next(
        (s, p) for s, p in seen if s.lstrip().startswith("SELECT patient.id") and "ORDER BY" in s
    )
    with demo.deps.db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            names = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'team_patient'")
            assert "ix_team_patient_patient_team" in {n for (n,) in names}
            return
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    plan = "\n".join(str(r[-1]) for r in rows)
    assert "COVERING INDEX ix_team_patient_patient_team" in plan
