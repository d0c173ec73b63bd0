"""The load benchmark's PostgreSQL database: ``stride_bench`` (STRIDE_BENCH_POSTGRES_DATABASE) on the
server of STRIDE_BENCH_POSTGRES_URL, seeded by :mod:`benchmarks.load_seed` and kept between runs while
its comment (the cache key) matches the migration head and the seed parameters. Two checkouts at
different migrations benchmarking on one server need a database name each, or each reseeds the other's."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.load_seed import Clinic, cache_key, clinic, seed, settings_for

_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


def seeded_postgres(data_dir: Path, *, patients: int, weeks: int = 52) -> tuple[str, Clinic] | None:
    """The URL of the seeded database and its clinic; None when no server answers."""
    admin = os.environ.get("STRIDE_BENCH_POSTGRES_URL", _DEFAULT)
    database = os.environ.get("STRIDE_BENCH_POSTGRES_DATABASE", "stride_bench")
    if not database.replace("_", "").isalnum():
        raise ValueError(f"STRIDE_BENCH_POSTGRES_DATABASE={database!r}: letters, digits and _ only")
    key = cache_key(patients, weeks)
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        return None
    with conn:
        comment = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        url = make_url(admin).set(database=database).render_as_string(hide_password=False)
        if comment is not None and comment[0] == key:
            return url, clinic(settings_for(data_dir, url))
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {database}")
        seed(settings_for(data_dir, url), patients=patients, weeks=weeks)
        # Bulk-copied rows have no planner statistics and no visibility map until autovacuum comes
        # round, which a live clinic's database has long had: without them the planner guessed a
        # tenth of the patients and index-only scans read every row's page.
        with psycopg.connect(url, autocommit=True) as seeded:
            seeded.execute("VACUUM ANALYZE")
        # Marked seeded only once complete, so an interrupted seed is redone.
        conn.execute(f"COMMENT ON DATABASE {database} IS '{key}'")
    return url, clinic(settings_for(data_dir, url))
