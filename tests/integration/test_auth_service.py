"""Log-in, sessions with idle and absolute expiry, rate limiting, password change, API tokens."""

from __future__ import annotations

import pytest

from stride.domain.accounts import Role
from stride.errors import AuthenticationRequired, InvalidInput, PermissionDenied, RateLimited
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.repositories import audit as audit_repo
from tests.conftest import FakeClock

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
    assert _actions(demo)[-1] == "auth.login.failed"


def test_username_with_nul_byte_is_just_a_failed_login(demo: Services) -> None:
    with pytest.raises(AuthenticationRequired):
        _login(demo, ("dr.\x00rivera", "x"))


def test_rate_limit_after_repeated_failures_even_with_the_right_password(demo: Services) -> None:
    limit = demo.deps.settings.login_max_failures
    for _ in range(limit):
        with pytest.raises(AuthenticationRequired):
            _login(demo, ("dr.rivera", "wrong password"))
    with pytest.raises(RateLimited):
        _login(demo)
    assert _actions(demo)[-1] == "auth.login.rate_limited"


def test_rate_limit_window_passes(demo: Services, clock: FakeClock) -> None:
    for _ in range(demo.deps.settings.login_max_failures):
        with pytest.raises(AuthenticationRequired):
            _login(demo, ("dr.rivera", "wrong password"))
    clock.advance(minutes=demo.deps.settings.login_window_minutes + 1)
    assert _login(demo).actor.username == "dr.rivera"


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
