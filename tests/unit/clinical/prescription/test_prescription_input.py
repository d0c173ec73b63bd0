"""The prescription input (every problem names its field) and the engine's rules data (every
restriction of the screen is covered, every rule is cited)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from stride.clinical.prescription import (
    parse_prescription_input,
    prescription_input_to_json,
    prescription_rules,
)
from stride.clinical.safety import screening_rules
from stride.errors import InvalidInput

BASE: dict[str, Any] = {
    "age": 52,
    "sex": "female",
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "resting_hr": 68,
    "weight_kg": 74,
    "preferences": {"modalities": ["walking"], "setting": "home", "days": ["fri", "mon"], "minutes": 40},
}


def fails(data: dict[str, Any]) -> str | None:
    with pytest.raises(InvalidInput) as caught:
        parse_prescription_input(data)
    return caught.value.field


def test_defaults() -> None:
    inp = parse_prescription_input(BASE)
    assert inp.protocol == "recommend"
    assert inp.weeks is None  # the chosen protocol's own length
    assert inp.hrmax is None
    assert inp.hrmax_formula == "tanaka"
    assert inp.preferences.days == ("mon", "fri")  # week order
    assert inp.current_activity is None
    assert parse_prescription_input(prescription_input_to_json(inp)) == inp


def test_aliases_name_library_modalities() -> None:
    prefs = {**BASE["preferences"], "modalities": ["strength", "jogging", "walking", "tai_chi"]}
    inp = parse_prescription_input({**BASE, "preferences": prefs})
    assert inp.preferences.modalities == ("resistance", "walking", "tai_chi_qigong")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"resting_hr": None}, "resting_hr"),
        ({"resting_hr": 250}, "resting_hr"),
        ({"resting_hr": 90, "hrmax": 85}, "resting_hr"),
        ({"hrmax": 300}, "hrmax"),
        ({"hrmax_formula": "karvonen"}, "hrmax_formula"),
        ({"weight_kg": "74"}, "weight_kg"),
        ({"weight_kg": 5}, "weight_kg"),
        ({"weeks": 5}, "weeks"),
        ({"weeks": 6.5}, "weeks"),
        ({"protocol": ""}, "protocol"),
        ({"current_activity": {"ipaq_category": "low", "minutes_per_week": 10}}, "current_activity"),
        ({"current_activity": {"ipaq_category": "sedentary"}}, "current_activity.ipaq_category"),
        ({"current_activity": {"minutes_per_week": -1}}, "current_activity.minutes_per_week"),
        ({"current_activity": {"steps": 1}}, "current_activity.steps"),
        ({"symptoms_mood": ["tired"]}, "symptoms_mood[0]"),
        ({"symptoms_mood": ["fatigue", "fatigue"]}, "symptoms_mood[1]"),
        ({"dosing_days": ["monday"]}, "dosing_days[0]"),
        ({"start_date": "02/03/2026"}, "start_date"),
        ({"symtoms": []}, "symtoms"),
        ({"age": 12}, "age"),
        ({"desired_intensity": "hard"}, "desired_intensity"),
    ],
)
def test_invalid_input_names_the_field(changes: dict[str, Any], field: str) -> None:
    assert fails({**BASE, **changes}) == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days": []}, "preferences.days"),
        ({"days": ["mon", "funday"]}, "preferences.days[1]"),
        ({"setting": "beach"}, "preferences.setting"),
        ({"minutes": 5}, "preferences.minutes"),
        ({"modalities": ["zumba"]}, "preferences.modalities[0]"),
        ({"modalities": "walking"}, "preferences.modalities"),
        ({"colour": "blue"}, "preferences.colour"),
    ],
)
def test_invalid_preferences_name_the_field(changes: dict[str, Any], field: str) -> None:
    assert fails({**BASE, "preferences": {**BASE["preferences"], **changes}}) == field


@pytest.mark.parametrize("key", ["resting_hr", "weight_kg", "preferences", "age"])
def test_required_fields(key: str) -> None:
    assert fails({k: v for k, v in BASE.items() if k != key}) == key


def test_missing_preference_is_named() -> None:
    prefs = {k: v for k, v in BASE["preferences"].items() if k != "days"}
    assert fails({**BASE, "preferences": prefs}) == "preferences.days"


def test_close_matches_are_suggested() -> None:
    with pytest.raises(InvalidInput, match="did you mean low_motivation"):
        parse_prescription_input({**BASE, "symptoms_mood": ["low_motivaton"]})


# --- the rules data ------------------------------------------------------------------------------


def test_every_screening_restriction_has_a_cited_rule() -> None:
    rules = prescription_rules()
    assert set(rules.restrictions) == set(screening_rules().restrictions)
    assert all(rule.source.strip() for rule in rules.restrictions.values())


def test_every_rule_is_cited() -> None:
    rules = prescription_rules()
    for value in (rules.weeks, rules.session_minutes, rules.deconditioned, rules.schedule, rules.ranking):
        for field in dataclasses.fields(value):
            if field.name.endswith("source"):
                assert getattr(value, field.name).strip(), field.name
    assert all(s.source for s in rules.symptoms.values())
    assert set(rules.symptoms) == {"fatigue", "low_motivation", "anxiety", "poor_sleep"}


def test_ranking_weights_and_thresholds() -> None:
    rules = prescription_rules()
    assert rules.weeks.lo == 6
    assert rules.weeks.default is None  # no fixed default: the protocol's own length
    assert rules.deconditioned.minutes_below == 150
    assert rules.deconditioned.min_ramp_weeks >= 6
    # Noetel et al., BMJ 2024: walking -0.62, yoga -0.55, strength -0.49, mixed aerobic
    # -0.43, tai chi -0.42.
    assert dict(rules.ranking.modality_g) == {
        "walking": 0.62,
        "yoga": 0.55,
        "resistance": 0.49,
        "aerobic": 0.43,
        "mixed": 0.43,
        "tai_chi_qigong": 0.42,
    }
    assert rules.ranking.preferred_first_only == ("hiit",)
