"""The demo clinic seeded by ``make run`` / ``stride demo seed`` into an empty database.

Everything is synthetic and marked so (``is_synthetic``, MRNs ``DEMO-nnnn``, a site named
"(synthetic)"). The demo passwords are fixed and printed, so seeding refuses to run in production.
Seeding goes through the same services as the web app, so the demo is audited like real use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from stride.domain.access_policy import Action
from stride.domain.accounts import Actor, Role, User
from stride.domain.patients import PatientDetails, Sex
from stride.domain.teams import CareTeam
from stride.domain.treatment import TreatmentKind
from stride.errors import Conflict, PermissionDenied
from stride.services.access import allows
from stride.services.activity import ActivityService
from stride.services.context import Caller, Deps
from stride.services.demo_activity import seed_activity
from stride.services.measurements import MeasurementService
from stride.services.patients import PatientService
from stride.services.plans import PlanService
from stride.services.schedules import ScheduleService
from stride.services.screening import ScreeningService
from stride.services.teams import TeamService
from stride.services.treatment import NewTreatment, TreatmentService
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
    DemoLogin("admin", "demo-clinic-manager", Role.ADMIN, "users, care teams, audit"),
    DemoLogin("dr.rivera", "demo-clinic-clinician", Role.CLINICIAN, "Mood Disorders Team"),
    DemoLogin("dr.okafor", "demo-clinic-clinician", Role.CLINICIAN, "both teams"),
    DemoLogin("researcher", "demo-clinic-research", Role.RESEARCHER, "studies (later issues)"),
]
PATIENT_PASSWORD = "demo-clinic-patient"


def demo_logins() -> list[DemoLogin]:
    patients = [
        DemoLogin(
            f"patient{i}",
            PATIENT_PASSWORD,
            Role.PATIENT,
            "own record; on a walking plan with logged sessions" if i == 5 else "own record only",
        )
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


def _phq9_answers(total: int, *, rng: random.Random) -> dict[str, int | None]:
    """Spread a PHQ-9 total over items 1-8 (0-3 each); item 9 'not at all'; item 10 'somewhat difficult'."""
    values = [0] * 8
    remaining = max(0, min(total, 24))
    while remaining:
        i = rng.randrange(8)
        if values[i] < 3:
            values[i] += 1
            remaining -= 1
    answers: dict[str, int | None] = {f"phq9_{i + 1}": v for i, v in enumerate(values)}
    answers["phq9_9"] = 0
    answers["phq9_10"] = 1
    return answers


class DemoService:
    def __init__(
        self,
        deps: Deps,
        *,
        users: UserService,
        teams: TeamService,
        patients: PatientService,
        measurements: MeasurementService,
        schedules: ScheduleService,
        treatment: TreatmentService,
        screening: ScreeningService,
        plans: PlanService,
        activity: ActivityService,
    ) -> None:
        self.deps, self.users, self.teams, self.patients = deps, users, teams, patients
        self.measurements, self.schedules, self.treatment = measurements, schedules, treatment
        self.screening, self.plans, self.activity = screening, plans, activity

    def seed(self, caller: Caller) -> DemoResult:
        """Seed the demo clinic if the database has no users yet; otherwise change nothing."""
        if not allows(caller, Action.SEED_DEMO):
            raise PermissionDenied("only an administrator can seed the demo clinic")
        if self.deps.settings.env == "production":
            raise Conflict("the demo clinic has published passwords and is never seeded in production")
        with self.deps.db.transaction() as s:
            if user_repo.count(s) > 0:
                return DemoResult(seeded=False, logins=demo_logins())
        site = self.teams.create_site(caller, "Stride Demo Clinic (synthetic)")
        mood = self.teams.create_team(caller, name="Mood Disorders Team", site_id=site.id)
        exercise = self.teams.create_team(caller, name="Exercise Physiology Team", site_id=site.id)
        staff = self._seed_staff(caller, mood=mood, exercise=exercise)
        rng = random.Random(SEED)
        patient_ids = self._seed_patients(caller, rng, mood=mood, exercise=exercise)
        rivera = staff["dr.rivera"]
        clinician = Caller(actor=Actor(user_id=rivera.id, username=rivera.username, role=rivera.role))
        self._seed_clinical(clinician, patient_ids[5:11], rng)
        seed_activity(
            clinician,
            patient_ids[4],  # DEMO-0005, login patient5
            screening=self.screening,
            plans=self.plans,
            activity=self.activity,
            now=self.deps.clock(),
            rng=rng,
        )
        return DemoResult(seeded=True, logins=demo_logins())

    def _seed_staff(self, caller: Caller, *, mood: CareTeam, exercise: CareTeam) -> dict[str, User]:
        """The staff accounts by username; Dr Rivera in the mood team, Dr Okafor in both teams."""
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
        return staff

    def _seed_patients(
        self, caller: Caller, rng: random.Random, *, mood: CareTeam, exercise: CareTeam
    ) -> list[int]:
        """The synthetic patients (the first 13 in the mood team, the rest in the exercise team), the
        first few with a portal login; their ids in order."""
        patient_ids = []
        for i, details in enumerate(_synthetic_patients(rng, today=self.deps.clock().date()), start=1):
            team = mood if i <= 13 else exercise
            patient = self.patients.create(caller, details, team_id=team.id, is_synthetic=True)
            patient_ids.append(patient.id)
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
        return patient_ids

    def _seed_clinical(self, clinician: Caller, patient_ids: list[int], rng: random.Random) -> None:
        """Twelve weeks of fortnightly PHQ-9s for six patients without a portal login (some respond,
        one remits), their schedules, and one TRD treatment history. No safety alert is seeded: the
        demo shows one as soon as someone answers item 9 above 'not at all'."""
        today = self.deps.clock().date()
        start = today - timedelta(days=84)
        for n, pid in enumerate(patient_ids):
            baseline, slope = rng.randint(16, 23), [0.4, 1.2, 2.6, 2.0, 0.8, 3.0][n]
            for visit in range(7):
                total = max(0, round(baseline - slope * visit + rng.uniform(-1.5, 1.5)))
                self.measurements.submit(
                    clinician,
                    pid,
                    "phq9",
                    _phq9_answers(total, rng=rng),
                    answered_on=start + timedelta(days=14 * visit),
                )
            self.schedules.set(clinician, pid, instrument="phq9", every_days=14, start_date=start)
        self._seed_trd_history(clinician, patient_ids[0], today=today)

    def _seed_trd_history(self, clinician: Caller, patient_id: int, *, today: date) -> None:
        """The current episode (moderate), three antidepressant trials and an augmentation."""
        self.treatment.set_episode(
            clinician, patient_id, episode_start=today - timedelta(days=540), severity="moderate"
        )
        for drug, dose, weeks, improvement, offset in (
            ("sertraline", 100, 8, 15, 500),
            ("venlafaxine", 150, 10, 20, 420),
            ("mirtazapine", 15, 6, 30, 300),
        ):
            self.treatment.add(
                clinician,
                patient_id,
                NewTreatment(
                    kind=TreatmentKind.ANTIDEPRESSANT,
                    drug=drug,
                    daily_dose_mg=dose,
                    weeks=weeks,
                    adherent=True,
                    improvement_pct=improvement,
                    start_date=today - timedelta(days=offset),
                ),
            )
        self.treatment.add(
            clinician,
            patient_id,
            NewTreatment(
                kind=TreatmentKind.AUGMENTATION,
                note="aripiprazole 5 mg",
                start_date=today - timedelta(days=250),
            ),
        )


def _display(username: str) -> str:
    names = {
        "admin": "Alex Admin",
        "dr.rivera": "Dr Sam Rivera",
        "dr.okafor": "Dr Ngozi Okafor",
        "researcher": "Riley Researcher",
    }
    return names[username]
