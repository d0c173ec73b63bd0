"""Log in and out, server-side sessions with idle and absolute expiry, API tokens, rate limiting."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from stride.domain.access_policy import Action
from stride.domain.accounts import Actor, User, normalise_username
from stride.domain.security import SecurityKind
from stride.domain.throttle import retry_at, seconds_left
from stride.errors import (
    AuthenticationRequired,
    InvalidInput,
    PermissionDenied,
    RateLimited,
)
from stride.services import login_throttle
from stride.services.access import allows
from stride.services.context import Caller, Deps, record, security
from stride.services.passwords import check_new_password, hash_password, needs_rehash, verify_password
from stride.store.models import UserRow, WebSessionRow
from stride.store.repositories import auth as auth_repo
from stride.store.repositories import users as user_repo

# Refresh last-seen at most this often, so that every page view is not a write.
_TOUCH_EVERY = timedelta(seconds=60)
INVALID_USERNAME = "(invalid)"
_TOKEN_PREFIX = "stride_"  # noqa: S105 - a visible prefix, not a secret


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _actor(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        patient_id=user.patient_id,
    )


def _login_name(username: str) -> str:
    try:
        return normalise_username(username)
    except InvalidInput:
        # Not a possible username (e.g. control characters): a failed attempt like any other,
        # recorded under the fixed name "(invalid)" so that nothing unsafe reaches the database
        # (no account can have it: usernames are letters, digits and . _ -).
        return INVALID_USERNAME


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live web session: the actor, the CSRF token of the session, and the cookie token."""

    token: str
    actor: Actor
    csrf_token: str
    display_name: str


