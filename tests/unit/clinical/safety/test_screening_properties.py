"""Properties of the screen (Hypothesis, explicit seeds, no example database): it never raises on
valid input, is deterministic, and more findings never make it less restrictive."""

from __future__ import annotations

from typing import Any

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from stride.clinical.safety.screening import (
    ScreeningDecision,
    input_to_json,
    parse_screening_input,
    screen,
    screening_rules,
)

SETTINGS = settings(max_examples=300, deadline=None, database=None)
RULES = screening_rules()
SYMPTOMS = sorted(RULES.acsm.symptoms)
DISEASES = sorted(RULES.acsm.diseases)
CONDITIONS = sorted(RULES.conditions)
MEDICINES = [
    "metoprolol",
    "ATENOLOL",
    "esketamine",
    "sertraline",
    "Spravato",
    "verapamil",
    "bupropion",
    "lithium",
]
LOW_AGE, HIGH_AGE = RULES.age_range
(SYS_LOW, SYS_HIGH), (DIA_LOW, DIA_HIGH) = (
    RULES.blood_pressure.systolic_range,
    RULES.blood_pressure.diastolic_range,
)


@st.composite
def blood_pressures(draw: st.DrawFn) -> list[int] | None:
    if draw(st.booleans()):
        return None
    systolic = draw(st.integers(min_value=SYS_LOW, max_value=SYS_HIGH))
    diastolic = draw(st.integers(min_value=DIA_LOW, max_value=min(DIA_HIGH, systolic - 1)))
    return [systolic, diastolic]


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    questions = draw(st.lists(st.sampled_from(list(RULES.parq.questions)), unique=True))
    return {
        "age": draw(st.integers(min_value=LOW_AGE, max_value=HIGH_AGE)),
        "sex": draw(st.sampled_from(["female", "male", "other"])),
        "currently_active": draw(st.booleans()),
        "known_disease": draw(st.lists(st.sampled_from(DISEASES), max_size=3)),
        "symptoms": draw(st.lists(st.sampled_from(SYMPTOMS), max_size=3)),
        "desired_intensity": draw(st.sampled_from(RULES.intensities)),
        "resting_bp": draw(blood_pressures()),
        "parq": {q: draw(st.booleans()) for q in questions},
        "phq9_item9": draw(st.none() | st.sampled_from(RULES.phq9_item9_values)),
        "cssrs_risk": draw(st.none() | st.sampled_from(RULES.cssrs_levels)),
        "medications": draw(st.lists(st.sampled_from(MEDICINES), max_size=3)),
        "conditions": draw(st.lists(st.sampled_from(CONDITIONS), max_size=3)),
    }


def check(result: ScreeningDecision) -> None:
    assert result.reasons
    assert all(r.code and r.text and r.source for r in result.reasons)
    assert set(result.restrictions) <= set(RULES.restrictions)
    assert result.max_intensity in (None, *RULES.intensities)
    if result.restrictions:
        assert result.decision != "cleared"


def at_least_as_strict(before: ScreeningDecision, after: ScreeningDecision) -> None:
    assert after.decision.rank >= before.decision.rank
    assert set(after.restrictions) >= set(before.restrictions)
    if before.max_intensity is not None:
        assert after.max_intensity is not None
        assert RULES.intensities.index(after.max_intensity) <= RULES.intensities.index(before.max_intensity)


@seed(20261201)
@SETTINGS
@given(answers())
def test_screen_never_raises_on_valid_input(data: dict[str, Any]) -> None:
    check(screen(parse_screening_input(data)))


@seed(20261202)
@SETTINGS
@given(answers())
def test_same_input_same_decision(data: dict[str, Any]) -> None:
    inp = parse_screening_input(data)
    first = screen(inp)
    assert screen(inp) == first
    assert screen(parse_screening_input(input_to_json(inp))) == first
    assert screen(parse_screening_input(dict(reversed(list(data.items()))))) == first


@seed(20261203)
@SETTINGS
@given(answers(), st.sampled_from(SYMPTOMS))
def test_adding_a_symptom_never_loosens(data: dict[str, Any], symptom: str) -> None:
    before = screen(parse_screening_input(data))
    at_least_as_strict(
        before, screen(parse_screening_input({**data, "symptoms": [*data["symptoms"], symptom]}))
    )


@seed(20261204)
@SETTINGS
@given(answers(), st.sampled_from(DISEASES))
def test_adding_a_disease_never_loosens(data: dict[str, Any], disease: str) -> None:
    before = screen(parse_screening_input(data))
    more = {**data, "known_disease": [*data["known_disease"], disease]}
    at_least_as_strict(before, screen(parse_screening_input(more)))


@seed(20261205)
@SETTINGS
@given(answers(), st.sampled_from(CONDITIONS), st.sampled_from(MEDICINES))
def test_adding_a_condition_or_medicine_never_loosens(
    data: dict[str, Any], condition: str, medicine: str
) -> None:
    before = screen(parse_screening_input(data))
    at_least_as_strict(
        before, screen(parse_screening_input({**data, "conditions": [*data["conditions"], condition]}))
    )
    at_least_as_strict(
        before, screen(parse_screening_input({**data, "medications": [*data["medications"], medicine]}))
    )


@seed(20261206)
@SETTINGS
@given(answers(), st.sampled_from(list(RULES.parq.questions)))
def test_a_parq_yes_never_loosens(data: dict[str, Any], question: str) -> None:
    answered = dict.fromkeys(RULES.parq.questions, False) | data["parq"]
    before = screen(parse_screening_input({**data, "parq": {**answered, question: False}}))
    after = screen(parse_screening_input({**data, "parq": {**answered, question: True}}))
    at_least_as_strict(before, after)


@seed(20261207)
@SETTINGS
@given(answers())
def test_stopping_exercise_or_worse_suicidality_never_loosens(data: dict[str, Any]) -> None:
    before = screen(parse_screening_input(data))
    at_least_as_strict(before, screen(parse_screening_input({**data, "currently_active": False})))
    at_least_as_strict(before, screen(parse_screening_input({**data, "cssrs_risk": "high"})))
    at_least_as_strict(before, screen(parse_screening_input({**data, "phq9_item9": 3})))
