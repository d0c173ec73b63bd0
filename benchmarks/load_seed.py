"""The clinic of the load benchmark: N patients, each with a year of care (three logged sessions a
week, a weekly PHQ-9 with its schedule, a pre-exercise screen and a walking plan), all in the care
team of one clinician.

One template patient is made through the services, exactly as the web app would store them (scores,
session doses, weekly summaries). Its rows are then copied for the other patients with bulk inserts
(``executemany``; ``COPY`` on PostgreSQL), a new id per row and the names, MRN and e-mail changed:
seeding 10,000 patients one service call at a time would take hours. The audit trail holds only the
template's entries.

A seeded SQLite file is cached (``STRIDE_BENCH_CACHE``, default ``~/.cache/stride-bench``) under the
migration head and the seed parameters, so a rerun starts in seconds.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table

from stride.config import Settings
from stride.domain.accounts import Actor, Role
from stride.domain.activity import SessionEntry
from stride.domain.patients import PatientDetails, Sex
from stride.services.context import Caller
from stride.services.demo import _phq9_answers
from stride.services.demo_activity import CLEARED_SCREENING
from stride.services.plans import PlanRequest
from stride.services.registry import Services
from stride.services.users import NewUser
from stride.store.migrate import head_revision
from stride.store.models import Base

CLINICIAN = "bench.clinician"
PASSWORD = "bench-load-clinician-1"
_SEED = 20261204
_VERSION = 1  # bump when the seeded content changes, so that old cache files are not reused
_NOT_COPIED = frozenset({"app_user", "audit_log"})  # logins and the hash chain stay the template's
_GIVEN = ["Ada", "Ben", "Cora", "Dev", "Edie", "Finn", "Gail", "Hugo", "Iris", "Joel", "Kira", "Leo"]
_FAMILY = ["Archer", "Bramble", "Calloway", "Dunmore", "Ellery", "Greaves", "Hollis", "Ingram", "Jessop"]


@dataclass(frozen=True, slots=True)
class Clinic:
    """What the benchmark needs to know about the seeded database."""

    patient_ids: list[int]
    clinician: str
    password: str


def patients_wanted() -> int:
    return int(os.environ.get("STRIDE_BENCH_PATIENTS", "10000"))


def cache_dir() -> Path:
    return Path(os.environ.get("STRIDE_BENCH_CACHE", Path.home() / ".cache" / "stride-bench"))


def cache_key(patients: int, weeks: int) -> str:
    return f"load-v{_VERSION}-{head_revision()}-{patients}p-{weeks}w"


def settings_for(data_dir: Path, database_url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=database_url, env="development", jobs="immediate")


def seeded_sqlite(target: Path, *, patients: int, weeks: int = 52) -> Clinic:
    """A copy at ``target`` of the cached seeded SQLite file (seeded first if not cached)."""
    cached = cache_dir() / f"{cache_key(patients, weeks)}.sqlite"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        seed(settings_for(cached.parent, f"sqlite:///{partial}"), patients=patients, weeks=weeks)
        partial.rename(cached)
    shutil.copyfile(cached, target)
    return clinic(settings_for(target.parent, f"sqlite:///{target}"))


def clinic(settings: Settings) -> Clinic:
    services = Services.build(settings)
    try:
        with services.deps.db.engine.connect() as conn:
            ids = [int(i) for (i,) in conn.exec_driver_sql("SELECT id FROM patient ORDER BY id")]
    finally:
        services.close()
    return Clinic(patient_ids=ids, clinician=CLINICIAN, password=PASSWORD)


def seed(settings: Settings, *, patients: int, weeks: int = 52) -> None:
    """Migrate an empty database and seed the clinic into it."""
    services = Services.build(settings)
    try:
        services.migrate()
        template = _template(services, weeks=weeks)
        with services.deps.db.engine.begin() as conn:
            _copy(conn, template, copies=patients - 1)
    finally:
        services.close()


def _template(services: Services, *, weeks: int) -> int:
    """The first patient, through the services; returns their id."""
    cli = Caller.cli()
    now = services.deps.clock()
    site = services.teams.create_site(cli, "Load benchmark clinic (synthetic)")
    team = services.teams.create_team(cli, name="Load benchmark team", site_id=site.id)
    user = services.users.create(
        cli, NewUser(username=CLINICIAN, password=PASSWORD, role=Role.CLINICIAN, display_name="Dr Bench")
    )
    services.teams.set_member(cli, team.id, user.id, member=True)
    details = PatientDetails(
        given_name="Ada",
        family_name="Archer",
        date_of_birth=date(1980, 5, 17),
        sex=Sex.FEMALE,
        timezone="Europe/London",
        email="ada.0@example.org",
        phone="+44 7700 900000",
        mrn="LOAD-000000",
        height_cm=166.0,
        weight_kg=68.5,
        resting_hr=64,
    )
    patient = services.patients.create(cli, details, team_id=team.id, is_synthetic=True)
    clinician = Caller(actor=Actor(user_id=user.id, username=user.username, role=user.role))
    today = now.date()
    start = today - timedelta(days=7 * weeks + today.weekday())  # a Monday a year back
    rng = random.Random(_SEED)
    services.screening.record(clinician, patient.id, CLEARED_SCREENING)
    services.plans.build(
        clinician,
        patient.id,
        PlanRequest(
            protocol="home_walking", setting="home", days=("mon", "wed", "fri"), minutes=30, start_date=start
        ),
    )
    services.schedules.set(clinician, patient.id, instrument="phq9", every_days=7, start_date=start)
    baseline = 20
    for week in range(weeks):
        monday = start + timedelta(days=7 * week)
        total = max(3, round(baseline - 0.25 * week + rng.uniform(-2, 2)))
        services.measurements.submit(
            clinician, patient.id, "phq9", _phq9_answers(total, rng=rng), answered_on=monday
        )
        for offset in (0, 2, 4):
            at = datetime.combine(monday + timedelta(days=offset), time(8 + rng.randint(0, 9)), tzinfo=UTC)
            services.activity.log_session(
                clinician,
                patient.id,
                SessionEntry(
                    start=at,
                    sport="walking",
                    minutes=float(rng.randint(24, 40)),
                    rpe=rng.choice((11, 12, 13, 14)),
                    supervised=False,
                ),
            )
    return patient.id


def _tables() -> list[Table]:
    """The tables holding a patient's rows, parents first (foreign keys order them)."""
    return [
        t
        for t in Base.metadata.sorted_tables
        if t.name not in _NOT_COPIED and (t.name == "patient" or "patient_id" in t.c)
    ]


