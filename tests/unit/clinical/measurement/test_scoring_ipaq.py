"""IPAQ short form: MET-minutes, the 2005 guidelines' processing rules (exclusion above 960 min/day,
10-minute bouts, truncation at 180 min/day) and the low/moderate/high criteria (IPAQ 2005),
plus the JSON Schema of the input file, checked with a small validator written here."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stride.clinical.measurement import get_instrument, score, score_ipaq
from stride.errors import InvalidInput


def ipaq(vigorous: tuple[int, int], moderate: tuple[int, int], walking: tuple[int, int]) -> dict[str, Any]:
    def block(days: int, minutes: int) -> dict[str, int]:
        return {"days": days, "minutes_per_day": minutes}

    return {"vigorous": block(*vigorous), "moderate": block(*moderate), "walking": block(*walking)}


NONE = (0, 0)


def test_met_minutes_use_8_4_and_3_3() -> None:
    result = score_ipaq(ipaq((3, 30), (2, 45), (5, 20)))
    assert result.details["met_minutes"] == {"vigorous": 720.0, "moderate": 360.0, "walking": 330.0}
    assert result.total == 1410.0
    assert result.severity == "moderate"  # 3 days of vigorous >= 20 min; 1410 < 1500


def test_decimal_arithmetic_keeps_walking_exact() -> None:
    assert score_ipaq(ipaq(NONE, NONE, (5, 30))).total == 495.0
    assert score_ipaq(ipaq(NONE, NONE, (6, 10))).total == 198.0


def test_nothing_is_low_with_zero_met_minutes() -> None:
    result = score_ipaq(ipaq(NONE, NONE, NONE))
    assert (result.total, result.severity, result.complete) == (0.0, "low", True)


# --- Categories --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "category"),
    [
        # High (a): vigorous on >= 3 days and >= 1500 MET-min/week in total.
        (ipaq((3, 63), NONE, NONE), "high"),  # 1512
        (ipaq((3, 62), NONE, NONE), "moderate"),  # 1488; moderate (a) still holds
        # The 1500 is total activity (notes): vigorous 1200 + walking 693 = 1893.
        (ipaq((3, 50), NONE, (7, 30)), "high"),
        # High (b): >= 7 days of any combination and >= 3000.
        (ipaq(NONE, NONE, (7, 130)), "high"),  # 3003
        (ipaq(NONE, NONE, (7, 129)), "moderate"),  # 2979.9; moderate (b) holds
        (ipaq((2, 120), (2, 120), (3, 120)), "high"),  # days 7, 1920 + 960 + 1188 = 4068
        # Moderate (a): >= 3 days of vigorous of >= 20 min/day.
        (ipaq((3, 20), NONE, NONE), "moderate"),
        (ipaq((3, 19), NONE, NONE), "low"),
        # Moderate (b): >= 5 days of moderate and/or walking of >= 30 min/day (days summed).
        (ipaq(NONE, NONE, (5, 30)), "moderate"),
        (ipaq(NONE, NONE, (5, 29)), "low"),  # 478.5 < 600
        (ipaq(NONE, (2, 30), (3, 30)), "moderate"),  # 537 MET-min: only (b) holds
        (ipaq(NONE, (2, 29), (3, 30)), "low"),  # 529 MET-min, 3 qualifying days
        # Moderate (c): >= 5 days of any combination and >= 600.
        (ipaq((1, 25), (2, 25), (2, 40)), "moderate"),  # 200 + 200 + 264 = 664
        (ipaq((1, 25), (2, 25), (2, 30)), "low"),  # 598
    ],
)
def test_categories(data: dict[str, Any], category: str) -> None:
    assert score_ipaq(data).severity == category


def test_many_met_minutes_on_too_few_days_are_low() -> None:
    # 2 x 180 x 8 = 2880 MET-min, but every criterion also needs days: high 3 vigorous or 7 in all,
    # moderate 3 vigorous, 5 moderate/walking or 5 in all.
    assert score_ipaq(ipaq((2, 180), NONE, NONE)).severity == "low"


# --- Processing rules --------------------------------------------------------------------------


def test_the_protocols_own_illustration_of_truncation() -> None:
    """IPAQ 2005 guidelines (via the Chinese summary): walking on 6 days for
    10 min and moderate activity on 1 day for 12 h is "high" untruncated (198 + 2880 = 3078 on 7
    days); truncated to 180 min the moderate day gives 720, total 918, "moderate"."""
    result = score_ipaq(ipaq(NONE, (1, 720), (6, 10)))
    assert result.total == 918.0
    assert result.severity == "moderate"
    assert result.details["truncated"] == ["moderate"]


def test_each_intensity_is_truncated_at_180_minutes_a_day() -> None:
    result = score_ipaq(ipaq((7, 240), NONE, NONE))
    assert result.total == 7 * 180 * 8.0
    assert score_ipaq(ipaq((7, 180), NONE, NONE)).details.get("truncated") is None


def test_bouts_under_10_minutes_are_recoded_to_zero_with_their_days() -> None:
    result = score_ipaq(ipaq((3, 9), NONE, (7, 9)))
    assert (result.total, result.severity) == (0.0, "low")
    assert result.details["recoded_short_bouts"] == ["vigorous", "walking"]
    assert score_ipaq(ipaq(NONE, NONE, (7, 10))).total == 231.0


def test_more_than_960_minutes_a_day_excludes_the_case() -> None:
    result = score_ipaq(ipaq((1, 400), (1, 400), (1, 161)))
    assert (result.total, result.severity, result.complete) == (None, None, True)
    assert "961" in str(result.details["excluded"])
    assert score_ipaq(ipaq((1, 400), (1, 400), (1, 160))).total is not None


def test_exclusion_uses_the_raw_minutes_before_truncation() -> None:
    # 700 + 270 = 970 raw (excluded), although truncation alone would give 180 + 180.
    assert score_ipaq(ipaq((1, 700), (1, 270), NONE)).total is None


def test_zero_days_skip_the_minutes() -> None:
    data: dict[str, Any] = {"vigorous": {"days": 0}, "moderate": {"days": 0, "minutes_per_day": None}}
    data["walking"] = {"days": 0, "minutes_per_day": 45}  # answered anyway: ignored
    result = score_ipaq(data)
    assert (result.total, result.complete) == (0.0, True)


def test_unknown_days_or_minutes_make_the_case_incomplete() -> None:
    data = ipaq(NONE, NONE, (5, 30))
    data["moderate"]["days"] = None
    result = score_ipaq(data)
    assert (result.total, result.severity, result.complete) == (None, None, False)
    assert result.missing == ("ipaq_sf_moderate_days",)
    data = ipaq(NONE, NONE, NONE)
    data["walking"] = {"days": 3}
    assert score_ipaq(data).missing == ("ipaq_sf_walking_minutes",)


def test_whole_floats_are_integers_as_in_json() -> None:
    data = {
        "vigorous": {"days": 3.0, "minutes_per_day": 30.0},
        "moderate": {"days": 0},
        "walking": {"days": 0},
    }
    assert score_ipaq(data).total == 720.0


def test_the_item_form_scores_the_same_and_records_sitting() -> None:
    instrument = get_instrument("ipaq_sf")
    flat = {
        "ipaq_sf_vigorous_days": 3,
        "ipaq_sf_vigorous_minutes": 30,
        "ipaq_sf_moderate_days": 2,
        "ipaq_sf_moderate_minutes": 45,
        "ipaq_sf_walking_days": 5,
        "ipaq_sf_walking_minutes": 20,
        "ipaq_sf_sitting_minutes": 480,
    }
    result = score(instrument, flat)
    assert (result.total, result.severity) == (1410.0, "moderate")
    assert result.details["unscored"] == {"ipaq_sf_sitting_minutes": 480}


# --- Errors name the field ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["vigorous"].update(days=8), "vigorous.days"),
        (lambda d: d["walking"].update(minutes_per_day=-5), "walking.minutes_per_day"),
        (lambda d: d["moderate"].update(minutes_per_day=1441), "moderate.minutes_per_day"),
        (lambda d: d["moderate"].update(days=True), "moderate.days"),
        (lambda d: d["moderate"].update(days="3"), "moderate.days"),
        (lambda d: d["moderate"].update(days=2.5), "moderate.days"),
        (lambda d: d["vigorous"].update(hours=1), "vigorous.hours"),
        (lambda d: d["walking"].pop("days"), "walking.days"),
        (lambda d: d.pop("moderate"), "moderate"),
        (lambda d: d.update(moderate=[1, 2]), "moderate"),
        (lambda d: d.update(cycling={"days": 1}), "cycling"),
    ],
)
def test_invalid_input_names_the_field(mutate: Any, field: str) -> None:
    data = ipaq((3, 30), (2, 45), (5, 20))
    mutate(data)
    with pytest.raises(InvalidInput) as caught:
        score_ipaq(data)
    assert caught.value.field == field


def test_input_must_be_an_object() -> None:
    with pytest.raises(InvalidInput) as caught:
        score_ipaq([1, 2, 3])  # type: ignore[arg-type]
    assert caught.value.field == "input"


# --- JSON Schema of the input file -------------------------------------------------------------

_KEYWORDS = {
    "$schema", "$id", "$defs", "$ref", "title", "description", "examples",
    "type", "properties", "required", "additionalProperties", "minimum", "maximum",
}  # fmt: skip
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
    "null": lambda v: v is None,
}


def _schema() -> dict[str, Any]:
    text = resources.files("stride.data").joinpath("schemas/ipaq_sf.input.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def _errors(instance: Any, node: dict[str, Any], root: dict[str, Any], path: str = "") -> list[str]:
    """The subset of JSON Schema 2020-12 the IPAQ schema uses; unknown keywords fail loudly."""
    assert set(node) <= _KEYWORDS, set(node) - _KEYWORDS
    if "$ref" in node:
        assert node["$ref"].startswith("#/$defs/")
        return _errors(instance, root["$defs"][node["$ref"].removeprefix("#/$defs/")], root, path)
    types = node.get("type", [])
    types = [types] if isinstance(types, str) else types
    if types and not any(_TYPES[t](instance) for t in types):
        return [f"{path}: not {types}"]
    found: list[str] = []
    number = isinstance(instance, int | float) and not isinstance(instance, bool)
    if number and not node.get("minimum", instance) <= instance <= node.get("maximum", instance):
        found.append(f"{path}: out of range")
    if isinstance(instance, dict):
        properties = node.get("properties", {})
        found += [f"{path}.{k}: required" for k in node.get("required", []) if k not in instance]
        if node.get("additionalProperties", True) is False:
            found += [f"{path}.{k}: not allowed" for k in instance if k not in properties]
        for key, sub in properties.items():
            if key in instance:
                found += _errors(instance[key], sub, root, f"{path}.{key}")
    return found


def test_the_schema_is_draft_2020_12_and_its_examples_are_valid_and_score() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert len(schema["examples"]) >= 3
    for example in schema["examples"]:
        assert _errors(example, schema, schema) == []
        score_ipaq(example)


@pytest.mark.parametrize(
    "instance",
    [
        {"vigorous": {"days": 1}, "moderate": {"days": 1}},
        {"vigorous": {"days": 8}, "moderate": {"days": 1}, "walking": {"days": 1}},
        {"vigorous": {"days": 1, "hours": 1}, "moderate": {"days": 1}, "walking": {"days": 1}},
        {"vigorous": {"minutes_per_day": 1}, "moderate": {"days": 1}, "walking": {"days": 1}},
        {"vigorous": {"days": True}, "moderate": {"days": 1}, "walking": {"days": 1}},
        [],
    ],
)
def test_the_validator_rejects_bad_instances(instance: Any) -> None:
    schema = _schema()
    assert _errors(instance, schema, schema)


def _mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # one_of picks its branches evenly; this keeps the mistakes to about one draw in eight.
    return st.integers(0, 7).flatmap(lambda n: rare if n == 7 else common)


# Mostly valid answers with some of every kind of mistake, so both outcomes are well exercised.
_days = _mostly(
    st.integers(0, 7), st.one_of(st.none(), st.integers(-2, 9), st.sampled_from([True, 2.5, 3.0, "7"]))
)
_minutes = _mostly(
    st.integers(0, 1440), st.one_of(st.none(), st.integers(-5, 2000), st.sampled_from([2.5, 30.0, "30"]))
)
_block = _mostly(
    st.fixed_dictionaries({"days": _days}, optional={"minutes_per_day": _minutes}),
    st.one_of(
        st.fixed_dictionaries({"minutes_per_day": _minutes}),
        st.fixed_dictionaries({"days": _days, "hours": _minutes}),
        st.just([]),
    ),
)
_input = _mostly(
    st.fixed_dictionaries({"vigorous": _block, "moderate": _block, "walking": _block}),
    st.fixed_dictionaries(
        {"vigorous": _block, "moderate": _block}, optional={"walking": _block, "cycling": _block}
    ),
)


@settings(max_examples=400, derandomize=True, database=None)
@given(_input)
def test_score_ipaq_accepts_exactly_what_the_schema_accepts(data: dict[str, Any]) -> None:
    schema = _schema()
    valid = not _errors(data, schema, schema)
    try:
        score_ipaq(data)
    except InvalidInput:
        assert not valid, data
    else:
        assert valid, data
