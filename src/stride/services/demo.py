"""The demo clinic seeded by ``make run`` / ``stride demo seed`` into an empty database.

Everything is synthetic and marked so (``is_synthetic``, MRNs ``DEMO-nnnn``, a site named
"(synthetic)"). The demo passwords are fixed and printed, so seeding refuses to run in production.
Seeding goes through the same services as the web app, so the demo is audited like real use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from stride.domain.accounts import Role
from stride.domain.patients import PatientDetails, Sex
from stride.errors import Conflict, PermissionDenied
from stride.services.access import has_role
from stride.services.context import Caller, Deps
from stride.services.patients import PatientService
from stride.services.teams import TeamService
from stride.services.users import NewUser, UserService
from stride.store.repositories import users as user_repo

SEED = 20261126
PATIENT_COUNT = 25
PATIENT_LOGINS = 5

_GIVEN_F = [
    "Ada",
    "Bea",
    "Cora",
    "Dina",
    "Edie",
    "Fern",
    "Gail",
    "Hana",
    "Iris",
    "Jude",
    "Kira",
    "Lena",
    "Mae",
]
_GIVEN_M = [
    "Abe",
    "Ben",
    "Cal",
    "Dev",
    "Eli",
    "Finn",
    "Gus",
    "Hugo",
    "Ivan",
    "Joel",
    "Kai",
    "Leo",
    "Max",
]
_FAMILY = [
    "Archer",
    "Bramble",
    "Calloway",
    "Dunmore",
    "Ellery",
    "Fairweather",
    "Greaves",
    "Hollis",
    "Ingram",
    "Jessop",
    "Kettering",
    "Lowther",
    "Marsden",
    "Northcote",
    "Ormsby",
    "Pendle",
]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    note: str


@dataclass(frozen=True, slots=True)
class DemoResult:
    seeded: bool
    logins: list[DemoLogin]


STAFF = [
    DemoLogin("admin", "stride-admin-demo", Role.ADMIN, "users, care teams, audit"),
    DemoLogin("dr.rivera", "stride-clinician-demo", Role.CLINICIAN, "Mood Disorders Team"),
    DemoLogin("dr.okafor", "stride-clinician-demo", Role.CLINICIAN, "both teams"),
    DemoLogin("researcher", "stride-research-demo", Role.RESEARCHER, "studies (later issues)"),
]
PATIENT_PASSWORD = "stride-patient-demo"


def demo_logins() -> list[DemoLogin]:
    patients = [
        DemoLogin(f"patient{i}", PATIENT_PASSWORD, Role.PATIENT, "own record only")
        for i in range(1, PATIENT_LOGINS + 1)
    ]
    return [*STAFF, *patients]


def _synthetic_patients(rng: random.Random, *, today: date) -> list[PatientDetails]:
    people = []
    for i in range(1, PATIENT_COUNT + 1):
        sex = rng.choice([Sex.FEMALE, Sex.MALE])
        given = rng.choice(_GIVEN_F if sex is Sex.FEMALE else _GIVEN_M)
        height = round(rng.gauss(165 if sex is Sex.FEMALE else 178, 7), 1)
        people.append(
            PatientDetails(
                given_name=given,
                family_name=rng.choice(_FAMILY),
                date_of_birth=date(
                    today.year - rng.randint(19, 74),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                ),
                sex=sex,
                timezone="Europe/London",
                email=f"{given.lower()}.{i}@example.org",
                phone=f"+44 7700 900{i:03d}",
                mrn=f"DEMO-{i:04d}",
                height_cm=height,
                weight_kg=round(rng.uniform(52, 110), 1),
                resting_hr=rng.randint(52, 88),
            )
        )
    return people


class DemoService:
    def __init__(
        self,
        deps: Deps,
        *,
        users: UserService,
        teams: TeamService,
        patients: PatientService,
    ) -> None:
        self.deps, self.users, self.teams, self.patients = deps, users, teams, patients

    def seed(self, caller: Caller) -> DemoResult:
        """Seed the demo clinic if the database has no users yet; otherwise change nothing."""
        if not has_role(caller, Role.ADMIN):
            raise PermissionDenied("only an administrator can seed the demo clinic")
        if self.deps.settings.env == "production":
            raise Conflict("the demo clinic has published passwords and is never seeded in production")
        with self.deps.db.transaction() as s:
            if user_repo.count(s) > 0:
                return DemoResult(seeded=False, logins=demo_logins())
        site = self.teams.create_site(caller, "Stride Demo Clinic (synthetic)")
        mood = self.teams.create_team(caller, name="Mood Disorders Team", site_id=site.id)
        exercise = self.teams.create_team(caller, name="Exercise Physiology Team", site_id=site.id)
        staff = {
            login.username: self.users.create(
                caller,
                NewUser(
                    username=login.username,
                    password=login.password,
                    role=login.role,
                    display_name=_display(login.username),
                ),
            )
            for login in STAFF
        }
        self.teams.set_member(caller, mood.id, staff["dr.rivera"].id, member=True)
        for team in (mood, exercise):
            self.teams.set_member(caller, team.id, staff["dr.okafor"].id, member=True)
        rng = random.Random(SEED)
        for i, details in enumerate(_synthetic_patients(rng, today=self.deps.clock().date()), start=1):
            team = mood if i <= 13 else exercise
            patient = self.patients.create(caller, details, team_id=team.id, is_synthetic=True)
            if i <= PATIENT_LOGINS:
                self.users.create(
                    caller,
                    NewUser(
                        username=f"patient{i}",
                        password=PATIENT_PASSWORD,
                        role=Role.PATIENT,
                        display_name=f"{details.given_name} {details.family_name}",
                        patient_id=patient.id,
                    ),
                )
        return DemoResult(seeded=True, logins=demo_logins())


def _display(username: str) -> str:
    names = {
        "admin": "Alex Admin",
        "dr.rivera": "Dr Sam Rivera",
        "dr.okafor": "Dr Ngozi Okafor",
        "researcher": "Riley Researcher",
    }
    return names[username]
