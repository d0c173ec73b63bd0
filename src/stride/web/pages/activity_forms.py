"""What the activity pages share: a query value the page checks itself, and the times a form shows
and reads in the patient's timezone (the form carries the timezone it showed, and the answer is read
in it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Query

from stride.errors import InvalidInput
from stride.services.registry import Services

# Query values are checked here, not by FastAPI, so that a bad one gets a page, not JSON.
OptionalQuery = Annotated[str | None, Query()]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


def form_zone(name: str, *, field: str) -> ZoneInfo:
    """The timezone a form carried back (``field`` names the time the complaint goes with)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("the form lost its timezone: reload the page and try again", field=field) from None


def localiser(tz_name: str) -> Callable[[datetime | None, str], str]:
    """A template helper: an aware time shown in the patient's timezone."""
    tz = ZoneInfo(tz_name)

    def local(when: datetime | None, fmt: str = "%a %d %b %Y %H:%M") -> str:
        if when is None:
            return "—"
        try:
            return when.astimezone(tz).strftime(fmt)
        except OverflowError:
            # A time stored before dates were checked (year 9999 east of UTC) has no local date.
            return when.strftime(fmt) + " UTC"

    return local


def now_local(svc: Services, tz_name: str) -> str:
    return svc.deps.clock().astimezone(ZoneInfo(tz_name)).strftime(LOCAL_FORMAT)


def in_zone(when: datetime, tz: ZoneInfo) -> datetime:
    """A ``datetime-local`` value read in ``tz`` (a value with its own offset keeps it)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)
