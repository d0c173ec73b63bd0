"""The background-job queue on its real storages: Huey's SQLite file (the default) and Redis
(production), each worked by in-process worker threads, as the web server runs them."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import pytest

from stride.config import load_settings
from stride.services.jobs import JobQueue
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("STRIDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _run_one_job(queue: JobQueue, done: dict[int, threading.Event]) -> None:
    queue.start_workers()
    try:
        queue.enqueue_import(7)
        assert done[7].wait(timeout=30), "the worker did not run the job"
    finally:
        queue.stop_workers()


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_a_queued_import_is_run_by_a_worker_thread(tmp_path: Path, storage: str) -> None:
    if storage == "redis" and not _redis_available():
        if IN_CI:
            pytest.fail(f"no Redis at {REDIS_URL} (CI=true: this must run in CI)")
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings = load_settings(data_dir=tmp_path, env="test", secret_key="k", jobs=storage, redis_url=REDIS_URL)
    done = {7: threading.Event()}
    ran: list[int] = []

    def run_import(import_id: int) -> None:
        ran.append(import_id)
        done[import_id].set()

    # A queue of its own on the shared server, so no other run's jobs reach this worker.
    queue = JobQueue(settings, run_import=run_import, name=f"stride-test-{uuid.uuid4().hex}")
    _run_one_job(queue, done)
    assert ran == [7]
    if storage == "sqlite":
        assert (tmp_path / "jobs.sqlite3").is_file()


def test_immediate_mode_runs_the_job_in_the_caller(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, env="test", secret_key="k", jobs="immediate")
    ran: list[int] = []
    queue = JobQueue(settings, run_import=ran.append)
    queue.enqueue_import(3)
    assert ran == [3]
    queue.start_workers()  # nothing to start
    queue.stop_workers()
