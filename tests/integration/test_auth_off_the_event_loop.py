"""The token and session checks of a request are database transactions (on SQLite they first wait
for the write lock); they run in the thread pool, so that a wait never stalls the event loop, and
with it every other request of the server process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stride.services.context import Caller
from stride.services.registry import Services


def on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def spy(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> list[bool]:
    """Replace ``target.name`` by a wrapper noting, per call, whether it ran on an event loop."""
    calls: list[bool] = []
    real: Callable[..., Any] = getattr(target, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(on_event_loop())
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)
    return calls


def test_an_api_token_is_checked_off_the_event_loop(
    demo: Services, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = demo.auth.create_api_token(Caller.cli(), username="dr.okafor", name="t")
    calls = spy(monkeypatch, demo.auth, "resolve_api_token")
    answer = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert calls == [False]


@pytest.mark.parametrize("path", ["/patients", "/api/v1/patients"])
def test_a_session_cookie_is_checked_off_the_event_loop(
    demo: Services, client: TestClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    info = demo.auth.login("dr.okafor", "demo-clinic-clinician", client_addr="testclient", user_agent="t")
    client.cookies.set("stride_session", info.token)
    calls = spy(monkeypatch, demo.auth, "resolve_session")
    answer = client.get(path)
    assert answer.status_code == 200
    assert calls == [False]
