"""Dose of one session: zone minutes from heart rate, RPE and METs, gaps, MET-minutes and kcal/kg, and
the MET table. Expected values are worked out by hand in the comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest

from stride.activity.dose import CLASS_SOURCE, parsed_session_dose, session_dose
from stride.activity.dose_rules import dose_rules, parse_dose
from stride.activity.mets import VARIANTS, met_for, met_table, parse_mets
from stride.activity.model import SPORTS, ParsedSession, Samples, Sport
from stride.activity.weekly import week_dose
from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
T0 = int(START.timestamp()) * 1000


def steady(bpm: float, seconds: int, *, every: int = 1, offset_s: int = 0) -> Samples:
    """1 Hz (or every ``every`` s) samples at a constant heart rate, from ``offset_s`` into the session."""
    t = T0 + (offset_s + np.arange(0, seconds, every)) * 1000
    return Samples.of(t, heart_rate=np.full(len(t), bpm))


def dose(sport: Sport = "running", duration_s: float = 1800, **kwargs: Any) -> Any:
    return session_dose(session_id="s1", start=START, duration_s=duration_s, sport=sport, **kwargs)


# --- heart rate -------------------------------------------------------------------------------------


def test_the_issue_example() -> None:
    # 30 min at 150 bpm, rest 60, max 180: 62.5 % HRR, vigorous 30 min; moderate-equivalent 2 x 30 = 60
    d = dose(samples=steady(150, 1800), resting_hr=60, hrmax=180)
    assert d.method == "hr"
    assert d.hr_coverage == 1.0
    assert d.minutes_by_zone["vigorous"] == 30.0
    assert d.vigorous_minutes == 30.0
    assert d.moderate_minutes == 0.0
    assert d.mvpa_minutes == 30.0
    assert d.moderate_equivalent_minutes == 60.0
    assert sum(d.minutes_by_zone.values()) == 30.0
    # running has no effort variants: 30 min x 7.5 METs (jogging, general) = 225 MET-min = 3.75 kcal/kg
    assert d.met_minutes == pytest.approx(225.0)
    assert d.kcal_per_kg == pytest.approx(3.75)


def test_vigorous_cycling_is_priced_at_the_vigorous_variant() -> None:
    # cycling 'self-selected vigorous pace' (01017) is 9.0 METs: 30 x 9 = 270 MET-min = 4.5 kcal/kg
    d = dose("cycling", samples=steady(150, 1800), resting_hr=60, hrmax=180)
    assert d.met_minutes == pytest.approx(270.0)
    assert d.kcal_per_kg == pytest.approx(4.5)


def test_a_pause_is_no_data_beyond_the_cap_and_takes_the_fallback() -> None:
    # 1 Hz for 0-600 s, device paused, 1 Hz again for 1200-1800 s, session 1800 s, cap 60 s.
    # Heart-rate time: 599 s + 60 s (sample at 599 s, capped) + 599 s + 1 s (to the end) = 1259 s.
    # The other 541 s take cycling's MET class: 7.0 METs (01014) is vigorous.
    t = T0 + np.r_[np.arange(0, 600), np.arange(1200, 1800)] * 1000
    samples = Samples.of(t, heart_rate=np.full(len(t), 120.0))  # 50 % HRR: moderate
    d = dose("cycling", samples=samples, resting_hr=60, hrmax=180)
    assert d.method == "hr"
    assert d.minutes_by_zone["moderate"] == pytest.approx(1259 / 60)
    assert d.minutes_by_zone["vigorous"] == pytest.approx(541 / 60)
    assert d.minutes_by_zone["unclassified"] == 0.0
    assert d.hr_coverage == pytest.approx(1259 / 1800)
    # heart-rate minutes at the moderate variant (01016, 7.0), MET-class minutes at the default (7.0)
    assert d.met_minutes == pytest.approx(30 * 7.0)


def test_the_rest_of_a_rated_session_takes_the_rpe_class() -> None:
    # 1 Hz at 150 (vigorous) for the first 600 s of a 40-min walk rated RPE 12 (moderate). The last
    # sample (599 s) stands for the 60-s cap, so heart rate covers 659 s; the other 1741 s are moderate.
    d = dose("walking", 2400, samples=steady(150, 600), resting_hr=60, hrmax=180, rpe=12)
    assert d.method == "hr"
    assert d.minutes_by_zone["vigorous"] == pytest.approx(659 / 60)
    assert d.minutes_by_zone["moderate"] == pytest.approx(1741 / 60)
    assert d.moderate_equivalent_minutes == pytest.approx((1741 + 2 * 659) / 60)
    # walking: vigorous variant 5.5 (17220), moderate variant 3.8 (17190)
    assert d.met_minutes == pytest.approx((5.5 * 659 + 3.8 * 1741) / 60)


def test_missing_heart_rates_are_no_data() -> None:
    # 1800 samples, the first half NaN: 15 min vigorous; the rest is running's MET class (7.5: vigorous)
    s = steady(150, 1800)
    hr = s.heart_rate.copy()
    hr[:900] = np.nan
    d = dose(samples=Samples.of(s.time_ms, heart_rate=hr), resting_hr=60, hrmax=180)
    assert d.hr_coverage == pytest.approx(0.5)
    assert d.vigorous_minutes == pytest.approx(30.0)


def test_unsorted_samples_give_the_same_dose() -> None:
    s = steady(130, 1800, every=5)
    rng = np.random.default_rng(3)
    order = rng.permutation(len(s))
    shuffled = Samples.of(s.time_ms[order], heart_rate=s.heart_rate[order])
    a = dose(samples=s, resting_hr=60, hrmax=180)
    b = dose(samples=shuffled, resting_hr=60, hrmax=180)
    assert a.minutes_by_zone == b.minutes_by_zone


def test_samples_outside_the_session_are_clipped() -> None:
    # samples from 5 min before to 5 min after a 20-min session: exactly 20 min moderate
    d = dose("walking", 1200, samples=steady(120, 1800, offset_s=-300), resting_hr=60, hrmax=180)
    assert d.minutes_by_zone["moderate"] == pytest.approx(20.0)
    assert d.duration_minutes == 20.0


def test_minutes_in_the_plan_target_range() -> None:
    # 10 min at 130, 10 at 140, 10 at 156; target 140-155 bpm (inclusive whole beats): 10 minutes
    t = T0 + np.arange(1800) * 1000
    hr = np.repeat([130.0, 140.0, 156.0], 600)
    d = dose(samples=Samples.of(t, heart_rate=hr), resting_hr=60, hrmax=180, target_hr=(140, 155))
    assert d.minutes_in_target == pytest.approx(10.0)
    d = dose(samples=Samples.of(t, heart_rate=hr), resting_hr=60, hrmax=180, target_hr=(140, 156))
    assert d.minutes_in_target == pytest.approx(20.0)


def test_without_heart_rate_there_are_no_minutes_in_target() -> None:
    assert dose(rpe=13, target_hr=(120, 140)).minutes_in_target is None


def test_heart_rate_is_skipped_for_a_beta_blocked_patient() -> None:
    d = dose(samples=steady(150, 1800), resting_hr=60, hrmax=180, rpe=13, use_hr=False)
    assert d.method == "rpe"
    assert d.moderate_minutes == 30.0
    assert d.hr_coverage == 0.0


def test_without_reference_values_heart_rate_is_not_used() -> None:
    assert dose(samples=steady(150, 1800), rpe=13).method == "rpe"


# --- RPE and METs -----------------------------------------------------------------------------------


def test_rpe_method() -> None:
    # 40-min walk at RPE 13: moderate 40 min; walking moderate 3.8 METs: 152 MET-min, 2.5333 kcal/kg
    d = dose("walking", 2400, rpe=13)
    assert d.method == "rpe"
    assert d.minutes_by_zone["moderate"] == 40.0
    assert d.moderate_equivalent_minutes == 40.0
    assert d.met_minutes == pytest.approx(152.0)
    assert d.kcal_per_kg == pytest.approx(152 / 60)


@pytest.mark.parametrize(
    ("sport", "zone", "met"),
    [
        ("walking", "moderate", 3.8),
        ("cycling", "vigorous", 7.0),
        ("yoga", "light", 2.3),
        ("strength", "moderate", 3.5),
        ("elliptical", "moderate", 5.0),
    ],
)
def test_met_method(sport: Sport, zone: str, met: float) -> None:
    d = dose(sport, 3600)
    assert d.method == "met"
    assert d.minutes_by_zone[zone] == 60.0
    assert d.met_minutes == pytest.approx(60 * met)
    assert d.kcal_per_kg == pytest.approx(met)


def test_an_unknown_activity_without_heart_rate_or_rpe_has_an_unknown_dose_not_zero() -> None:
    d = dose("other", 1800)
    assert d.minutes_by_zone["unclassified"] == 30.0
    assert d.mvpa_minutes == 0.0
    assert d.met_minutes is None
    assert d.kcal_per_kg is None
    assert not d.dose_known
    assert d.met_source is None


def test_an_unknown_activity_with_heart_rate_is_priced_at_its_class_lower_bound() -> None:
    d = dose("other", 1800, samples=steady(150, 1800), resting_hr=60, hrmax=180)
    assert d.vigorous_minutes == 30.0
    assert d.met_minutes == pytest.approx(30 * 6.0)  # vigorous starts at 6.0 METs (intensity.toml)
    assert d.kcal_per_kg == pytest.approx(3.0)
    assert d.met_source == CLASS_SOURCE


def test_an_unknown_activity_with_rpe_is_priced_at_its_class_lower_bound() -> None:
    d = dose("other", 1800, rpe=13)  # RPE 13: moderate
    assert d.met_minutes == pytest.approx(30 * 3.0)


@pytest.mark.parametrize(
    ("label", "code", "met"),
    [("Kayaking", "18200", 5.0), ("paddling", "18120", 3.5), ("StandUpPaddleboarding", "18365", 6.0)],
)
def test_an_activity_the_device_names_takes_its_compendium_value(label: str, code: str, met: float) -> None:
    d = dose("other", 1800, device_sport=label)
    assert d.method == "met"
    assert d.met_minutes == pytest.approx(30 * met)
    assert d.met_source is not None
    assert f"Compendium {code}" in d.met_source


def test_a_named_label_does_not_reprice_a_known_sport() -> None:
    assert dose("walking", 1800, device_sport="kayak").met_minutes == dose("walking", 1800).met_minutes


def test_a_week_counts_the_sessions_of_unknown_dose_and_leaves_them_out_of_the_totals() -> None:
    known = dose("walking", 1800)
    unknown = replace(dose("other", 1800), session_id="b", start=known.start + timedelta(hours=5))
    week = week_dose(
        known.start.date() - timedelta(days=known.start.weekday()), [known, unknown], tz="UTC", duplicates=()
    )
    assert week.sessions == 2
    assert week.unknown_dose_sessions == 1
    assert week.met_minutes == pytest.approx(known.met_minutes)
    assert week.duration_minutes == 60.0


def test_net_energy_and_single_price_options() -> None:
    samples = steady(150, 1800)
    net = replace(dose_rules(), energy_basis="net")
    # (9.0 - 1) x 30 = 240
    assert dose("cycling", samples=samples, resting_hr=60, hrmax=180, rules=net).met_minutes == pytest.approx(
        240
    )
    flat = replace(dose_rules(), hr_met_mode="modality")
    # every minute at cycling's default 7.0: 210
    assert dose(
        "cycling", samples=samples, resting_hr=60, hrmax=180, rules=flat
    ).met_minutes == pytest.approx(210)


def test_a_session_of_no_duration() -> None:
    d = dose("walking", 0)
    assert d.duration_minutes == 0.0
    assert sum(d.minutes_by_zone.values()) == 0.0
    assert d.hr_coverage == 0.0


def test_start_in_another_timezone_is_the_same_instant() -> None:
    local = START.astimezone(timezone(timedelta(hours=-5)))
    a = dose(samples=steady(150, 1800), resting_hr=60, hrmax=180)
    b = session_dose(
        session_id="s1",
        start=local,
        duration_s=1800,
        sport="running",
        samples=steady(150, 1800),
        resting_hr=60,
        hrmax=180,
    )
    assert a.minutes_by_zone == b.minutes_by_zone


def test_parsed_session_dose() -> None:
    parsed = ParsedSession(
        start=START,
        end=START + timedelta(minutes=30),
        sport="running",
        device_sport="running",
        duration_s=1800.0,
        distance_m=None,
        avg_hr=150.0,
        max_hr=150.0,
        calories_kcal=None,
        samples=steady(150, 1800),
    )
    d = parsed_session_dose(parsed, session_id="fit-7", resting_hr=60, hrmax=180)
    assert (d.session_id, d.method, d.vigorous_minutes) == ("fit-7", "hr", 30.0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": datetime(2026, 1, 5, 9)}, "start"),
        ({"duration_s": -1.0}, "duration_s"),
        ({"duration_s": float("inf")}, "duration_s"),
        ({"sport": "curling"}, "sport"),
        ({"rpe": 25}, "rpe"),
        ({"target_hr": (150, 140)}, "target_hr"),
        ({"samples": steady(100, 60), "resting_hr": 190, "hrmax": 180}, "resting_hr"),
        (
            {"samples": steady(100, 60), "resting_hr": 60, "hrmax": 180, "vigorous_upper_pct": 80},
            "vigorous_upper_pct",
        ),
    ],
)
def test_bad_input_is_refused(kwargs: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {
        "session_id": "x",
        "start": START,
        "duration_s": 600.0,
        "sport": "walking",
    } | kwargs
    with pytest.raises(InvalidInput) as err:
        session_dose(**args)
    assert err.value.field == field


# --- the rules files --------------------------------------------------------------------------------


def test_dose_rules_cite_the_trials() -> None:
    rules = dose_rules()
    assert rules.vigorous_weight == 2
    assert rules.vigorous_classes == ("vigorous", "near_maximal")
    doses = {d.id: d.kcal_per_kg_per_week for d in rules.reference_doses}
    assert doses == {"tread_high": 16.0, "tread_low": 4.0, "dose_public_health": 17.5, "dose_low": 7.0}
    assert all(d.source.strip() for d in rules.reference_doses)


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("hr_samples", "max_gap_s"), 0, "hr_samples.max_gap_s"),
        (("hr_met", "moderate"), "brisk", "hr_met.moderate"),
        (("who", "vigorous_classes"), ["hard"], "who.vigorous_classes"),
        (("energy", "basis"), "gross-ish", "energy.basis"),
        (("hr_samples", "cap"), 3, "hr_samples.cap"),
    ],
)
def test_a_malformed_dose_file_names_the_key(path: tuple[str, str], value: object, key: str) -> None:
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in load_toml("dose").items()}
    raw[path[0]][path[1]] = value
    with pytest.raises(ConfigurationError) as err:
        parse_dose(raw)
    assert key in str(err.value)


def test_every_sport_has_compendium_values_or_a_reason() -> None:
    table = met_table()
    assert set(table.sports) | set(table.no_value) == set(SPORTS)
    assert set(table.no_value) == {"other"}
    for mets in table.sports.values():
        assert mets.default in mets.variants
        for name, entry in mets.variants.items():
            assert name in VARIANTS
            assert len(entry.code) == 5
            assert entry.code.isdigit()
            assert entry.status in ("VERIFIED", "SECONDARY", "UNSURE")
            assert entry.description
            assert entry.source


@pytest.mark.parametrize(
    ("sport", "effort", "met"),
    [
        ("walking", None, 3.8),
        ("walking", "light", 2.8),
        ("walking", "vigorous", 5.5),
        ("cycling", "light", 4.3),
        ("cycling", "moderate", 7.0),
        ("running", "vigorous", 7.5),
        ("swimming", None, 6.0),
        ("other", None, None),
    ],
)
def test_met_lookup(sport: Sport, effort: str | None, met: float | None) -> None:
    assert met_for(sport, effort) == met


def test_a_sport_without_values_is_refused_in_the_file() -> None:
    raw = dict(load_toml("mets"))
    raw["sports"] = {k: v for k, v in raw["sports"].items() if k != "yoga"}
    with pytest.raises(ConfigurationError, match="every sport"):
        parse_mets(raw)


def test_a_bad_compendium_code_is_refused() -> None:
    raw = dict(load_toml("mets"))
    sports = dict(raw["sports"])
    walking = dict(sports["walking"])
    walking["variants"] = dict(walking["variants"]) | {
        "moderate": dict(walking["variants"]["moderate"], code="1719")
    }
    raw["sports"] = sports | {"walking": walking}
    with pytest.raises(ConfigurationError, match="five-digit"):
        parse_mets(raw)
