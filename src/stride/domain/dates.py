"""The plausible range of the dates and times that cross a boundary (a form, the API, the CLI, a
device file): one rule, its bounds in ``dates.toml``. Pure: ``now`` and ``today`` come in.

Comparisons are between aware datetimes, so they hold in UTC whatever the offset; no value is
converted to another timezone here, because a year-9999 time east of UTC has no UTC equivalent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from stride.data import load_toml
from stride.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DateRange:
    """The first and the last plausible day, both included."""

    earliest: date
    latest: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.earliest <= _day(day) <= self.latest

    def describe(self) -> str:
        return f"between {self.earliest.isoformat()} and {self.latest.isoformat()}"


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def event_range(*, today: date) -> DateRange:
    """Ratings, sessions, adverse events, treatments: from the earliest bound to today + the slack."""
    bounds = load_toml("dates")["event_dates"]
    return DateRange(bounds["earliest"], today + timedelta(days=bounds["future_days"]))


def check_event_date(value: date, *, today: date, field: str) -> date:
    """``value`` if it is a plausible day for something that happened; ``InvalidInput`` naming ``field``."""
    allowed = event_range(today=today)
    if value not in allowed:
        raise InvalidInput(
            f"{value.isoformat()} is not a plausible date: it must be {allowed.describe()}", field=field
        )
    return value


def planned_range(*, today: date) -> DateRange:
    """Plan and schedule starts: they may lie ahead, up to the bound's days from today."""
    bounds = load_toml("dates")["planned_dates"]
    return DateRange(bounds["earliest"], today + timedelta(days=bounds["future_days"]))


def check_planned_date(value: date, *, today: date, field: str) -> date:
    """``value`` if it is a plausible start for a plan or a schedule; ``InvalidInput`` naming ``field``."""
    allowed = planned_range(today=today)
    if value not in allowed:
        raise InvalidInput(
            f"{value.isoformat()} is not a plausible start: it must be {allowed.describe()}", field=field
        )
    return value


def check_event_time(value: datetime, *, now: datetime, field: str) -> datetime:
    """``value`` if it lies between the earliest day (00:00 UTC) and ``now`` + the slack.

    A naive ``value`` is compared as if it were UTC: the slack of a day is larger than any offset.
    """
    bounds = load_toml("dates")["event_dates"]
    earliest = datetime.combine(bounds["earliest"], time(), UTC)
    latest = now + timedelta(days=bounds["future_days"])
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not earliest <= aware <= latest:
        shown = value.isoformat(timespec="minutes")
        span = f"between {earliest.date().isoformat()} and {latest.isoformat(timespec='minutes')}"
        raise InvalidInput(f"{shown} is not a plausible time: it must be {span}", field=field)
    return value


def birth_range(*, today: date) -> DateRange:
    return DateRange(load_toml("dates")["birth_date"]["earliest"], today)


def check_birth_date(value: date, *, today: date, field: str = "date_of_birth") -> date:
    """A date of birth on or after the earliest bound, not in the future, within the oldest age."""
    if value > today:
        raise InvalidInput("is in the future", field=field)
    allowed = birth_range(today=today)
    if value not in allowed:
        raise InvalidInput(
            f"{value.isoformat()} is not a plausible date of birth: it must be {allowed.describe()}",
            field=field,
        )
    oldest = load_toml("plausibility")["age_years"]["max"]
    if today.year - value.year > oldest:
        raise InvalidInput(f"gives an age above {oldest} years", field=field)
    return value


def local_day(at: datetime, tz: tzinfo) -> date:
    """The day of ``at`` in ``tz``; the UTC day where ``tz`` would leave the calendar (a year-9999
    time east of UTC, a year-0001 time west of it, stored before the dates were checked)."""
    try:
        return at.astimezone(tz).date()
    except OverflowError:
        return at.date()


def monday_of(day: date) -> date:
    """The Monday of ``day``'s calendar week (ISO 8601 weeks start on Monday).

    >>> monday_of(date(2026, 1, 11))
    datetime.date(2026, 1, 5)
    """
    return day - timedelta(days=day.weekday())
