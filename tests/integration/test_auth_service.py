"""Log-in, sessions with idle and absolute expiry, rate limiting, password change, API tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from stride.domain.accounts import Role
from stride.domain.security import SecurityKind
from stride.errors import AuthenticationRequired, InvalidInput, PermissionDenied, RateLimited
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.models import LoginAttemptRow
from stride.store.repositories import audit as audit_repo
from tests.conftest import FakeClock, make_settings, security_events

CLINICIAN = ("dr.rivera", "demo-clinic-clinician")


def _login(svc: Services, user: tuple[str, str] = CLINICIAN, addr: str = "10.1.1.1"):  # type: ignore[no-untyped-def]
    return svc.auth.login(user[0], user[1], client_addr=addr, user_agent="pytest")


def _actions(svc: Services) -> list[str]:
    with svc.deps.db.transaction() as s:
        return [e.event.action for e in audit_repo.iter_all(s)]


def test_login_opens_a_session_and_is_audited(demo: Services) -> None:
    info = _login(demo)
    assert info.actor.role is Role.CLINICIAN
    assert demo.auth.resolve_session(info.token) is not None
    assert _actions(demo)[-1] == "auth.login"


def test_usernames_are_case_insensitive_at_login(demo: Services) -> None:
    assert _login(demo, ("DR.Rivera", CLINICIAN[1])).actor.username == "dr.rivera"


@pytest.mark.parametrize("user", [("dr.rivera", "wrong password"), ("nobody", "whatever-password")])
def test_wrong_credentials_do_not_say_which_part_was_wrong(demo: Services, user: tuple[str, str]) -> None:
    with pytest.raises(AuthenticationRequired, match="wrong username or password"):
        _login(demo, user)
    last = security_events(demo)[-1]
    assert (last.event.kind, last.event.username) == (SecurityKind.LOGIN_FAILED, user[0])
    assert "auth.login.failed" not in _actions(demo)  # refusals are not in the audit chain


def test_username_with_nul_byte_is_just_a_failed_login(demo: Services) -> None:
    with pytest.raises(AuthenticationRequired):
        _login(demo, ("dr.\x00rivera", "x"))


WRONG = ("dr.rivera", "wrong password")


def _fail(svc: Services, times: int, *, addr: str = "10.1.1.1", user: tuple[str, str] = WRONG) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationRequired):
            _login(svc, user, addr=addr)


def _attempts(svc: Services) -> int:
    with svc.deps.db.transaction() as s:
        return s.scalar(select(func.count()).select_from(LoginAttemptRow)) or 0


def test_after_the_free_attempts_the_next_waits_without_the_password_being_checked(
    demo: Services, clock: FakeClock
) -> None:
    _fail(demo, demo.deps.settings.login_free_attempts)
    attempts = _attempts(demo)
    with pytest.raises(RateLimited) as limited:
        _login(demo)  # the right password, refused unread
    assert limited.value.retry_after == 1
    assert limited.value.message == "Too many failed log-ins. Try again in 1 seconds."
    last = security_events(demo)[-1]
    assert (last.event.kind, last.event.username) == (SecurityKind.LOGIN_THROTTLED, "dr.rivera")
    assert _attempts(demo) == attempts  # a guess while waiting is not even counted
    clock.advance(seconds=1)
    assert _login(demo).actor.username == "dr.rivera"


def test_delays_double_after_each_further_failure(demo: Services, clock: FakeClock) -> None:
    _fail(demo, demo.deps.settings.login_free_attempts)
    waits = []
    for _ in range(4):
        with pytest.raises(RateLimited) as limited:
            _login(demo, WRONG)
        waits.append(limited.value.retry_after)
        clock.advance(seconds=limited.value.retry_after or 0)
        _fail(demo, 1)
    assert waits == [1, 2, 4, 8]


def test_delays_stop_at_the_cap(demo: Services, clock: FakeClock) -> None:
    _fail(demo, demo.deps.settings.login_free_attempts)
    for _ in range(12):
        clock.advance(seconds=demo.deps.settings.login_max_delay_seconds)
        _fail(demo, 1)
    with pytest.raises(RateLimited) as limited:
        _login(demo)
    assert limited.value.retry_after == demo.deps.settings.login_max_delay_seconds


def test_a_successful_login_clears_the_failures_of_that_client(demo: Services, clock: FakeClock) -> None:
    _fail(demo, demo.deps.settings.login_free_attempts - 1)
    _login(demo)
    _fail(demo, demo.deps.settings.login_free_attempts - 1)
    assert _login(demo).actor.username == "dr.rivera"  # 8 failures, never delayed


def test_failures_older_than_the_window_no_longer_count(demo: Services, clock: FakeClock) -> None:
    _fail(demo, demo.deps.settings.login_free_attempts)
    clock.advance(minutes=demo.deps.settings.login_window_minutes + 1)
    _fail(demo, demo.deps.settings.login_free_attempts - 1)
    assert _login(demo).actor.username == "dr.rivera"


def test_an_attacker_elsewhere_cannot_lock_the_user_out_of_their_own_client(
    tmp_path: Path, demo: Services, clock: FakeClock
) -> None:
    # A cap of 1 s lets the attacker's 100 failures all be real password checks in a few minutes.
    settings = make_settings(tmp_path, demo.deps.settings.resolved_database_url, login_max_delay_seconds=1)
    svc = Services.build(settings, clock=clock)
    try:
        assert _login(svc, addr="10.0.0.5").actor.username == "dr.rivera"  # the user's own PC
        clock.advance(hours=2)
        for _ in range(100):
            _fail(svc, 1, addr="10.0.0.9")
            clock.advance(seconds=1)
        with svc.deps.db.transaction() as s:
            failed = s.scalar(
                select(func.count()).where(
                    LoginAttemptRow.success.is_(False), LoginAttemptRow.client_addr == "10.0.0.9"
                )
            )
        assert failed == 100
        clock.advance(seconds=-1)  # the attacker's last failure was a moment ago
        assert _login(svc, addr="10.0.0.5").actor.username == "dr.rivera"
        with pytest.raises(RateLimited):
            _login(svc, addr="10.0.0.7")  # a client the user never logged in from is delayed
    finally:
        svc.close()


def test_the_user_on_their_own_client_is_delayed_by_their_own_failures(demo: Services) -> None:
    _login(demo, addr="10.0.0.5")
    _fail(demo, demo.deps.settings.login_free_attempts, addr="10.0.0.5")
    with pytest.raises(RateLimited):
        _login(demo, addr="10.0.0.5")


def test_spraying_from_one_client_across_accounts_is_delayed(
    tmp_path: Path, demo: Services, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path, demo.deps.settings.resolved_database_url, login_client_free_attempts=6)
    svc = Services.build(settings, clock=clock)
    try:
        for name in ("a.one", "b.two", "c.three", "d.four", "e.five", "f.six"):
            _fail(svc, 1, addr="10.6.6.6", user=(name, "Summer2026!"))
        with pytest.raises(RateLimited):
            _login(svc, addr="10.6.6.6")  # a seventh account, even with its right password
        assert _login(svc, addr="10.1.1.1").actor.username == "dr.rivera"
    finally:
        svc.close()


def test_an_administrator_unlock_clears_every_client(demo: Services) -> None:
    _fail(demo, demo.deps.settings.login_free_attempts, addr="10.0.0.9")
    with pytest.raises(RateLimited):
        _login(demo, addr="10.0.0.9")
    rivera = next(u.id for u in demo.users.list(Caller.cli()) if u.username == "dr.rivera")
    before = demo.users.detail(Caller.cli(), rivera).login
    assert before.failures == demo.deps.settings.login_free_attempts
    assert before.locked_until is not None
    after = demo.users.unlock(Caller.cli(), rivera)
    assert (after.failures, after.locked_until) == (0, None)
    assert _login(demo, addr="10.0.0.9").actor.username == "dr.rivera"
    assert "user.unlock" in _actions(demo)
    assert security_events(demo)[-1].event.kind is SecurityKind.ACCOUNT_UNLOCKED


def test_session_expires_when_idle(demo: Services, clock: FakeClock) -> None:
    info = _login(demo)
    clock.advance(minutes=demo.deps.settings.session_idle_minutes - 1)
    assert demo.auth.resolve_session(info.token) is not None  # activity refreshes the idle timer
    clock.advance(minutes=demo.deps.settings.session_idle_minutes - 1)
    assert demo.auth.resolve_session(info.token) is not None
    clock.advance(minutes=demo.deps.settings.session_idle_minutes)
    assert demo.auth.resolve_session(info.token) is None


def test_session_has_an_absolute_lifetime_despite_activity(demo: Services, clock: FakeClock) -> None:
    info = _login(demo)
    hours = demo.deps.settings.session_absolute_hours
    for _ in range(hours * 3):
        clock.advance(minutes=20)
        if demo.auth.resolve_session(info.token) is None:
            break
    assert demo.auth.resolve_session(info.token) is None


def test_logout_ends_the_session(demo: Services) -> None:
    info = _login(demo)
    demo.auth.logout(info.token, caller=Caller(actor=info.actor))
    assert demo.auth.resolve_session(info.token) is None


def test_password_change_closes_other_sessions_only(demo: Services) -> None:
    here, elsewhere = _login(demo), _login(demo, addr="10.9.9.9")
    demo.auth.change_password(
        Caller(actor=here.actor), current=CLINICIAN[1], new="a new long passphrase", keep_token=here.token
    )
    assert demo.auth.resolve_session(here.token) is not None
    assert demo.auth.resolve_session(elsewhere.token) is None
    assert _login(demo, ("dr.rivera", "a new long passphrase")).actor.username == "dr.rivera"


def test_password_change_needs_the_current_password(demo: Services) -> None:
    info = _login(demo)
    with pytest.raises(InvalidInput) as err:
        demo.auth.change_password(
            Caller(actor=info.actor), current="guess", new="another passphrase", keep_token=None
        )
    assert err.value.field == "current_password"


def test_deactivated_user_cannot_log_in_and_loses_sessions(demo: Services) -> None:
    info = _login(demo)
    demo.users.update(Caller.cli(), info.actor.user_id, is_active=False)
    assert demo.auth.resolve_session(info.token) is None
    with pytest.raises(AuthenticationRequired):
        _login(demo)


def test_api_tokens_are_issued_by_admins_and_resolve_to_the_user(demo: Services) -> None:
    token = demo.auth.create_api_token(Caller.cli(), username="dr.okafor", name="integration")
    actor = demo.auth.resolve_api_token(token)
    assert actor is not None
    assert actor.username == "dr.okafor"
    assert demo.auth.resolve_api_token(token + "x") is None
    clinician = Caller(actor=actor)
    with pytest.raises(PermissionDenied):
        demo.auth.create_api_token(clinician, username="admin", name="escalate")
