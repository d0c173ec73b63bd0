"""Users, sites and care teams: administrators manage them, nobody else does."""

from __future__ import annotations

import pytest

from stride.domain.accounts import Role
from stride.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.services.users import NewUser
from tests.conftest import caller_for


def test_patient_account_links_to_exactly_one_record(demo: Services) -> None:
    admin = caller_for(demo, "admin", "demo-clinic-manager")
    free = demo.patients.search(admin, text="DEMO-0010").items[0]
    user = demo.users.create(
        admin, NewUser(username="pat10", password="long enough pw", role=Role.PATIENT, patient_id=free.id)
    )
    assert user.patient_id == free.id
    with pytest.raises(Conflict) as err:
        demo.users.create(
            admin,
            NewUser(username="pat10b", password="long enough pw", role=Role.PATIENT, patient_id=free.id),
        )
    assert err.value.field == "patient_id"
    with pytest.raises(InvalidInput):
        demo.users.create(admin, NewUser(username="pat11", password="long enough pw", role=Role.PATIENT))
    with pytest.raises(Conflict):
        demo.users.create(admin, NewUser(username="PAT10", password="long enough pw", role=Role.CLINICIAN))


def test_non_admins_cannot_manage_users_or_teams(demo: Services) -> None:
    clinician = caller_for(demo, "dr.rivera", "demo-clinic-clinician")
    with pytest.raises(PermissionDenied):
        demo.users.list(clinician)
    with pytest.raises(PermissionDenied):
        demo.users.create(clinician, NewUser(username="x1", password="long enough pw", role=Role.ADMIN))
    with pytest.raises(PermissionDenied):
        demo.teams.create_site(clinician, "Rogue site")
    team = demo.teams.list_teams(clinician)[0]
    with pytest.raises(PermissionDenied):
        demo.teams.set_member(clinician, team.id, clinician.actor.user_id, member=False)  # type: ignore[union-attr]


def test_team_membership_controls_patient_access(demo: Services) -> None:
    admin = Caller.cli()
    rivera = caller_for(demo, "dr.rivera", "demo-clinic-clinician")
    other_team = next(t for t in demo.teams.list_teams(admin) if t.name == "Exercise Physiology Team")
    outside = demo.patients.search(admin, text="DEMO-0020").items[0]
    with pytest.raises(NotFound):
        demo.patients.get(rivera, outside.id)
    demo.teams.set_member(admin, other_team.id, rivera.actor.user_id, member=True)  # type: ignore[union-attr]
    assert demo.patients.get(rivera, outside.id).patient.id == outside.id
    assert demo.patients.search(rivera).total == 25
    demo.teams.set_patient(admin, other_team.id, outside.id, member=False)
    with pytest.raises(NotFound):
        demo.patients.get(rivera, outside.id)


def test_only_clinicians_join_care_teams(demo: Services) -> None:
    admin = Caller.cli()
    team = demo.teams.list_teams(admin)[0]
    researcher = next(u for u in demo.users.list(admin) if u.role is Role.RESEARCHER)
    with pytest.raises(InvalidInput) as err:
        demo.teams.set_member(admin, team.id, researcher.id, member=True)
    assert err.value.field == "user_id"


def test_duplicate_team_and_site_names_conflict(demo: Services) -> None:
    admin = Caller.cli()
    site = demo.teams.list_sites(admin)[0]
    with pytest.raises(Conflict):
        demo.teams.create_site(admin, site.name)
    with pytest.raises(Conflict):
        demo.teams.create_team(admin, name="Mood  Disorders Team", site_id=site.id)


def test_admin_cannot_deactivate_themselves(demo: Services) -> None:
    admin = caller_for(demo, "admin", "demo-clinic-manager")
    with pytest.raises(InvalidInput):
        demo.users.update(admin, admin.actor.user_id, is_active=False)  # type: ignore[union-attr]


def test_demo_seed_is_idempotent(demo: Services) -> None:
    before = len(demo.users.list(Caller.cli()))
    assert not demo.demo.seed(Caller.cli()).seeded
    assert len(demo.users.list(Caller.cli())) == before


def test_demo_is_never_seeded_in_production(services: Services) -> None:
    production = services.deps.settings.model_copy(update={"env": "production"})
    svc = Services.build(production)
    try:
        with pytest.raises(Conflict, match="never seeded in production"):
            svc.demo.seed(Caller.cli())
        assert svc.users.list(Caller.cli()) == []
    finally:
        svc.close()
