"""Patient records through the service layer: access by role and care team, audit, no partial writes."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from stride.domain.accounts import Actor
from stride.domain.patients import PatientDetails, Sex
from stride.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.repositories import audit as audit_repo
from tests.conftest import caller_for, security_events

NEW = PatientDetails(
    given_name="Nia",
    family_name="Quarrie",
    date_of_birth=date(1984, 2, 29),
    sex=Sex.FEMALE,
    mrn="Q-1",
    height_cm=170,
    weight_kg=70,
    resting_hr=64,
)


def audit_tail(svc: Services, n: int = 1) -> list[tuple[str, int | None, int | None]]:
    with svc.deps.db.transaction() as s:
        entries = list(audit_repo.iter_all(s))[-n:]
    return [(e.event.action, e.event.patient_id, e.event.actor_user_id) for e in entries]


def team_ids(svc: Services, caller: Caller) -> list[int]:
    return [t.id for t in svc.teams.list_teams(caller)]


def test_clinician_lists_only_their_teams_patients(demo: Services, rivera: Caller, okafor: Caller) -> None:
    assert demo.patients.search(rivera).total == 13
    assert demo.patients.search(okafor).total == 25
    assert demo.patients.search(Caller.cli()).total == 25
    assert audit_tail(demo)[0][0] == "patient.search"


def test_search_matches_name_words_and_mrn(demo: Services, okafor: Caller) -> None:
    page = demo.patients.search(okafor, text="demo-0007")
    assert [p.details.mrn for p in page.items] == ["DEMO-0007"]
    first = page.items[0].details
    both = demo.patients.search(okafor, text=f"{first.given_name.upper()} {first.family_name[:3]}")
    assert page.items[0].id in [p.id for p in both.items]


def test_control_characters_in_search_separate_words_on_every_backend(demo: Services, okafor: Caller) -> None:
    assert demo.patients.search(okafor, text="a\x00b").total == demo.patients.search(okafor, text="a b").total


def test_clinician_creates_patient_in_own_team_and_it_is_audited(demo: Services, rivera: Caller) -> None:
    patient = demo.patients.create(rivera, NEW, team_id=team_ids(demo, rivera)[0])
    assert audit_tail(demo)[0] == ("patient.create", patient.id, rivera.actor.user_id)  # type: ignore[union-attr]
    record = demo.patients.get(rivera, patient.id)
    assert record.patient.details.mrn == "Q-1"
    assert [t.name for t in record.teams] == ["Mood Disorders Team"]
    assert demo.patients.search(rivera, text="quarrie").total == 1


def test_clinician_must_choose_one_of_their_teams(demo: Services, rivera: Caller) -> None:
    all_teams = team_ids(demo, Caller.cli())
    other = next(t for t in all_teams if t not in team_ids(demo, rivera))
    before = demo.patients.search(Caller.cli()).total
    for team in (None, other, 999_999):
        with pytest.raises(InvalidInput) as err:
            demo.patients.create(rivera, NEW, team_id=team)
        assert err.value.field == "team_id"
    assert demo.patients.search(Caller.cli()).total == before


def test_invalid_record_changes_nothing(demo: Services, rivera: Caller) -> None:
    before = demo.patients.search(Caller.cli()).total
    with pytest.raises(InvalidInput) as err:
        demo.patients.create(
            rivera, dataclasses.replace(NEW, height_cm=1.75), team_id=team_ids(demo, rivera)[0]
        )
    assert err.value.field == "height_cm"
    assert demo.patients.search(Caller.cli()).total == before


def test_duplicate_mrn_is_a_conflict(demo: Services, rivera: Caller) -> None:
    with pytest.raises(Conflict) as err:
        demo.patients.create(
            rivera, dataclasses.replace(NEW, mrn="DEMO-0001"), team_id=team_ids(demo, rivera)[0]
        )
    assert err.value.field == "mrn"


def test_clinician_cannot_read_or_edit_other_teams_patients_and_denials_are_audited(
    demo: Services, rivera: Caller
) -> None:
    outside = demo.patients.search(Caller.cli(), text="DEMO-0020").items[0]
    with pytest.raises(NotFound, match=f"no patient {outside.id}"):
        demo.patients.get(rivera, outside.id)
    refusal = security_events(demo)[-1]
    assert (refusal.event.detail, refusal.event.patient_id, refusal.event.user_id) == (
        "patient.read.denied",
        outside.id,
        rivera.actor.user_id,  # type: ignore[union-attr]
    )
    with pytest.raises(NotFound):
        demo.patients.update(rivera, outside.id, outside.details)
    assert security_events(demo)[-1].event.detail == "patient.update.denied"


def test_edit_records_which_fields_changed(demo: Services, rivera: Caller) -> None:
    mine = demo.patients.search(rivera, text="DEMO-0001").items[0]
    updated = demo.patients.update(rivera, mine.id, dataclasses.replace(mine.details, weight_kg=81.5))
    assert updated.details.weight_kg == 81.5
    with demo.deps.db.transaction() as s:
        last = list(audit_repo.iter_all(s))[-1].event
    assert (last.action, last.detail) == ("patient.update", "changed: weight_kg")


def test_patient_sees_only_their_own_record_and_cannot_edit_it(demo: Services) -> None:
    me = caller_for(demo, "patient1", "demo-clinic-patient")
    own = me.actor.patient_id  # type: ignore[union-attr]
    assert own is not None
    assert demo.patients.get(me, own).patient.id == own
    with pytest.raises(NotFound, match=f"no patient {own + 1}"):
        demo.patients.get(me, own + 1)
    with pytest.raises(PermissionDenied):
        demo.patients.update(me, own, demo.patients.get(me, own).patient.details)
    with pytest.raises(PermissionDenied):
        demo.patients.search(me)


def test_researcher_has_no_access_to_identifiable_records(demo: Services) -> None:
    researcher = caller_for(demo, "researcher", "demo-clinic-research")
    with pytest.raises(PermissionDenied):
        demo.patients.search(researcher)
    with pytest.raises(PermissionDenied):
        demo.patients.get(researcher, 1)


def test_unknown_id_is_404_like_another_teams_patient(demo: Services, rivera: Caller) -> None:
    with pytest.raises(NotFound, match="no patient 987654"):
        demo.patients.get(rivera, 987_654)
    with pytest.raises(NotFound):
        demo.patients.get(Caller.cli(), 987_654)


def test_a_forged_actor_without_team_membership_sees_nothing(demo: Services) -> None:
    from stride.domain.accounts import Role

    ghost = Caller(actor=Actor(user_id=424242, username="ghost", role=Role.CLINICIAN))
    assert demo.patients.search(ghost).total == 0
