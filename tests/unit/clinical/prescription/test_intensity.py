"""HRmax equations, Karvonen targets, ACSM classes and heart-rate zones: worked numbers from the
published equations (Tanaka 2001, Karvonen) and the ACSM GETP 10th ed. classes, the rounding rule,
the configurable vigorous bound, and errors that name the field."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest

from stride.clinical.measurement import get_instrument
from stride.clinical.prescription.intensity import (
    CLASS_IDS,
    cr10_range,
    hr_zones,
    hrmax,
    intensity_class,
    intensity_rules,
    karvonen,
    met_range,
    percent_hrmax,
    rpe_range,
    talk_test,
)
from stride.clinical.prescription.intensity_model import round_half_up
from stride.clinical.prescription.intensity_schema import parse_intensity
from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput

# --- HRmax ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "formula", "expected"),
    [
        (45, "tanaka", 177),  # 208 - 31.5 = 176.5 -> 177 (half up)
        (40, "tanaka", 180),  # 208 - 28 = 180
        (30, "tanaka", 187),  # 208 - 21 = 187
        (65, "tanaka", 163),  # 208 - 45.5 = 162.5 -> 163
        (45, "fox", 175),  # 220 - 45
        (20, "fox", 200),
        (45, "gellish", 176),  # 207 - 31.5 = 175.5 -> 176
        (60, "gellish", 165),  # 207 - 42 = 165
    ],
)
def test_hrmax_worked_numbers(age: int, formula: str, expected: int) -> None:
    assert hrmax(age, formula=formula) == expected


def test_tanaka_is_the_default() -> None:
    assert hrmax(50) == hrmax(50, formula="tanaka") == 173  # 208 - 35
    assert intensity_rules().default_formula == "tanaka"


def test_a_measured_hrmax_overrides_the_estimate() -> None:
    assert hrmax(45, measured=168) == 168
    assert hrmax(45, formula="fox", measured=190) == 190


def test_rounding_is_half_up_and_exact() -> None:
    # 0.7 x 45 is 31.499999999999996 in binary floating point; exact arithmetic gives 31.5.
    assert round_half_up(Fraction(353, 2)) == 177
    assert round_half_up(Fraction(351, 2)) == 176
    assert round_half_up(Fraction(1763, 10)) == 176
    assert [hrmax(age) for age in (25, 35, 55, 75)] == [191, 184, 170, 156]  # 190.5, 183.5, 169.5, 155.5 up


@pytest.mark.parametrize(("age", "field"), [(17, "age"), (0, "age"), (-5, "age"), (123, "age"), (200, "age")])
def test_implausible_ages_are_refused(age: int, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        hrmax(age)
    assert caught.value.field == field


def test_age_bounds_come_from_cited_data() -> None:
    rules = intensity_rules()
    assert rules.age_range == (18, load_toml("plausibility")["age_years"]["max"])
    assert hrmax(18) == 195
    assert hrmax(122) == 123


def test_unknown_formula_is_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        hrmax(45, formula="astrand")
    assert caught.value.field == "formula"
    assert "tanaka" in caught.value.message


@pytest.mark.parametrize("measured", [241, 20, 0])
def test_implausible_measured_hrmax_is_refused(measured: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        hrmax(45, measured=measured)
    assert caught.value.field == "hrmax"


def test_non_integer_inputs_are_refused() -> None:
    with pytest.raises(InvalidInput):
        hrmax(45.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        hrmax(True)  # type: ignore[arg-type]


# --- Karvonen and %HRmax ------------------------------------------------------------------------------


def test_karvonen_worked_example() -> None:
    # Target = (HRmax - HRrest) x %intensity + HRrest (Karvonen, heart-rate reserve).
    assert karvonen(hrmax=177, resting_hr=70, fraction=0.4) == 113  # 107 x 0.4 + 70 = 112.8
    assert karvonen(hrmax=177, resting_hr=70, fraction=0.6) == 134  # 134.2
    assert karvonen(hrmax=180, resting_hr=60, fraction=0.5) == 120  # exactly 120
    assert karvonen(hrmax=175, resting_hr=70, fraction=0.3) == 102  # 101.5 -> 102
    assert karvonen(hrmax=177, resting_hr=70, fraction=0) == 70
    assert karvonen(hrmax=177, resting_hr=70, fraction=1) == 177


def test_percent_hrmax() -> None:
    assert percent_hrmax(hrmax=177, fraction=0.64) == 113  # 113.28
    assert percent_hrmax(hrmax=200, fraction=0.7) == 140


@pytest.mark.parametrize("fraction", [-0.1, 1.01, 40])
def test_fraction_outside_0_1_is_refused(fraction: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        karvonen(hrmax=177, resting_hr=70, fraction=fraction)
    assert caught.value.field == "fraction"


# --- zones -------------------------------------------------------------------------------------------


def test_zones_worked_example_age_45_rest_70() -> None:
    zones = hr_zones(age=45, resting_hr=70)
    # HRmax 177, HRR 107; starts 30/40/60/85 % HRR = 102.1, 112.8, 134.2, 160.95 -> 102, 113, 134, 161.
    assert zones.hrmax == 177
    assert (zones.light, zones.moderate, zones.vigorous) == ((102, 112), (113, 133), (134, 160))
    assert (zones.formula, zones.basis, zones.vigorous_upper_pct) == ("tanaka", "hrr", 84)


def test_zones_with_measured_hrmax() -> None:
    zones = hr_zones(age=45, resting_hr=60, hrmax=180)
    # HRR 120: 96, 108, 132, 162.
    assert zones.hrmax == 180
    assert zones.formula == "measured"
    assert (zones.light, zones.moderate, zones.vigorous) == ((96, 107), (108, 131), (132, 161))


def test_zone_boundaries_follow_the_integer_percent_table() -> None:
    # With a 100-beat reserve each % is one beat: light 30-39, moderate 40-59, vigorous 60-84.
    zones = hr_zones(age=30, resting_hr=87, hrmax=187)
    assert (zones.light, zones.moderate, zones.vigorous) == ((117, 126), (127, 146), (147, 171))


def test_vigorous_upper_bound_is_configurable() -> None:
    default = hr_zones(age=45, resting_hr=70)
    wider = hr_zones(age=45, resting_hr=70, vigorous_upper_pct=89)
    assert wider.vigorous == (134, 165)  # 90 % HRR = 166.3 -> 166, minus one
    assert (wider.light, wider.moderate) == (default.light, default.moderate)
    assert {o.pct for o in intensity_rules().vigorous_upper_options} == {84, 89}
    with pytest.raises(InvalidInput) as caught:
        hr_zones(age=45, resting_hr=70, vigorous_upper_pct=85)
    assert caught.value.field == "vigorous_upper_pct"


def test_hrmax_basis() -> None:
    zones = hr_zones(age=45, resting_hr=70, basis="hrmax")
    # 57/64/77/96 % of 177 = 100.89, 113.28, 136.29, 169.92 -> 101, 113, 136, 170.
    assert (zones.light, zones.moderate, zones.vigorous) == ((101, 112), (113, 135), (136, 169))
    with pytest.raises(InvalidInput) as caught:
        hr_zones(age=45, resting_hr=70, basis="vo2")
    assert caught.value.field == "basis"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"age": 45, "resting_hr": 177}, "resting_hr"),  # equal to HRmax
        ({"age": 45, "resting_hr": 190}, "resting_hr"),  # above HRmax
        ({"age": 45, "resting_hr": 24}, "resting_hr"),  # implausible
        ({"age": 45, "resting_hr": 172}, "resting_hr"),  # 5-beat reserve: zones would be empty
        ({"age": 12, "resting_hr": 70}, "age"),
        ({"age": 45, "resting_hr": 70, "formula": "nope"}, "formula"),
        ({"age": 45, "resting_hr": 70, "hrmax": 300}, "hrmax"),
        ({"age": 45, "resting_hr": 80, "hrmax": 80}, "resting_hr"),
    ],
)
def test_invalid_zone_inputs_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        hr_zones(**kwargs)
    assert caught.value.field == field


# --- classes -----------------------------------------------------------------------------------------


def test_class_ranges() -> None:
    assert [rpe_range(c) for c in CLASS_IDS] == [(6, 8), (9, 11), (12, 13), (14, 17), (18, 20)]
    assert [cr10_range(c) for c in CLASS_IDS] == [(0, 0), (1, 2), (3, 4), (5, 9), (10, 10)]
    assert [met_range(c) for c in CLASS_IDS] == [
        (1.0, 2.0),
        (2.0, 3.0),
        (3.0, 6.0),
        (6.0, None),
        (None, None),
    ]
    assert [intensity_class(c).hrr_from for c in CLASS_IDS[:4]] == [0, 30, 40, 60]
    assert [intensity_class(c).hrmax_from for c in CLASS_IDS] == [0, 57, 64, 77, 96]
    assert talk_test("moderate") == "Can talk, but not sing."
    assert "few words" in talk_test("vigorous")


def test_rpe_ranges_are_the_borg_instrument_bands() -> None:
    bands = {b.label: (b.min, b.max) for b in get_instrument("borg_rpe").bands}
    assert rpe_range("vigorous") == bands["vigorous"]
    assert rpe_range("near_maximal") == bands["very_hard_to_maximal"]


def test_unknown_class_is_named() -> None:
    for accessor in (rpe_range, cr10_range, met_range, talk_test):
        with pytest.raises(InvalidInput) as caught:
            accessor("brisk")
        assert caught.value.field == "intensity"


def test_every_class_and_formula_has_a_source() -> None:
    rules = intensity_rules()
    assert all(c.source.strip() and c.talk_test.strip() for c in rules.classes)
    assert all(f.source.strip() for f in rules.formulas)
    assert all(o.source.strip() for o in rules.vigorous_upper_options)
    assert rules.karvonen_source.strip()
    assert "84" in rules.notes
    assert "89" in rules.notes


# --- a malformed intensity.toml fails naming the key ------------------------------------------------------


def _parse(mutate: Any) -> ConfigurationError:
    data = copy.deepcopy(load_toml("intensity", "stride.clinical.prescription.data"))
    mutate(data)
    with pytest.raises(ConfigurationError) as caught:
        parse_intensity(data, plausibility=load_toml("plausibility"))
    assert caught.value.message.startswith("intensity.toml: ")
    return caught.value


def test_packaged_file_parses() -> None:
    rules = parse_intensity(
        load_toml("intensity", "stride.clinical.prescription.data"), plausibility=load_toml("plausibility")
    )
    assert [c.id for c in rules.classes] == list(CLASS_IDS)


def test_malformed_intensity_file_names_the_key() -> None:
    assert _parse(lambda d: d["classes"][1].pop("source")).field == "classes[1].source"
    assert _parse(lambda d: d["classes"][2].update(rpe_band="brisk")).field == "classes[2].rpe_band"
    assert _parse(lambda d: d["classes"][2].update(hrr_from=20)).field == "classes[2]"
    assert _parse(lambda d: d["classes"][4].update(hrr_from=85)).field == "classes[4].hrr_from"
    assert (
        _parse(lambda d: d["hrmax"]["formulas"]["fox"].update(slope="1")).field == "hrmax.formulas.fox.slope"
    )
    assert _parse(lambda d: d["hrmax"].update(default="astrand")).field == "hrmax.default"
    assert _parse(lambda d: d["vigorous_upper_hrr"].update(default=85)).field == "vigorous_upper_hrr.default"
    assert _parse(lambda d: d.update(typo=1)).field == "typo"
