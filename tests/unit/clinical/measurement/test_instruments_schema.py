"""A malformed instrument file fails at load with an error naming the file and the key.

Each case takes a packaged file, breaks one thing, and checks the error's path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from stride.clinical.measurement.instrument_schema import parse_instrument
from stride.clinical.safety.concerns import _rule
from stride.clinical.toml_reader import At
from stride.data import load_toml
from stride.errors import ConfigurationError

Mutation = Callable[[dict[str, Any]], None]


def _raw(instrument_id: str) -> dict[str, Any]:
    return copy.deepcopy(load_toml(f"instruments/{instrument_id}", "stride.clinical.measurement.data"))


def _fails(instrument_id: str, mutate: Mutation) -> ConfigurationError:
    data = _raw(instrument_id)
    mutate(data)
    with pytest.raises(ConfigurationError) as caught:
        parse_instrument(data, file=f"instruments/{instrument_id}.toml")
    assert caught.value.message.startswith(f"instruments/{instrument_id}.toml: ")
    return caught.value


def test_packaged_files_parse_directly() -> None:
    assert parse_instrument(_raw("phq9"), file="instruments/phq9.toml").max_total == 27


def test_id_must_match_the_file_name() -> None:
    assert _fails("phq9", lambda d: d.update(id="phq8")).field == "id"


def test_unknown_top_level_key_is_refused() -> None:
    error = _fails("phq9", lambda d: d.update(sorce="typo"))
    assert error.field == "sorce"
    assert "unknown key" in error.message


def test_missing_key_is_named() -> None:
    assert _fails("gad7", lambda d: d.pop("recall_period")).field == "recall_period"


def test_a_band_without_source_is_refused() -> None:
    assert _fails("phq9", lambda d: d["bands"][2].pop("source")).field == "bands[2].source"


def test_bands_with_a_gap_are_refused() -> None:
    error = _fails("phq9", lambda d: d["bands"][1].update(min=6))
    assert error.field == "bands[1].min"
    assert "expected min 5" in error.message


def test_overlapping_bands_are_refused() -> None:
    assert _fails("gad7", lambda d: d["bands"][2].update(min=9)).field == "bands[2].min"


def test_bands_must_reach_the_maximum() -> None:
    assert _fails("gad7", lambda d: d["bands"][3].update(max=20)).field == "bands"


def test_a_non_integer_band_bound_is_refused() -> None:
    error = _fails("madrs", lambda d: d["bands"][0].update(max="6"))
    assert (error.field, "must be an integer" in error.message) == ("bands[0].max", True)


def test_declared_total_must_equal_what_items_and_rule_give() -> None:
    error = _fails("phq9", lambda d: d["total"].update(max=30))
    assert error.field == "total"
    assert "0..27" in error.message


def test_the_total_of_a_domain_rule_is_cross_checked() -> None:
    assert _fails("qids_sr16", lambda d: d["total"].update(max=48)).field == "total"


def test_verbatim_wording_is_refused_where_the_licence_forbids_it() -> None:
    assert (
        _fails("madrs", lambda d: d["items"][0].update(text="Apparent sadness ...")).field == "items[0].text"
    )


def test_item_ids_must_carry_the_instrument_prefix() -> None:
    assert _fails("gad7", lambda d: d["items"][0].update(id="anx_1")).field == "items[0].id"


def test_duplicate_item_ids_are_refused() -> None:
    assert _fails("gad7", lambda d: d["items"][1].update(id="gad7_1")).field == "items[1].id"


def test_option_values_must_ascend() -> None:
    def swap(d: dict[str, Any]) -> None:
        d["option_sets"]["frequency"][1]["value"] = 0

    assert _fails("phq9", swap).field == "option_sets.frequency[1].value"


def test_unknown_option_set_is_named() -> None:
    assert _fails("phq9", lambda d: d["items"][0].update(options="freq")).field == "items[0].options"


def test_a_flag_on_an_unknown_item_is_refused() -> None:
    assert _fails("phq9", lambda d: d["flags"][0].update(on="phq9_11")).field == "flags[0].on"


def test_a_flag_on_the_total_needs_a_total() -> None:
    def add(d: dict[str, Any]) -> None:
        d["flags"] = [{"code": "x", "on": "total", "min": 1, "source": "a source long enough to count"}]

    assert _fails("cssrs_screen", add).field == "flags[0].on"


def test_a_bad_loinc_code_is_refused() -> None:
    assert _fails("phq9", lambda d: d["loinc"].update(total="44261")).field == "loinc.total"


def test_loinc_keys_must_be_known() -> None:
    assert _fails("phq9", lambda d: d["loinc"].update(phq9_11="12345-6")).field == "loinc.phq9_11"


def test_unknown_scoring_rule_is_named() -> None:
    assert _fails("phq9", lambda d: d["scoring"].update(rule="mean")).field == "scoring.rule"


def test_prorate_limit_must_leave_an_answer() -> None:
    assert _fails("phq9", lambda d: d["missing"].update(max_missing=9)).field == "missing.max_missing"


def test_qids_domains_must_cover_every_scored_item() -> None:
    def drop(d: dict[str, Any]) -> None:
        d["scoring"]["domains"][0]["items"].remove("qids_sr16_4")

    assert _fails("qids_sr16", drop).field == "scoring.domains"


def test_triage_levels_must_name_existing_items() -> None:
    def rename(d: dict[str, Any]) -> None:
        d["scoring"]["levels"][0]["any_positive"][0] = "cssrs_screen_q7"

    assert _fails("cssrs_screen", rename).field == "scoring.levels[0].any_positive"


def test_ipaq_activities_are_checked() -> None:
    def rename(d: dict[str, Any]) -> None:
        d["scoring"]["activities"][2]["name"] = "strolling"

    assert _fails("ipaq_sf", rename).field == "scoring.activities"


def test_ipaq_thresholds_must_all_be_present() -> None:
    assert _fails("ipaq_sf", lambda d: d["scoring"]["thresholds"].pop("high_total_met")).field == (
        "scoring.thresholds.high_total_met"
    )


def test_a_free_numeric_item_needs_a_cited_range() -> None:
    assert _fails("ipaq_sf", lambda d: d["items"][1].pop("bounds_source")).field == "items[1].bounds_source"


def test_a_skip_on_an_unknown_item_is_refused() -> None:
    assert (
        _fails("cssrs_screen", lambda d: d["skips"][0].update(when="cssrs_screen_q9")).field
        == "skips[0].when"
    )


def test_a_rule_without_a_total_takes_no_bands() -> None:
    def add(d: dict[str, Any]) -> None:
        d["total"] = {"min": 0, "max": 1, "source": "a source long enough to count"}

    assert _fails("cssrs_screen", add).field == "total"


def test_a_safety_rule_must_name_a_flag_the_instrument_raises() -> None:
    entry = {
        "code": "x",
        "instrument": "phq9",
        "flag": "suicidality",
        "severity": "high",
        "reason": "r",
        "source": "s",
    }
    with pytest.raises(ConfigurationError) as caught:
        _rule(entry, At("safety.toml", "rules[0]"))
    assert caught.value.field == "rules[0].flag"


def test_a_safety_rule_must_name_a_level_the_instrument_has() -> None:
    entry = {
        "code": "x",
        "instrument": "cssrs_screen",
        "severity_in": ["imminent"],
        "severity": "high",
        "reason": "r",
        "source": "s",
    }
    with pytest.raises(ConfigurationError) as caught:
        _rule(entry, At("safety.toml", "rules[0]"))
    assert caught.value.field == "rules[0].severity_in"
