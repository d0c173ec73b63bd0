"""Password hashing with Argon2id (RFC 9106), parameters from argon2-cffi's RFC low-memory profile."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Verified against when the username is unknown, so that a miss costs the same time as a hit.
_DUMMY = _HASHER.hash("stride-timing-equaliser")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(hashed or _DUMMY, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    return _HASHER.check_needs_rehash(hashed)
