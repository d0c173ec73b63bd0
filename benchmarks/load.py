"""Load: the production server (``stride serve``, STRIDE_ENV=production) on SQLite and on PostgreSQL,
with 10,000 patients of a year each (:mod:`benchmarks.load_seed`), under a constant arrival rate.

The generator is open-loop: request *i* is sent at ``start + i / rate`` whether or not earlier ones
were answered, and its latency counts from that scheduled time, so a server that falls behind is
charged for the queue it builds (no coordinated omission). Per endpoint, for STRIDE_BENCH_SECONDS:

* ``GET /api/v1/patients`` (API token; 50 a page, the pages in turn) at 200 req/s, target p99 <= 50 ms;
* ``GET /api/v1/patients/{id}`` (the patient summary, API token) at 200 req/s, p99 <= 50 ms;
* ``GET /patients/{id}`` (the record page, with its charts; a session cookie) at 50 req/s, p99 <= 150 ms;

and 0 errors (any status but 200, or no answer within 30 s). Baseline, in the same run: a bare
FastAPI endpoint served by uvicorn with the same settings (:mod:`benchmarks.load_bare`) at 200 req/s.
Each endpoint is measured with each number of web worker processes of STRIDE_BENCH_WORKERS
(``stride serve --workers N``; default ``1,2``), side by side.

PostgreSQL is seeded into the database ``stride_bench`` on STRIDE_BENCH_POSTGRES_URL (default
``postgresql://postgres@127.0.0.1:5432/postgres`` names the server), kept while the seed parameters
match; skipped with a message when no server answers.

``python -m benchmarks.load``; smaller runs: STRIDE_BENCH_PATIENTS (10000), STRIDE_BENCH_SECONDS (60),
STRIDE_BENCH_BACKENDS (``sqlite,postgresql``), STRIDE_BENCH_WORKERS (``1,2``).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.input_bounds import free_port, peak_mb, wait_until_up
from benchmarks.load_client import Pool
from benchmarks.load_postgres import seeded_postgres
from benchmarks.load_seed import Clinic, patients_wanted, seeded_sqlite, settings_for
from stride.services.context import Caller
from stride.services.registry import Services

_STRIDE = Path(sys.executable).with_name("stride")
_ROOT = Path(__file__).resolve().parents[1]
_TIMEOUT_S = 30.0
# Enough for 200 req/s at several times the target latency; beyond, requests queue in the client
# (and are charged for it: latency counts from the scheduled time).
_CONNECTIONS = 64
_COLUMNS = [
    ("endpoint", "22"),
    ("workers", ">7"),
    ("req/s", ">5"),
    ("achieved", ">8"),
    ("p50 ms", ">8"),
    ("p99 ms", ">8"),
    ("max ms", ">8"),
    ("errors", ">6"),
    ("p99/bare", ">9"),
]


@dataclass(frozen=True, slots=True)
class Endpoint:
    label: str
    rate: float
    target_p99_ms: float | None
    path: Callable[[int], str]
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Result:
    sent: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: Counter[str]
    achieved: float


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    database_url: str
    data_dir: Path
    clinic: Clinic


def seconds_wanted() -> float:
    return float(os.environ.get("STRIDE_BENCH_SECONDS", "60"))


def workers_wanted() -> list[int]:
    return [int(n) for n in os.environ.get("STRIDE_BENCH_WORKERS", "1,2").split(",") if n.strip()]


async def _drive(url: str, endpoint: Endpoint, *, seconds: float) -> Result:
    """Fire ``rate * seconds`` requests on schedule; latency from each one's scheduled time.

    A request still waiting for a connection or an answer ``_TIMEOUT_S`` after its scheduled time
    is an error; so is any status but 200.
    """
    host, port = url.removeprefix("http://").split(":")
    pool = Pool(host, int(port), size=_CONNECTIONS)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    loop = asyncio.get_running_loop()

    async def one(i: int, due: float) -> None:
        try:
            request = pool.request_bytes(endpoint.path(i), endpoint.headers)
            status, _ = await asyncio.wait_for(pool.get(request), due + _TIMEOUT_S - loop.time())
            if status != 200:
                errors[f"HTTP {status}"] += 1
        except TimeoutError:
            errors["timeout"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors[type(exc).__name__] += 1
        latencies.append(loop.time() - due)

    count = int(endpoint.rate * seconds)
    start = loop.time() + 0.1
    tasks = []
    for i in range(count):
        due = start + i / endpoint.rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    await pool.close()
    ms = np.asarray(latencies) * 1000
    return Result(
        sent=count,
        p50_ms=float(np.percentile(ms, 50)),
        p99_ms=float(np.percentile(ms, 99)),
        max_ms=float(ms.max()),
        errors=errors,
        achieved=(count - sum(errors.values())) / elapsed,
    )


async def _warm(url: str, endpoint: Endpoint, *, expect: str | None = None, workers: int = 1) -> None:
    """A few requests first on a connection per worker (the kernel hands a new connection to any of
    them), and a check that the endpoint answers what it should."""
    host, port = url.removeprefix("http://").split(":")
    pool = Pool(host, int(port), size=4 * workers)
    await asyncio.gather(*(_warm_one(pool, endpoint, i, expect) for i in range(10 * workers)))
    await pool.close()


async def _warm_one(pool: Pool, endpoint: Endpoint, i: int, expect: str | None) -> None:
    status, body = await pool.get(pool.request_bytes(endpoint.path(i), endpoint.headers))
    text = body.decode("utf-8", "replace")
    if status != 200 or (expect is not None and expect not in text):
        raise RuntimeError(f"{endpoint.label}: HTTP {status} {text[:200]}")


@contextmanager
def _process(
    command: list[str], *, env: dict[str, str], cwd: Path, logs: Path, port: int, workers: int = 1
) -> Iterator[tuple[str, int]]:
    # uvicorn logs each worker's start on stderr (its access log goes to stdout, discarded).
    log = logs / f"server-{port}.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, proc)
        _wait_for_workers(log, workers, proc)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Still answering requests its clients abandoned; they are of no interest now.
            proc.kill()
            proc.wait(timeout=10)


def _wait_for_workers(log: Path, workers: int, proc: subprocess.Popen[bytes]) -> None:
    """Until every worker has started: the first one answers /healthz while the others still import."""
    deadline = time.monotonic() + 120
    while log.read_text(errors="replace").count("Application startup complete") < workers:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{workers} workers did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


def _peak_mb(pid: int) -> float:
    """The largest peak RSS of the server's processes (uvicorn's parent and its workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    peaks = []
    for each in [pid, *map(int, children)]:
        try:
            peaks.append(peak_mb(each))
        except (OSError, RuntimeError):
            continue  # not a worker (uvicorn's resource tracker), or already gone
    return max(peaks)


