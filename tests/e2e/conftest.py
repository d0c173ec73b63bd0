"""Browser tests: a real uvicorn server on a free port, driven by Debian's Chromium through Playwright.

One server (with the demo clinic seeded) and one browser serve the whole session; every test gets a
fresh browser context, so cookies never leak from one test into the next. Tests that change data use
names of their own, so they do not depend on each other's order.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Playwright, expect, sync_playwright

from stride.services.context import Caller
from stride.services.registry import Services
from stride.web.app import create_app
from tests.conftest import IN_CI, make_settings

CHROMIUM = Path(os.environ.get("STRIDE_TEST_CHROMIUM", "/usr/bin/chromium"))
# The background services try the network, which is closed in CI; they then fail in odd ways.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

CLINICIAN = ("dr.rivera", "demo-clinic-clinician")
ADMIN = ("admin", "demo-clinic-manager")
PATIENT = ("patient1", "demo-clinic-patient")


@dataclass(frozen=True)
class LiveServer:
    url: str
    services: Services


@dataclass
class BrowserLog:
    """What the page said on its console and the exceptions it threw, for asserting on."""

    console: list[ConsoleMessage] = field(default_factory=list)
    page_errors: list[Error] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        self.console.append(message)

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(error)

    def problems(self) -> list[str]:
        said = [
            f"console.{m.type}: {m.text} ({m.location.get('url', '')})"
            for m in self.console
            if m.type == "error" or "Content Security Policy" in m.text
        ]
        return said + [f"uncaught: {e.message}" for e in self.page_errors]


def _wait_until_healthy(url: str, thread: threading.Thread, server: uvicorn.Server) -> None:
    """The socket is already listening, so the request simply waits in its backlog until uvicorn
    starts accepting; no polling loop with sleeps is needed."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=20) as response:
            assert response.status == 200
    except Exception as exc:
        server.should_exit = True
        thread.join(timeout=5)
        pytest.fail(f"the test server at {url} did not answer /healthz: {exc!r}")


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 and a free port, as ``stride serve`` runs it; its URL."""
    # Binding port 0 ourselves and handing uvicorn the socket avoids the race of "find a free port,
    # close it, hope nobody takes it before uvicorn binds it again".
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        # As `stride serve`: uvicorn must not believe X-Forwarded-For from loopback by itself; the
        # app decides which proxies it trusts (STRIDE_TRUSTED_PROXIES).
        proxy_headers=False,
        forwarded_allow_ips="",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="e2e-uvicorn", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    _wait_until_healthy(url, thread, server)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        assert not thread.is_alive(), "the test server did not stop"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    """The web app on 127.0.0.1 and a free port, on a copy of the migrated SQLite template."""
    root = tmp_path_factory.mktemp("e2e")
    database = root / "stride.sqlite3"
    shutil.copy(sqlite_template, database)
    settings = make_settings(root, f"sqlite:///{database}")
    services = Services.build(settings)
    assert services.demo.seed(Caller.cli()).seeded
    try:
        with serving(create_app(settings, services=services)) as url:
            yield LiveServer(url=url, services=services)
    finally:
        services.close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install Debian's chromium package for the browser tests"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the browser tests must run in CI)")
        pytest.skip(reason)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, browser_log: BrowserLog) -> Iterator[Page]:
    """A page in a fresh context (no cookies), with relative URLs resolved against the server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", browser_log.on_console)
    page.on("pageerror", browser_log.on_page_error)
    yield page
    context.close()


def log_in(page: Page, username: str, password: str) -> None:
    """Log in through the real form, as a person would, and wait to leave the log-in page."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def unique_name(prefix: str) -> str:
    """A family name no demo patient has and no other test uses (letters only, like a real name)."""
    letters = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:8])
    return f"{prefix}{letters}"
