"""Declarative package data (TOML), every entry with its source, and its loader (read-only, cached,
validated by the caller).

Data shared by several layers lives in ``stride/data``; the rule data of one clinical concept lives
beside its code (``stride/clinical/<concept>/data``), so the caller names that package.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_toml(name: str, package: str = "stride.data") -> dict[str, Any]:
    """Parse ``<name>.toml`` of ``package``; cached, because package data never changes at run time."""
    text = resources.files(package).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