def _copy(conn: Connection, template: int, *, copies: int) -> None:
    """Copy every row of the template patient ``copies`` times, each copy under new ids."""
    tables = _tables()
    copied = {t.name for t in tables}
    # Copy k of a row of table T gets id + k * span[T]; span is the largest id before copying, so
    # copies never collide; a foreign key to a copied table is shifted the same way.
    span: dict[str, int] = {}
    for table in tables:
        if "id" in table.c:
            span[table.name] = int(conn.exec_driver_sql(f"SELECT max(id) FROM {table.name}").scalar() or 0)
    for table in tables:
        key = "id" if table.name == "patient" else "patient_id"
        result = conn.exec_driver_sql(f"SELECT * FROM {table.name} WHERE {key} = {template}")
        columns = list(result.keys())
        rows = [tuple(r) for r in result]
        if not rows:
            continue
        shifts = _shifts(table, columns, copied)
        names = _names(copies)
        out: list[tuple[Any, ...]] = []
        for k in range(1, copies + 1):
            for row in rows:
                new = list(row)
                for i, target in shifts:
                    if new[i] is not None:
                        new[i] += k * span[target]
                if table.name == "patient":
                    _rename(new, columns, names[k - 1], k)
                out.append(tuple(new))
        _insert(conn, table.name, columns, out)
    if conn.dialect.name == "postgresql":
        for name in span:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
            )


def _shifts(table: Table, columns: list[str], copied: set[str]) -> list[tuple[int, str]]:
    """(column index, referenced table) of the id and of each foreign key into a copied table."""
    out = []
    for i, name in enumerate(columns):
        if name == "id":
            out.append((i, table.name))
            continue
        for fk in table.c[name].foreign_keys:
            if fk.column.table.name in copied and fk.column.name == "id":
                out.append((i, fk.column.table.name))
    return out


def _names(copies: int) -> list[tuple[str, str]]:
    rng = random.Random(_SEED + 1)
    return [(rng.choice(_GIVEN), rng.choice(_FAMILY)) for _ in range(copies)]


def _rename(row: list[Any], columns: list[str], name: tuple[str, str], k: int) -> None:
    given, family = name
    row[columns.index("given_name")] = given
    row[columns.index("family_name")] = family
    row[columns.index("mrn")] = f"LOAD-{k:06d}"
    row[columns.index("email")] = f"{given.lower()}.{k}@example.org"


def _insert(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Driver-level bulk insert: the values are the stored ones, read back as the driver gave them."""
    raw: Any = conn.connection.dbapi_connection
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cur = raw.cursor()
    cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    cur.close()
