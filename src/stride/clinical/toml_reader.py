"""Typed, path-aware access to parsed TOML, so a malformed package-data file fails at load with an
error naming the file and the exact key (``instruments/phq9.toml: bands[2].max: must be an integer``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stride.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class At:
    """A position in a package-data file: the file name and the dotted key path."""

    file: str
    path: str = ""

    def key(self, key: str | int) -> At:
        """The position of ``key`` (a table key or a list index) below this one."""
        if isinstance(key, int):
            return At(self.file, f"{self.path}[{key}]")
        return At(self.file, f"{self.path}.{key}" if self.path else key)

    def fail(self, message: str) -> ConfigurationError:
        """An error naming the file and this key path."""
        where = f"{self.file}: {self.path}" if self.path else self.file
        return ConfigurationError(f"{where}: {message}", field=self.path or None)


def table(
    data: object, at: At, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, Any]:
    """``data`` as a table with exactly the ``required`` keys and any of the ``optional`` ones.

    Unknown keys are refused too: in a declarative file a misspelt key would otherwise be
    silently ignored, and a threshold would quietly fall back to something else.
    """
    if not isinstance(data, Mapping):
        raise at.fail("must be a table")
    for key in data:
        if key not in required and key not in optional:
            raise at.key(key).fail(f"unknown key (allowed: {', '.join([*required, *optional])})")
    for key in required:
        if key not in data:
            raise at.key(key).fail("is required")
    return data


def tables(data: Mapping[str, Any], key: str, at: At, *, allow_empty: bool = False) -> list[Any]:
    """The array of tables ``data[key]`` (an absent key is an empty array when allowed)."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise at.key(key).fail("must be an array of tables")
    if not value and not allow_empty:
        raise at.key(key).fail("must not be empty")
    return value


def text(data: Mapping[str, Any], key: str, at: At, *, default: str | None = None) -> str:
    """A non-blank string."""
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise at.key(key).fail("must be a non-empty string")
    return value


def optional_text(data: Mapping[str, Any], key: str, at: At) -> str | None:
    """A non-blank string, or ``None`` when the key is absent."""
    return text(data, key, at) if key in data else None


def integer(data: Mapping[str, Any], key: str, at: At, *, minimum: int | None = None) -> int:
    """An integer (booleans are refused: TOML ``true`` is not the number 1)."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise at.key(key).fail("must be an integer")
    if minimum is not None and value < minimum:
        raise at.key(key).fail(f"must be at least {minimum}")
    return value


def number(data: Mapping[str, Any], key: str, at: At) -> float:
    """A finite number, integer or float."""
    value = data.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise at.key(key).fail("must be a number")
    return float(value)


def optional_number(data: Mapping[str, Any], key: str, at: At) -> float | None:
    """A number, or ``None`` when the key is absent."""
    return number(data, key, at) if key in data else None


def boolean(data: Mapping[str, Any], key: str, at: At, *, default: bool | None = None) -> bool:
    """A TOML boolean."""
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise at.key(key).fail("must be true or false")
    return value


def strings(data: Mapping[str, Any], key: str, at: At) -> tuple[str, ...]:
    """A non-empty array of non-blank strings."""
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise at.key(key).fail("must be a non-empty array of strings")
    for index, entry in enumerate(value):
        if not isinstance(entry, str) or not entry.strip():
            raise at.key(key).key(index).fail("must be a non-empty string")
    return tuple(value)


def choice(data: Mapping[str, Any], key: str, at: At, allowed: Sequence[str]) -> str:
    """One of ``allowed``."""
    value = data.get(key)
    if value not in allowed:
        raise at.key(key).fail(f"must be one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value
