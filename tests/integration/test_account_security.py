"""Accounts, sessions and audit hardening (OWASP ASVS 4.0 level 2, chapters 2, 3 and 7), through
the real paths: HTTP against the app, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stride.services.context import Caller
from stride.services.registry import Services
from stride.web.app import create_app
from tests.conftest import FakeClock, csrf_of, login, make_settings
from tests.integration.test_cli import invoke

ADMIN = ("admin", "demo-clinic-manager")
CLINICIAN = ("dr.rivera", "demo-clinic-clinician")


def _admin_api(client: TestClient) -> dict[str, str]:
    login(client, *ADMIN)
    return {"X-CSRF-Token": csrf_of(client)}


def _new_user(client: TestClient, headers: dict[str, str], password: str, username: str = "nurse.kim"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/users",
        json={"username": username, "password": password, "role": "clinician"},
        headers=headers,
    )


def _user_id(demo: Services, username: str) -> int:
    return next(u.id for u in demo.users.list(Caller.cli()) if u.username == username)


# --- passwords (NIST SP 800-63B §5.1.1.2) -------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("password123", "at least 12"),
        ("password1234", "commonly used"),
        ("PASSWORD1234", "commonly used"),  # the list is checked case-insensitively
        ("qwertyuiop[]", "commonly used"),
        ("my-stride-login-2026", "'stride'"),
        ("nurse.kim-is-my-name", "username"),
        ("x" * 257, "at most 256"),
    ],
)
def test_weak_passwords_are_refused_naming_the_field_and_nothing_is_created(
    client: TestClient, password: str, says: str
) -> None:
    headers = _admin_api(client)
    refused = _new_user(client, headers, password)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "password"
    assert says in refused.json()["message"]
    assert "nurse.kim" not in [u["username"] for u in client.get("/api/v1/users").json()]


def test_a_long_uncommon_passphrase_is_accepted_without_composition_rules(client: TestClient) -> None:
    headers = _admin_api(client)
    assert _new_user(client, headers, "correct horse battery").status_code == 201


def test_breached_list_applies_below_the_default_length_too(tmp_path: Path, demo: Services) -> None:
    """With STRIDE_PASSWORD_MIN_LENGTH=8, ``password123`` passes the length rule but not the list."""
    settings = make_settings(tmp_path, demo.deps.settings.resolved_database_url, password_min_length=8)
    svc = Services.build(settings, clock=FakeClock())
    try:
        with TestClient(create_app(settings, services=svc)) as client:
            headers = _admin_api(client)
            refused = _new_user(client, headers, "password123")
            assert refused.status_code == 422
            assert "commonly used" in refused.json()["message"]
            assert _new_user(client, headers, "tulip-ferry").status_code == 201
    finally:
        svc.close()


def test_password_reset_and_change_apply_the_same_policy(client: TestClient, demo: Services) -> None:
    headers = _admin_api(client)
    rivera = _user_id(demo, "dr.rivera")
    reset = client.post(
        f"/api/v1/users/{rivera}/password", json={"new_password": "password1234"}, headers=headers
    )
    assert reset.status_code == 422
    assert reset.json()["field"] == "password"
    login(client, *CLINICIAN)  # the old password still works: nothing changed
    page = client.post(
        "/account/password",
        data={
            "current_password": CLINICIAN[1],
            "new_password": "qwerty123456",
            "confirm_password": "qwerty123456",
            "csrf_token": csrf_of(client),
        },
    )
    assert page.status_code == 422
    assert "commonly used" in page.text


def test_cli_user_create_refuses_a_breached_password(sqlite_url: str, tmp_path: Path) -> None:
    code, out, err = invoke(
        sqlite_url, tmp_path, "user", "create", "--username", "ops", "--role", "admin",
        "--password", "password1234", "--json",
    )  # fmt: skip
    assert code == 2, err
    assert json.loads(out)["field"] == "password"
    assert "commonly used" in err
