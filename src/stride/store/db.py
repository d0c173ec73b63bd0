"""Engines and transactions for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from stride.errors import Busy, ConfigurationError


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both backends (SQLite keeps no offset, so we store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs (docs/decisions/0002)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# How long an SQLite transaction waits for the write lock before the request is answered "busy".
BUSY_TIMEOUT_MS = 15_000
BUSY_MESSAGE = "The database is busy with other requests; nothing was changed. Try again shortly."


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and serialised write transactions."""
    url = normalise_url(url)
    if url.startswith("postgresql+psycopg") and importlib.util.find_spec("psycopg") is None:
        raise ConfigurationError(
            "STRIDE_DATABASE_URL names a PostgreSQL server, but its driver is not installed:"
            " install Stride with the postgres extra (pip install 'stride[postgres]')"
        )
    if not url.startswith("sqlite"):
        return create_engine(url, echo=echo, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE below is honoured.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # Every use case writes the audit chain; taking the write lock at BEGIN avoids the
        # deadlock of two deferred readers both trying to upgrade to writers.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _is_lock_timeout(exc: OperationalError) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY after the busy timeout)."""
    return "database is locked" in str(exc.orig).lower()


class Database:
    """An engine and its session factory; :meth:`transaction` is one unit of work."""

    def __init__(self, url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, busy_timeout_ms=busy_timeout_ms)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any exception: a use case is all or nothing.

        A lock that other work held past SQLite's busy timeout is :class:`~stride.errors.Busy`
        (HTTP 503 with ``Retry-After``), not an internal error: under overload a request is refused
        whole and can be sent again.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            if not _is_lock_timeout(exc):
                raise
            raise Busy(BUSY_MESSAGE) from exc

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
