"""Validation of the patient record: plausibility bounds come from cited package data."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stride.data import load_toml
from stride.domain.patients import PatientDetails, Sex, validate_details
from stride.errors import InvalidInput

TODAY = date(2026, 11, 26)
BASE = PatientDetails(
    given_name=" Ada ", family_name="Lovelace", date_of_birth=date(1980, 5, 1), sex=Sex.FEMALE
)


def test_valid_record_is_normalised() -> None:
    clean = validate_details(dataclasses.replace(BASE, email=" ada@example.org ", mrn=" X-1 "), today=TODAY)
    assert clean.given_name == "Ada"
    assert clean.email == "ada@example.org"
    assert clean.mrn == "X-1"


def test_every_plausibility_bound_is_cited() -> None:
    for name, bounds in load_toml("plausibility").items():
        assert bounds["min"] < bounds["max"], name
        assert len(bounds["source"]) > 20, name


@pytest.mark.parametrize(
    ("field", "inside", "outside"),
    [
        ("height_cm", 54, 53.9),
        ("height_cm", 272, 272.1),
        ("weight_kg", 20, 19.9),
        ("weight_kg", 650, 650.5),
        ("resting_hr", 25, 24),
        ("resting_hr", 220, 221),
    ],
)
def test_bounds_are_inclusive_and_name_the_field(field: str, inside: float, outside: float) -> None:
    validate_details(dataclasses.replace(BASE, **{field: inside}), today=TODAY)
    with pytest.raises(InvalidInput) as err:
        validate_details(dataclasses.replace(BASE, **{field: outside}), today=TODAY)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": "   "}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"phone": "call me"}, "phone"),
        ({"mrn": "has space"}, "mrn"),
        ({"email": "nope"}, "email"),
    ],
)
def test_bad_values_name_their_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_details(dataclasses.replace(BASE, **change), today=TODAY)  # type: ignore[arg-type]
    assert err.value.field == field


@given(height=st.floats(allow_nan=True, allow_infinity=True))
def test_any_height_is_accepted_only_inside_the_bounds(height: float) -> None:
    bounds = load_toml("plausibility")["height_cm"]
    try:
        clean = validate_details(dataclasses.replace(BASE, height_cm=height), today=TODAY)
    except InvalidInput as exc:
        assert exc.field == "height_cm"
        assert not bounds["min"] <= height <= bounds["max"]
    else:
        assert clean.height_cm is not None
        assert bounds["min"] <= clean.height_cm <= bounds["max"]
