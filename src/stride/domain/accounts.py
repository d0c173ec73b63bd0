"""User accounts and roles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from stride.errors import InvalidInput


class Role(StrEnum):
    """What a user may do is decided by the role (and, for clinicians, their care teams)."""

    ADMIN = "admin"
    CLINICIAN = "clinician"
    PATIENT = "patient"
    RESEARCHER = "researcher"


@dataclass(frozen=True, slots=True)
class User:
    """A person who can log in."""

    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    is_active: bool
    patient_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting in a use case: the authenticated user, reduced to what access checks need."""

    user_id: int
    username: str
    role: Role
    patient_id: int | None = None


_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_username(raw: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case.

    Raises
    ------
    InvalidInput
        If the name is not 2–63 characters of letters, digits, dot, dash or underscore.
    """
    name = raw.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput(
            "must be 2-63 characters: letters, digits, '.', '-' or '_', starting with a letter or digit",
            field="username",
        )
    return name


def parse_role(raw: str) -> Role:
    """Parse a role name, naming the allowed values on failure."""
    try:
        return Role(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {raw!r}; one of {allowed}", field="role") from None


def check_no_control_characters(value: str, *, field: str) -> str:
    """Refuse control characters (NUL, escape, DEL, ...) in free text: they have no place in a name
    or an address, SQLite cuts strings at NUL and PostgreSQL refuses NUL in text outright.

    Raises
    ------
    InvalidInput
        Naming ``field``.
    """
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput("must not contain control characters", field=field)
    return value


def check_email(raw: str | None, *, field: str = "email") -> str | None:
    """Return a trimmed e-mail address or ``None``; reject obviously malformed ones."""
    if raw is None or not raw.strip():
        return None
    value = check_no_control_characters(raw.strip(), field=field)
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidInput("is not an e-mail address", field=field)
    return value


MAX_PASSWORD_LENGTH = 256
# A username this short is too likely to occur by chance inside a good passphrase ("jo" in
# "major-journey"); below it only an exact match is refused.
_CONTAINED_USERNAME_MIN = 4


def check_password(
    password: str,
    *,
    username: str,
    min_length: int,
    common: Container[str] = frozenset(),
    context_words: Sequence[str] = (),
) -> None:
    """Password policy of NIST SP 800-63B §5.1.1.2: a minimum length, no composition rules, and a
    check against values known to be commonly used, expected or compromised: a list of breached
    passwords (``common``, lower case), the username and context words such as the service name.
    Compared case-insensitively.

    Raises
    ------
    InvalidInput
        Naming ``password``: too short, too long, a commonly used password, or containing the
        username or a context word.
    """
    if len(password) < min_length:
        raise InvalidInput(f"must be at least {min_length} characters", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"must be at most {MAX_PASSWORD_LENGTH} characters", field="password")
    folded = password.strip().casefold()
    name = username.casefold()
    if folded == name:
        raise InvalidInput("must not be the username", field="password")
    if len(name) >= _CONTAINED_USERNAME_MIN and name in folded:
        raise InvalidInput("must not contain the username", field="password")
    for word in context_words:
        if word.casefold() in folded:
            raise InvalidInput(f"must not contain the word {word!r}", field="password")
    if folded in common:
        raise InvalidInput(
            "is on a list of commonly used, breached passwords; choose another", field="password"
        )


def check_role_link(role: Role, patient_id: int | None) -> None:
    """A patient account is linked to exactly one patient record; no other account is."""
    if role is Role.PATIENT and patient_id is None:
        raise InvalidInput("a patient account must be linked to a patient record", field="patient_id")
    if role is not Role.PATIENT and patient_id is not None:
        raise InvalidInput("only a patient account is linked to a patient record", field="patient_id")
