"""Load declarative package data from ``stride/data`` (read-only, cached, validated by the caller)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_toml(name: str) -> dict[str, Any]:
    """Parse ``stride/data/<name>.toml``; cached, because package data never changes at run time."""
    text = resources.files("stride.data").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
