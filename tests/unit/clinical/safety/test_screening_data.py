"""The screening data files: every code a rule uses is defined with text and source, malformed data
fails at load naming the file and key, and the validity of a screen (expiry, rescreen)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from stride.clinical.safety import (
    expires_on,
    needs_rescreen,
    screening_catalogue,
    screening_data,
    screening_rules,
)
from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput
from tests.unit.clinical.safety.test_screening import make, run

# --- every code is defined, every rule cited ---------------------------------------------------


def all_rules() -> list[Any]:
    return [
        screening_rules(),
        screening_rules(bp_policy="exercise_testing_200_110", dosing_day_policy="no_vigorous_within_4h"),
    ]


def used_restrictions(rules: Any) -> set[str]:
    used = {c for row in rules.acsm.rows for o in row.by_intensity.values() for c in o.restrictions}
    used |= {c for q in rules.parq.questions.values() for c in q.restrictions} | set(
        rules.parq.age_restrictions
    )
    used |= {c for rule in rules.blood_pressure.rules for c in rule.outcome.restrictions}
    used |= {c for rule in rules.conditions.values() for c in rule.outcome.restrictions}
    used |= {c for group in rules.medications.groups for c in group.restrictions}
    return used | set(rules.psychiatric.outcome.restrictions)


@pytest.mark.parametrize("rules", all_rules())
def test_every_restriction_used_is_defined_with_text_and_source(rules: Any) -> None:
    used = used_restrictions(rules)
    assert used <= set(rules.restrictions)
    for code in rules.restrictions:
        assert rules.restrictions[code].text.strip()
        assert rules.restrictions[code].source.strip()
    for code in (
        "max_intensity_light",
        "max_intensity_moderate",
        "intensity_by_rpe",
        "no_session_on_dosing_days",
    ):
        assert code in rules.restrictions
    assert rules.restrictions["max_intensity_light"].max_intensity == "light"
    assert rules.restrictions["max_intensity_moderate"].max_intensity == "moderate"


@pytest.mark.parametrize("rules", all_rules())
def test_every_rule_has_a_source(rules: Any) -> None:
    sources = [rules.acsm.source, rules.parq.source, rules.parq.age_source, rules.validity.source]
    sources += [r.source for r in rules.blood_pressure.rules] + [r.source for r in rules.conditions.values()]
    sources += [g.source for g in rules.medications.groups]
    sources += [rules.psychiatric.phq9_source, rules.psychiatric.cssrs_source]
    assert all(s.strip() for s in sources)


def test_every_reason_has_code_text_and_source() -> None:
    busy = run(
        currently_active=False,
        known_disease=["renal"],
        symptoms=["claudication"],
        desired_intensity="vigorous",
        resting_bp=[205, 112],
        parq={"q1": True, "q7": True},
        phq9_item9=3,
        cssrs_risk="high",
        medications=["carvedilol", "esketamine", "sertraline"],
        conditions=sorted(screening_rules().conditions),
        age=60,
    )
    for decision in (busy, run(), run(parq={}, resting_bp=None, phq9_item9=None, cssrs_risk=None)):
        for reason in decision.reasons:
            assert reason.code.strip()
            assert reason.text.strip()
            assert reason.source.strip()


def test_condition_codes_are_snake_case_and_unsure_ones_say_so() -> None:
    for code, rule in screening_rules().conditions.items():
        assert code.replace("_", "").isalpha()
        assert code == code.lower()
        assert rule.status in {"VERIFIED", "SECONDARY", "UNSURE", "LOCAL"}
        if rule.status == "UNSURE":
            assert "uncertain" in rule.source


def test_psychiatric_threshold_is_the_phq9_flag() -> None:
    assert screening_rules().psychiatric.phq9_item9_min == 1
    assert screening_rules().cssrs_levels == ("none", "low", "moderate", "high")


# --- malformed data fails at load, naming file and key ----------------------------------------


DATA = "stride.clinical.safety.data"


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, Any]]]:
    files = {
        name: copy.deepcopy(load_toml(name, DATA)) for name in ("screening", "conditions", "medications")
    }

    def fake(name: str, package: str = "stride.data") -> dict[str, Any]:
        return files[name] if package == DATA and name in files else load_toml(name, package)

    monkeypatch.setattr(screening_data, "load_toml", fake)
    monkeypatch.setattr(screening_catalogue, "load_toml", fake)
    screening_data.screening_rules.cache_clear()
    yield files
    screening_data.screening_rules.cache_clear()


def fails(match: str) -> Any:
    screening_data.screening_rules.cache_clear()
    return pytest.raises(ConfigurationError, match=match)


def test_undefined_restriction_in_a_condition(patched: dict[str, dict[str, Any]]) -> None:
    patched["conditions"]["conditions"]["pregnancy"]["restrictions"] = ["no_scuba"]
    with fails(r"conditions\.toml: conditions\.pregnancy\.restrictions\[0\]: 'no_scuba' is not defined"):
        screening_rules()


def test_required_restriction_missing(patched: dict[str, dict[str, Any]]) -> None:
    del patched["screening"]["restrictions"]["intensity_by_rpe"]
    with fails(r"restrictions\.intensity_by_rpe: is required"):
        screening_rules()


def test_acsm_table_must_be_complete(patched: dict[str, dict[str, Any]]) -> None:
    patched["screening"]["acsm"]["rows"].pop()
    with fails(r"acsm\.rows: needs exactly one row"):
        screening_rules()


def test_misspelt_key_is_refused(patched: dict[str, dict[str, Any]]) -> None:
    patched["screening"]["blood_pressure"]["rules"][0]["sytolic"] = 190
    with fails(r"blood_pressure\.rules\[0\]\.sytolic: unknown key"):
        screening_rules()


def test_threshold_must_be_an_integer(patched: dict[str, dict[str, Any]]) -> None:
    patched["screening"]["blood_pressure"]["rules"][1]["systolic"] = "180"
    with fails(r"blood_pressure\.rules\[1\]\.systolic: must be an integer"):
        screening_rules()


def test_cleared_with_restrictions_is_refused(patched: dict[str, dict[str, Any]]) -> None:
    patched["screening"]["acsm"]["rows"][0]["light"] = {"decision": "cleared", "restrictions": ["low_impact"]}
    with fails(r"acsm\.rows\[0\]\.light\.decision: a rule with restrictions cannot be 'cleared'"):
        screening_rules()


def test_medicine_in_two_groups(patched: dict[str, dict[str, Any]]) -> None:
    patched["medications"]["groups"][1]["drugs"].append("atenolol")
    with fails(r"medications\.toml: atenolol is in both"):
        screening_rules()


def test_alias_to_unknown_drug(patched: dict[str, dict[str, Any]]) -> None:
    patched["medications"]["aliases"]["tenormin"] = "atenolool"
    with fails(r"aliases\.tenormin: 'atenolool' is in no group"):
        screening_rules()


def test_unknown_cssrs_level(patched: dict[str, dict[str, Any]]) -> None:
    patched["screening"]["psychiatric"]["cssrs_defer"] = ["medium"]
    with fails(r"psychiatric\.cssrs_defer: C-SSRS levels are"):
        screening_rules()


def test_thresholds_come_from_the_data(patched: dict[str, dict[str, Any]]) -> None:
    patched["screening"]["blood_pressure"]["rules"][1]["systolic"] = 170
    patched["screening"]["validity"]["months"] = 6
    screening_data.screening_rules.cache_clear()
    assert run(resting_bp=[172, 80]).decision == "defer"
    assert expires_on(date(2026, 1, 15)) == date(2026, 7, 14)


# --- validity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screened", "last_day"),
    [
        (date(2026, 1, 15), date(2027, 1, 14)),
        (date(2026, 12, 31), date(2027, 12, 30)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2029, 2, 27)),
    ],
)
def test_expires_after_12_months(screened: date, last_day: date) -> None:
    assert screening_rules().validity.months == 12
    assert "UNSURE" in screening_rules().validity.status
    assert expires_on(screened) == last_day


def test_needs_rescreen() -> None:
    inp, screened = make(), date(2026, 3, 1)
    assert needs_rescreen(None, new_cardiac_event=False, new_safety_alert=False)
    assert needs_rescreen(inp, new_cardiac_event=True, new_safety_alert=False)
    assert needs_rescreen(inp, new_cardiac_event=False, new_safety_alert=True)
    assert not needs_rescreen(inp, new_cardiac_event=False, new_safety_alert=False)
    last = expires_on(screened)
    for today, due in ((screened, False), (last, False), (date.fromordinal(last.toordinal() + 1), True)):
        assert (
            needs_rescreen(
                inp, new_cardiac_event=False, new_safety_alert=False, screened_on=screened, today=today
            )
            is due
        )


def test_needs_rescreen_refuses_half_dates() -> None:
    with pytest.raises(InvalidInput) as err:
        needs_rescreen(make(), new_cardiac_event=False, new_safety_alert=False, screened_on=date(2026, 1, 1))
    assert err.value.field == "today"
    with pytest.raises(InvalidInput):
        needs_rescreen(
            make(),
            new_cardiac_event=False,
            new_safety_alert=False,
            screened_on=date(2026, 2, 1),
            today=date(2026, 1, 1),
        )
