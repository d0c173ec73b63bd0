"""Validation of the screening input: every bad value is refused naming its field, unknown keys
are refused, and a hand-built input is checked by ``screen`` the same way."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from stride.clinical.safety.screening import input_to_json, parse_screening_input, screen
from stride.errors import InvalidInput
from tests.unit.clinical.safety.test_screening import NEUTRAL, data, make


def without(key: str) -> dict[str, Any]:
    return {k: v for k, v in NEUTRAL.items() if k != key}


REJECTED = [
    (without("age"), "age", "is required"),
    (without("symptoms"), "symptoms", "is required"),
    (without("desired_intensity"), "desired_intensity", "is required"),
    (data(symtoms=["chest_pain"]), "symtoms", "not a known field"),
    (data(age="40"), "age", "whole number"),
    (data(age=True), "age", "whole number"),
    (data(age=40.5), "age", "whole number"),
    (data(age=-1), "age", "outside"),
    (data(age=130), "age", "outside"),
    (data(sex="f"), "sex", "not a known sex"),
    (data(currently_active="yes"), "currently_active", "true or false"),
    (data(known_disease="cardiovascular"), "known_disease", "must be a list"),
    (data(known_disease=["cardiac"]), "known_disease[0]", "not a known disease"),
    (
        data(symptoms=["chest_pain", "dizziness_syncope", "chestpain"]),
        "symptoms[2]",
        "did you mean chest_pain",
    ),
    (data(symptoms=[1]), "symptoms[0]", "not a known sign or symptom"),
    (data(desired_intensity="hard"), "desired_intensity", "not a known intensity"),
    (data(resting_bp=[120]), "resting_bp", "[systolic, diastolic]"),
    (data(resting_bp="120/80"), "resting_bp", "must be a list"),
    (data(resting_bp=["120", 80]), "resting_bp[0]", "whole number"),
    (data(resting_bp=[120, 80.5]), "resting_bp[1]", "whole number"),
    (data(resting_bp=[12, 8]), "resting_bp[0]", "outside"),
    (data(resting_bp=[120, 250]), "resting_bp[1]", "outside"),
    (data(resting_bp=[90, 90]), "resting_bp", "not below systolic"),
    (data(parq=[True]), "parq", "object of PAR-Q+ answers"),
    (data(parq={"q3": "no"}), "parq.q3", "true or false"),
    (data(parq={"q8": False}), "parq.q8", "not a PAR-Q+ question"),
    (data(phq9_item9=4), "phq9_item9", "outside"),
    (data(phq9_item9="1"), "phq9_item9", "whole number"),
    (data(cssrs_risk="medium"), "cssrs_risk", "not a known C-SSRS risk level"),
    (data(medications=["metoprolol", ""]), "medications[1]", "generic name"),
    (data(medications=[None]), "medications[0]", "generic name"),
    (data(medications="metoprolol"), "medications", "must be a list"),
    (data(conditions=["knee_oa"]), "conditions[0]", "not a known condition code"),
    (data(conditions=["knee osteoarthritis"]), "conditions[0]", "did you mean knee_osteoarthritis"),
]


@pytest.mark.parametrize(("payload", "field", "words"), REJECTED)
def test_bad_input_names_the_field(payload: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_screening_input(payload)
    assert err.value.field == field
    assert words in err.value.message


def test_not_an_object() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_screening_input([1, 2])  # type: ignore[arg-type]
    assert err.value.field == "input"


def test_optional_fields_may_be_absent_or_null() -> None:
    minimal = {k: NEUTRAL[k] for k in ("age", "sex", "currently_active", "known_disease", "symptoms")}
    inp = parse_screening_input({**minimal, "desired_intensity": "light"})
    assert (inp.resting_bp, inp.parq, inp.phq9_item9, inp.cssrs_risk) == (None, {}, None, None)
    assert (inp.medications, inp.conditions) == ((), ())
    nulls = parse_screening_input(data(resting_bp=None, parq=None, phq9_item9=None, cssrs_risk=None))
    assert (nulls.resting_bp, nulls.parq, nulls.phq9_item9, nulls.cssrs_risk) == (None, {}, None, None)


def test_parsed_input_is_frozen_hashable_and_round_trips() -> None:
    inp = make(parq={"q2": False, "q1": True}, medications=["  Metoprolol   succinate "])
    assert inp.medications == ("Metoprolol succinate",)
    assert list(inp.parq) == ["q1", "q2"]
    assert hash(inp) == hash(make(parq={"q1": True, "q2": False}, medications=["Metoprolol succinate"]))
    assert parse_screening_input(input_to_json(inp)) == inp
    with pytest.raises(dataclasses.FrozenInstanceError):
        inp.age = 40  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"symptoms": ("chest_pain", "angina")}, "symptoms[1]"),
        ({"resting_bp": (80, 120)}, "resting_bp"),
        ({"age": "old"}, "age"),
        ({"parq": {"q9": True}}, "parq.q9"),
    ],
)
def test_screen_checks_a_hand_built_input(change: dict[str, Any], field: str) -> None:
    bad = dataclasses.replace(make(), **change)
    with pytest.raises(InvalidInput) as err:
        screen(bad)
    assert err.value.field == field
