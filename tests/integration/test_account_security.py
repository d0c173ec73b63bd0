"""Accounts, sessions and audit hardening (OWASP ASVS 4.0 level 2, chapters 2, 3 and 7), through
the real paths: HTTP against the app, the CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from stride.errors import ConfigurationError
from stride.services.audit import AuditFilter
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import LoginAttemptRow
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


# --- revocation: a password reset or change, or a role change, ends sessions and API tokens ------


def _victim(client: TestClient, demo: Services) -> tuple[TestClient, str]:
    """dr.rivera logged in in a browser of their own, and an API token of theirs."""
    browser = TestClient(client.app)
    login(browser, *CLINICIAN)
    token = demo.auth.create_api_token(Caller.cli(), username="dr.rivera", name="ehr")
    assert browser.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    return browser, token


def _locked_out(client: TestClient, browser: TestClient, token: str) -> None:
    assert browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_admin_password_reset_revokes_sessions_and_api_tokens(client: TestClient, demo: Services) -> None:
    browser, token = _victim(client, demo)
    headers = _admin_api(client)
    rivera = _user_id(demo, "dr.rivera")
    done = client.post(
        f"/api/v1/users/{rivera}/password", json={"new_password": "tulip ferry lantern"}, headers=headers
    )
    assert done.status_code == 204
    _locked_out(client, browser, token)


def test_admin_password_reset_page_revokes_too(client: TestClient, demo: Services) -> None:
    browser, token = _victim(client, demo)
    login(client, *ADMIN)
    rivera = _user_id(demo, "dr.rivera")
    page = client.post(
        f"/admin/users/{rivera}",
        data={"op": "password", "new_password": "tulip ferry lantern", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert page.status_code == 303
    _locked_out(client, browser, token)


def test_role_change_revokes_sessions_and_api_tokens(client: TestClient, demo: Services) -> None:
    browser, token = _victim(client, demo)
    headers = _admin_api(client)
    rivera = _user_id(demo, "dr.rivera")
    changed = client.patch(f"/api/v1/users/{rivera}", json={"role": "researcher"}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "researcher"
    _locked_out(client, browser, token)
    # the old credentials give nothing; a fresh log-in carries the new role
    login(browser, *CLINICIAN)
    assert browser.get("/api/v1/me").json()["role"] == "researcher"


def test_a_change_of_name_alone_keeps_sessions(client: TestClient, demo: Services) -> None:
    browser, token = _victim(client, demo)
    headers = _admin_api(client)
    rivera = _user_id(demo, "dr.rivera")
    assert (
        client.patch(f"/api/v1/users/{rivera}", json={"display_name": "Dr R"}, headers=headers).status_code
        == 200
    )
    assert browser.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_role_changes_that_break_the_patient_link_or_demote_oneself_are_refused(
    client: TestClient, demo: Services
) -> None:
    headers = _admin_api(client)
    rivera, patient1, admin = (_user_id(demo, n) for n in ("dr.rivera", "patient1", "admin"))
    to_patient = client.patch(f"/api/v1/users/{rivera}", json={"role": "patient"}, headers=headers)
    assert to_patient.status_code == 422
    assert to_patient.json()["field"] == "role"
    from_patient = client.patch(f"/api/v1/users/{patient1}", json={"role": "clinician"}, headers=headers)
    assert from_patient.status_code == 422
    own = client.patch(f"/api/v1/users/{admin}", json={"role": "clinician"}, headers=headers)
    assert own.status_code == 422
    assert client.get(f"/api/v1/users/{rivera}").json()["role"] == "clinician"


def test_own_password_change_keeps_this_session_and_revokes_the_rest(
    client: TestClient, demo: Services
) -> None:
    browser, token = _victim(client, demo)
    login(client, *CLINICIAN)  # a second session of dr.rivera: the one that changes the password
    changed = client.post(
        "/account/password",
        data={
            "current_password": CLINICIAN[1],
            "new_password": "tulip ferry lantern",
            "confirm_password": "tulip ferry lantern",
            "csrf_token": csrf_of(client),
        },
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/me").status_code == 200  # this session goes on
    _locked_out(client, browser, token)


def test_role_change_through_the_user_page(client: TestClient, demo: Services) -> None:
    browser, token = _victim(client, demo)
    login(client, *ADMIN)
    rivera = _user_id(demo, "dr.rivera")
    assert 'name="role"' in client.get(f"/admin/users/{rivera}").text
    page = client.post(
        f"/admin/users/{rivera}",
        data={
            "display_name": "Dr Rivera",
            "role": "researcher",
            "is_active": "on",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert page.status_code == 303
    _locked_out(client, browser, token)
    bad = client.post(
        f"/admin/users/{rivera}",
        data={"display_name": "Dr Rivera", "role": "nurse", "is_active": "on", "csrf_token": csrf_of(client)},
    )
    assert bad.status_code == 422
    assert "unknown choice &#39;nurse&#39;; one of" in bad.text


# --- X-Forwarded-For is believed only from STRIDE_TRUSTED_PROXIES -------------------------------


def _failed_login_from(client: TestClient, forwarded_for: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": "dr.rivera", "password": "not the password", "login_csrf": token},
        headers={"X-Forwarded-For": forwarded_for},
    )
    assert response.status_code == 401


def _failure_addresses(demo: Services) -> list[str | None]:
    with demo.deps.db.transaction() as s:
        rows = s.scalars(select(LoginAttemptRow).order_by(LoginAttemptRow.id)).all()
        return [r.client_addr for r in rows if not r.success]


def test_forwarded_for_from_an_untrusted_loopback_client_is_ignored(demo: Services) -> None:
    app = create_app(demo.deps.settings, services=demo)
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        _failed_login_from(client, "6.6.6.6")
    assert _failure_addresses(demo)[-1] == "127.0.0.1"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "seen"),
    [
        ("127.0.0.1", "6.6.6.6", "6.6.6.6"),
        ("127.0.0.0/8, 10.0.0.0/8", "6.6.6.6, 10.1.2.3", "6.6.6.6"),  # two proxies of ours
        ("127.0.0.1", "6.6.6.6, 7.7.7.7", "7.7.7.7"),  # the client forged the first entry
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ],
)
def test_forwarded_for_is_believed_from_trusted_proxies(
    tmp_path: Path, demo: Services, trusted: str, forwarded: str, seen: str
) -> None:
    settings = make_settings(tmp_path, demo.deps.settings.resolved_database_url, trusted_proxies=trusted)
    svc = Services.build(settings, clock=FakeClock())
    try:
        with TestClient(create_app(settings, services=svc), client=("127.0.0.1", 50000)) as client:
            _failed_login_from(client, forwarded)
    finally:
        svc.close()
    assert _failure_addresses(demo)[-1] == seen


def test_a_bad_trusted_proxy_setting_names_the_variable(tmp_path: Path, sqlite_url: str) -> None:
    with pytest.raises(ConfigurationError) as exc:
        make_settings(tmp_path, sqlite_url, trusted_proxies="10.0.0.0/8, proxy.example")
    assert exc.value.field == "STRIDE_TRUSTED_PROXIES"


def test_stride_serve_does_not_believe_forwarded_for_from_loopback(sqlite_url: str, tmp_path: Path) -> None:
    """The real `stride serve` (uvicorn) on 127.0.0.1: its own proxy-header handling must be off."""
    env = {
        **os.environ,
        "STRIDE_DATABASE_URL": sqlite_url,
        "STRIDE_DATA_DIR": str(tmp_path / "data"),
        "STRIDE_SECRET_KEY": "k" * 40,
        "STRIDE_ENV": "test",
        "STRIDE_JOBS": "immediate",
    }
    env.pop("STRIDE_TRUSTED_PROXIES", None)
    env.pop("STRIDE_FORWARDED_ALLOW_IPS", None)
    env.pop("FORWARDED_ALLOW_IPS", None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stride = Path(sys.executable).with_name("stride")
    server = subprocess.Popen(
        [str(stride), "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stderr is not None
        for line in server.stderr:  # blocks until uvicorn says it is up (or the process ends)
            if "Uvicorn running on" in line:
                break
        else:
            pytest.fail("stride serve did not start")
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(f"{base}/login", timeout=20).read().decode()
        token = page.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
        form = urllib.parse.urlencode(
            {"username": "nobody", "password": "not the password", "login_csrf": token}
        ).encode()
        request = urllib.request.Request(f"{base}/login", data=form, headers={"X-Forwarded-For": "6.6.6.6"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(request, timeout=20)
        assert refused.value.code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)
    svc = Services.build(make_settings(tmp_path, sqlite_url))
    try:
        assert _failure_addresses(svc)[-1] == "127.0.0.1"
    finally:
        svc.close()


# --- log-in throttle: delays, not lock-outs; an administrator can clear them ----------------------


def _login_form(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    return client.post(
        "/login",
        data={"username": username, "password": password, "login_csrf": token},
        follow_redirects=False,
    )


def _throttle_rivera(client: TestClient, demo: Services) -> None:
    for _ in range(demo.deps.settings.login_free_attempts):
        assert _login_form(client, CLINICIAN[0], "not the password").status_code == 401


def test_the_login_page_says_how_long_to_wait_with_429_and_retry_after(
    client: TestClient, demo: Services, clock: FakeClock
) -> None:
    _throttle_rivera(client, demo)
    refused = _login_form(client, *CLINICIAN)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "Too many failed log-ins. Try again in 1 seconds." in refused.text
    clock.advance(seconds=1)
    assert _login_form(client, *CLINICIAN).status_code == 303


def test_the_admin_user_page_shows_and_clears_failed_logins(client: TestClient, demo: Services) -> None:
    _throttle_rivera(client, demo)
    login(client, *ADMIN)
    rivera = _user_id(demo, "dr.rivera")
    page = client.get(f"/admin/users/{rivera}")
    assert "5 recent failed log-ins" in page.text
    assert "Log-ins are delayed until" in page.text
    assert "Clear failed log-ins" in page.text
    cleared = client.post(
        f"/admin/users/{rivera}/unlock", data={"csrf_token": csrf_of(client)}, follow_redirects=True
    )
    assert cleared.status_code == 200
    assert "Failed log-ins cleared." in cleared.text
    assert "No recent failed log-ins." in cleared.text
    assert "Log-ins are not delayed." in cleared.text
    entries = demo.audit.list(Caller.cli(), AuditFilter(action="user.unlock"), limit=5, offset=0).items
    assert [e.event.resource for e in entries] == [f"user/{rivera}"]


def test_the_api_clears_failed_logins_for_admins_only(client: TestClient, demo: Services) -> None:
    _throttle_rivera(client, demo)
    rivera = _user_id(demo, "dr.rivera")
    headers = _admin_api(client)
    answer = client.post(f"/api/v1/users/{rivera}/unlock", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"failures": 0, "last_failure_at": None, "locked_until": None}
    assert _login_form(TestClient(client.app), *CLINICIAN).status_code == 303


def test_cli_user_unlock_clears_failed_logins(client: TestClient, demo: Services, tmp_path: Path) -> None:
    _throttle_rivera(client, demo)
    assert _login_form(client, *CLINICIAN).status_code == 429
    code, _, err = invoke(demo.deps.settings.resolved_database_url, tmp_path, "user", "unlock", "DR.Rivera")
    assert code == 0, err
    assert "Cleared the failed log-ins of 'dr.rivera'" in err
    assert _login_form(client, *CLINICIAN).status_code == 303
    code, _, err = invoke(demo.deps.settings.resolved_database_url, tmp_path, "user", "unlock", "nobody")
    assert code != 0
    assert "no user 'nobody'" in err
