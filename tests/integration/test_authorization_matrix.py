"""The authorization matrix: every route x every role x own/other patient (or care team), on both
backends, through real HTTP requests against the app.

How it is organised
-------------------
* ``RULES`` is the expectation table, one entry per ``(method, path template)`` of ``app.routes``.
  Each entry says who may use the route (``policy``: role -> ``ALL`` / ``OWN`` / nothing), what
  "allowed" looks like (``ok`` status, plus an optional ``check``) and how to build a request that
  would succeed if the role were allowed (valid body, valid CSRF token or bearer token), so that a
  refusal can only come from the role check.
* ``test_every_route_has_an_expectation`` walks ``app.routes`` (API and page routes; the ``/static``
  mount and ``/openapi.json`` are the only exclusions) and fails on any route missing from the table
  (and on table entries for routes that no longer exist): a new route cannot slip in unreviewed.
* ``test_cell`` is one request per cell. Outcomes are exact:
  - allowed: the rule's ``ok`` status (a few cells expect a specific refusal such as 422, noted);
  - denied (authenticated): 403; the API answers JSON ``{"error": "permission_denied", ...}``, a page
    answers the HTML 403 page (``article#forbidden``); the refusal is in the security log (kind
    ``forbidden``, the action ending in ``.denied`` as its detail) by that user, tagged with the
    patient for patient-record cells (the user's refusals are counted before and after the request:
    repeats within a minute share a row), and no ``.denied`` entry is in the audit chain for the
    request id the app returns in ``X-Request-ID``;
  - hidden (patient-scoped cells of a clinician or patient on the "other" target): 404, exactly as
    for an id that does not exist, so that ids cannot be probed; the API answers JSON
    ``{"error": "not_found", ...}``, a page the HTML 404 page (``article#not-found``); the refusal is
    recorded like a 403's, with kind ``hidden``. Administrators and researchers, refused by role
    rather than by record, keep the 403 (``test_hidden_record_answers_like_a_missing_one`` compares
    the bodies);
  - anonymous: the API answers 401 JSON with ``WWW-Authenticate: Bearer``; pages redirect (303) to
    ``/login``.
  API cells run twice for each logged-in role: with a bearer token (``auth.create_api_token``) and
  with the session cookie plus the ``X-CSRF-Token`` header. Anonymous API cells run with no
  credentials and with a bogus bearer token. Page cells use the session cookie and the form field.
* "Own" and "other": a patient's own linked record vs another patient of the same care team; a
  clinician's (dr.rivera) care-team patient (Mood Disorders Team, demo patients 1-13) vs a patient of
  the other team only (14-25); for care-team routes, the clinician's team vs the other team. Admin,
  researcher and anonymous get the clinician's pair.
* Writes that are allowed are kept idempotent or aimed at throwaway rows (unique names, a throwaway
  user, team membership changes that are no-ops), so cells do not depend on each other's order.
  Patient edits send a changed name; an allowed edit is put back, a refused one must leave the
  record exactly as it was.
* ``test_csrf_*``: cookie-authenticated unsafe requests without (or with a wrong) CSRF token get 403
  and change nothing.

Measurement-based care (issue 3)
--------------------------------
Clinical data is for the patient (their own record: read responses, alerts, schedule, treatment,
outcomes; answer self-report questionnaires such as the PHQ-9) and for the clinicians of the
patient's care teams (read, enter any instrument, correct, acknowledge alerts, set schedules, record
treatment). Administrators are refused clinical data (403) though they read demographics;
researchers get 403; the clinician inbox (``/alerts``) and ``/dashboard`` are clinician-only.

* A response, alert or treatment route is patient-scoped: its cells work on a row of the target
  patient. Rows the cells read are made once in the ``world`` fixture (a PHQ-9 of every target
  patient, an open alert of the clinician's own and other patient); rows a cell changes (a response
  to correct, an alert to acknowledge) are made by the cell's ``build``, through the services, as
  dr.okafor (a clinician of both teams). Submit cells send a complete PHQ-9 with item 9 = 0 (no
  alert) except the "safety answer" variant.
* Patient-scoped cells check the audit log exactly: an allowed GET leaves the rule's ``reads`` (the
  record page adds the clinical reads for the patient and the care team, not for an administrator);
  a refusal leaves exactly one security-log refusal for the target patient, one of the rule's
  ``denials``. A refused (or 422) clinical write must leave the patient's clinical rows unchanged
  (``World.clinical_state``).
* ``VARIANTS`` are further cells for a route with another input, where the input changes who may use
  it: a clinician-rated scale (HAM-D 17, MADRS) is refused to the patient even for their own record;
  a positive item 9 returns the alert and crisis guidance with the response.
* Special cases, by design:
  - ``GET /api/v1/instruments/{id}`` answers 404 (not 403) to administrators and researchers: it
    offers the instruments the caller fills in, and the library is public reference (``/reference``);
    ``GET /api/v1/instruments`` gives them an empty list.
  - Correcting a response that was already corrected, and acknowledging an acknowledged alert, are
    InvalidInput (422) for the clinician allowed to do it (variants "already corrected" / "already
    acknowledged"); everyone else still gets the 403, because access is checked first.
  - Alert lifecycle (issue 10): an alert's page and resolving it (with a decision, a reason and the
    next review date) are for the clinicians of the patient's care team. Resolving a resolved alert
    is a Conflict (409) for that clinician (variant "already resolved"); everyone else gets the 403.

Exercise (issue 4)
------------------
Screening and plan building are for the clinicians of the patient's care team; the patient reads
their own screening status and plan; administrators and researchers are refused (403). The protocol
library (pages and API), CERT reports and heart-rate zones are reference material for every login.

* The world fixture screens each role's own patient (answers that clear them) and builds a plan
  for them through the services, as dr.okafor; the record page reads the patient, and for the
  patient and the care team the clinical record with the screening status and the current plan, in
  one transaction audited as one ``record.read`` entry naming the parts. A plan-building cell
  screens its target again first (``_plan_build``), so that it does not depend on the screenings
  other cells made; every new plan is a version of the current one, with a reason.
* ``World.clinical_state`` counts screenings and plans too: a refused screening or plan stores none.
* Variants: a screening that defers exercise ("not cleared": the clinician gets API 409
  ``{"error": "not_cleared", "decision", "reasons", ...}`` or the builder page with the refusal, 422)
  and a screening lapsed by a safety alert raised after it ("screening lapsed": 422 naming
  ``screening``; the clock moves on a second so that the alert is after it). Everyone else gets the
  403, ``plan.create.denied``: access is checked before the screening is looked at.
* The CERT report answers Markdown (``Rule.media``), not JSON.

Found with these cells and fixed in the services: ``PlanService.build`` looked at the screening
before checking access (a patient got 422 "screen the patient first" instead of 403, and an
administrator's refused plan was audited as ``screening.read.denied``); ``PlanService.current``
audited a refusal inside its transaction (on SQLite, a clinician of another team waited for the
database lock and got a 500 instead of 403); ``ScreeningService.known_answers`` (the screening form's
prefill: PHQ-9 item 9, C-SSRS risk) read health data without an audit entry.

Activity data
-------------
Sessions, adverse events and device-file uploads are the patient's own (logged, read, uploaded for
themselves) and their care team's clinicians'; administrators and researchers are refused (403),
reading and writing alike. The adverse-event counts per protocol (CERT item 11) are aggregate, with
no patient named: clinicians and researchers read them, patients and administrators do not.

* Read cells open rows the world fixture makes for every target patient through the services, as
  dr.okafor: a logged session (``World.sessions``) and an upload (``World.imports``; its bytes are no
  known format, so the import failed: an import all the same). Upload cells send a multipart file of
  bytes of their own (``World.upload``), so every allowed upload is a new import (202), never a repeat.
* The week page reads the week, the uploads and the record (for the name); the log form reads the
  week (the patient's timezone and this week's plan); the adverse-event page the events and the record.
* ``World.clinical_state`` counts sessions, adverse events and imports too: a refused write stores none.

Speed: the database is built once per backend per module (the module-scoped ``world`` fixture
below), not per test as ``database_url`` / ``demo`` do. It is parametrised exactly like them
(``BACKENDS``: ``sqlite``, and ``postgres`` with the ``postgres`` mark) and built by the same helpers
of ``tests/conftest.py``: a copy of the seeded SQLite demo template, or a clone of the seeded
PostgreSQL demo template (``_fresh_postgres``), dropped at the end of the module. Cells are written
to be independent of each other's order (and of ``-k`` selections).
"""

from __future__ import annotations

import io
import itertools
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import fastapi.routing
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.routing import Mount

from stride.cli.intensity import to_json as hr_zones_json
from stride.clinical.measurement import get_instrument
from stride.clinical.prescription import Refusal, hr_zones, protocol_ids
from stride.clinical.safety import screening_rules
from stride.domain.accounts import Actor, Role
from stride.domain.activity import SessionEntry
from stride.domain.measurements import StoredResponse
from stride.domain.patients import Patient, PatientDetails
from stride.services.context import Caller
from stride.services.plans import PlanRequest
from stride.services.registry import Services
from stride.services.users import NewUser
from stride.store.models import (
    ActivityImportRow,
    ActivitySessionRow,
    AdverseEventRow,
    AuditRow,
    DepressionEpisodeRow,
    ExercisePlanRow,
    PlanResumeRow,
    QuestionnaireResponseRow,
    QuestionnaireScheduleRow,
    SafetyAlertRow,
    ScreeningRow,
    SecurityEventRow,
    TreatmentEntryRow,
)
from stride.store.repositories import patients as patient_repo
from stride.store.repositories import teams as team_repo
from stride.store.repositories import users as user_repo
from stride.web.app import create_app
from tests.conftest import BACKENDS, FakeClock, _fresh_postgres, csrf_of, login, make_settings

ROLES = ("admin", "clinician", "patient", "researcher", "anonymous")
LOGINS = {
    "admin": ("admin", "demo-clinic-manager"),
    "clinician": ("dr.rivera", "demo-clinic-clinician"),
    "patient": ("patient1", "demo-clinic-patient"),
    "researcher": ("researcher", "demo-clinic-research"),
}
# The anonymous POST /login cell logs in someone not otherwise used by the matrix.
ANON_LOGIN = ("patient2", "demo-clinic-patient")
MATRIX_PASSWORD = "matrix-password-123"

ALL, OWN = "all", "own"  # policy values: any target, or only the role's own patient / team


# --------------------------------------------------------------------------------------------------
# The world: one seeded database and app per backend, logged-in clients and tokens per role
# --------------------------------------------------------------------------------------------------


