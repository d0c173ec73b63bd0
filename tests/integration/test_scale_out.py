"""Scale-out: two web server processes and one job consumer against one PostgreSQL database and one
Redis, as a deployment runs them (docs/deployment.md). What one process is asked, another answers:
a device file uploaded through server A is imported by the consumer and seen finished through
server B; a PHQ-9 answered through A with item 9 positive raises the alert the clinician sees
through B, and the patient sees the crisis guidance there.

Real processes (``stride serve``, ``stride worker``), a fresh copy of the demo clinic on PostgreSQL
(``STRIDE_TEST_POSTGRES_URL``) and a queue of its own on ``STRIDE_TEST_REDIS_URL``. Skipped, saying
why, when either server is missing on a developer's machine; in CI (``CI=true``) that fails the run.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import CLINICIAN_PASSWORD, IN_CI, PATIENT_PASSWORD, _fresh_postgres
from tests.samples import sample

pytestmark = pytest.mark.postgres

REDIS_URL = os.environ.get("STRIDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STRIDE = Path(sys.executable).with_name("stride")
FIT_RUN = "fit/garmin-fenix-5-run.fit"
ITEM9 = {**{f"phq9_{i}": str(v) for i, v in enumerate((2, 2, 2, 1, 1, 1, 1, 0, 1), start=1)}, "phq9_10": ""}
# Generous: a process starting on a busy two-core machine spends seconds importing its libraries.
STARTUP_S = 90.0
WORK_S = 60.0


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        reason = f"Redis at STRIDE_TEST_REDIS_URL ({REDIS_URL}) is not reachable: {exc}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: this must run in CI)")
        pytest.skip(reason)
    return REDIS_URL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until(what: str, check: Callable[[], bool], *, seconds: float) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:.0f} s")
        time.sleep(0.2)


@contextmanager
def _process(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def deployment(
    redis_url: str, postgres_admin_url: str, postgres_demo_template: str, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """The addresses of web servers A (``--workers 2``) and B (one process); one consumer works
    the queue behind them."""
    data = tmp_path / "data"  # shared: the uploaded files (blobs) and the activity store
    data.mkdir()
    with ExitStack() as stack:
        database = stack.enter_context(
            contextmanager(_fresh_postgres)(postgres_admin_url, postgres_demo_template)
        )
        env = {
            **os.environ,
            "STRIDE_ENV": "production",
            "STRIDE_SECRET_KEY": "scale-out-test-secret-key-shared-by-every-process",
            "STRIDE_COOKIE_SECURE": "false",  # plain HTTP on the loopback
            "STRIDE_DATA_DIR": str(data),
            "STRIDE_DATABASE_URL": database,
            "STRIDE_JOBS": "redis",
            "STRIDE_REDIS_URL": redis_url,
            "STRIDE_JOBS_QUEUE": f"stride-scale-{uuid.uuid4().hex}",  # no other run's jobs
            "STRIDE_JOBS_IN_PROCESS": "false",  # the consumer below does the work
        }
        urls, procs = [], []
        for name, workers in (("a", "2"), ("b", "1")):
            port = _free_port()
            command = [str(STRIDE), "serve", "--port", str(port), "--workers", workers]
            procs.append(stack.enter_context(_process(command, env=env, log=tmp_path / f"web-{name}.log")))
            urls.append(f"http://127.0.0.1:{port}")
        procs.append(
            stack.enter_context(_process([str(STRIDE), "worker"], env=env, log=tmp_path / "worker.log"))
        )
        try:
            for url, proc in zip(urls, procs, strict=False):
                _until(
                    f"{url} answering",
                    lambda u=url, p=proc: p.poll() is None and _answers(u),
                    seconds=STARTUP_S,
                )
            yield urls[0], urls[1]
        finally:
            for log in sorted(tmp_path.glob("*.log")):  # shown by pytest when the test fails
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")


def _client(url: str, cookies: httpx.Cookies | None = None) -> httpx.Client:
    return httpx.Client(base_url=url, cookies=cookies, timeout=30, follow_redirects=False)


def _login(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    sent = client.post("/login", data={"username": username, "password": password, "login_csrf": token})
    assert sent.status_code == 303, sent.text


def _csrf(client: httpx.Client) -> str:
    return client.get("/account").text.split('"X-CSRF-Token": "', 1)[1].split('"', 1)[0]


def _patient_id(client: httpx.Client) -> int:
    """The patient's own record, where the dashboard sends a patient."""
    home = client.get("/", follow_redirects=True)
    match = re.search(r"/patients/(\d+)$", str(home.url))
    assert match, home.url
    return int(match.group(1))


def test_two_web_servers_and_a_consumer_share_one_database_and_queue(deployment: tuple[str, str]) -> None:
    url_a, url_b = deployment
    with _client(url_a) as a:
        _login(a, "patient1", PATIENT_PASSWORD)
        pid = _patient_id(a)

        # An upload through A waits for the consumer; B reports it done once the consumer ran it.
        path = sample(FIT_RUN)
        with path.open("rb") as fh:
            sent = a.post(
                f"/patients/{pid}/activity/import",
                data={"csrf_token": _csrf(a)},
                files={"file": (path.name, fh, "application/octet-stream")},
            )
        assert sent.status_code == 202, sent.text
        assert '<span class="import-state">waiting</span>' in sent.text, "web servers must not import"
        match = re.search(r'hx-get="/activity/imports/(\d+)/status"', sent.text)
        assert match, sent.text
        status_url = f"/activity/imports/{match.group(1)}/status"

        with _client(url_b, cookies=a.cookies) as b:  # the same session, the other server
            _until(
                "the import done, seen through B",
                lambda: '<span class="import-state">done</span>' in b.get(status_url).text,
                seconds=WORK_S,
            )
            assert "session imported from a FIT file" in b.get(status_url).text

            # Item 9 positive through A: the patient sees the crisis guidance through B at once.
            answered = a.post(f"/patients/{pid}/questionnaires/phq9", data={**ITEM9, "csrf_token": _csrf(a)})
            assert answered.status_code == 303, answered.text
            result = b.get(answered.headers["location"])
            assert result.status_code == 200
            assert 'id="crisis-guidance"' in result.text
            assert "Your care team has been told" in result.text
            assert 'id="crisis-guidance"' in b.get(f"/patients/{pid}").text

    # The clinician, on B only, has the open alert in the inbox and on the record.
    with _client(url_b) as clinician:
        _login(clinician, "dr.rivera", CLINICIAN_PASSWORD)
        inbox = clinician.get("/alerts")
        assert inbox.status_code == 200
        alerts = re.findall(r'id="alert-(\d+)"', inbox.text)
        assert len(alerts) == 1, inbox.text
        record = clinician.get(f"/patients/{pid}")
        assert 'id="open-alerts"' in record.text
        assert f"/alerts/{alerts[0]}/acknowledge" in record.text
