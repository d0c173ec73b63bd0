"""The security log (OWASP ASVS 4.0 V7): refusals and failed log-ins go there, folded per minute,
not to the audit chain; administrators read it on /admin/security and GET /api/v1/security-events."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from stride.domain.security import SecurityKind
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.repositories import audit as audit_repo
from stride.web.app import create_app
from tests.conftest import FakeClock, login, make_settings, security_events
from tests.integration.test_cli import invoke

ADMIN = ("admin", "demo-clinic-manager")
CLINICIAN = ("dr.rivera", "demo-clinic-clinician")


def _audit_count(svc: Services) -> int:
    with svc.deps.db.transaction() as s:
        return sum(1 for _ in audit_repo.iter_all(s))


def _failed_login(client: TestClient, username: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"username": username, "password": "not it", "login_csrf": token})
    assert answer.status_code == 401


def test_a_flood_of_refused_requests_adds_no_audit_entry_and_a_handful_of_rows(
    client: TestClient, demo: Services, tmp_path: Path
) -> None:
    login(client, *CLINICIAN)
    audited = _audit_count(demo)
    anonymous = TestClient(client.app)
    for i in range(500):
        # A cookie-authenticated change without the CSRF header, and an API call with no credential.
        assert client.post("/api/v1/teams", json={"name": f"x{i}", "site_id": 1}).status_code == 403
        assert anonymous.get("/api/v1/patients").status_code == 401
    assert _audit_count(demo) == audited
    rows = security_events(demo)
    assert len(rows) <= 3, [(r.event.kind, r.count) for r in rows]
    counts = {r.event.kind: r.count for r in rows}
    assert counts[SecurityKind.CSRF_REFUSED] == 500
    assert counts[SecurityKind.UNAUTHENTICATED] == 500
    csrf = next(r for r in rows if r.event.kind is SecurityKind.CSRF_REFUSED)
    assert (csrf.event.username, csrf.event.method, csrf.event.resource) == (
        "dr.rivera",
        "POST",
        "/api/v1/teams",
    )
    # The chain is untouched and still verifies.
    code, _, err = invoke(demo.deps.settings.resolved_database_url, tmp_path, "audit", "verify")
    assert code == 0, err


def test_repeats_fold_within_a_minute_only(client: TestClient, demo: Services, clock: FakeClock) -> None:
    anonymous = TestClient(client.app)
    anonymous.get("/api/v1/patients")
    clock.advance(seconds=59)
    anonymous.get("/api/v1/patients")
    clock.advance(seconds=2)
    anonymous.get("/api/v1/patients")
    rows = [r for r in security_events(demo) if r.event.kind is SecurityKind.UNAUTHENTICATED]
    assert [r.count for r in rows] == [2, 1]
    assert (rows[0].last_at - rows[0].at).total_seconds() == 59


def test_failed_and_throttled_logins_go_to_the_security_log_not_the_audit_chain(
    client: TestClient, demo: Services
) -> None:
    audited = _audit_count(demo)
    for _ in range(demo.deps.settings.login_free_attempts + 2):
        page = client.get("/login")
        token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
        client.post("/login", data={"username": "dr.rivera", "password": "not it", "login_csrf": token})
    assert _audit_count(demo) == audited
    counts = {(r.event.kind, r.event.username): r.count for r in security_events(demo)}
    assert counts[(SecurityKind.LOGIN_FAILED, "dr.rivera")] == demo.deps.settings.login_free_attempts
    assert counts[(SecurityKind.LOGIN_THROTTLED, "dr.rivera")] == 2


def test_old_rows_are_purged_after_the_retention(tmp_path: Path, demo: Services, clock: FakeClock) -> None:
    settings = make_settings(tmp_path, demo.deps.settings.resolved_database_url, security_log_days=1)
    svc = Services.build(settings, clock=clock)
    try:
        with TestClient(create_app(svc.deps.settings, services=svc)) as anonymous:
            anonymous.get("/api/v1/patients")
            clock.advance(days=1, seconds=1)
            anonymous.get("/api/v1/me")
        assert [r.event.resource for r in security_events(svc)] == ["/api/v1/me"]
    finally:
        svc.close()


def test_the_admin_page_filters_by_kind_user_and_client(client: TestClient, demo: Services) -> None:
    _failed_login(client, "dr.rivera")
    _failed_login(client, "nobody")
    TestClient(client.app).get("/api/v1/patients")
    login(client, *ADMIN)
    page = client.get("/admin/security")
    assert page.status_code == 200
    assert 'class="table-scroll"' in page.text
    assert "<code>login_failed</code>" in page.text
    assert "<code>unauthenticated</code>" in page.text
    only = client.get("/admin/security", params={"kind": "login_failed", "user": "DR.Rivera"})
    assert "dr.rivera" in only.text
    assert "nobody" not in only.text
    assert "<code>unauthenticated</code>" not in only.text
    assert "testclient" in client.get("/admin/security", params={"client": "testclient"}).text
    bad = client.get("/admin/security", params={"kind": "made_up"})
    assert bad.status_code == 422
    assert "is not a kind of security event" in bad.text
    assert client.get("/admin/security", params={"since": "yesterday"}).status_code == 422
    # Reading the log is audited, as one entry for the view.
    assert demo.audit.list(Caller.cli(), audit_repo.AuditFilter(action="security.read")).total >= 1


def test_the_api_lists_security_events_for_admins_only(client: TestClient, demo: Services) -> None:
    _failed_login(client, "dr.rivera")
    login(client, *CLINICIAN)
    assert client.get("/api/v1/security-events").status_code == 403
    refusal = security_events(demo)[-1]
    assert (refusal.event.kind, refusal.event.detail) == (SecurityKind.FORBIDDEN, "security.read.denied")
    login(client, *ADMIN)
    answer = client.get("/api/v1/security-events", params={"kind": "login_failed", "username": "dr.rivera"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 1
    assert body["items"][0]["kind"] == "login_failed"
    assert body["items"][0]["count"] == 1
    assert client.get("/api/v1/security-events", params={"kind": "nope"}).status_code == 422


def test_the_admin_nav_links_the_security_log(client: TestClient) -> None:
    login(client, *ADMIN)
    assert 'href="/admin/security"' in client.get("/admin/users").text