@dataclass
class World:
    backend: str
    svc: Services
    app: Any
    clients: dict[str, TestClient]
    csrf: dict[str, str]
    tokens: dict[str, str]
    user_ids: dict[str, int]
    patients: dict[str, int]  # MRN -> id
    mood: int  # dr.rivera's team
    exercise: int  # the other team
    site: int
    target_user: int  # throwaway account for the user-administration routes
    spare_clinician: int  # a clinician in no team (membership removal is a no-op)
    okafor: Caller  # a clinician of both teams: enters the clinical rows the cells read and change
    clock: FakeClock  # the app's clock (the "screening lapsed" cells move it on by a second)
    responses: dict[int, int] = field(default_factory=dict)  # patient id -> a PHQ-9 of theirs
    alerts: dict[int, int] = field(default_factory=dict)  # patient id -> an open alert of theirs
    sessions: dict[int, int] = field(default_factory=dict)  # patient id -> a logged session of theirs
    imports: dict[int, int] = field(default_factory=dict)  # patient id -> an import of theirs
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def unique(self, stem: str) -> str:
        return f"{stem}{next(self._n)}"

    def patient(self, role: str, target: str) -> int:
        if role == "patient":
            return self.patients["DEMO-0001" if target == "own" else "DEMO-0002"]
        return self.patients["DEMO-0003" if target == "own" else "DEMO-0020"]

    def team(self, target: str) -> int:
        return self.mood if target == "own" else self.exercise

    def team_patient(self, target: str) -> int:
        """A patient already in that team (adding is a no-op)."""
        return self.patients["DEMO-0003" if target == "own" else "DEMO-0020"]

    def not_team_patient(self, target: str) -> int:
        """A patient not in that team (removing is a no-op)."""
        return self.patients["DEMO-0020" if target == "own" else "DEMO-0003"]

    def details(self, patient_id: int) -> PatientDetails:
        with self.svc.deps.db.transaction() as s:
            p = patient_repo.get(s, patient_id)
        assert p is not None
        return p.details

    def record(self, patient_id: int) -> Patient:
        with self.svc.deps.db.transaction() as s:
            p = patient_repo.get(s, patient_id)
        assert p is not None
        return p

    def audit_of(self, request_id: str) -> list[AuditRow]:
        with self.svc.deps.db.transaction() as s:
            rows = list(s.scalars(select(AuditRow).where(AuditRow.request_id == request_id)))
            s.expunge_all()
        return rows

    def refusals(self, user_id: int) -> Counter[tuple[str, str, int | None]]:
        """This user's refusals in the security log, as (kind, action, patient) -> times; a repeat
        within a minute is counted on the same row, so a cell compares counts before and after."""
        counts: Counter[tuple[str, str, int | None]] = Counter()
        with self.svc.deps.db.transaction() as s:
            rows = s.scalars(select(SecurityEventRow).where(SecurityEventRow.user_id == user_id)).all()
            for r in rows:
                if r.kind in ("forbidden", "hidden"):
                    counts[(r.kind, r.detail or "", r.patient_id)] += r.count
        return counts

    def user_id(self, username: str) -> int:
        with self.svc.deps.db.transaction() as s:
            row = user_repo.get_row_by_username(s, username)
        assert row is not None
        return row.id

    def fresh_response(self, patient_id: int, *, safety: bool = False) -> StoredResponse:
        """A new PHQ-9 of the patient, entered by dr.okafor (``safety``: item 9 answered, an alert)."""
        answers = phq9(item9=1 if safety else 0)
        return self.svc.measurements.submit(self.okafor, patient_id, "phq9", answers).response

    def fresh_alert(self, patient_id: int) -> int:
        done = self.svc.measurements.submit(self.okafor, patient_id, "phq9", phq9(item9=1))
        assert done.alert is not None
        return done.alert.id

    def upload(self) -> dict[str, Any]:
        """A multipart ``file`` with bytes of its own (so that it is a new import, not a repeat)."""
        return {
            "file": (f"{self.unique('matrix-')}.fit", self.unique("matrix upload ").encode(), "text/plain")
        }

    def fresh_import(self, patient_id: int) -> int:
        """A new import of the patient, uploaded by dr.okafor (its file fails to parse: no sessions)."""
        _, content, _ = self.upload()["file"]
        done = self.svc.imports.submit_stream(
            self.okafor, patient_id, io.BytesIO(content), filename="matrix.fit"
        )
        return done.record.id

    def screen(self, patient_id: int, answers: dict[str, Any] | None = None) -> None:
        """A new screening of the patient by dr.okafor (default: answers that clear them)."""
        self.svc.screening.record(self.okafor, patient_id, SCREENING_CLEAR if answers is None else answers)

    def lapse_screening(self, patient_id: int) -> None:
        """A cleared screening, then a safety alert raised after it: the screening no longer holds."""
        self.screen(patient_id)
        self.clock.advance(seconds=1)
        self.fresh_alert(patient_id)

    def clinical_state(self, patient_id: int) -> tuple[Any, ...]:
        """Everything a clinical write can change for a patient, to compare before and after a refusal."""
        with self.svc.deps.db.transaction() as s:

            def count(model: Any) -> int:
                return int(
                    s.scalar(select(func.count()).select_from(model).where(model.patient_id == patient_id))
                )

            alerts = s.execute(
                select(
                    SafetyAlertRow.id,
                    SafetyAlertRow.state,
                    SafetyAlertRow.acknowledged_at,
                    SafetyAlertRow.resolved_at,
                    SafetyAlertRow.decision,
                )
                .where(SafetyAlertRow.patient_id == patient_id)
                .order_by(SafetyAlertRow.id)
            ).all()
            schedules = s.execute(
                select(
                    QuestionnaireScheduleRow.instrument,
                    QuestionnaireScheduleRow.every_days,
                    QuestionnaireScheduleRow.start_date,
                    QuestionnaireScheduleRow.active,
                )
                .where(QuestionnaireScheduleRow.patient_id == patient_id)
                .order_by(QuestionnaireScheduleRow.instrument)
            ).all()
            return (
                count(QuestionnaireResponseRow),
                [tuple(a) for a in alerts],
                [tuple(x) for x in schedules],
                count(TreatmentEntryRow),
                count(DepressionEpisodeRow),
                count(ScreeningRow),
                count(ExercisePlanRow),
                count(PlanResumeRow),
                count(ActivitySessionRow),
                count(AdverseEventRow),
                count(ActivityImportRow),
            )

    def fresh_login(self, role: str) -> TestClient:
        client = TestClient(self.app)
        if role != "anonymous":
            login(client, *LOGINS[role])
        return client


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp(f"authz-{request.param}")
    if request.param == "sqlite":
        path = tmp / "stride.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_demo_template"), path)
        urls: Iterator[str] = iter([f"sqlite:///{path}"])
    else:
        urls = _fresh_postgres(
            request.getfixturevalue("postgres_admin_url"), request.getfixturevalue("postgres_demo_template")
        )
    url = next(urls)
    clock = FakeClock()
    svc = Services.build(make_settings(tmp, url), clock=clock)
    try:
        cli = Caller.cli()
        target = svc.users.create(cli, NewUser("matrix.target", MATRIX_PASSWORD, Role.RESEARCHER))
        spare = svc.users.create(cli, NewUser("dr.matrix", MATRIX_PASSWORD, Role.CLINICIAN))
        users = {u.username: u.id for u in svc.users.list(cli)}
        teams = {t.name: t for t in svc.teams.list_teams(cli)}
        patients = {p.details.mrn: p.id for p in svc.patients.search(cli, limit=200).items}
        app = create_app(svc.deps.settings, services=svc)
        clients: dict[str, TestClient] = {}
        with TestClient(app) as anonymous:
            clients["anonymous"] = anonymous
            for role, (username, password) in LOGINS.items():
                clients[role] = login(TestClient(app), username, password)
            w = World(
                backend=request.param,
                svc=svc,
                app=app,
                clients=clients,
                csrf={role: csrf_of(clients[role]) for role in LOGINS},
                tokens={
                    role: svc.auth.create_api_token(cli, username=username, name="matrix")
                    for role, (username, _) in LOGINS.items()
                },
                user_ids={role: users[username] for role, (username, _) in LOGINS.items()},
                patients=patients,  # type: ignore[arg-type]
                mood=teams["Mood Disorders Team"].id,
                exercise=teams["Exercise Physiology Team"].id,
                site=teams["Mood Disorders Team"].site_id,
                target_user=target.id,
                spare_clinician=spare.id,
                okafor=Caller(actor=Actor(users["dr.okafor"], "dr.okafor", Role.CLINICIAN)),
                clock=clock,
            )
            # Clinical rows for the read cells: a PHQ-9 of every patient a cell targets, and an
            # open alert of the clinician's own-team and other-team patient (for the inbox).
            for role, target in itertools.product(("patient", "clinician"), ("own", "other")):
                pid = w.patient(role, target)
                w.responses[pid] = w.fresh_response(pid).id
                # Activity rows for the read cells: a logged session and an upload (of bytes no
                # reader knows: a failed import is an import all the same).
                w.sessions[pid] = svc.activity.log_session(w.okafor, pid, SESSION_ENTRY).id
                w.imports[pid] = w.fresh_import(pid)
                if role == "clinician":
                    w.alerts[pid] = w.fresh_alert(pid)
            # A screened patient with an exercise plan for each role's own patient (the plan and
            # record-page cells read it; the plan-building cells add versions).
            for role in ("patient", "clinician"):
                pid = w.patient(role, "own")
                w.screen(pid)
                built = svc.plans.build(w.okafor, pid, PlanRequest(**PLAN_REQUEST))
                assert not isinstance(built, Refusal), built
            # The premises of "own" and "other", checked rather than assumed.
            with svc.deps.db.transaction() as s:
                rivera = w.user_ids["clinician"]
                assert patient_repo.in_clinician_teams(s, w.patient("clinician", "own"), rivera)
                assert not patient_repo.in_clinician_teams(s, w.patient("clinician", "other"), rivera)
                account = user_repo.get(s, w.user_ids["patient"])
                assert account is not None
                assert account.patient_id == w.patient("patient", "own")
                assert w.patient("patient", "other") in team_repo.get_team(s, w.mood).patient_ids  # type: ignore[union-attr]
            yield w
    finally:
        svc.close()
        urls_close = getattr(urls, "close", None)
        if urls_close is not None:
            urls_close()  # drops the PostgreSQL database


# --------------------------------------------------------------------------------------------------
# The expectation table
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    path: str
    json: Any = None
    data: Mapping[str, str | list[str]] | None = None
    files: Mapping[str, Any] | None = None  # multipart uploads (with ``data`` as the other fields)


Build = Callable[[World, str, str], Req]
Check = Callable[[World, str, str, Any], None]
Reads = tuple[str, ...] | Callable[[str], tuple[str, ...]]
RECORD_DENIALS = frozenset({"patient.read.denied", "patient.update.denied"})


@dataclass(frozen=True)
class Rule:
    kind: str  # "api" (JSON, 401 when anonymous) or "page" (HTML, 303 to /login when anonymous)
    policy: dict[str, str]  # role -> ALL or OWN; roles not named are refused (403)
    ok: int  # the status when allowed
    build: Build
    scope: str | None = None  # "patient" or "team": the cell has an own/other target
    public: bool = False  # no session needed: anonymous gets ``ok`` too
    special: dict[tuple[str, str], int] = field(default_factory=dict)  # (role, target) -> status
    check: Check | None = None  # extra assertions on an allowed (or special) response
    fresh_session: bool = False  # run on a new session of the role (log-in / log-out cells)
    # Patient-scoped cells: the audit actions of an allowed GET (exactly these, for the target
    # patient; a function of the role where the page shows more to some roles), and the actions a
    # refusal may be audited as (exactly one ``.denied`` entry, for the target patient).
    reads: Reads = ("patient.read",)
    denials: frozenset[str] = RECORD_DENIALS
    edits_record: bool = False  # a patient-record edit (sends given_name "Tampered", put back after)
    media: str = "application/json"  # the content type of an allowed API answer

    def reads_for(self, role: str) -> tuple[str, ...]:
        return self.reads(role) if callable(self.reads) else self.reads


def P(path: str) -> Build:
    return lambda w, role, target: Req(path)


ADMIN = {"admin": ALL}
STAFF = {"admin": ALL, "clinician": ALL}
STAFF_OWN_TEAM = {"admin": ALL, "clinician": OWN}
READ_RECORD = {"admin": ALL, "clinician": OWN, "patient": OWN}
EDIT_RECORD = {"admin": ALL, "clinician": OWN}
EVERYONE = {"admin": ALL, "clinician": ALL, "patient": ALL, "researcher": ALL}

HOME = {
    "admin": lambda w: "/admin/users",
    "clinician": lambda w: "/dashboard",
    "patient": lambda w: f"/patients/{w.patient('patient', 'own')}",
    "researcher": lambda w: "/account",
}


def _details_json(d: PatientDetails, **change: Any) -> dict[str, Any]:
    out = {name: getattr(d, name) for name in PatientDetails.__slots__}
    out["date_of_birth"] = d.date_of_birth.isoformat()
    out["sex"] = d.sex.value
    out.update(change)
    return out


def _details_form(d: PatientDetails, **change: Any) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in _details_json(d, **change).items()}


NEW_PATIENT = {
    "given_name": "Matrix",
    "family_name": "Newcomer",
    "date_of_birth": "1980-05-17",
    "sex": "other",
}


def _new_patient_api(w: World, role: str, target: str) -> Req:
    return Req("/api/v1/patients", json={**NEW_PATIENT, "team_id": w.team(target)})


def _new_patient_page(w: World, role: str, target: str) -> Req:
    return Req("/patients/new", data={**NEW_PATIENT, "team_id": str(w.team(target))})


def _edit_api(w: World, role: str, target: str) -> Req:
    pid = w.patient(role, target)
    return Req(f"/api/v1/patients/{pid}", json=_details_json(w.details(pid), given_name="Tampered"))


def _edit_page(w: World, role: str, target: str) -> Req:
    pid = w.patient(role, target)
    return Req(f"/patients/{pid}/edit", data=_details_form(w.details(pid), given_name="Tampered"))