def _server_env(backend: Backend) -> dict[str, str]:
    return {
        **os.environ,
        "STRIDE_ENV": "production",
        "STRIDE_SECRET_KEY": secrets.token_urlsafe(32),
        "STRIDE_DATA_DIR": str(backend.data_dir),
        "STRIDE_DATABASE_URL": backend.database_url,
    }


def _credentials(backend: Backend) -> tuple[str, str]:
    """An API token and a logged-in session cookie of the clinician, made through the services."""
    services = Services.build(settings_for(backend.data_dir, backend.database_url))
    try:
        token = services.auth.create_api_token(Caller.cli(), username=backend.clinic.clinician, name="load")
        session = services.auth.login(
            backend.clinic.clinician, backend.clinic.password, client_addr="127.0.0.1", user_agent="load"
        )
    finally:
        services.close()
    return token, session.token


def _endpoints(backend: Backend) -> list[Endpoint]:
    token, cookie = _credentials(backend)
    ids = backend.clinic.patient_ids
    pages = max(1, len(ids) // 50)
    # Patients in a fixed pseudo-random order, so every run reads the same ones.
    order = np.random.default_rng(7).permutation(ids).tolist()
    bearer = {"Authorization": f"Bearer {token}"}
    return [
        Endpoint(
            "API patient list", 200, 50, lambda i: f"/api/v1/patients?offset={50 * (i % pages)}", bearer
        ),
        Endpoint(
            "API patient summary", 200, 50, lambda i: f"/api/v1/patients/{order[i % len(order)]}", bearer
        ),
        Endpoint(
            "record page",
            50,
            150,
            lambda i: f"/patients/{order[i % len(order)]}",
            {"Cookie": f"stride_session={cookie}"},
        ),
    ]


def _row(label: str, workers: str, rate: float, result: Result, bare: Result, target: float | None) -> str:
    errors = sum(result.errors.values())
    verdict = ""
    if target is not None:
        ok = result.p99_ms <= target and errors == 0
        verdict = f"p99 <= {target:.0f} ms, 0 errors: {'PASS' if ok else 'FAIL'}"
    said = " ".join(f"{k}x{v}" for k, v in result.errors.most_common(3))
    return (
        f"  {label:22s} {workers:>7s} {rate:5.0f} {result.achieved:8.1f} {result.p50_ms:8.1f} "
        f"{result.p99_ms:8.1f} {result.max_ms:8.0f} {errors:6d} {result.p99_ms / bare.p99_ms:8.1f}x  "
        f"{verdict} {said}"
    )


def _measure(backend: Backend, bare: Result, *, seconds: float) -> None:
    """Each endpoint on a server of its own: a server that fell behind is still working through
    requests its clients gave up on, which would be charged to the next endpoint."""
    results, peak = [], 0.0
    for endpoint in _endpoints(backend):
        for workers in workers_wanted():
            port = free_port()
            command = [str(_STRIDE), "serve", "--port", str(port), "--workers", str(workers)]
            env, cwd = _server_env(backend), backend.data_dir
            with _process(command, env=env, cwd=cwd, logs=cwd, port=port, workers=workers) as (url, pid):
                expect = "PHQ-9" if endpoint.label == "record page" else None
                asyncio.run(_warm(url, endpoint, expect=expect, workers=workers))
                results.append((endpoint, workers, asyncio.run(_drive(url, endpoint, seconds=seconds))))
                peak = max(peak, _peak_mb(pid))
    print(
        f"  {backend.name}: {len(backend.clinic.patient_ids):,} patients; peak RSS of a server process"
        f" {peak:.0f} MB"
    )
    print(_row("bare FastAPI /ping", "-", 200, bare, bare, None))
    for endpoint, workers, result in results:
        print(_row(endpoint.label, str(workers), endpoint.rate, result, bare, endpoint.target_p99_ms))


def _bare(seconds: float) -> tuple[Result, float]:
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.load_bare", str(port)]
    with (
        tempfile.TemporaryDirectory(prefix="stride-load-bare-") as tmp,
        _process(command, env=dict(os.environ), cwd=_ROOT, logs=Path(tmp), port=port) as (url, pid),
    ):
        endpoint = Endpoint("bare", 200, None, lambda _i: "/ping", {})
        asyncio.run(_warm(url, endpoint))
        result = asyncio.run(_drive(url, endpoint, seconds=seconds))
        return result, peak_mb(pid)


def main(argv: list[str] | None = None) -> None:
    del argv
    patients, seconds = patients_wanted(), seconds_wanted()
    wanted = os.environ.get("STRIDE_BENCH_BACKENDS", "sqlite,postgresql").split(",")
    print(
        f"load: open-loop constant arrival rate, {seconds:.0f} s per endpoint, latency from the scheduled "
        f"send time; {patients:,} patients of a year each; baseline: a bare FastAPI endpoint"
    )
    bare, bare_peak = _bare(seconds)
    print(f"  bare FastAPI app peak RSS {bare_peak:.0f} MB")
    header = "  " + " ".join(f"{name:{width}s}" for name, width in _COLUMNS)
    with tempfile.TemporaryDirectory(prefix="stride-load-") as tmp:
        if "sqlite" in wanted:
            data_dir = Path(tmp) / "sqlite"
            data_dir.mkdir()
            database = data_dir / "stride.sqlite"
            clinic = seeded_sqlite(database, patients=patients)
            print(header)
            _measure(Backend("SQLite", f"sqlite:///{database}", data_dir, clinic), bare, seconds=seconds)
        if "postgresql" in wanted:
            data_dir = Path(tmp) / "postgresql"
            data_dir.mkdir()
            seeded = seeded_postgres(data_dir, patients=patients)
            if seeded is None:
                print("  PostgreSQL: skipped, no server answers at STRIDE_BENCH_POSTGRES_URL")
            else:
                url, clinic = seeded
                print(header)
                _measure(Backend("PostgreSQL", url, data_dir, clinic), bare, seconds=seconds)


if __name__ == "__main__":
    main(sys.argv[1:])
