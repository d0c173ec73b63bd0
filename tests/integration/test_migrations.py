"""The same migrations on SQLite and PostgreSQL: from empty, one step down and up, no drift from models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from stride.store import migrate
from stride.store.db import make_engine
from stride.store.models import Base
from tests.conftest import BACKENDS, _pg_engine


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    name = f"stride_mig_{uuid.uuid4().hex[:10]}"
    admin = _pg_engine(admin_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(empty_url: str) -> None:
    assert migrate.current_revision(empty_url) is None
    migrate.upgrade(empty_url)
    assert migrate.current_revision(empty_url) == migrate.head_revision()
    assert {t.name for t in Base.metadata.sorted_tables} <= _tables(empty_url)


def test_downgrade_one_step_and_upgrade_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    head = migrate.head_revision()
    migrate.downgrade(empty_url)
    assert migrate.current_revision(empty_url) not in (None, head)
    migrate.upgrade(empty_url)
    assert migrate.current_revision(empty_url) == head


def test_downgrade_to_base_removes_everything(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    assert _tables(empty_url) <= {"alembic_version"}


def test_models_and_migrations_do_not_drift(empty_url: str) -> None:
    """A model change without a migration fails here, on both backends."""
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
    finally:
        engine.dispose()
    assert diff == []


def test_audit_log_refuses_update_and_delete_in_the_database(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_log (seq, at, action, resource, prev_hash, hash) "
                    "VALUES (1, '2026-01-01 00:00:00', 'x', 'y', :p, :h)"
                ),
                {"p": "0" * 64, "h": "1" * 64},
            )
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_postgres_url_without_driver_uses_psycopg3() -> None:
    from stride.store.db import normalise_url

    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