def _check_me(w: World, role: str, target: str, r: Any) -> None:
    assert r.json()["username"] == LOGINS[role][0]


def _check_own_teams(w: World, role: str, target: str, r: Any) -> None:
    ids = {t["id"] for t in r.json()}
    if role == "clinician":
        assert ids == {w.mood}, "a clinician listed a care team they are not in"
    else:
        assert {w.mood, w.exercise} <= ids


def _check_patient_list(w: World, role: str, target: str, r: Any) -> None:
    mrns = {p["mrn"] for p in r.json()["items"]}
    assert "DEMO-0003" in mrns
    assert ("DEMO-0020" in mrns) is (role == "admin"), "a clinician listed a patient outside their teams"


def _check_patient_rows(w: World, role: str, target: str, r: Any) -> None:
    # The page shows 25 rows, so an administrator's first page need not hold a given patient.
    if role == "clinician":
        assert "DEMO-0003" in r.text
        assert "DEMO-0020" not in r.text, "a clinician listed a patient outside their teams"
    else:
        assert "DEMO-00" in r.text


def _check_record_json(w: World, role: str, target: str, r: Any) -> None:
    assert r.json()["id"] == w.patient(role, target)


def _check_record_page(w: World, role: str, target: str, r: Any) -> None:
    d = w.details(w.patient(role, target))
    assert d.family_name in r.text


def _check_create_refused(w: World, role: str, target: str, r: Any) -> None:
    # A clinician may only register into one of their own teams: refused as a wrong team_id.
    if r.headers["content-type"].startswith("application/json"):
        assert r.json()["field"] == "team_id"
    else:
        assert "care team" in r.text


def _check_verdict(w: World, role: str, target: str, r: Any) -> None:
    if r.headers["content-type"].startswith("application/json"):
        assert r.json()["ok"] is True
    else:
        assert "Chain intact" in r.text


def _check_home(w: World, role: str, target: str, r: Any) -> None:
    where = r.headers["location"]
    assert where == (HOME[role](w) if role in HOME else "/login"), where


def _check_logged_in_home(w: World, role: str, target: str, r: Any) -> None:
    where = r.headers["location"]
    if role == "anonymous":  # logged in as patient2: their own record
        assert where == f"/patients/{w.patients['DEMO-0002']}", where
    else:
        assert where == HOME[role](w), where
    assert "stride_session" in r.cookies


def _check_logout(w: World, role: str, target: str, r: Any) -> None:
    assert r.headers["location"].startswith("/login")


def _login_req(w: World, role: str, target: str) -> Req:
    username, password = LOGINS.get(role, ANON_LOGIN)
    return Req("/login", data={"username": username, "password": password})  # login_csrf added by the runner


def _password_req(w: World, role: str, target: str) -> Req:
    password = LOGINS[role][1] if role in LOGINS else "x"
    # The same password again: a real change (hashing, audit, other sessions closed) that leaves
    # the account usable for the other cells.
    return Req(
        "/account/password",
        data={"current_password": password, "new_password": password, "confirm_password": password},
    )


# ---- measurement-based care ----------------------------------------------------------------------

READ_CLINICAL = {"clinician": OWN, "patient": OWN}  # administrators and researchers: never
SUBMIT_SELF_REPORT = {"clinician": OWN, "patient": OWN}  # a patient answers self-report forms for themselves
WRITE_CLINICAL = {"clinician": OWN}  # clinician-rated scales, corrections, alerts, schedules, treatment
CLINICIAN = {"clinician": ALL}


def phq9(*, item9: int = 0) -> dict[str, int | None]:
    """A complete PHQ-9 (all ten answers); item 9 = 0 raises no alert."""
    return {f"phq9_{i}": 1 for i in range(1, 11)} | {"phq9_9": item9}


def complete(instrument_id: str) -> dict[str, int | None]:
    """Every item of an instrument answered with its lowest valid value."""
    return {i.id: (i.options[0].value if i.options else i.min) for i in get_instrument(instrument_id).items}


def _form(answers: dict[str, int | None], **extra: str) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in answers.items()} | extra


def _answers_of(instrument: str, safety: bool = False) -> dict[str, int | None]:
    return phq9(item9=1 if safety else 0) if instrument == "phq9" else complete(instrument)


def _submit_api(instrument: str = "phq9", *, safety: bool = False) -> Build:
    # A clinician dates a rating to the interview (yesterday); a patient's answers are dated today.
    return lambda w, r, t: Req(
        f"/api/v1/patients/{w.patient(r, t)}/responses",
        json={
            "instrument": instrument,
            "answers": _answers_of(instrument, safety),
            "answered_on": "2026-11-25" if r == "clinician" else None,
        },
    )


def _submit_page(instrument: str = "phq9") -> Build:
    return lambda w, r, t: Req(
        f"/patients/{w.patient(r, t)}/questionnaires/{instrument}", data=_form(_answers_of(instrument))
    )


def _response(suffix: str = "", *, api: bool = True) -> Build:
    """The target patient's standing PHQ-9 (for reads)."""
    prefix = "/api/v1" if api else ""
    return lambda w, r, t: Req(f"{prefix}/responses/{w.responses[w.patient(r, t)]}{suffix}")


def _correction(*, api: bool, corrected: bool = False) -> Build:
    """A PHQ-9 entered just now for the target patient (``corrected``: and corrected once already)."""

    def build(w: World, role: str, target: str) -> Req:
        pid = w.patient(role, target)
        rid = w.fresh_response(pid).id
        if corrected:
            w.svc.measurements.correct(w.okafor, rid, phq9(), reason="matrix: corrected first")
        answers = phq9() | {"phq9_1": 2}
        if api:
            return Req(
                f"/api/v1/responses/{rid}/corrections", json={"answers": answers, "reason": "item 1 misread"}
            )
        return Req(f"/responses/{rid}/correct", data=_form(answers, reason="item 1 misread"))

    return build


def _acknowledgement(*, api: bool, acknowledged: bool = False) -> Build:
    """An alert raised just now for the target patient (``acknowledged``: and acknowledged already)."""

    def build(w: World, role: str, target: str) -> Req:
        aid = w.fresh_alert(w.patient(role, target))
        if acknowledged:
            w.svc.alerts.acknowledge(w.okafor, aid, note="matrix: called the patient")
        note = "Phoned the patient; safety plan reviewed."
        if api:
            return Req(f"/api/v1/alerts/{aid}/acknowledge", json={"note": note})
        return Req(f"/alerts/{aid}/acknowledge", data={"note": note})

    return build


def _resolution(*, api: bool, resolved: bool = False) -> Build:
    """An alert raised and acknowledged just now for the target patient (``resolved``: and resolved)."""

    def build(w: World, role: str, target: str) -> Req:
        aid = w.fresh_alert(w.patient(role, target))
        w.svc.alerts.acknowledge(w.okafor, aid, note="matrix: called the patient")
        body = {
            "decision": "safety_plan",
            "reason": "Seen today; safety plan in place.",
            "next_review_on": "2026-12-24",
        }
        if resolved:
            w.svc.alerts.resolve(
                w.okafor,
                aid,
                decision="referred",
                reason="matrix: referred",
                next_review_on=date(2026, 12, 24),
            )
        if api:
            return Req(f"/api/v1/alerts/{aid}/resolve", json=body)
        return Req(f"/alerts/{aid}/resolve", data=body)

    return build


def _alert_page(w: World, role: str, target: str) -> Req:
    """The page of an alert raised just now for the target patient."""
    return Req(f"/alerts/{w.fresh_alert(w.patient(role, target))}")


def _check_resolved(w: World, role: str, target: str, r: Any) -> None:
    if r.status_code == 409:  # resolved already
        assert r.json()["error"] == "conflict"
        assert r.json()["field"] == "alert_id"
    else:
        body = r.json()
        assert (body["state"], body["decision"]) == ("resolved", "safety_plan")
        assert body["resolved_by"] == w.user_ids["clinician"]
        assert body["next_review_on"] == "2026-12-24"


def _patient_api(suffix: str, json: Any = None) -> Build:
    return lambda w, r, t: Req(f"/api/v1/patients/{w.patient(r, t)}{suffix}", json=json)


def _patient_page(suffix: str, data: dict[str, str] | None = None) -> Build:
    return lambda w, r, t: Req(f"/patients/{w.patient(r, t)}{suffix}", data=data)


SCHEDULE = {"every_days": 14, "start_date": "2026-11-01", "active": True}
EPISODE = {"episode_start": "2025-06-01", "severity": "moderate"}
TRIAL = {
    "kind": "antidepressant",
    "drug": "sertraline",
    "daily_dose_mg": 100,
    "start_date": "2026-06-01",
    "weeks": 8,
    "adherent": True,
    "improvement_pct": 10,
}


def _check_instruments(w: World, role: str, target: str, r: Any) -> None:
    ids = {i["id"] for i in r.json()}
    if role == "clinician":
        assert {"phq9", "hamd17", "madrs"} <= ids
    elif role == "patient":
        assert "phq9" in ids
        assert not ids & {"hamd17", "madrs"}, "a patient was offered a clinician-rated scale"
    else:
        assert ids == set(), "only the roles that fill in forms are offered instruments"


def _check_instrument(w: World, role: str, target: str, r: Any) -> None:
    if r.status_code == 200:
        body = r.json()
        assert body["id"] == "phq9"
        assert [i["id"] for i in body["items"]][:2] == ["phq9_1", "phq9_2"]
        assert body["bands"]
        assert body["loinc"]["total"] == "44261-6"
        assert body["licence"]["name"]
    else:
        assert r.json()["error"] == "not_found"


def _check_submission(*, safety: bool) -> Check:
    def check(w: World, role: str, target: str, r: Any) -> None:
        body = r.json()
        assert body["response"]["patient_id"] == w.patient(role, target)
        assert body["response"]["source"] == ("patient_portal" if role == "patient" else "clinician")
        if safety:
            assert body["alert"]["code"] == "suicidal_ideation"
            assert body["alert"]["is_open"]
            assert body["crisis"]["title"]
            assert body["crisis"]["text"]
            assert body["crisis"]["phone"]
        else:
            assert body["alert"] is None
            assert body["crisis"] is None

    return check


def _check_redirect_to_response(w: World, role: str, target: str, r: Any) -> None:
    assert r.headers["location"].startswith("/responses/"), r.headers["location"]


def _check_patient_items(w: World, role: str, target: str, r: Any) -> None:
    items = r.json()
    assert items
    assert {i["patient_id"] for i in items} == {w.patient(role, target)}


def _check_correction(w: World, role: str, target: str, r: Any) -> None:
    if r.status_code == 422:  # the response was corrected already: correct the newest version
        if r.headers["content-type"].startswith("application/json"):
            assert r.json()["field"] == "response_id"
    else:
        body = r.json()
        assert body["response"]["version"] == 2
        assert body["response"]["correction_reason"] == "item 1 misread"


def _check_acknowledged(w: World, role: str, target: str, r: Any) -> None:
    if r.status_code == 422:  # acknowledged already
        if r.headers["content-type"].startswith("application/json"):
            assert r.json()["field"] == "alert_id"
    else:
        assert r.json()["is_open"] is False
        assert r.json()["acknowledged_by"] == w.user_ids["clinician"]


def _check_inbox(w: World, role: str, target: str, r: Any) -> None:
    patients = {a["patient_id"] for a in r.json()}
    assert w.patient("clinician", "own") in patients
    assert w.patient("clinician", "other") not in patients, "the inbox showed another team's alert"


def _check_outcomes(w: World, role: str, target: str, r: Any) -> None:
    phq = [t for t in r.json() if t["instrument"] == "phq9"]
    assert phq
    assert phq[0]["points"]
    assert phq[0]["summary"]["current_status"]


def _check_treatment(w: World, role: str, target: str, r: Any) -> None:
    assert {"episode", "entries", "assessment"} <= r.json().keys()


# ---- exercise (issue 4) ----------------------------------------------------------------------------

