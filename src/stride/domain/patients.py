"""The patient record: demographics and the few measures the clinical rules need."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from zoneinfo import available_timezones

from stride.data import load_toml
from stride.domain.accounts import check_email, check_no_control_characters
from stride.domain.dates import check_birth_date
from stride.errors import InvalidInput


class Sex(StrEnum):
    """Administrative sex, with the value set of FHIR R4 ``AdministrativeGender``."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """The editable part of a patient record."""

    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    timezone: str = "Europe/London"
    email: str | None = None
    phone: str | None = None
    mrn: str | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    resting_hr: int | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    """A stored patient record."""

    id: int
    details: PatientDetails
    site_id: int | None
    is_synthetic: bool
    created_at: datetime
    updated_at: datetime

    @property
    def display_name(self) -> str:
        return f"{self.details.family_name}, {self.details.given_name}"

    def age_on(self, day: date) -> int:
        """Age in completed years on ``day``."""
        dob = self.details.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,32}$")
_MRN = re.compile(r"^[A-Za-z0-9._/-]{1,40}$")


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _bounded(value: float | None, *, field: str) -> float | None:
    if value is None:
        return None
    bounds = load_toml("plausibility")[field]
    if not bounds["min"] <= value <= bounds["max"]:
        raise InvalidInput(f"must be between {bounds['min']} and {bounds['max']}", field=field)
    return value


def _name(raw: str, *, field: str) -> str:
    value = " ".join(raw.split())
    if not value:
        raise InvalidInput("is required", field=field)
    if len(value) > 100:
        raise InvalidInput("must be at most 100 characters", field=field)
    return check_no_control_characters(value, field=field)


def _optional(raw: str | None) -> str | None:
    return raw.strip() or None if raw is not None else None


def validate_details(details: PatientDetails, *, today: date) -> PatientDetails:
    """Check and normalise a patient record; ``today`` comes in because the domain has no clock.

    Raises
    ------
    InvalidInput
        Naming the first field that is wrong.
    """
    phone, mrn = _optional(details.phone), _optional(details.mrn)
    if phone is not None and not _PHONE.match(phone):
        raise InvalidInput("is not a phone number", field="phone")
    if mrn is not None and not _MRN.match(mrn):
        raise InvalidInput("must be 1-40 letters, digits or . _ / -", field="mrn")
    if details.timezone not in _timezones():
        raise InvalidInput(f"unknown time zone {details.timezone!r}", field="timezone")
    check_birth_date(details.date_of_birth, today=today)
    resting = _bounded(details.resting_hr, field="resting_hr")
    return replace(
        details,
        given_name=_name(details.given_name, field="given_name"),
        family_name=_name(details.family_name, field="family_name"),
        sex=Sex(details.sex),
        email=check_email(details.email),
        phone=phone,
        mrn=mrn,
        height_cm=_bounded(details.height_cm, field="height_cm"),
        weight_kg=_bounded(details.weight_kg, field="weight_kg"),
        resting_hr=None if resting is None else int(resting),
    )
