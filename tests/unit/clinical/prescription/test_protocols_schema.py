"""A malformed protocol file fails at load with an error naming the file and the key.

Each case takes a packaged file, breaks one thing, and checks the error's path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from stride.clinical.prescription.protocol_schema import parse_protocol
from stride.data import load_toml
from stride.errors import ConfigurationError

Mutation = Callable[[dict[str, Any]], None]


def _raw(protocol_id: str) -> dict[str, Any]:
    return copy.deepcopy(load_toml(f"protocols/{protocol_id}", "stride.clinical.prescription.data"))


def _fails(protocol_id: str, mutate: Mutation) -> ConfigurationError:
    data = _raw(protocol_id)
    mutate(data)
    with pytest.raises(ConfigurationError) as caught:
        parse_protocol(data, file=f"protocols/{protocol_id}.toml")
    assert caught.value.message.startswith(f"protocols/{protocol_id}.toml: ")
    return caught.value


def test_packaged_files_parse_directly() -> None:
    assert parse_protocol(_raw("yoga"), file="protocols/yoga.toml").duration_weeks == 12


def test_id_must_match_the_file_name() -> None:
    assert _fails("yoga", lambda d: d.update(id="pilates")).field == "id"


def test_unknown_and_missing_keys_are_named() -> None:
    assert _fails("yoga", lambda d: d.update(sorce="typo")).field == "sorce"
    assert _fails("hiit", lambda d: d.pop("notes")).field == "notes"
    assert _fails("hiit", lambda d: d["phases"][0].update(minutes_=20)).field == "phases[0].minutes_"


def test_a_missing_cert_item_is_refused() -> None:
    assert _fails("yoga", lambda d: d["cert"].pop("7b")).field == "cert.7b"
    assert _fails("yoga", lambda d: d["cert"].pop("16a")).field == "cert.16a"


def test_an_empty_cert_item_is_refused() -> None:
    assert _fails("hiit", lambda d: d["cert"]["11"].update(text="  ")).field == "cert.11.text"
    assert _fails("hiit", lambda d: d["cert"]["14a"].pop("source")).field == "cert.14a.source"


def test_every_parameter_needs_a_source() -> None:
    assert (
        _fails("yoga", lambda d: d["evidence"]["effects"][0].pop("source")).field
        == "evidence.effects[0].source"
    )
    assert _fails("yoga", lambda d: d["fitt_sources"].pop("volume")).field == "fitt_sources.volume"
    assert _fails("yoga", lambda d: d["progression"].pop("source")).field == "progression.source"
    assert _fails("yoga", lambda d: d["start_level"].pop("source")).field == "start_level.source"
    assert _fails("yoga", lambda d: d["warm_up"].pop("source")).field == "warm_up.source"
    assert _fails("yoga", lambda d: d["duration"].pop("source")).field == "duration.source"
    assert (
        _fails("progressive_resistance", lambda d: d["strength"][2].pop("source")).field
        == "strength[2].source"
    )
    assert _fails("trace_rmd_combined", lambda d: d["phases"][1]["intervals"].pop("source")).field == (
        "phases[1].intervals.source"
    )


def test_duration_below_the_library_minimum_is_refused() -> None:
    error = _fails("yoga", lambda d: d["duration"].update(weeks=4))
    assert (error.field, "at least 6" in error.message) == ("duration.weeks", True)


def test_phases_must_tile_the_weeks() -> None:
    assert _fails("yoga", lambda d: d["phases"][1].update(weeks=[4, 12])).field == "phases[1].weeks"
    assert _fails("yoga", lambda d: d["phases"][1].update(weeks=[3, 11])).field == "phases"


def test_a_stepwise_jump_above_the_max_weekly_increase_is_refused() -> None:
    error = _fails("hiit", lambda d: d["phases"][1].update(minutes=30, volume=90))
    assert error.field == "phases[1].volume"
    assert "max_weekly_increase" in error.message


def test_step_may_not_exceed_the_maximum() -> None:
    assert _fails("yoga", lambda d: d["progression"].update(step=20)).field == "progression.step"


def test_min_per_week_volume_must_equal_frequency_times_minutes() -> None:
    assert _fails("yoga", lambda d: d["phases"][0].update(volume=100)).field == "phases[0].volume"


def test_intensity_classes_and_rpe_must_agree() -> None:
    assert (
        _fails("yoga", lambda d: d["phases"][0].update(intensity=["brisk"])).field == "phases[0].intensity[0]"
    )
    assert _fails("yoga", lambda d: d["phases"][1].update(intensity=["light", "vigorous"])).field == (
        "phases[1].intensity"
    )
    assert _fails("yoga", lambda d: d["phases"][0].update(rpe=[9, 14])).field == "phases[0].rpe"
    assert _fails("yoga", lambda d: d["phases"][0].update(rpe=[12, 10])).field == "phases[0].rpe"


def test_intervals_must_fit_the_session() -> None:
    assert (
        _fails("hiit", lambda d: d["phases"][0]["intervals"].update(repeats=10)).field
        == "phases[0].intervals.repeats"
    )


def test_the_start_level_must_lie_below_week_one() -> None:
    assert _fails("smile_aerobic", lambda d: d["start_level"].update(minutes=30, volume=90)).field == (
        "start_level.volume"
    )
    assert _fails("yoga", lambda d: d["start_level"].update(intensity=["moderate"], rpe=[12, 13])).field == (
        "start_level.intensity"
    )


def test_a_phase_above_a_ceiling_needs_a_contraindication_note() -> None:
    def drop(d: dict[str, Any]) -> None:
        d["contraindications"] = [
            c for c in d["contraindications"] if c["restriction"] != "max_intensity_moderate"
        ]

    error = _fails("hiit", drop)
    assert error.field == "contraindications"
    assert "max_intensity_moderate" in error.message


def test_unknown_restriction_codes_and_actions_are_refused() -> None:
    assert _fails("hiit", lambda d: d["contraindications"][0].update(restriction="no_hiit")).field == (
        "contraindications[0].restriction"
    )
    assert _fails("hiit", lambda d: d["contraindications"][0].update(action="avoid")).field == (
        "contraindications[0].action"
    )


def test_evidence_without_an_effect_must_be_limited_with_findings() -> None:
    assert (
        _fails("hiit", lambda d: d["evidence"].update(limited_evidence_in_trd=False)).field
        == "evidence.effects"
    )
    assert _fails("yoga", lambda d: d["evidence"]["effects"][0].update(estimate=-0.9)).field == (
        "evidence.effects[0].estimate"
    )


def test_vocabularies_are_enforced() -> None:
    assert _fails("yoga", lambda d: d.update(modalities=["pilates"])).field == "modalities[0]"
    assert _fails("yoga", lambda d: d.update(settings=["pool"])).field == "settings[0]"
    assert _fails("yoga", lambda d: d.update(volume_unit="hours")).field == "volume_unit"
    assert (
        _fails("yoga", lambda d: d["adherence"][0].update(strategy="bribes")).field == "adherence[0].strategy"
    )
    assert (
        _fails("yoga", lambda d: d["evidence"].update(evidence_level="anecdote")).field
        == "evidence.evidence_level"
    )


def test_resistance_protocols_need_strength_exercises() -> None:
    assert _fails("progressive_resistance", lambda d: d.pop("strength")).field == "strength"


def test_doses_must_have_one_default_that_the_phases_reach() -> None:
    assert _fails("tread_aerobic_dose", lambda d: d["doses"][1].update(default=True)).field == "doses"
    assert _fails("tread_aerobic_dose", lambda d: d["doses"][0].update(volume=17.0)).field == "doses"
