"""Every packaged protocol validates, is CERT-complete, sources every parameter, lasts at least 6
weeks, and never progresses faster than its own maximum weekly increase; the named protocols of the
library exist and say what their sources (the trials and guidelines they cite) say."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from stride.clinical.prescription import Protocol, get_protocol, protocol_ids, weekly_targets
from stride.clinical.prescription.intensity import CLASS_IDS, rpe_range
from stride.clinical.prescription.protocol_library import library_rules
from stride.clinical.prescription.protocol_model import Phase
from stride.data import load_toml
from stride.errors import InvalidInput

ALL = protocol_ids()
CERT_ITEMS = ["1", "2", "3", "4", "5", "6", "7a", "7b", "8", "9", "10", "11", "12", "13", "14a", "14b", "15",
              "16a", "16b"]  # fmt: skip
EXPECTED = {
    "trace_rmd_combined",
    "tread_aerobic_dose",
    "dose_public_health",
    "smile_aerobic",
    "progressive_resistance",
    "yoga",
    "tai_chi_qigong",
    "home_walking",
    "hiit",
}


def _walk(value: Any, path: str) -> list[tuple[str, Any]]:
    """Every dataclass inside ``value``, with its path."""
    found: list[tuple[str, Any]] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.append((path, value))
        for field in dataclasses.fields(value):
            found += _walk(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            found += _walk(item, f"{path}[{index}]")
    return found


def test_the_library_holds_the_named_protocols() -> None:
    assert set(ALL) >= EXPECTED
    assert sorted(ALL) == ALL


@pytest.mark.parametrize("protocol_id", ALL)
def test_every_protocol_is_cert_complete(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    assert [item.id for item in protocol.cert] == CERT_ITEMS
    for item in protocol.cert:
        assert item.text.strip(), f"CERT item {item.id} is empty"
        assert item.source.strip(), f"CERT item {item.id} has no source"
        assert item.title.strip()
        assert item.category.strip()
    assert {item.category for item in protocol.cert} == {
        "materials", "provider", "delivery", "location", "dosage", "tailoring", "compliance",
    }  # fmt: skip


@pytest.mark.parametrize("protocol_id", ALL)
def test_every_parameter_has_a_source(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    assert protocol.source.strip()
    assert protocol.duration_source.strip()
    assert protocol.supervision_source.strip()
    assert protocol.notes.strip(), "the UNSURE choices must be explained in notes"
    parts = _walk(protocol, protocol_id)
    for path, part in parts:
        if hasattr(part, "source"):
            assert isinstance(part.source, str), path
            assert part.source.strip(), f"{path} has no source"
    for phase in protocol.phases:
        for name in ("frequency", "time", "intensity", "type", "volume"):
            assert getattr(phase.sources, name).strip(), f"{phase.id}: no source for {name}"
    # Every sourced kind of part is present and was checked above.
    kinds = {type(part).__name__ for _, part in parts}
    assert {
        "Evidence",
        "Progression",
        "StartLevel",
        "Routine",
        "AdherenceSupport",
        "Contraindication",
    } <= kinds


@pytest.mark.parametrize("protocol_id", ALL)
def test_duration_is_at_least_the_library_minimum(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    assert library_rules().min_weeks == 6
    assert protocol.duration_weeks >= 6
    assert protocol.phases[0].first_week == 1
    assert protocol.phases[-1].last_week == protocol.duration_weeks


@pytest.mark.parametrize("protocol_id", ALL)
@pytest.mark.parametrize("deconditioned", [False, True])
def test_progression_never_exceeds_its_own_max_weekly_increase(protocol_id: str, deconditioned: bool) -> None:
    protocol = get_protocol(protocol_id)
    weeks = weekly_targets(protocol, deconditioned=deconditioned)
    assert [w.week for w in weeks] == list(range(1, protocol.duration_weeks + 1))
    for before, after in itertools.pairwise(weeks):
        assert not protocol.progression.exceeds(before.volume, after.volume), (before, after)
        assert after.volume >= before.volume  # no protocol here tapers
    for week in weeks:
        phase = protocol.phase_for_week(week.week)
        assert week.volume <= phase.volume
        assert 0 < week.minutes <= max(phase.minutes, protocol.start_level.minutes)
        if protocol.volume_unit == "min_per_week":
            assert week.volume == week.frequency * week.minutes


@pytest.mark.parametrize("protocol_id", ALL)
def test_the_standard_schedule_reaches_every_phase_target(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    weeks = weekly_targets(protocol)
    assert weeks[-1].volume == protocol.phases[-1].volume
    assert not any(w.start_level for w in weeks)


@pytest.mark.parametrize("protocol_id", ALL)
def test_the_deconditioned_start_is_below_week_one(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    start, first = protocol.start_level, protocol.phases[0]
    assert start.volume < first.volume
    assert CLASS_IDS.index(start.intensity[-1]) <= CLASS_IDS.index(first.intensity[-1])
    week1 = weekly_targets(protocol, deconditioned=True)[0]
    assert (week1.start_level, week1.volume, week1.intensity) == (True, start.volume, start.intensity)


def _phase_ok(phase: Phase) -> None:
    assert phase.first_week <= phase.last_week
    assert all(c in CLASS_IDS for c in phase.intensity)
    low, high = rpe_range(phase.intensity[0])[0], rpe_range(phase.intensity[-1])[1]
    assert low <= phase.rpe[0] <= phase.rpe[1] <= high
    if phase.intervals:
        total = phase.intervals.repeats * (phase.intervals.work_seconds + phase.intervals.recovery_seconds)
        assert total <= phase.minutes * 60


@pytest.mark.parametrize("protocol_id", ALL)
def test_phases_are_explicit_and_typed(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    for phase in protocol.phases:
        _phase_ok(phase)
    if "resistance" in protocol.modalities:
        assert protocol.strength
        for exercise in protocol.strength:
            assert exercise.sets >= 1
            assert exercise.reps[0] <= exercise.reps[1]
            assert 6 <= exercise.rpe[0] <= exercise.rpe[1] <= 20
    assert protocol.warm_up.minutes > 0
    assert protocol.cool_down.minutes > 0
    assert protocol.adherence


def _actions(protocol: Protocol) -> dict[str, str]:
    return {c.restriction: c.action for c in protocol.contraindications}


def test_hiit_is_limited_evidence_in_trd_and_excluded_under_a_moderate_ceiling() -> None:
    hiit = get_protocol("hiit")
    assert "hiit" in hiit.modalities
    assert hiit.evidence.limited_evidence_in_trd is True
    assert hiit.evidence.evidence_level == "indirect"
    assert not hiit.evidence.effects
    assert _actions(hiit)["max_intensity_moderate"] == "exclude"
    assert any("vigorous" in p.intensity for p in hiit.phases)


def test_every_protocol_above_a_ceiling_says_what_to_do() -> None:
    ceilings = {code: c for code, c in library_rules().restrictions.items() if c is not None}
    for protocol_id in ALL:
        protocol = get_protocol(protocol_id)
        hardest = max(CLASS_IDS.index(c) for p in protocol.phases for c in p.intensity)
        for code, ceiling in ceilings.items():
            if hardest > CLASS_IDS.index(ceiling):
                assert _actions(protocol).get(code) in {"exclude", "modify"}, (protocol_id, code)


def test_high_impact_protocols_address_low_impact() -> None:
    assert _actions(get_protocol("smile_aerobic"))["low_impact"] == "modify"  # no jogging
    assert _actions(get_protocol("home_walking"))["supervised_only"] == "exclude"


def test_restriction_codes_match_the_screening_vocabulary() -> None:
    try:
        screening = load_toml("screening", "stride.clinical.safety.data")
    except FileNotFoundError:
        pytest.skip("screening.toml is not packaged yet")
    screen_codes = set(screening.get("restrictions", {}))
    if not screen_codes:
        pytest.skip("screening.toml has no [restrictions] table")
    assert set(library_rules().restrictions) <= screen_codes
    for code, ceiling in library_rules().restrictions.items():
        assert screening["restrictions"][code].get("max_intensity") == ceiling, code


def test_trace_rmd_style_matches_the_trial() -> None:
    p = get_protocol("trace_rmd_combined")
    assert p.duration_weeks == 12
    assert p.supervision == "supervised"
    assert {ph.frequency for ph in p.phases} == {2}
    assert {"aerobic", "resistance"} <= set(p.modalities)
    assert all(ph.intervals is not None for ph in p.phases)
    assert p.evidence.limited_evidence_in_trd is False
    effect = p.evidence.effects[0]
    assert (effect.estimate, effect.lower, effect.upper) == (-8.31, -15.1, -1.5)
    assert "uncertain" in p.notes.lower()


def test_tread_style_doses() -> None:
    p = get_protocol("tread_aerobic_dose")
    assert p.volume_unit == "kcal_per_kg_per_week"
    assert p.duration_weeks == 12
    assert {(d.id, d.volume, d.default) for d in p.doses} == {("high", 16.0, True), ("low", 4.0, False)}
    assert {"home", "supervised"} <= set(p.settings)
    assert p.supervision == "partly_supervised"
    volumes = [w.volume for w in weekly_targets(p)]
    assert volumes[:6] == [10.0, 11.0, 12.1, 13.3, 14.6, 16.0]
    assert weekly_targets(p, deconditioned=True)[-1].volume == 16.0


def test_dose_public_health_dose() -> None:
    p = get_protocol("dose_public_health")
    assert {(d.id, d.volume) for d in p.doses} == {("public_health", 17.5), ("low", 7.0)}
    assert max(w.volume for w in weekly_targets(p)) == 17.5
    assert weekly_targets(p)[6].volume == 17.5  # reached in week 7


def test_smile_style_dose() -> None:
    p = get_protocol("smile_aerobic")
    assert p.duration_weeks == 16
    last = p.phases[-1]
    assert (last.frequency, last.minutes) == (3, 30)
    assert last.heart_rate is not None
    assert (last.heart_rate.basis, last.heart_rate.low_pct, last.heart_rate.high_pct) == (
        "hrmax",
        70,
        85,
    )
    assert (p.warm_up.minutes, p.cool_down.minutes) == (10, 5)
    assert [w.minutes for w in weekly_targets(p)][:4] == [24, 26, 28, 30]


def test_effect_sizes_from_the_reference() -> None:
    def g(protocol_id: str) -> tuple[float, float, float]:
        e = get_protocol(protocol_id).evidence.effects[0]
        return e.estimate, e.lower, e.upper

    assert g("yoga") == (-0.55, -0.73, -0.36)
    assert g("tai_chi_qigong") == (-0.42, -0.65, -0.21)
    assert g("home_walking") == (-0.62, -0.80, -0.45)
    gordon = get_protocol("progressive_resistance").evidence.effects[0]
    assert (gordon.measure, gordon.estimate, gordon.lower, gordon.upper) == ("delta", 0.66, 0.48, 0.83)
    assert gordon.favours_exercise == "positive"


def test_home_walking_progresses_by_steps() -> None:
    p = get_protocol("home_walking")
    assert p.volume_unit == "steps_per_day"
    assert p.progression.rule == "absolute_per_week"
    assert [w.volume for w in weekly_targets(p)][:5] == [1500.0, 1500.0, 2000.0, 2500.0, 3000.0]
    assert [w.minutes for w in weekly_targets(p)][:5] == [15, 15, 20, 25, 30]


def test_limited_evidence_flag_is_set_where_no_trd_trial_exists() -> None:
    limited = {pid for pid in ALL if get_protocol(pid).evidence.limited_evidence_in_trd}
    assert limited == EXPECTED - {"trace_rmd_combined", "tread_aerobic_dose"}


def test_unknown_protocol_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        get_protocol("crossfit")
    assert caught.value.field == "protocol"
    with pytest.raises(InvalidInput):
        get_protocol(None)  # type: ignore[arg-type]


def test_week_outside_the_programme_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        get_protocol("yoga").phase_for_week(13)
    assert caught.value.field == "week"


def test_protocol_ids_returns_a_fresh_list() -> None:
    ids = protocol_ids()
    ids.clear()
    assert protocol_ids() == ALL