SCREENING_CLEAR: dict[str, Any] = {
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "parq": dict.fromkeys(screening_rules().parq.questions, False),
    "phq9_item9": 0,
    "resting_bp": [120, 80],
}
# A positive PHQ-9 item 9 defers exercise: a plan on this screening is refused.
SCREENING_DEFER: dict[str, Any] = {**SCREENING_CLEAR, "phq9_item9": 2}
SCREENING_FORM = {
    "currently_active": "no",
    "desired_intensity": "moderate",
    "bp_systolic": "120",
    "bp_diastolic": "80",
    "phq9_item9": "0",
    "medications": "",
} | dict.fromkeys(screening_rules().parq.questions, "no")
PLAN_REQUEST: dict[str, Any] = {
    "protocol": "home_walking",
    "setting": "home",
    "days": ("mon", "wed", "fri"),
    "minutes": 40,
}
# Every own patient has a plan already (the world fixture), so a new one is a version with a reason.
PLAN_JSON = {**PLAN_REQUEST, "days": list(PLAN_REQUEST["days"]), "reason": "matrix: a new version"}
PLAN_FORM: dict[str, str | list[str]] = {
    **{k: str(v) for k, v in PLAN_JSON.items() if k != "days"},
    "days": PLAN_JSON["days"],
}


def _plan_build(*, api: bool, screening: str = "clear") -> Build:
    """Screen the target patient first (``clear``, ``defer``, or ``lapsed``: cleared, then a safety
    alert raised after it), so that the cell does not depend on the screenings other cells made."""

    def build(w: World, role: str, target: str) -> Req:
        pid = w.patient(role, target)
        if screening == "lapsed":
            w.lapse_screening(pid)
        else:
            w.screen(pid, SCREENING_DEFER if screening == "defer" else SCREENING_CLEAR)
        if api:
            return Req(f"/api/v1/patients/{pid}/plans", json=PLAN_JSON)
        return Req(f"/patients/{pid}/plan/new", data=PLAN_FORM)

    return build


def _plan_resume(*, api: bool) -> Build:
    """The target patient's plan held by an alert raised, acknowledged and resolved just now (and
    any other cell's alert), and a cleared screening since: the plan waits to be resumed."""

    def build(w: World, role: str, target: str) -> Req:
        pid = w.patient(role, target)
        # A second on, so that the resolution comes after the plan's version and its last resume.
        w.clock.advance(seconds=1)
        w.fresh_alert(pid)
        # Every alert other cells left under review is resolved too: an open one holds the plan.
        for alert in w.svc.alerts.for_patient(w.okafor, pid, active_only=True):
            if alert.is_open:
                w.svc.alerts.acknowledge(w.okafor, alert.id, note="matrix: called the patient")
            w.svc.alerts.resolve(
                w.okafor,
                alert.id,
                decision="referred",
                reason="matrix: referred",
                next_review_on=date(2026, 12, 24),
            )
        w.clock.advance(seconds=1)
        w.screen(pid)
        body = {"mode": "paused_week", "reason": "Reviewed in clinic; safe to continue."}
        if api:
            return Req(f"/api/v1/patients/{pid}/plan/resume", json=body)
        return Req(f"/patients/{pid}/plan/resume", data=body)

    return build


