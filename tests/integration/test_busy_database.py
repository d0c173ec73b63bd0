"""A database locked by other work past the busy timeout answers "busy" (503, Retry-After), changes
nothing, and the next request after the lock is gone succeeds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from stride.errors import Busy
from stride.store.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'busy.sqlite3'}", busy_timeout_ms=50)
    with database.transaction() as s:
        s.execute(text("CREATE TABLE note (body TEXT)"))
    yield database
    database.dispose()


def _hold_write_lock(path: str) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_lock_held_past_the_busy_timeout_is_busy_and_changes_nothing(db: Database) -> None:
    other = _hold_write_lock(db.engine.url.database or "")
    try:
        with pytest.raises(Busy, match="nothing was changed"), db.transaction() as s:
            s.execute(text("INSERT INTO note VALUES ('lost')"))
    finally:
        other.rollback()
        other.close()
    with db.transaction() as s:
        assert s.execute(text("SELECT count(*) FROM note")).scalar_one() == 0
        s.execute(text("INSERT INTO note VALUES ('kept')"))
    with db.transaction() as s:
        assert s.execute(text("SELECT body FROM note")).scalars().all() == ["kept"]


def test_other_database_errors_are_not_called_busy(db: Database) -> None:
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError, match="no such table"), db.transaction() as s:
        s.execute(text("SELECT * FROM missing"))
