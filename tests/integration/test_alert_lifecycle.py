"""The alert lifecycle through the services, on SQLite and PostgreSQL: open -> acknowledged (who,
when) -> resolved by a clinician of the care team with a decision, a reason and the next review
date. Resolving never edits the answer that raised the alert; every step is audited; a new positive
answer after resolution opens a new alert; an acknowledged alert stays in the inbox and holds the plan.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from stride.domain.measurements import AlertDecision, AlertState
from stride.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.repositories import measurements as measurement_repo
from tests.conftest import (
    CLINICIAN_PASSWORD,
    FakeClock,
    audit_actions,
    csrf_of,
    denials,
    login,
)
from tests.integration.test_measurement_service import (
    ITEM9,
    cssrs,
)

REVIEW = date(2026, 12, 3)  # a week after the demo clock's day


@pytest.fixture
def p1(patient1: Caller) -> int:
    pid = patient1.require_actor().patient_id
    assert pid is not None
    return pid


@pytest.fixture
def alert_id(demo: Services, patient1: Caller, p1: int) -> int:
    done = demo.measurements.submit(patient1, p1, "phq9", ITEM9)
    assert done.alert is not None
    return done.alert.id


def resolve(svc: Services, caller: Caller, alert_id: int, **overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "decision": "safety_plan",
        "reason": "Saw the patient today; safety plan agreed with the crisis team.",
        "next_review_on": REVIEW,
    } | overrides
    return svc.alerts.resolve(caller, alert_id, **values)  # type: ignore[arg-type]


def test_acknowledged_stays_in_the_inbox_until_resolved(
    demo: Services, rivera: Caller, okafor: Caller, p1: int, alert_id: int, clock: FakeClock
) -> None:
    clock.advance(minutes=10)
    acked = demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    assert acked.state is AlertState.ACKNOWLEDGED
    assert (acked.acknowledged_by, acked.acknowledged_at) == (rivera.require_actor().user_id, clock.now)
    [item] = demo.alerts.inbox(okafor)
    assert (item.alert.id, item.alert.state) == (alert_id, AlertState.ACKNOWLEDGED)

    clock.advance(hours=3)
    done = resolve(demo, okafor, alert_id)
    assert done.state is AlertState.RESOLVED
    assert (done.resolved_by, done.resolved_at) == (okafor.require_actor().user_id, clock.now)
    assert (done.decision, done.next_review_on) == (AlertDecision.SAFETY_PLAN, REVIEW)
    assert done.resolution_reason == "Saw the patient today; safety plan agreed with the crisis team."
    # Still who acknowledged it and when: resolving adds, it does not overwrite.
    assert done.acknowledged_by == rivera.require_actor().user_id
    assert demo.alerts.inbox(okafor) == []
    assert [i.alert.id for i in demo.alerts.inbox(okafor, active_only=False)] == [alert_id]
    actions = audit_actions(demo)
    assert ("alert.acknowledge", f"alert/{alert_id}", p1) in actions
    assert ("alert.resolve", f"alert/{alert_id}", p1) in actions


def test_resolving_never_edits_the_answer_that_raised_it(
    demo: Services, rivera: Caller, p1: int, alert_id: int
) -> None:
    with demo.deps.db.transaction() as s:
        alert = measurement_repo.get_alert(s, alert_id)
        assert alert is not None
        assert alert.response_id is not None
        before = measurement_repo.get_response(s, alert.response_id)
    demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    resolve(demo, rivera, alert_id, decision="not_a_risk", reason="Item 9 was ticked by mistake.")
    with demo.deps.db.transaction() as s:
        after = measurement_repo.get_response(s, alert.response_id)
    assert after == before
    assert after is not None
    assert after.answers["phq9_9"] == 1


def test_resolve_needs_acknowledgement_first_and_only_once(
    demo: Services, rivera: Caller, alert_id: int
) -> None:
    with pytest.raises(Conflict, match="acknowledge"):
        resolve(demo, rivera, alert_id)
    demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    resolve(demo, rivera, alert_id)
    with pytest.raises(Conflict, match="already resolved"):
        resolve(demo, rivera, alert_id, decision="referred")
    [alert] = demo.alerts.for_patient(rivera, demo.alerts.get(rivera, alert_id).alert.patient_id)
    assert alert.decision is AlertDecision.SAFETY_PLAN


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decision": ""}, "decision"),
        ({"decision": "all_fine"}, "decision"),
        ({"reason": ""}, "reason"),
        ({"reason": "ok"}, "reason"),
        ({"next_review_on": None}, "next_review_on"),
        ({"next_review_on": date(2026, 11, 25)}, "next_review_on"),
        ({"next_review_on": date(2028, 1, 1)}, "next_review_on"),
        # A C-SSRS reassessment needs a C-SSRS screen recorded after the alert.
        ({"decision": "reassessed_cssrs"}, "decision"),
    ],
)
def test_a_bad_resolution_is_named_and_changes_nothing(
    demo: Services, rivera: Caller, alert_id: int, overrides: dict[str, object], field: str
) -> None:
    demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    with pytest.raises(InvalidInput) as caught:
        resolve(demo, rivera, alert_id, **overrides)
    assert caught.value.field == field
    assert demo.alerts.get(rivera, alert_id).alert.state is AlertState.ACKNOWLEDGED


def test_a_cssrs_reassessment_rests_on_a_screen_recorded_after_the_alert(
    demo: Services, rivera: Caller, alert_id: int, p1: int, clock: FakeClock
) -> None:
    demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    clock.advance(hours=1)
    assert demo.measurements.submit(rivera, p1, "cssrs_screen", cssrs()).alert is None
    done = resolve(demo, rivera, alert_id, decision="reassessed_cssrs")
    assert done.decision is AlertDecision.REASSESSED_CSSRS


def test_only_the_care_team_resolves_and_refusals_are_audited(
    demo: Services, rivera: Caller, patient1: Caller, exercise_clinician: Caller, alert_id: int, p1: int
) -> None:
    demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    for caller in (patient1, Caller.cli()):
        with pytest.raises(PermissionDenied):
            resolve(demo, caller, alert_id)
    # Another team's clinician is told what a missing alert would tell them (the record is hidden).
    with pytest.raises(NotFound):
        resolve(demo, exercise_clinician, alert_id)
    denied = [a for a in denials(demo) if a[:2] == ("alert.resolve.denied", f"alert/{alert_id}")]
    assert len(denied) == 3
    assert demo.alerts.get(rivera, alert_id).alert.state is AlertState.ACKNOWLEDGED


def test_a_new_positive_answer_after_resolution_opens_a_new_alert(
    demo: Services, rivera: Caller, patient1: Caller, p1: int, alert_id: int, clock: FakeClock
) -> None:
    demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    resolve(demo, rivera, alert_id)
    clock.advance(days=2)
    again = demo.measurements.submit(patient1, p1, "phq9", ITEM9).alert
    assert again is not None
    assert again.id != alert_id
    assert again.state is AlertState.OPEN
    assert [i.alert.id for i in demo.alerts.inbox(rivera)] == [again.id]
    assert demo.alerts.get(rivera, alert_id).alert.state is AlertState.RESOLVED


# --- the API -------------------------------------------------------------------------------------


def test_api_resolve_names_what_is_missing_and_answers_409_on_state(
    client: TestClient, demo: Services, rivera: Caller, alert_id: int
) -> None:
    login(client, "dr.rivera", CLINICIAN_PASSWORD)
    headers = {"X-CSRF-Token": csrf_of(client)}
    url = f"/api/v1/alerts/{alert_id}/resolve"
    body = {
        "decision": "referred",
        "reason": "Referred to the crisis team today.",
        "next_review_on": "2026-12-01",
    }

    not_yet = client.post(url, json=body, headers=headers)
    assert not_yet.status_code == 409
    assert not_yet.json()["error"] == "conflict"
    demo.alerts.acknowledge(rivera, alert_id, note="Phoned the patient; seeing them today.")
    for missing in ("decision", "reason", "next_review_on"):
        sent = client.post(url, json={k: v for k, v in body.items() if k != missing}, headers=headers)
        assert sent.status_code == 422, sent.text
        assert (sent.json()["error"], sent.json()["field"]) == ("invalid_input", missing)
    assert demo.alerts.get(rivera, alert_id).alert.state is AlertState.ACKNOWLEDGED

    done = client.post(url, json=body, headers=headers)
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["decision"], done.json()["next_review_on"]) == (
        "resolved",
        "referred",
        "2026-12-01",
    )
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 409
    assert "already resolved" in again.json()["message"]
    inbox = client.get("/api/v1/alerts").json()
    assert alert_id not in [a["id"] for a in inbox]
    assert alert_id in [a["id"] for a in client.get("/api/v1/alerts?all=true").json()]
