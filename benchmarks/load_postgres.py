"""The load benchmark's PostgreSQL database: ``stride_bench`` on the server of
STRIDE_BENCH_POSTGRES_URL, seeded by :mod:`benchmarks.load_seed` and kept between runs while its
comment (the cache key) matches the migration head and the seed parameters."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.load_seed import Clinic, cache_key, clinic, seed, settings_for

DATABASE = "stride_bench"
_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


def seeded_postgres(data_dir: Path, *, patients: int, weeks: int = 52) -> tuple[str, Clinic] | None:
    """The URL of the seeded database and its clinic; None when no server answers."""
    admin = os.environ.get("STRIDE_BENCH_POSTGRES_URL", _DEFAULT)
    key = cache_key(patients, weeks)
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        return None
    with conn:
        comment = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        url = make_url(admin).set(database=DATABASE).render_as_string(hide_password=False)
        if comment is not None and comment[0] == key:
            return url, clinic(settings_for(data_dir, url))
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
        seed(settings_for(data_dir, url), patients=patients, weeks=weeks)
        # Marked seeded only once complete, so an interrupted seed is redone.
        conn.execute(f"COMMENT ON DATABASE {DATABASE} IS '{key}'")
    return url, clinic(settings_for(data_dir, url))
