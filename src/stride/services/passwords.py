"""Password hashing with Argon2id (RFC 9106), parameters from argon2-cffi's RFC low-memory profile,
and the password policy: length, the bundled breached-password list, username and context words."""

from __future__ import annotations

import gzip
import hashlib
import tomllib
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from stride.config import Settings
from stride.domain.accounts import check_password
from stride.errors import ConfigurationError

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


@cache
def _breached() -> tuple[frozenset[str], tuple[str, ...]]:
    """The bundled breached-password list (checked against its recorded SHA-256) and context words."""
    data = resources.files("stride.data")
    meta = tomllib.loads(data.joinpath("breached_passwords.toml").read_text(encoding="utf-8"))
    raw = data.joinpath(meta["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != meta["sha256"]:
        raise ConfigurationError(f"{meta['file']}: does not match the sha256 in breached_passwords.toml")
    words = frozenset(
        line.strip().casefold() for line in gzip.decompress(raw).decode("utf-8").splitlines() if line.strip()
    )
    return words, tuple(meta["context_words"])


def check_new_password(password: str, *, username: str, settings: Settings) -> None:
    """The policy for every new password (creation, reset, change).

    Raises
    ------
    InvalidInput
        Naming ``password`` and what is wrong with it.
    """
    common, context = _breached()
    check_password(
        password,
        username=username,
        min_length=settings.password_min_length,
        common=common,
        context_words=context,
    )
