"""Checks of one input value shared by the engines' input parsers (screening, prescription): each
refuses a wrong value with :class:`InvalidInput` naming the field and what would be right."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from stride.errors import InvalidInput


def choice(value: object, options: Iterable[str], *, field: str, what: str) -> str:
    """``value`` if it is one of ``options``; otherwise the error suggests the closest ones."""
    allowed = tuple(options)
    if isinstance(value, str) and value in allowed:
        return value
    close = difflib.get_close_matches(value, allowed, n=2) if isinstance(value, str) else []
    hint = f"; did you mean {' or '.join(close)}?" if close else f"; one of {', '.join(allowed)}"
    raise InvalidInput(f"{value!r} is not a known {what}{hint}", field=field)


def integer(value: object, *, field: str, low: int, high: int) -> int:
    """``value`` if it is a whole number (not a bool) in ``low``-``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must be a whole number", field=field)
    if not low <= value <= high:
        raise InvalidInput(f"{value} is outside {low}-{high}", field=field)
    return value