class AuthService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def login(
        self,
        username: str,
        password: str,
        *,
        client_addr: str | None,
        user_agent: str | None,
    ) -> SessionInfo:
        """Check the credentials and open a session.

        Raises
        ------
        RateLimited
            While a throttle key still delays the next attempt (:mod:`stride.services.login_throttle`);
            ``retry_after`` says how many seconds remain. The password is not checked.
        AuthenticationRequired
            On a wrong username or password (the message does not say which).
        """
        settings, now = self.deps.settings, self.deps.clock()
        name = _login_name(username)
        caller = Caller(actor=None, client_addr=client_addr)
        with self.deps.db.transaction() as s:
            keys = login_throttle.keys_for(s, settings, username=name, client_addr=client_addr, now=now)
            wait = seconds_left(retry_at(keys, cap=settings.login_max_delay_seconds), now)
            if wait:
                # Refused before the password is looked at: a guess made while waiting tells
                # nothing, and is not counted as another failure.
                security(
                    s,
                    self.deps,
                    caller,
                    SecurityKind.LOGIN_THROTTLED,
                    resource=f"user/{name}",
                    username=name,
                    method="login",
                )
            else:
                row = user_repo.get_row_by_username(s, name)
                ok = verify_password(row.password_hash if row else None, password)
                ok = ok and row is not None and row.is_active
                auth_repo.record_attempt(s, username=name, client_addr=client_addr, success=ok, now=now)
                if ok and row is not None:
                    return self._open_session(
                        s, row, password, client_addr=client_addr, user_agent=user_agent, now=now
                    )
                self._record_failed_login(s, caller, name, row)
        # Raised after the transaction, so that the refusal it recorded is kept.
        if wait:
            raise RateLimited(f"Too many failed log-ins. Try again in {wait} seconds.", retry_after=wait)
        raise AuthenticationRequired("wrong username or password")

    def _open_session(
        self,
        s: Session,
        row: UserRow,
        password: str,
        *,
        client_addr: str | None,
        user_agent: str | None,
        now: datetime,
    ) -> SessionInfo:
        """A new session for a user whose password was just checked (rehashed if the hash is old)."""
        settings = self.deps.settings
        if needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        user = user_repo.to_domain(row)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        auth_repo.delete_expired_sessions(s, now=now)
        auth_repo.add_session(
            s,
            WebSessionRow(
                token_hash=_digest(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=settings.session_absolute_hours),
                client_addr=client_addr,
                user_agent=(user_agent or "")[:255] or None,
            ),
        )
        record(
            s,
            self.deps,
            Caller(actor=_actor(user), client_addr=client_addr),
            action="auth.login",
            resource=f"user/{user.id}",
        )
        return SessionInfo(
            token=token,
            actor=_actor(user),
            csrf_token=csrf,
            display_name=user.display_name,
        )

    def _record_failed_login(self, s: Session, caller: Caller, name: str, row: UserRow | None) -> None:
        security(
            s,
            self.deps,
            caller,
            SecurityKind.LOGIN_FAILED,
            resource=f"user/{name}",
            username=name,
            user_id=row.id if row is not None else None,
            method="login",
            detail="inactive account" if row is not None and not row.is_active else None,
        )

    def resolve_session(self, token: str) -> SessionInfo | None:
        """The live session for a cookie token, or ``None`` if unknown, idle too long or expired."""
        now, settings = self.deps.clock(), self.deps.settings
        idle = timedelta(minutes=settings.session_idle_minutes)
        with self.deps.db.transaction() as s:
            row = auth_repo.get_session(s, _digest(token))
            if row is None:
                return None
            if now >= row.expires_at or now - row.last_seen_at >= idle:
                auth_repo.delete_session(s, row.token_hash)
                return None
            user = user_repo.get(s, row.user_id)
            if user is None or not user.is_active:
                auth_repo.delete_session(s, row.token_hash)
                return None
            if now - row.last_seen_at >= _TOUCH_EVERY:
                row.last_seen_at = now
            return SessionInfo(
                token=token,
                actor=_actor(user),
                csrf_token=row.csrf_token,
                display_name=user.display_name,
            )

    def logout(self, token: str, *, caller: Caller) -> None:
        with self.deps.db.transaction() as s:
            auth_repo.delete_session(s, _digest(token))
            if caller.actor is not None:
                record(
                    s,
                    self.deps,
                    caller,
                    action="auth.logout",
                    resource=f"user/{caller.actor.user_id}",
                )

    def change_password(self, caller: Caller, *, current: str, new: str, keep_token: str | None) -> None:
        """Change one's own password; every other session of the user is closed and their API tokens
        are revoked."""
        actor = caller.require_actor()
        with self.deps.db.transaction() as s:
            if not verify_password(user_repo.password_hash(s, actor.user_id), current):
                raise InvalidInput("is not your current password", field="current_password")
            check_new_password(new, username=actor.username, settings=self.deps.settings)
            user_repo.set_password_hash(s, actor.user_id, hash_password(new), now=self.deps.clock())
            auth_repo.revoke_credentials(
                s, actor.user_id, now=self.deps.clock(), keep=_digest(keep_token) if keep_token else None
            )
            record(
                s,
                self.deps,
                caller,
                action="auth.password.change",
                resource=f"user/{actor.user_id}",
            )

    def create_api_token(self, caller: Caller, *, username: str, name: str) -> str:
        """Issue an API token for a user (administrators and the CLI only); shown once, stored hashed."""
        if not allows(caller, Action.ISSUE_API_TOKEN):
            raise PermissionDenied("only an administrator can issue API tokens")
        token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.deps.db.transaction() as s:
            row = user_repo.get_row_by_username(s, username.strip().lower())
            if row is None:
                raise InvalidInput(f"no user {username!r}", field="username")
            auth_repo.add_token(
                s,
                user_id=row.id,
                name=name or "api",
                token_hash=_digest(token),
                now=self.deps.clock(),
            )
            record(
                s,
                self.deps,
                caller,
                action="auth.token.create",
                resource=f"user/{row.id}",
            )
        return token

    def resolve_api_token(self, token: str) -> Actor | None:
        if not token.startswith(_TOKEN_PREFIX):
            return None
        now = self.deps.clock()
        with self.deps.db.transaction() as s:
            row = auth_repo.get_token(s, _digest(token))
            if row is None or row.revoked_at is not None:
                return None
            user = user_repo.get(s, row.user_id)
            if user is None or not user.is_active:
                return None
            if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
                row.last_used_at = now
            return _actor(user)
