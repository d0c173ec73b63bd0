"""Background jobs on Huey (docs/decisions/0010): a well-kept task queue, not a
home-made one. Storage is Huey's SQLite file in the data directory by default, Redis in
production (``STRIDE_JOBS=redis``), or ``immediate`` (the task runs at once, in the caller: tests
and one-off scripts). Workers run as threads inside the web server (``STRIDE_JOBS_IN_PROCESS``)
or apart in ``stride worker``.

The queue holds only the id of the work (an import id); the work's state lives in the database,
so a job lost with a crashed worker is visible there and re-queued by ``stride doctor``.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from stride.config import Settings
from stride.errors import ConfigurationError

log = logging.getLogger(__name__)


class _ThreadedConsumer(Consumer):  # type: ignore[misc]
    """A consumer living inside another program (the web server): signal handling stays with
    that program, and Python allows signal handlers only on the main thread anyway."""

    def _set_signal_handlers(self) -> None:
        return None


def make_huey(settings: Settings, *, name: str) -> Huey:
    if settings.jobs == "immediate":
        return MemoryHuey(name, immediate=True)
    if settings.jobs == "redis":
        if importlib.util.find_spec("redis") is None:
            raise ConfigurationError(
                "STRIDE_JOBS=redis, but the Redis client is not installed:"
                " install Stride with the redis extra (pip install 'stride[redis]')"
            )
        return RedisHuey(name, url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "jobs.sqlite3"))


class JobQueue:
    """The task queue of one Stride process; tasks are registered once, at build time."""

    def __init__(
        self, settings: Settings, *, run_import: Callable[[int], None], name: str | None = None
    ) -> None:
        self.settings = settings
        self.huey = make_huey(settings, name=name or settings.jobs_queue)
        # Retries would re-run a failed parse of the same bytes: the import records its failure
        # instead, and a person decides (re-upload after the parser is fixed).
        self._import = self.huey.task(name="stride.import_activity", retries=0)(run_import)
        self._consumer: Consumer | None = None

    @property
    def immediate(self) -> bool:
        return bool(self.huey.immediate)

    def enqueue_import(self, import_id: int) -> None:
        self._import(import_id)

    def start_workers(self) -> None:
        """Run workers as threads in this process (no-op in immediate mode or if running)."""
        if self.immediate or self._consumer is not None:
            return
        consumer = _ThreadedConsumer(self.huey, workers=self.settings.job_workers, periodic=False)
        consumer.start()
        self._consumer = consumer
        log.info("job workers started (%s, %d thread(s))", self.settings.jobs, self.settings.job_workers)

    def stop_workers(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None

    def run_consumer(self) -> None:
        """Run a consumer in the foreground until interrupted (``stride worker``)."""
        self.huey.create_consumer(workers=self.settings.job_workers, periodic=False).run()
