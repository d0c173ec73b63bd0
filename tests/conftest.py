"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL comes from ``STRIDE_TEST_POSTGRES_URL`` (``.ci/run`` sets it to the local server). In CI
(``CI=true``) a missing server fails the run; on a developer's machine those tests skip, saying why.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from stride.config import Settings, load_settings
from stride.domain.accounts import Role
from stride.domain.security import SecurityEntry, SecurityKind
from stride.services.context import Caller
from stride.services.registry import Services
from stride.services.users import NewUser
from stride.store import migrate
from stride.store.models import SecurityEventRow
from stride.store.repositories import audit as audit_repo
from stride.store.repositories import security as security_repo
from stride.web.app import create_app

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ENV = "STRIDE_TEST_POSTGRES_URL"


def _need(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must run in CI)")
    pytest.skip(reason)


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "stride.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        _need(f"{PG_ENV} is not set; no PostgreSQL server to test against")
    assert url is not None
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        _need(f"PostgreSQL at {PG_ENV} is not reachable: {exc}")
    return url


def _pg_engine(url: str):  # type: ignore[no-untyped-def]
    return create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> Iterator[str]:
    """A migrated template database; each test clones it (CREATE DATABASE ... TEMPLATE)."""
    name = f"stride_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_engine(postgres_admin_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    migrate.upgrade(make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_postgres(admin_url: str, template: str) -> Iterator[str]:
    name = f"stride_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_engine(admin_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the newest migration, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "stride.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        admin_url = request.getfixturevalue("postgres_admin_url")
        yield from _fresh_postgres(admin_url, request.getfixturevalue("postgres_template"))


def _seed(url: str, tmp_path: Path) -> None:
    svc = Services.build(make_settings(tmp_path, url), clock=FakeClock())
    try:
        assert svc.demo.seed(Caller.cli()).seeded
    finally:
        svc.close()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo clinic seeded once (argon2 hashing makes seeding cost seconds); tests copy it."""
    work = tmp_path_factory.mktemp("demo-template")
    path = work / "stride.sqlite3"
    shutil.copy(sqlite_template, path)
    _seed(f"sqlite:///{path}", work)
    return path


@pytest.fixture(scope="session")
def postgres_demo_template(
    postgres_admin_url: str, postgres_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    name = f"stride_demo_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_engine(postgres_admin_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    _seed(
        make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False),
        tmp_path_factory.mktemp("pg-demo"),
    )
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def demo_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the seeded demo clinic, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "stride.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_demo_template"), path)
        yield f"sqlite:///{path}"
    else:
        admin_url = request.getfixturevalue("postgres_admin_url")
        yield from _fresh_postgres(admin_url, request.getfixturevalue("postgres_demo_template"))


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only, for tests where the backend does not matter (web page rendering, CLI)."""
    path = tmp_path / "stride.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_settings(tmp_path: Path, url: str, **extra: object) -> Settings:
    # Background jobs run at once in the caller unless a test asks for the real queue.
    extra.setdefault("jobs", "immediate")
    return load_settings(
        data_dir=tmp_path / "data", database_url=url, env="test", secret_key="test-secret-key", **extra
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    svc = Services.build(settings, clock=clock)
    yield svc
    svc.close()


@pytest.fixture
def demo(tmp_path: Path, demo_database_url: str, clock: FakeClock) -> Iterator[Services]:
    """Services over a fresh copy of the demo clinic (25 synthetic patients, 9 logins), per backend."""
    svc = Services.build(make_settings(tmp_path, demo_database_url), clock=clock)
    yield svc
    svc.close()


@pytest.fixture
def client(demo: Services) -> Iterator[TestClient]:
    app = create_app(demo.deps.settings, services=demo)
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str) -> TestClient:
    """Log a TestClient in through the real form (login CSRF cookie included)."""
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "login_csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, as a page carries it."""
    page = client.get("/account")
    return page.text.split('"X-CSRF-Token": "', 1)[1].split('"', 1)[0]


def security_events(svc: Services) -> list[SecurityEntry]:
    """Every row of the security log, oldest first (a row counts repeats within a minute)."""
    with svc.deps.db.transaction() as s:
        rows = s.scalars(select(SecurityEventRow).order_by(SecurityEventRow.id)).all()
        return [security_repo._to_entry(r) for r in rows]


def denials(svc: Services) -> list[tuple[str, str, int | None]]:
    """The refusals of use cases (``services.access.deny``) in the security log, oldest first, as
    ``(action.denied, resource, patient_id)``, once per time it happened."""
    return [
        (e.event.detail or "", e.event.resource, e.event.patient_id)
        for e in security_events(svc)
        if e.event.kind in (SecurityKind.FORBIDDEN, SecurityKind.HIDDEN)
        for _ in range(e.count)
    ]


# The demo clinic's published passwords (``stride demo seed``), and one for a clinician made here.
CLINICIAN_PASSWORD = "demo-clinic-clinician"
PATIENT_PASSWORD = "demo-clinic-patient"
OTHER_TEAM_PASSWORD = "exercise-team-only-password"


def caller_for(svc: Services, username: str, password: str) -> Caller:
    """The caller a service sees after ``username`` logs in (as a web request would build it)."""
    info = svc.auth.login(username, password, client_addr="10.0.0.8", user_agent="pytest")
    return Caller(actor=info.actor, client_addr="10.0.0.8", request_id=f"req-{username}")


def patient_id_of(svc: Services, mrn: str) -> int:
    page = svc.patients.search(Caller.cli(), text=mrn)
    assert [p.details.mrn for p in page.items] == [mrn]
    return page.items[0].id


def audit_actions(svc: Services) -> list[tuple[str, str, int | None]]:
    """The audit chain as ``(action, resource, patient_id)``, oldest first."""
    with svc.deps.db.transaction() as s:
        return [(e.event.action, e.event.resource, e.event.patient_id) for e in audit_repo.iter_all(s)]


@pytest.fixture
def rivera(demo: Services) -> Caller:
    """A clinician of both demo teams."""
    return caller_for(demo, "dr.rivera", CLINICIAN_PASSWORD)


@pytest.fixture
def okafor(demo: Services) -> Caller:
    return caller_for(demo, "dr.okafor", CLINICIAN_PASSWORD)


@pytest.fixture
def patient1(demo: Services) -> Caller:
    """The patient of DEMO-0001."""
    return caller_for(demo, "patient1", PATIENT_PASSWORD)


@pytest.fixture
def exercise_clinician(demo: Services) -> Caller:
    """A clinician of the Exercise Physiology Team only (not DEMO-0001's care team; the demo has
    none: made here)."""
    cli = Caller.cli()
    user = demo.users.create(
        cli, NewUser(username="dr.exercise", password=OTHER_TEAM_PASSWORD, role=Role.CLINICIAN)
    )
    team = next(t for t in demo.teams.list_teams(cli) if t.name == "Exercise Physiology Team")
    demo.teams.set_member(cli, team.id, user.id, member=True)
    return caller_for(demo, "dr.exercise", OTHER_TEAM_PASSWORD)
