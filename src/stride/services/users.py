"""User administration (administrators and the CLI operator)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from stride.domain.access_policy import Action
from stride.domain.accounts import (
    Role,
    User,
    check_email,
    check_role_link,
    normalise_username,
)
from stride.domain.security import SecurityKind
from stride.domain.teams import check_name
from stride.errors import Conflict, InvalidInput, NotFound
from stride.services import login_throttle
from stride.services.access import allows, deny
from stride.services.context import Caller, Deps, record, security
from stride.services.login_throttle import LoginState
from stride.services.passwords import check_new_password, hash_password
from stride.store.repositories import auth as auth_repo
from stride.store.repositories import patients as patient_repo
from stride.store.repositories import users as user_repo


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    password: str
    role: Role
    display_name: str = ""
    email: str | None = None
    patient_id: int | None = None


@dataclass(frozen=True, slots=True)
class UserDirectory:
    """The accounts, the patients linked to them and the patients with no login yet (those a new
    patient account can be made for), as ("Family, Given", MRN)."""

    users: list[User]
    linked: dict[int, tuple[str, str | None]]
    without_login: list[tuple[int, str, str | None]]


@dataclass(frozen=True, slots=True)
class UserDetail:
    user: User
    login: LoginState


class UserService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _require_admin(self, caller: Caller, action: str, resource: str) -> None:
        if not allows(caller, Action.MANAGE_USERS):
            raise deny(
                self.deps,
                caller,
                action=action,
                resource=resource,
                message="Only an administrator can manage user accounts.",
            )

    def create(self, caller: Caller, new: NewUser) -> User:
        """Create an account; a patient account is linked to exactly one patient record.

        Raises
        ------
        InvalidInput
            Naming the field (username, password, role, email, patient_id).
        Conflict
            If the username is taken or the patient already has an account.
        """
        self._require_admin(caller, "user.create", "users")
        username = normalise_username(new.username)
        check_new_password(new.password, username=username, settings=self.deps.settings)
        check_role_link(new.role, new.patient_id)
        email = check_email(new.email)
        display = check_name(new.display_name or username, field="display_name")
        with self.deps.db.transaction() as s:
            if user_repo.username_taken(s, username):
                raise Conflict(f"username {username!r} is taken", field="username")
            if new.patient_id is not None:
                if patient_repo.get(s, new.patient_id) is None:
                    raise InvalidInput(f"no patient record {new.patient_id}", field="patient_id")
                if user_repo.patient_has_account(s, new.patient_id):
                    raise Conflict("this patient already has an account", field="patient_id")
            user = user_repo.add(
                s,
                username=username,
                display_name=display,
                email=email,
                role=new.role,
                password_hash=hash_password(new.password),
                patient_id=new.patient_id,
                now=self.deps.clock(),
            )
            record(
                s,
                self.deps,
                caller,
                action="user.create",
                resource=f"user/{user.id}",
                patient_id=new.patient_id,
                detail=f"role={user.role.value}",
            )
        return user

    def list(self, caller: Caller, *, role: Role | None = None) -> list[User]:
        self._require_admin(caller, "user.list", "users")
        with self.deps.db.transaction() as s:
            return user_repo.list_all(s, role=role)

    def directory(self, caller: Caller) -> UserDirectory:
        """Every account, and the patients to pick from for a new patient login. Patient names are
        identifiable data: the view is audited as one entry."""
        self._require_admin(caller, "user.list", "users")
        with self.deps.db.transaction() as s:
            users = user_repo.list_all(s)
            linked = patient_repo.labels(s, {u.patient_id for u in users if u.patient_id is not None})
            unlinked = patient_repo.without_login(s)
            record(
                s,
                self.deps,
                caller,
                action="patient.search",
                resource="patients",
                detail=f"user accounts: {len(linked)} linked, {len(unlinked)} without a login",
            )
        return UserDirectory(users=users, linked=linked, without_login=unlinked)

    def detail(self, caller: Caller, user_id: int) -> UserDetail:
        """An account with the state of its failed log-ins (the administrator's user page)."""
        self._require_admin(caller, "user.read", f"user/{user_id}")
        with self.deps.db.transaction() as s:
            user = user_repo.get(s, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}")
            state = login_throttle.account_state(
                s, self.deps.settings, username=user.username, now=self.deps.clock()
            )
        return UserDetail(user=user, login=state)

    def unlock(self, caller: Caller, user_id: int) -> LoginState:
        """Clear the failed log-ins of an account (every client), so that nobody waits to log in to
        it; the clients it logged in from stay known. Audited, with how many were cleared."""
        self._require_admin(caller, "user.unlock", f"user/{user_id}")
        with self.deps.db.transaction() as s:
            user = user_repo.get(s, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}")
            cleared = auth_repo.clear_failures(s, username=user.username)
            record(
                s,
                self.deps,
                caller,
                action="user.unlock",
                resource=f"user/{user_id}",
                patient_id=user.patient_id,
                detail=f"cleared {cleared} failed log-ins",
            )
            security(
                s,
                self.deps,
                caller,
                SecurityKind.ACCOUNT_UNLOCKED,
                resource=f"user/{user_id}",
                detail=f"{user.username}: cleared {cleared} failed log-ins",
            )
            return login_throttle.account_state(
                s, self.deps.settings, username=user.username, now=self.deps.clock()
            )

    def unlock_username(self, caller: Caller, username: str) -> LoginState:
        """:meth:`unlock` by login name (``stride user unlock USERNAME``)."""
        self._require_admin(caller, "user.unlock", "users")
        with self.deps.db.transaction() as s:
            row = user_repo.get_row_by_username(s, username.strip().lower())
            if row is None:
                raise InvalidInput(f"no user {username!r}", field="username")
            user_id = row.id
        return self.unlock(caller, user_id)

    def get(self, caller: Caller, user_id: int) -> User:
        self._require_admin(caller, "user.read", f"user/{user_id}")
        with self.deps.db.transaction() as s:
            user = user_repo.get(s, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        return user

    def update(
        self,
        caller: Caller,
        user_id: int,
        *,
        display_name: str | None = None,
        email: str | None = None,
        is_active: bool | None = None,
        role: Role | None = None,
    ) -> User:
        """Edit an account's name, e-mail, active flag or role. Deactivation ends its sessions; a
        role change ends its sessions and revokes its API tokens (they carried the old rights).

        Raises
        ------
        InvalidInput
            Deactivating or changing the role of one's own account; a role change to or from
            ``patient`` (a patient account is bound to its record: make a new account instead).
        """
        self._require_admin(caller, "user.update", f"user/{user_id}")
        own = caller.actor is not None and caller.actor.user_id == user_id
        if own and is_active is False:
            raise InvalidInput("you cannot deactivate your own account", field="is_active")
        name = check_name(display_name, field="display_name") if display_name is not None else None
        # None leaves the e-mail unchanged; an empty string clears it.
        mail = (check_email(email) or "") if email is not None else None
        with self.deps.db.transaction() as s:
            before = user_repo.get(s, user_id)
            if before is None:
                raise NotFound(f"no user {user_id}")
            new_role = role if role is not None and role is not before.role else None
            if new_role is not None:
                _check_role_change(before.role, new_role, own=own)
            user = user_repo.update(
                s, user_id, display_name=name, email=mail, is_active=is_active, role=new_role
            )
            self._end_access(s, user_id, role_changed=new_role is not None, deactivated=is_active is False)
            record(
                s,
                self.deps,
                caller,
                action="user.role.change" if new_role is not None else "user.update",
                resource=f"user/{user_id}",
                patient_id=user.patient_id,
                detail=f"role={before.role.value}->{new_role.value}" if new_role is not None else None,
            )
        return user

    def _end_access(self, s: Session, user_id: int, *, role_changed: bool, deactivated: bool) -> None:
        """A role change revokes the sessions and API tokens (they carried the old rights); a
        deactivation ends the sessions."""
        if role_changed:
            auth_repo.revoke_credentials(s, user_id, now=self.deps.clock())
        elif deactivated:
            auth_repo.delete_user_sessions(s, user_id)

    def reset_password(self, caller: Caller, user_id: int, *, new_password: str) -> None:
        """Set a user's password (an administrator's reset); their sessions are closed and their API
        tokens revoked."""
        self._require_admin(caller, "user.password.reset", f"user/{user_id}")
        with self.deps.db.transaction() as s:
            user = user_repo.get(s, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}")
            check_new_password(new_password, username=user.username, settings=self.deps.settings)
            user_repo.set_password_hash(s, user_id, hash_password(new_password), now=self.deps.clock())
            auth_repo.revoke_credentials(s, user_id, now=self.deps.clock())
            record(
                s,
                self.deps,
                caller,
                action="user.password.reset",
                resource=f"user/{user_id}",
            )


def _check_role_change(old: Role, new: Role, *, own: bool) -> None:
    if own:
        raise InvalidInput("you cannot change the role of your own account", field="role")
    if Role.PATIENT in (old, new):
        raise InvalidInput(
            "a patient account is bound to its patient record; create a new account instead",
            field="role",
        )