def _check_resumed(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert body["plan"]["patient_id"] == w.patient(role, target)
    assert (body["on_hold"], body["may_resume"]) == (False, False)
    last = body["resumes"][-1]
    assert (last["mode"], last["resumed_by"]) == ("paused_week", w.user_ids["clinician"])
    assert last["reason"] == "Reviewed in clinic; safe to continue."


def _check_protocol_list(w: World, role: str, target: str, r: Any) -> None:
    rows = r.json()
    assert [p["id"] for p in rows] == protocol_ids()
    assert all(p["weeks"] > 0 and p["evidence_level"] for p in rows)
    assert any(p["limited_evidence_in_trd"] for p in rows)


def _check_protocol(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert body["id"] == "home_walking"
    assert body["phases"]
    assert body["progression"]["rule"]
    assert body["adherence"]
    assert body["contraindications"]


def _check_cert(w: World, role: str, target: str, r: Any) -> None:
    assert r.text.startswith("# CERT report"), r.text[:80]


def _check_hr_zones(w: World, role: str, target: str, r: Any) -> None:
    assert r.json() == hr_zones_json(hr_zones(age=40, resting_hr=60))  # as `stride hr-zones --json`


def _check_screening(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert (body["patient_id"], body["decision"], body["expires_on"]) == (
        w.patient(role, target),
        "cleared",
        "2027-11-25",
    )
    assert body["inputs"]["age"] > 0
    assert [x["code"] for x in body["reasons"]] == ["acsm_inactive_healthy", "parq_all_no"]


def _check_screening_status(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert body["screening"]["patient_id"] == w.patient(role, target)
    assert isinstance(body["valid"], bool)


def _check_plan(w: World, role: str, target: str, r: Any) -> None:
    if r.status_code == 409:  # the screening defers exercise: no plan, the screen's reasons instead
        body = r.json()
        assert (body["error"], body["decision"], body["field"]) == ("not_cleared", "defer", "screening")
        assert "suicidal_ideation_phq9" in [x["code"] for x in body["reasons"]]
    elif r.status_code == 422:  # the screening lapsed: screen again first
        assert r.json()["field"] == "screening"
    else:
        body = r.json()
        assert (body["patient_id"], body["protocol"]) == (w.patient(role, target), "home_walking")
        assert body["version"] >= 2
        assert body["change_reason"] == "matrix: a new version"
        assert body["plan"]["protocol"] == "home_walking"
        assert len(body["plan"]["weeks"]) == 12


def _check_plan_view(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert body["plan"]["patient_id"] == w.patient(role, target)
    assert body["current_week"] == 1
    assert body["this_week"] == body["plan"]["plan"]["weeks"][0]
    assert body["on_hold"] is (body["hold_reason"] is not None)


def _check_plan_versions(w: World, role: str, target: str, r: Any) -> None:
    versions = r.json()
    assert [v["version"] for v in versions] == list(range(1, len(versions) + 1))
    assert {v["patient_id"] for v in versions} == {w.patient(role, target)}


def _check_plan_refused_page(w: World, role: str, target: str, r: Any) -> None:
    assert 'id="plan-refused"' in r.text
    assert "(defer)" in r.text


# ---- activity -----------------------------------------------------------------------------

# A session the world logs for every target patient (the session read cells open it).
SESSION_ENTRY = SessionEntry(
    start=datetime(2026, 11, 25, 10, 0, tzinfo=UTC), sport="walking", minutes=30, rpe=12
)
SESSION_JSON = {"start": "2026-11-25T17:30:00+00:00", "sport": "walking", "minutes": 25, "rpe": 12}
SESSION_FORM = {
    "timezone": "Europe/London",
    "start": "2026-11-25T17:30",
    "sport": "walking",
    "minutes": "25",
    "rpe": "12",
}
EVENT_JSON = {
    "occurred_at": "2026-11-25T17:45:00+00:00",
    "description": "Matrix: sore knee after the walk",
    "severity": "mild",
    "action_taken": "Rested",
}
EVENT_FORM = {
    "timezone": "Europe/London",
    "occurred_at": "2026-11-25T17:45",
    "description": "Matrix: sore knee after the walk",
    "severity": "mild",
    "action_taken": "Rested",
}
LOG_ACTIVITY = {"clinician": OWN, "patient": OWN}  # the patient and their care team; nobody else
AE_COUNTS = {"clinician": ALL, "researcher": ALL}  # aggregate counts, no patient data


def _session_of(prefix: str) -> Build:
    """The target patient's standing session."""
    return lambda w, r, t: Req(f"{prefix}/sessions/{w.sessions[w.patient(r, t)]}")


def _import_of(path: str) -> Build:
    """The target patient's standing import (``path`` with ``{id}``)."""
    return lambda w, r, t: Req(path.format(id=w.imports[w.patient(r, t)]))


def _upload(*, api: bool) -> Build:
    def build(w: World, role: str, target: str) -> Req:
        pid = w.patient(role, target)
        path = f"/api/v1/patients/{pid}/imports" if api else f"/patients/{pid}/activity/import"
        return Req(path, files=w.upload())

    return build


def _check_activity_items(w: World, role: str, target: str, r: Any) -> None:
    items = r.json()
    assert items
    assert {i["patient_id"] for i in items} == {w.patient(role, target)}


def _check_activity_created(w: World, role: str, target: str, r: Any) -> None:
    assert r.json()["patient_id"] == w.patient(role, target)


def _check_session_detail(w: World, role: str, target: str, r: Any) -> None:
    pid = w.patient(role, target)
    assert r.json()["session"]["id"] == w.sessions[pid]
    assert r.json()["session"]["patient_id"] == pid


def _check_import(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert body["patient_id"] == w.patient(role, target)
    assert body["status"] in ("queued", "running", "done", "failed")


def _check_upload(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert (body["patient_id"], body["already_imported"]) == (w.patient(role, target), False)


def _check_week(w: World, role: str, target: str, r: Any) -> None:
    body = r.json()
    assert (body["patient_id"], body["week_start"]) == (w.patient(role, target), "2026-11-23")
    assert w.sessions[w.patient(role, target)] in {s["id"] for s in body["sessions"]}


def _check_ae_counts(w: World, role: str, target: str, r: Any) -> None:
    if r.headers["content-type"].startswith("application/json"):
        assert all(set(row) == {"protocol", "by_severity", "total"} for row in r.json())
    else:
        assert "Adverse events per protocol" in r.text


def _check_redirect_to_week(w: World, role: str, target: str, r: Any) -> None:
    assert r.headers["location"].startswith(f"/patients/{w.patient(role, target)}/activity?week=2026-11-25")


def _check_upload_page(w: World, role: str, target: str, r: Any) -> None:
    assert 'class="import-status' in r.text


RULES: dict[tuple[str, str], Rule] = {
    # ---- health and the API: account, users ------------------------------------------------------
    ("GET", "/healthz"): Rule("api", EVERYONE, 200, P("/healthz"), public=True),
    ("GET", "/api/v1/me"): Rule("api", EVERYONE, 200, P("/api/v1/me"), check=_check_me),
    ("GET", "/api/v1/users"): Rule("api", ADMIN, 200, P("/api/v1/users")),
    ("POST", "/api/v1/users"): Rule(
        "api",
        ADMIN,
        201,
        lambda w, r, t: Req(
            "/api/v1/users",
            json={"username": w.unique("matrix.api"), "password": MATRIX_PASSWORD, "role": "researcher"},
        ),
    ),
    ("GET", "/api/v1/users/{user_id}"): Rule(
        "api", ADMIN, 200, lambda w, r, t: Req(f"/api/v1/users/{w.target_user}")
    ),
    ("PATCH", "/api/v1/users/{user_id}"): Rule(
        "api",
        ADMIN,
        200,
        lambda w, r, t: Req(f"/api/v1/users/{w.target_user}", json={"display_name": "Matrix Target"}),
    ),
    ("POST", "/api/v1/users/{user_id}/password"): Rule(
        "api",
        ADMIN,
        204,
        lambda w, r, t: Req(
            f"/api/v1/users/{w.target_user}/password", json={"new_password": MATRIX_PASSWORD}
        ),
    ),
    ("POST", "/api/v1/users/{user_id}/unlock"): Rule(
        "api", ADMIN, 200, lambda w, r, t: Req(f"/api/v1/users/{w.target_user}/unlock")
    ),
    # ---- API: sites and care teams ---------------------------------------------------------------
    ("GET", "/api/v1/sites"): Rule("api", STAFF, 200, P("/api/v1/sites")),
    ("POST", "/api/v1/sites"): Rule(
        "api", ADMIN, 201, lambda w, r, t: Req("/api/v1/sites", json={"name": w.unique("Matrix Site ")})
    ),
    ("GET", "/api/v1/teams"): Rule("api", STAFF, 200, P("/api/v1/teams"), check=_check_own_teams),
    ("POST", "/api/v1/teams"): Rule(
        "api",
        ADMIN,
        201,
        lambda w, r, t: Req("/api/v1/teams", json={"name": w.unique("Matrix Team "), "site_id": w.site}),
    ),
    ("GET", "/api/v1/teams/{team_id}"): Rule(
        "api", STAFF_OWN_TEAM, 200, lambda w, r, t: Req(f"/api/v1/teams/{w.team(t)}"), scope="team"
    ),
    ("PUT", "/api/v1/teams/{team_id}/members/{user_id}"): Rule(
        "api",
        ADMIN,
        200,
        # dr.okafor is in both teams already: adding is a no-op.
        lambda w, r, t: Req(f"/api/v1/teams/{w.team(t)}/members/{w.user_id('dr.okafor')}"),
        scope="team",
    ),
    ("DELETE", "/api/v1/teams/{team_id}/members/{user_id}"): Rule(
        "api",
        ADMIN,
        200,
        lambda w, r, t: Req(f"/api/v1/teams/{w.team(t)}/members/{w.spare_clinician}"),
        scope="team",
    ),
    ("PUT", "/api/v1/teams/{team_id}/patients/{patient_id}"): Rule(
        "api",
        ADMIN,
        200,
        lambda w, r, t: Req(f"/api/v1/teams/{w.team(t)}/patients/{w.team_patient(t)}"),
        scope="team",
    ),
    ("DELETE", "/api/v1/teams/{team_id}/patients/{patient_id}"): Rule(
        "api",
        ADMIN,
        200,
        lambda w, r, t: Req(f"/api/v1/teams/{w.team(t)}/patients/{w.not_team_patient(t)}"),
        scope="team",
    ),
    # ---- API: audit --------------------------------------------------------------------------------
    ("GET", "/api/v1/audit"): Rule("api", ADMIN, 200, P("/api/v1/audit?limit=5")),
    ("GET", "/api/v1/security-events"): Rule("api", ADMIN, 200, P("/api/v1/security-events?limit=5")),
    ("POST", "/api/v1/audit/verify"): Rule(
        "api", ADMIN, 200, P("/api/v1/audit/verify"), check=_check_verdict
    ),
    # ---- API: patients -----------------------------------------------------------------------------
    ("GET", "/api/v1/patients"): Rule(
        "api", STAFF, 200, P("/api/v1/patients?limit=200"), check=_check_patient_list
    ),
    ("POST", "/api/v1/patients"): Rule(
        "api",
        STAFF,
        201,
        _new_patient_api,
        scope="team",
        special={("clinician", "other"): 422},
        check=lambda w, r, t, resp: _check_create_refused(w, r, t, resp) if resp.status_code == 422 else None,
    ),
    ("GET", "/api/v1/patients/{patient_id}"): Rule(
        "api",
        READ_RECORD,
        200,
        lambda w, r, t: Req(f"/api/v1/patients/{w.patient(r, t)}"),
        scope="patient",
        check=_check_record_json,
    ),
    ("PUT", "/api/v1/patients/{patient_id}"): Rule(
        "api", EDIT_RECORD, 200, _edit_api, scope="patient", edits_record=True
    ),
    # ---- pages: log in and out, home, account ------------------------------------------------------
    ("GET", "/"): Rule("page", EVERYONE, 303, P("/"), public=True, check=_check_home),
    ("GET", "/login"): Rule("page", EVERYONE, 200, P("/login"), public=True),
    ("POST", "/login"): Rule(
        "page",
        EVERYONE,
        303,
        _login_req,
        public=True,
        fresh_session=True,
        check=_check_logged_in_home,
    ),
    ("POST", "/logout"): Rule("page", EVERYONE, 303, P("/logout"), fresh_session=True, check=_check_logout),
    ("GET", "/account"): Rule("page", EVERYONE, 200, P("/account")),
    ("POST", "/account/password"): Rule("page", EVERYONE, 303, _password_req),
    # ---- pages: patients -----------------------------------------------------------------------------
    ("GET", "/patients"): Rule("page", STAFF, 200, P("/patients"), check=_check_patient_rows),
    ("GET", "/patients/rows"): Rule("page", STAFF, 200, P("/patients/rows"), check=_check_patient_rows),
    ("GET", "/patients/new"): Rule("page", STAFF, 200, P("/patients/new")),
    ("POST", "/patients/new"): Rule(
        "page",
        STAFF,
        303,
        _new_patient_page,
        scope="team",
        special={("clinician", "other"): 422},
        check=lambda w, r, t, resp: _check_create_refused(w, r, t, resp) if resp.status_code == 422 else None,
    ),
    ("GET", "/patients/{patient_id}"): Rule(
        "page",
        READ_RECORD,
        200,
        lambda w, r, t: Req(f"/patients/{w.patient(r, t)}"),
        scope="patient",
        check=_check_record_page,
        # One use case, one audit entry for the view (its detail names the parts: the patient and
        # the care team also see the clinical record, an administrator does not).
        reads=("record.read",),
        denials=frozenset({"record.read.denied"}),
    ),
    ("GET", "/patients/{patient_id}/edit"): Rule(
        "page", EDIT_RECORD, 200, lambda w, r, t: Req(f"/patients/{w.patient(r, t)}/edit"), scope="patient"
    ),
    ("POST", "/patients/{patient_id}/edit"): Rule(
        "page", EDIT_RECORD, 303, _edit_page, scope="patient", edits_record=True
    ),
    # ---- pages: care teams and sites -------------------------------------------------------------------
    ("GET", "/teams"): Rule("page", STAFF, 200, P("/teams")),
    ("POST", "/teams"): Rule(
        "page",
        ADMIN,
        303,
        lambda w, r, t: Req("/teams", data={"name": w.unique("Matrix Page Team "), "site_id": str(w.site)}),
    ),
    ("POST", "/sites"): Rule(
        "page", ADMIN, 303, lambda w, r, t: Req("/sites", data={"name": w.unique("Matrix Page Site ")})
    ),
    # Empty values: the package default crisis guidance (a no-op for the other cells).
    ("POST", "/sites/{site_id}/crisis"): Rule(
        "page",
        ADMIN,
        303,
        lambda w, r, t: Req(f"/sites/{w.site}/crisis", data={"crisis_text": "", "crisis_phone": ""}),
    ),
    ("GET", "/teams/{team_id}"): Rule(
        "page", STAFF_OWN_TEAM, 200, lambda w, r, t: Req(f"/teams/{w.team(t)}"), scope="team"
    ),
    ("POST", "/teams/{team_id}/members"): Rule(
        "page",
        ADMIN,
        303,
        lambda w, r, t: Req(
            f"/teams/{w.team(t)}/members", data={"user_id": str(w.spare_clinician), "op": "remove"}
        ),
        scope="team",
    ),
    ("POST", "/teams/{team_id}/patients"): Rule(
        "page",
        ADMIN,
        303,
        lambda w, r, t: Req(
            f"/teams/{w.team(t)}/patients", data={"patient_id": str(w.team_patient(t)), "op": "add"}
        ),
        scope="team",
    ),
    # ---- pages: administration ---------------------------------------------------------------------------
    ("GET", "/admin/users"): Rule("page", ADMIN, 200, P("/admin/users")),
    ("POST", "/admin/users"): Rule(
        "page",
        ADMIN,
        303,
        lambda w, r, t: Req(
            "/admin/users",
            data={"username": w.unique("matrix.page"), "password": MATRIX_PASSWORD, "role": "researcher"},
        ),
    ),
    ("GET", "/admin/users/{user_id}"): Rule(
        "page", ADMIN, 200, lambda w, r, t: Req(f"/admin/users/{w.target_user}")
    ),
    ("POST", "/admin/users/{user_id}"): Rule(
        "page",
        ADMIN,
        303,
        lambda w, r, t: Req(
            f"/admin/users/{w.target_user}",
            data={"display_name": "Matrix Target", "email": "", "is_active": "on"},
        ),
    ),
    ("POST", "/admin/users/{user_id}/unlock"): Rule(
        "page", ADMIN, 303, lambda w, r, t: Req(f"/admin/users/{w.target_user}/unlock")
    ),
    ("GET", "/admin/audit"): Rule("page", ADMIN, 200, P("/admin/audit")),
    ("GET", "/admin/security"): Rule("page", ADMIN, 200, P("/admin/security")),
    ("POST", "/admin/audit/verify"): Rule("page", ADMIN, 200, P("/admin/audit/verify"), check=_check_verdict),
    # ---- API: measurement-based care (issue 3) -------------------------------------------------------
    # Instruments are offered to the roles that fill them in; an instrument the caller does not fill
    # in is not found (404, like an unknown id), not refused: the library itself is public reference.
    ("GET", "/api/v1/instruments"): Rule(
        "api", EVERYONE, 200, P("/api/v1/instruments"), check=_check_instruments
    ),
    ("GET", "/api/v1/instruments/{instrument_id}"): Rule(
        "api",
        {"clinician": ALL, "patient": ALL},
        200,
        P("/api/v1/instruments/phq9"),
        special={("admin", "-"): 404, ("researcher", "-"): 404},
        check=_check_instrument,
    ),
    ("GET", "/api/v1/patients/{patient_id}/responses"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/responses?instrument=phq9"),
        scope="patient",
        check=_check_patient_items,
        reads=("questionnaire.read",),
        denials=frozenset({"questionnaire.read.denied"}),
    ),
    ("POST", "/api/v1/patients/{patient_id}/responses"): Rule(
        "api",
        SUBMIT_SELF_REPORT,
        201,
        _submit_api(),
        scope="patient",
        check=_check_submission(safety=False),
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    ("GET", "/api/v1/responses/{response_id}"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _response(),
        scope="patient",
        reads=("questionnaire.read",),
        denials=frozenset({"questionnaire.read.denied"}),
    ),
    ("POST", "/api/v1/responses/{response_id}/corrections"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _correction(api=True),
        scope="patient",
        check=_check_correction,
        denials=frozenset({"questionnaire.correct.denied"}),
    ),
    ("GET", "/api/v1/alerts"): Rule("api", CLINICIAN, 200, P("/api/v1/alerts?all=true"), check=_check_inbox),
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): Rule(
        "api",
        WRITE_CLINICAL,
        200,
        _acknowledgement(api=True),
        scope="patient",
        check=_check_acknowledged,
        denials=frozenset({"alert.acknowledge.denied"}),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/resolve"): Rule(
        "api",
        WRITE_CLINICAL,
        200,
        _resolution(api=True),
        scope="patient",
        check=_check_resolved,
        denials=frozenset({"alert.resolve.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/alerts"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/alerts"),
        scope="patient",
        reads=("alert.read",),
        denials=frozenset({"alert.read.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/schedule"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/schedule"),
        scope="patient",
        reads=("schedule.read",),
        denials=frozenset({"schedule.read.denied"}),
    ),
    ("PUT", "/api/v1/patients/{patient_id}/schedule/{instrument_id}"): Rule(
        "api",
        WRITE_CLINICAL,
        200,
        _patient_api("/schedule/phq9", SCHEDULE),
        scope="patient",
        check=lambda w, r, t, resp: None if resp.json()["every_days"] == 14 else pytest.fail(resp.text),
        denials=frozenset({"schedule.set.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/treatment"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/treatment"),
        scope="patient",
        check=_check_treatment,
        reads=("treatment.read",),
        denials=frozenset({"treatment.read.denied"}),
    ),
    ("POST", "/api/v1/patients/{patient_id}/treatment"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _patient_api("/treatment", TRIAL),
        scope="patient",
        denials=frozenset({"treatment.add.denied"}),
    ),
    ("PUT", "/api/v1/patients/{patient_id}/episode"): Rule(
        "api",
        WRITE_CLINICAL,
        200,
        _patient_api("/episode", EPISODE),
        scope="patient",
        denials=frozenset({"episode.set.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/outcomes"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/outcomes"),
        scope="patient",
        check=_check_outcomes,
        reads=("questionnaire.read",),
        denials=frozenset({"questionnaire.read.denied"}),
    ),
    # ---- pages: measurement-based care ---------------------------------------------------------------
    ("GET", "/patients/{patient_id}/questionnaires/{instrument_id}"): Rule(
        "page",
        SUBMIT_SELF_REPORT,
        200,
        _patient_page("/questionnaires/phq9"),
        scope="patient",
        reads=(),  # an empty form: nothing of the patient's is read
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    ("POST", "/patients/{patient_id}/questionnaires/{instrument_id}"): Rule(
        "page",
        SUBMIT_SELF_REPORT,
        303,
        _submit_page(),
        scope="patient",
        check=_check_redirect_to_response,
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    ("GET", "/responses/{response_id}"): Rule(
        "page",
        READ_CLINICAL,
        200,
        _response(api=False),
        scope="patient",
        reads=("questionnaire.read",),
        denials=frozenset({"questionnaire.read.denied"}),
    ),
    # A patient may read their response but not open its correction form: the read is audited, then
    # the refusal (questionnaire.submit.denied); an administrator is refused the read itself.
    ("GET", "/responses/{response_id}/correct"): Rule(
        "page",
        WRITE_CLINICAL,
        200,
        _response("/correct", api=False),
        scope="patient",
        reads=("questionnaire.read",),
        denials=frozenset({"questionnaire.read.denied", "questionnaire.submit.denied"}),
    ),
    ("POST", "/responses/{response_id}/correct"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _correction(api=False),
        scope="patient",
        check=_check_redirect_to_response,
        denials=frozenset({"questionnaire.read.denied", "questionnaire.correct.denied"}),
    ),
    ("POST", "/patients/{patient_id}/schedule"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _patient_page(
            "/schedule",
            {"instrument": "phq9", "every_days": "14", "start_date": "2026-11-01", "active": "on"},
        ),
        scope="patient",
        denials=frozenset({"schedule.set.denied"}),
    ),
    ("GET", "/alerts"): Rule("page", CLINICIAN, 200, P("/alerts")),
    ("POST", "/alerts/{alert_id}/acknowledge"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _acknowledgement(api=False),
        scope="patient",
        denials=frozenset({"alert.acknowledge.denied"}),
    ),
    ("GET", "/alerts/{alert_id}"): Rule(
        "page",
        WRITE_CLINICAL,
        200,
        _alert_page,
        scope="patient",
        reads=("alert.read",),
        denials=frozenset({"alert.read.denied"}),
    ),
    ("POST", "/alerts/{alert_id}/resolve"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _resolution(api=False),
        scope="patient",
        denials=frozenset({"alert.resolve.denied", "alert.read.denied"}),
    ),
    ("GET", "/dashboard"): Rule("page", CLINICIAN, 200, P("/dashboard")),
    ("GET", "/reference"): Rule("page", EVERYONE, 200, P("/reference")),
    # The treatment form is part of editing the record: a patient is refused the record for editing
    # (patient.update.denied), an administrator the treatment history (treatment.read.denied).
    ("GET", "/patients/{patient_id}/treatment"): Rule(
        "page",
        WRITE_CLINICAL,
        200,
        _patient_page("/treatment"),
        scope="patient",
        reads=("treatment.read",),  # one entry for the form: the record and the history
        denials=frozenset({"patient.update.denied", "treatment.read.denied"}),
    ),
    ("POST", "/patients/{patient_id}/episode"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _patient_page("/episode", {k: str(v) for k, v in EPISODE.items()}),
        scope="patient",
        denials=frozenset({"episode.set.denied"}),
    ),
    ("POST", "/patients/{patient_id}/treatment"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _patient_page("/treatment", {k: {True: "yes"}.get(v, str(v)) for k, v in TRIAL.items()}),
        scope="patient",
        denials=frozenset({"treatment.add.denied"}),
    ),
    # ---- API: exercise (issue 4) -----------------------------------------------------------------------
    # The protocol library, CERT reports and heart-rate zones are reference material for every login.
    ("GET", "/api/v1/protocols"): Rule(
        "api", EVERYONE, 200, P("/api/v1/protocols"), check=_check_protocol_list
    ),
    ("GET", "/api/v1/protocols/{protocol_id}"): Rule(
        "api", EVERYONE, 200, P("/api/v1/protocols/home_walking"), check=_check_protocol
    ),
    ("GET", "/api/v1/protocols/{protocol_id}/cert"): Rule(
        "api",
        EVERYONE,
        200,
        P("/api/v1/protocols/home_walking/cert?format=markdown"),
        check=_check_cert,
        media="text/markdown",
    ),
    ("GET", "/api/v1/hr-zones"): Rule(
        "api", EVERYONE, 200, P("/api/v1/hr-zones?age=40&resting_hr=60"), check=_check_hr_zones
    ),
    # Screening and plan building: the care team's clinicians; the patient reads their own status and
    # plan. A plan is refused before the screening is looked at (plan.create.denied for everyone).
    ("POST", "/api/v1/patients/{patient_id}/screenings"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _patient_api("/screenings", SCREENING_CLEAR),
        scope="patient",
        check=_check_screening,
        denials=frozenset({"screening.record.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/screening"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/screening"),
        scope="patient",
        check=_check_screening_status,
        reads=("screening.read",),
        denials=frozenset({"screening.read.denied"}),
    ),
    ("POST", "/api/v1/patients/{patient_id}/plans"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _plan_build(api=True),
        scope="patient",
        check=_check_plan,
        denials=frozenset({"plan.create.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/plan"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/plan"),
        scope="patient",
        check=_check_plan_view,
        reads=("plan.read",),  # the on-hold state's screening is read with the plan
        denials=frozenset({"plan.read.denied"}),
    ),
    # Resuming a plan after a resolved safety alert: the care team's clinicians only.
    ("POST", "/api/v1/patients/{patient_id}/plan/resume"): Rule(
        "api",
        WRITE_CLINICAL,
        200,
        _plan_resume(api=True),
        scope="patient",
        check=_check_resumed,
        denials=frozenset({"plan.resume.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/plans"): Rule(
        "api",
        READ_CLINICAL,
        200,
        _patient_api("/plans"),
        scope="patient",
        check=_check_plan_versions,
        reads=("plan.read",),
        denials=frozenset({"plan.read.denied"}),
    ),
    # ---- pages: exercise -----------------------------------------------------------------------------
    # The screening form is prefilled with what Stride knows (the previous screening without its
    # risk answers) and shows the record and the current status.
    ("GET", "/patients/{patient_id}/screening"): Rule(
        "page",
        WRITE_CLINICAL,
        200,
        _patient_page("/screening"),
        scope="patient",
        reads=("screening.read",),  # one entry for the form: record, status and known answers
        denials=frozenset({"screening.read.denied"}),
    ),
    ("POST", "/patients/{patient_id}/screening"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _patient_page("/screening", SCREENING_FORM),
        scope="patient",
        denials=frozenset({"screening.record.denied"}),
    ),
    # The builder is part of editing the record: a patient is refused the record for editing
    # (patient.update.denied), an administrator the screening (screening.read.denied).
    ("GET", "/patients/{patient_id}/plan/new"): Rule(
        "page",
        WRITE_CLINICAL,
        200,
        _patient_page("/plan/new"),
        scope="patient",
        reads=("plan.read",),  # one entry for the builder: record, screening and plan
        denials=frozenset({"patient.update.denied", "screening.read.denied"}),
    ),
    ("POST", "/patients/{patient_id}/plan/new"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _plan_build(api=False),
        scope="patient",
        denials=frozenset({"plan.create.denied"}),
    ),
    ("POST", "/patients/{patient_id}/plan/resume"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _plan_resume(api=False),
        scope="patient",
        denials=frozenset({"plan.resume.denied"}),
    ),
    ("GET", "/patients/{patient_id}/plan"): Rule(
        "page",
        READ_CLINICAL,
        200,
        _patient_page("/plan"),
        scope="patient",
        reads=("plan.read",),  # one entry for the page: the plan and the record
        denials=frozenset({"plan.read.denied"}),
    ),
    ("GET", "/protocols"): Rule("page", EVERYONE, 200, P("/protocols")),
    ("GET", "/protocols/{protocol_id}"): Rule("page", EVERYONE, 200, P("/protocols/home_walking")),
    # ---- API: activity  ------------------------------------------------------------------------
    # Sessions, adverse events and uploads: the patient for themselves and their care team's
    # clinicians, reading and writing alike; administrators and researchers are refused. Clinicians
    # and researchers read the adverse-event counts per protocol (aggregate, no patient named).
    ("GET", "/api/v1/patients/{patient_id}/sessions"): Rule(
        "api",
        LOG_ACTIVITY,
        200,
        _patient_api("/sessions"),
        scope="patient",
        check=_check_activity_items,
        reads=("activity.session.read",),
        denials=frozenset({"activity.session.read.denied"}),
    ),
    ("POST", "/api/v1/patients/{patient_id}/sessions"): Rule(
        "api",
        LOG_ACTIVITY,
        201,
        _patient_api("/sessions", SESSION_JSON),
        scope="patient",
        check=_check_activity_created,
        denials=frozenset({"activity.session.create.denied"}),
    ),
    ("GET", "/api/v1/sessions/{session_id}"): Rule(
        "api",
        LOG_ACTIVITY,
        200,
        _session_of("/api/v1"),
        scope="patient",
        check=_check_session_detail,
        reads=("activity.session.read",),
        denials=frozenset({"activity.session.read.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/adverse-events"): Rule(
        "api",
        LOG_ACTIVITY,
        200,
        _patient_api("/adverse-events"),
        scope="patient",
        reads=("activity.adverse_event.read",),
        denials=frozenset({"activity.adverse_event.read.denied"}),
    ),
    ("POST", "/api/v1/patients/{patient_id}/adverse-events"): Rule(
        "api",
        LOG_ACTIVITY,
        201,
        _patient_api("/adverse-events", EVENT_JSON),
        scope="patient",
        check=_check_activity_created,
        denials=frozenset({"activity.adverse_event.create.denied"}),
    ),
    ("GET", "/api/v1/adverse-events/summary"): Rule(
        "api", AE_COUNTS, 200, P("/api/v1/adverse-events/summary"), check=_check_ae_counts
    ),
    ("POST", "/api/v1/patients/{patient_id}/imports"): Rule(
        "api",
        LOG_ACTIVITY,
        202,
        _upload(api=True),
        scope="patient",
        check=_check_upload,
        denials=frozenset({"activity.import.denied"}),
    ),
    ("GET", "/api/v1/imports/{import_id}"): Rule(
        "api",
        LOG_ACTIVITY,
        200,
        _import_of("/api/v1/imports/{id}"),
        scope="patient",
        check=_check_import,
        reads=("activity.import.read",),
        denials=frozenset({"activity.import.read.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/imports"): Rule(
        "api",
        LOG_ACTIVITY,
        200,
        _patient_api("/imports"),
        scope="patient",
        check=_check_activity_items,
        reads=("activity.import.read",),
        denials=frozenset({"activity.import.read.denied"}),
    ),
    ("GET", "/api/v1/patients/{patient_id}/activity/weeks/{week_start}"): Rule(
        "api",
        LOG_ACTIVITY,
        200,
        _patient_api("/activity/weeks/2026-11-25"),
        scope="patient",
        check=_check_week,
        reads=("activity.week.read",),
        denials=frozenset({"activity.week.read.denied"}),
    ),
    # ---- pages: activity -----------------------------------------------------------------------------
    # The week reads the week, the uploads and the record (for the name); the log form reads the week
    # (the patient's timezone, this week's plan); the adverse-event page the events and the record.
    ("GET", "/patients/{patient_id}/activity"): Rule(
        "page",
        LOG_ACTIVITY,
        200,
        _patient_page("/activity?week=2026-11-25"),
        scope="patient",
        reads=("activity.week.read",),  # one entry for the page: the week, the imports, the patient
        denials=frozenset({"activity.week.read.denied"}),
    ),
    ("GET", "/patients/{patient_id}/activity/sessions/new"): Rule(
        "page",
        LOG_ACTIVITY,
        200,
        _patient_page("/activity/sessions/new"),
        scope="patient",
        reads=("activity.week.read",),
        denials=frozenset({"activity.week.read.denied"}),
    ),
    ("POST", "/patients/{patient_id}/activity/sessions/new"): Rule(
        "page",
        LOG_ACTIVITY,
        303,
        _patient_page("/activity/sessions/new", SESSION_FORM),
        scope="patient",
        check=_check_redirect_to_week,
        denials=frozenset({"activity.session.create.denied"}),
    ),
    ("GET", "/activity/sessions/{session_id}"): Rule(
        "page",
        LOG_ACTIVITY,
        200,
        _session_of("/activity"),
        scope="patient",
        reads=("activity.session.read",),
        denials=frozenset({"activity.session.read.denied"}),
    ),
    ("GET", "/patients/{patient_id}/activity/adverse-events"): Rule(
        "page",
        LOG_ACTIVITY,
        200,
        _patient_page("/activity/adverse-events"),
        scope="patient",
        reads=("activity.adverse_event.read",),  # one entry for the page
        denials=frozenset({"activity.adverse_event.read.denied"}),
    ),
    ("POST", "/patients/{patient_id}/activity/adverse-events"): Rule(
        "page",
        LOG_ACTIVITY,
        303,
        _patient_page("/activity/adverse-events", EVENT_FORM),
        scope="patient",
        denials=frozenset({"activity.adverse_event.create.denied"}),
    ),
    ("GET", "/activity/adverse-events/summary"): Rule(
        "page", AE_COUNTS, 200, P("/activity/adverse-events/summary"), check=_check_ae_counts
    ),
    ("GET", "/patients/{patient_id}/activity/import"): Rule(
        "page",
        LOG_ACTIVITY,
        200,
        _patient_page("/activity/import"),
        scope="patient",
        reads=("activity.import.read",),
        denials=frozenset({"activity.import.read.denied"}),
    ),
    ("POST", "/patients/{patient_id}/activity/import"): Rule(
        "page",
        LOG_ACTIVITY,
        202,
        _upload(api=False),
        scope="patient",
        check=_check_upload_page,
        denials=frozenset({"activity.import.denied"}),
    ),
    ("GET", "/activity/imports/{import_id}/status"): Rule(
        "page",
        LOG_ACTIVITY,
        200,
        _import_of("/activity/imports/{id}/status"),
        scope="patient",
        check=_check_upload_page,
        reads=("activity.import.read",),
        denials=frozenset({"activity.import.read.denied"}),
    ),
}

# Variants: the same route with another input, where the input changes who may use it or how it is
# refused. Cells run exactly like the table's (``Cell.variant`` names the variant).
VARIANTS: dict[tuple[str, str, str], Rule] = {
    # A screening that defers exercise: the care team's clinician gets the refusal with the screen's
    # reasons (API 409 ``not_cleared``, page 422), nothing is stored; everyone else the 403.
    ("POST", "/api/v1/patients/{patient_id}/plans", "not cleared"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _plan_build(api=True, screening="defer"),
        scope="patient",
        special={("clinician", "own"): 409},
        check=_check_plan,
        denials=frozenset({"plan.create.denied"}),
    ),
    ("POST", "/patients/{patient_id}/plan/new", "not cleared"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _plan_build(api=False, screening="defer"),
        scope="patient",
        special={("clinician", "own"): 422},
        check=_check_plan_refused_page,
        denials=frozenset({"plan.create.denied"}),
    ),
    # A safety alert after the screening: the clinician must screen again (422 naming the screening);
    # the patient is refused (403) like for any plan, not told about their screening's state.
    ("POST", "/api/v1/patients/{patient_id}/plans", "screening lapsed"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _plan_build(api=True, screening="lapsed"),
        scope="patient",
        special={("clinician", "own"): 422},
        check=_check_plan,
        denials=frozenset({"plan.create.denied"}),
    ),
    # Clinician-rated scales are entered by the care team, never by the patient (403, audited).
    ("POST", "/api/v1/patients/{patient_id}/responses", "hamd17"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _submit_api("hamd17"),
        scope="patient",
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    ("POST", "/api/v1/patients/{patient_id}/responses", "madrs"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _submit_api("madrs"),
        scope="patient",
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    ("GET", "/patients/{patient_id}/questionnaires/{instrument_id}", "hamd17"): Rule(
        "page",
        WRITE_CLINICAL,
        200,
        _patient_page("/questionnaires/hamd17"),
        scope="patient",
        reads=(),
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    ("POST", "/patients/{patient_id}/questionnaires/{instrument_id}", "hamd17"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _submit_page("hamd17"),
        scope="patient",
        check=_check_redirect_to_response,
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    # A positive item 9 raises the alert with the response, and the answer carries crisis guidance.
    ("POST", "/api/v1/patients/{patient_id}/responses", "safety answer"): Rule(
        "api",
        SUBMIT_SELF_REPORT,
        201,
        _submit_api(safety=True),
        scope="patient",
        check=_check_submission(safety=True),
        denials=frozenset({"questionnaire.submit.denied"}),
    ),
    # Refusals that are InvalidInput (422) by design, for the allowed role only: correcting a version
    # that was already corrected, acknowledging an acknowledged alert. Access is checked first, so
    # everyone else still gets the 403 or 404 (and cannot learn the state of another team's rows).
    ("POST", "/api/v1/responses/{response_id}/corrections", "already corrected"): Rule(
        "api",
        WRITE_CLINICAL,
        201,
        _correction(api=True, corrected=True),
        scope="patient",
        special={("clinician", "own"): 422},
        check=_check_correction,
        denials=frozenset({"questionnaire.correct.denied"}),
    ),
    ("POST", "/responses/{response_id}/correct", "already corrected"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _correction(api=False, corrected=True),
        scope="patient",
        special={("clinician", "own"): 422},
        denials=frozenset({"questionnaire.read.denied", "questionnaire.correct.denied"}),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge", "already acknowledged"): Rule(
        "api",
        WRITE_CLINICAL,
        200,
        _acknowledgement(api=True, acknowledged=True),
        scope="patient",
        special={("clinician", "own"): 422},
        check=_check_acknowledged,
        denials=frozenset({"alert.acknowledge.denied"}),
    ),
    # Resolving a resolved alert is a conflict with its state (409), for the allowed role only.
    ("POST", "/api/v1/alerts/{alert_id}/resolve", "already resolved"): Rule(
        "api",
        WRITE_CLINICAL,
        200,
        _resolution(api=True, resolved=True),
        scope="patient",
        special={("clinician", "own"): 409},
        check=_check_resolved,
        denials=frozenset({"alert.resolve.denied"}),
    ),
    ("POST", "/alerts/{alert_id}/resolve", "already resolved"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _resolution(api=False, resolved=True),
        scope="patient",
        special={("clinician", "own"): 409},
        denials=frozenset({"alert.resolve.denied"}),
    ),
    ("POST", "/alerts/{alert_id}/acknowledge", "already acknowledged"): Rule(
        "page",
        WRITE_CLINICAL,
        303,
        _acknowledgement(api=False, acknowledged=True),
        scope="patient",
        special={("clinician", "own"): 422},
        denials=frozenset({"alert.acknowledge.denied"}),
    ),
}


# --------------------------------------------------------------------------------------------------
# The cells
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    role: str
    target: str  # "own", "other" or "-" (the route has no patient / team)
    channel: str  # "bearer", "cookie", "none" (anonymous), "bogus" (anonymous, invalid token)
    variant: str = ""  # a key of VARIANTS (with method and path), or "" for the table's rule

    def __str__(self) -> str:
        name = f"{self.path} [{self.variant}]" if self.variant else self.path
        return f"{self.method} {name} | {self.role} | {self.target} | {self.channel}"

    @property
    def rule(self) -> Rule:
        return (
            VARIANTS[(self.method, self.path, self.variant)]
            if self.variant
            else RULES[(self.method, self.path)]
        )


def _cells() -> list[Cell]:
    cells = []
    keyed = [((m, p, ""), r) for (m, p), r in RULES.items()] + list(VARIANTS.items())
    for (method, path, variant), rule in keyed:
        targets = ("own", "other") if rule.scope else ("-",)
        for role in ROLES:
            if rule.kind == "api" and not rule.public:
                channels = ("none", "bogus") if role == "anonymous" else ("bearer", "cookie")
            else:
                channels = ("none",) if role == "anonymous" else ("cookie",)
            for target in targets:
                for channel in channels:
                    cells.append(Cell(method, path, role, target, channel, variant))
    return cells


CELLS = _cells()


# Roles that reach patient records through a care team or their own link: a record they may not
# see at all is hidden from them (404, as for an id that does not exist).
RECORD_ROLES = frozenset({"clinician", "patient"})


def expected(rule: Rule, role: str, target: str) -> int | str:
    """An HTTP status, or "denied" (403 from the role check), "hidden" (404: another care team's
    patient, or another patient, for a role that reaches records only through a team or its own
    link), or "anonymous" (401 / 303 to /login)."""
    if (role, target) in rule.special:
        return rule.special[(role, target)]
    if role == "anonymous":
        return rule.ok if rule.public else "anonymous"
    allowed = rule.policy.get(role)
    if allowed == ALL or (allowed == OWN and target == "own"):
        return rule.ok
    if rule.scope == "patient" and target == "other" and role in RECORD_ROLES:
        return "hidden"
    return "denied"


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _send(w: World, cell: Cell, rule: Rule, req: Req) -> Any:
    headers: dict[str, str] = {}
    data = dict(req.data) if req.data is not None else None
    client = w.clients[cell.role]
    if rule.fresh_session:
        client = w.fresh_login(cell.role) if cell.path != "/login" else TestClient(w.app)
    if cell.path == "/login" and cell.method == "POST":
        page = client.get("/login")
        assert data is not None
        data["login_csrf"] = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    elif cell.channel == "bearer":
        client = w.clients["anonymous"]  # no cookie: the token alone must carry the identity
        headers["Authorization"] = f"Bearer {w.tokens[cell.role]}"
    elif cell.channel == "bogus":
        headers["Authorization"] = "Bearer stride_not-a-real-token"
    elif cell.channel == "cookie" and cell.method in UNSAFE:
        csrf = csrf_of(client) if rule.fresh_session else w.csrf[cell.role]
        if rule.kind == "api":
            headers["X-CSRF-Token"] = csrf
        else:
            data = {**(data or {}), "csrf_token": csrf}
    return client.request(
        cell.method,
        req.path,
        json=req.json,
        data=data,
        files=req.files,
        headers=headers,
        follow_redirects=False,
    ), client


@pytest.mark.parametrize("cell", CELLS, ids=str)
def test_cell(world: World, cell: Cell) -> None:
    w, rule = world, cell.rule
    want = expected(rule, cell.role, cell.target)
    req = rule.build(w, cell.role, cell.target)  # may create the rows the cell works on
    edited = w.patient(cell.role, cell.target) if rule.scope == "patient" else None
    writes = edited is not None and cell.method in UNSAFE
    before = w.record(edited) if writes and rule.edits_record else None
    clinical_before = w.clinical_state(edited) if writes and not rule.edits_record else None

    refused_before = w.refusals(w.user_ids[cell.role]) if want in ("denied", "hidden") else None
    response, client = _send(w, cell, rule, req)
    status, ctype = response.status_code, response.headers.get("content-type", "")
    if (cell.method, cell.path) == ("POST", "/account/password") and cell.role in LOGINS:
        # A password change revokes the user's API tokens (by design): the bearer cells that run
        # after it need a token issued after the change.
        w.tokens[cell.role] = w.svc.auth.create_api_token(
            Caller.cli(), username=LOGINS[cell.role][0], name="matrix"
        )

    if want == "anonymous":
        if rule.kind == "api":
            assert status == 401, response.text
            assert response.json()["error"] == "authentication_required"
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert status == 303, response.text
            assert response.headers["location"].startswith("/login"), response.headers["location"]
    elif want in ("denied", "hidden"):
        by_role = want == "denied"
        code, error, page = (
            (403, "permission_denied", 'id="forbidden"') if by_role else (404, "not_found", 'id="not-found"')
        )
        assert status == code, f"expected a refusal ({code}), got {status}: {response.text[:300]}"
        if rule.kind == "api":
            assert ctype.startswith("application/json")
            assert response.json()["error"] == error, response.json()
        else:
            assert ctype.startswith("text/html")
            assert page in response.text
        # The refusal is in the security log, by this user (and naming the patient for record
        # cells), and not in the audit chain.
        assert refused_before is not None
        added = w.refusals(w.user_ids[cell.role]) - refused_before
        denied = sorted(added.elements())
        assert denied, "no refusal in the security log for a refused request"
        assert {kind for kind, _, _ in denied} == {"forbidden" if by_role else "hidden"}, denied
        rows = w.audit_of(response.headers["x-request-id"])
        assert not [r.action for r in rows if r.action.endswith(".denied")]
        if rule.scope == "patient":
            assert [pid for _, _, pid in denied] == [w.patient(cell.role, cell.target)], denied
            assert denied[0][1] in rule.denials, denied[0][1]
    else:
        assert status == want, f"expected {want}, got {status}: {response.text[:300]}"
        if rule.kind == "api" and status != 204:
            assert ctype.startswith(rule.media), ctype
        if rule.check is not None:
            rule.check(w, cell.role, cell.target, response)
        if rule.scope == "patient" and cell.method == "GET":
            rows = w.audit_of(response.headers["x-request-id"])
            reads = sorted((action, edited) for action in rule.reads_for(cell.role))
            assert sorted((r.action, r.patient_id) for r in rows) == reads

    if rule.fresh_session and cell.path == "/logout" and want == rule.ok:
        # The session is gone: the same cookie now gets the log-in redirect.
        assert client.get("/account", follow_redirects=False).status_code == 303
    if before is not None and edited is not None:
        after = w.record(edited)
        if want == rule.ok:
            assert after.details.given_name == "Tampered"
            w.svc.patients.update(Caller.cli(), edited, before.details)  # put it back
        else:
            assert after == before, "a refused edit changed the record"
    if clinical_before is not None and edited is not None and want != rule.ok:
        assert w.clinical_state(edited) == clinical_before, "a refused clinical write changed the record"


# --------------------------------------------------------------------------------------------------
# Completeness: every route of the app has an entry in the table, and every entry a route
# --------------------------------------------------------------------------------------------------


def app_route_keys(app: Any) -> set[tuple[str, str]]:
    """``(method, path)`` of every route. FastAPI >= 0.16x keeps included routers nested in
    ``app.routes`` (``_IncludedRouter``); ``iter_route_contexts`` flattens them with their prefixes.
    A route of an unknown kind (no path or methods) is kept as ``("ANY", repr)`` so that it fails."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = list(flatten(app.routes)) if flatten is not None else list(app.routes)
    keys: set[tuple[str, str]] = set()
    for route in routes:
        original = getattr(route, "original_route", route)
        path = getattr(route, "path", None)
        if isinstance(original, Mount) and path == "/static":
            continue
        if path == "/openapi.json":
            continue
        methods = set(getattr(route, "methods", None) or ())
        if not isinstance(original, APIRoute):
            methods -= {"HEAD"}  # Starlette adds HEAD to GET routes; FastAPI routes do not
        keys |= {(m, str(path)) for m in methods} if path and methods else {("ANY", repr(route))}
    return keys


def test_every_route_has_an_expectation(world: World) -> None:
    routes = app_route_keys(world.app)
    missing = sorted(routes - RULES.keys())
    stale = sorted(RULES.keys() - routes)
    assert not missing, f"routes with no entry in the authorization matrix (add them to RULES): {missing}"
    assert not stale, f"RULES entries for routes the app no longer has: {stale}"
    assert len(routes) >= 45, "the route enumeration found too few routes: is it still flattening routers?"
    # Every logged-in role and anonymous appear for every route.
    for key in routes:
        assert {c.role for c in CELLS if (c.method, c.path) == key} == set(ROLES)


def test_matrix_size() -> None:
    """A guard against the table silently shrinking (e.g. a scope dropped by mistake)."""
    scoped = [k for k, r in RULES.items() if r.scope]
    assert {k for k in scoped if RULES[k].scope == "patient"} == {
        ("GET", "/api/v1/patients/{patient_id}"),
        ("PUT", "/api/v1/patients/{patient_id}"),
        ("GET", "/patients/{patient_id}"),
        ("GET", "/patients/{patient_id}/edit"),
        ("POST", "/patients/{patient_id}/edit"),
        # measurement-based care: every route that reads or writes one patient's clinical data
        ("GET", "/api/v1/patients/{patient_id}/responses"),
        ("POST", "/api/v1/patients/{patient_id}/responses"),
        ("GET", "/api/v1/responses/{response_id}"),
        ("POST", "/api/v1/responses/{response_id}/corrections"),
        ("POST", "/api/v1/alerts/{alert_id}/acknowledge"),
        ("GET", "/api/v1/patients/{patient_id}/alerts"),
        ("GET", "/api/v1/patients/{patient_id}/schedule"),
        ("PUT", "/api/v1/patients/{patient_id}/schedule/{instrument_id}"),
        ("GET", "/api/v1/patients/{patient_id}/treatment"),
        ("POST", "/api/v1/patients/{patient_id}/treatment"),
        ("PUT", "/api/v1/patients/{patient_id}/episode"),
        ("GET", "/api/v1/patients/{patient_id}/outcomes"),
        ("GET", "/patients/{patient_id}/questionnaires/{instrument_id}"),
        ("POST", "/patients/{patient_id}/questionnaires/{instrument_id}"),
        ("GET", "/responses/{response_id}"),
        ("GET", "/responses/{response_id}/correct"),
        ("POST", "/responses/{response_id}/correct"),
        ("POST", "/patients/{patient_id}/schedule"),
        ("POST", "/alerts/{alert_id}/acknowledge"),
        # alert lifecycle (issue 10)
        ("POST", "/api/v1/alerts/{alert_id}/resolve"),
        ("GET", "/alerts/{alert_id}"),
        ("POST", "/alerts/{alert_id}/resolve"),
        ("GET", "/patients/{patient_id}/treatment"),
        ("POST", "/patients/{patient_id}/episode"),
        ("POST", "/patients/{patient_id}/treatment"),
        # exercise: screening and plans
        ("POST", "/api/v1/patients/{patient_id}/screenings"),
        ("GET", "/api/v1/patients/{patient_id}/screening"),
        ("POST", "/api/v1/patients/{patient_id}/plans"),
        ("GET", "/api/v1/patients/{patient_id}/plan"),
        ("GET", "/api/v1/patients/{patient_id}/plans"),
        ("GET", "/patients/{patient_id}/screening"),
        ("POST", "/patients/{patient_id}/screening"),
        ("GET", "/patients/{patient_id}/plan/new"),
        ("POST", "/patients/{patient_id}/plan/new"),
        ("GET", "/patients/{patient_id}/plan"),
        ("POST", "/api/v1/patients/{patient_id}/plan/resume"),
        ("POST", "/patients/{patient_id}/plan/resume"),
        # activity: sessions, adverse events, uploads, weeks
        ("GET", "/api/v1/patients/{patient_id}/sessions"),
        ("POST", "/api/v1/patients/{patient_id}/sessions"),
        ("GET", "/api/v1/sessions/{session_id}"),
        ("GET", "/api/v1/patients/{patient_id}/adverse-events"),
        ("POST", "/api/v1/patients/{patient_id}/adverse-events"),
        ("POST", "/api/v1/patients/{patient_id}/imports"),
        ("GET", "/api/v1/imports/{import_id}"),
        ("GET", "/api/v1/patients/{patient_id}/imports"),
        ("GET", "/api/v1/patients/{patient_id}/activity/weeks/{week_start}"),
        ("GET", "/patients/{patient_id}/activity"),
        ("GET", "/patients/{patient_id}/activity/sessions/new"),
        ("POST", "/patients/{patient_id}/activity/sessions/new"),
        ("GET", "/activity/sessions/{session_id}"),
        ("GET", "/patients/{patient_id}/activity/adverse-events"),
        ("POST", "/patients/{patient_id}/activity/adverse-events"),
        ("GET", "/patients/{patient_id}/activity/import"),
        ("POST", "/patients/{patient_id}/activity/import"),
        ("GET", "/activity/imports/{import_id}/status"),
    }
    assert all(v.scope == "patient" for v in VARIANTS.values())
    assert len(CELLS) >= 1200


# --------------------------------------------------------------------------------------------------
# Hidden records: another team's patient answers exactly like an id that does not exist
# --------------------------------------------------------------------------------------------------

MISSING = 999_999


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_hidden_record_answers_like_a_missing_one(world: World, role: str) -> None:
    """Same status and same body (API) or page (HTML) for another team's (or patient's) record and
    for an id that does not exist; for every kind of record id (patient, response, alert, session,
    import)."""
    w = world
    other = w.patient(role, "other")
    client = w.clients[role]
    csrf = {"X-CSRF-Token": w.csrf[role]}
    pairs = [
        ("GET", f"/api/v1/patients/{other}", f"/api/v1/patients/{MISSING}"),
        ("GET", f"/api/v1/patients/{other}/responses", f"/api/v1/patients/{MISSING}/responses"),
        ("GET", f"/api/v1/patients/{other}/plan", f"/api/v1/patients/{MISSING}/plan"),
        ("GET", f"/api/v1/responses/{w.responses[other]}", f"/api/v1/responses/{MISSING}"),
        ("GET", f"/api/v1/sessions/{w.sessions[other]}", f"/api/v1/sessions/{MISSING}"),
        ("GET", f"/api/v1/imports/{w.imports[other]}", f"/api/v1/imports/{MISSING}"),
        (
            "POST",
            f"/api/v1/alerts/{w.alerts[w.patient('clinician', 'other')]}/acknowledge",
            f"/api/v1/alerts/{MISSING}/acknowledge",
        ),
    ]
    for method, hidden, missing in pairs:
        body = {"note": "called the patient"} if method == "POST" else None
        a = client.request(method, hidden, json=body, headers=csrf)
        b = client.request(method, missing, json=body, headers=csrf)
        assert (a.status_code, b.status_code) == (404, 404), (hidden, a.text, b.text)
        assert a.json()["error"] == b.json()["error"] == "not_found"
        assert a.json()["message"].replace(hidden.split("/")[4], "N") == b.json()["message"].replace(
            str(MISSING), "N"
        ), (a.json(), b.json())
    for hidden, missing in [
        (f"/patients/{other}", f"/patients/{MISSING}"),
        (f"/responses/{w.responses[other]}", f"/responses/{MISSING}"),
        (f"/activity/sessions/{w.sessions[other]}", f"/activity/sessions/{MISSING}"),
    ]:
        a, b = client.get(hidden), client.get(missing)
        assert (a.status_code, b.status_code) == (404, 404), hidden
        assert a.text.replace(hidden, "X") == b.text.replace(missing, "X")


# --------------------------------------------------------------------------------------------------
# CSRF: cookie-authenticated unsafe requests need the session's token, and change nothing without it
# --------------------------------------------------------------------------------------------------


def test_csrf_page_edit_without_token_is_refused_and_changes_nothing(world: World) -> None:
    w = world
    pid = w.patient("clinician", "own")
    before = w.record(pid)
    r = w.clients["clinician"].post(
        f"/patients/{pid}/edit",
        data=_details_form(before.details, given_name="Forged"),
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert 'id="forbidden"' in r.text
    assert "did not come from this site" in r.text
    assert w.record(pid) == before


def test_csrf_page_edit_with_another_sessions_token_is_refused(world: World) -> None:
    w = world
    pid = w.patient("clinician", "own")
    before = w.record(pid)
    data = _details_form(before.details, given_name="Forged")
    r = w.clients["clinician"].post(
        f"/patients/{pid}/edit", data={**data, "csrf_token": w.csrf["admin"]}, follow_redirects=False
    )
    assert r.status_code == 403
    assert w.record(pid) == before


def test_csrf_page_create_user_without_token_is_refused(world: World) -> None:
    w = world
    name = w.unique("csrf.victim")
    r = w.clients["admin"].post(
        "/admin/users",
        data={"username": name, "password": MATRIX_PASSWORD, "role": "admin"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert name not in {u.username for u in w.svc.users.list(Caller.cli())}


def test_csrf_api_cookie_put_without_header_is_refused_and_changes_nothing(world: World) -> None:
    w = world
    pid = w.patient("clinician", "own")
    before = w.record(pid)
    r = w.clients["clinician"].put(
        f"/api/v1/patients/{pid}", json=_details_json(before.details, given_name="Forged")
    )
    assert r.status_code == 403
    assert r.json()["error"] == "csrf_failed"
    assert w.record(pid) == before


def test_csrf_api_cookie_token_in_a_form_field_does_not_count(world: World) -> None:
    """The API takes the token from the header only, never from the body or the query."""
    w = world
    r = w.clients["admin"].post(
        f"/api/v1/sites?csrf_token={w.csrf['admin']}",
        json={"name": "Forged Site", "csrf_token": w.csrf["admin"]},
    )
    assert r.status_code == 403
    assert r.json()["error"] == "csrf_failed"
    assert "Forged Site" not in {s.name for s in w.svc.teams.list_sites(Caller.cli())}


def test_csrf_api_cookie_delete_without_header_keeps_the_membership(world: World) -> None:
    w = world
    rivera = w.user_ids["clinician"]
    r = w.clients["admin"].delete(f"/api/v1/teams/{w.mood}/members/{rivera}")
    assert r.status_code == 403
    assert r.json()["error"] == "csrf_failed"
    assert rivera in w.svc.teams.get_team(Caller.cli(), w.mood).member_ids


def test_csrf_logout_without_token_keeps_the_session(world: World) -> None:
    w = world
    client = w.fresh_login("researcher")
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/account", follow_redirects=False).status_code == 200
