"""The prescription engine, rule by rule: refusal, exclusions, ceilings, RPE-only intensity, the
deconditioned start, days, session length, tailoring, the "recommend" ranking, and a 12-week plan
from every protocol of the library (each checked against the trial or guideline it cites)."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from stride.clinical.prescription import (
    Plan,
    Refusal,
    get_protocol,
    parse_prescription_input,
    plan_from_dict,
    plan_to_dict,
    prescribe,
    prescription_rules,
    protocol_ids,
    rank_protocols,
)
from stride.clinical.prescription.intensity import CLASS_IDS, hr_zones, rpe_range
from stride.clinical.safety import Decision, ScreeningDecision, screen
from stride.errors import InvalidInput

RULES = prescription_rules()
WEEK = RULES.schedule.days
PARQ_NO = {f"q{i}": False for i in range(1, 8)}
BASE: dict[str, Any] = {
    "age": 45,
    "sex": "female",
    "currently_active": True,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "resting_bp": [124, 78],
    "parq": PARQ_NO,
    "phq9_item9": 0,
    "cssrs_risk": "none",
    "medications": ["sertraline"],
    "conditions": [],
    "resting_hr": 66,
    "weight_kg": 70,
    "preferences": {"modalities": [], "setting": "gym", "days": list(WEEK), "minutes": 60},
}
# The profile of the issue: 52, deconditioned, bisoprolol, knee osteoarthritis, walking at home.
EXAMPLE: dict[str, Any] = {
    **BASE,
    "age": 52,
    "currently_active": False,
    "resting_bp": [132, 84],
    "parq": {**PARQ_NO, "q1": True, "q5": True, "q6": True},
    "medications": ["bisoprolol", "sertraline"],
    "conditions": ["hypertension", "knee_osteoarthritis"],
    "resting_hr": 68,
    "weight_kg": 74,
    "preferences": {
        "modalities": ["walking"],
        "setting": "home",
        "days": ["mon", "wed", "fri"],
        "minutes": 40,
    },
    "protocol": "recommend",
    "current_activity": {"ipaq_category": "low"},
}


def with_(base: dict[str, Any] = BASE, **changes: Any) -> dict[str, Any]:
    out = {**base, **changes}
    if "prefs" in changes:
        out["preferences"] = {**base["preferences"], **out.pop("prefs")}
    return out


def plan(data: dict[str, Any], **options: Any) -> Plan:
    result = prescribe(parse_prescription_input(data), **options)
    assert isinstance(result, Plan), result
    return result


def sessions(p: Plan) -> list[Any]:
    return [s for w in p.weeks for s in w.sessions]


def decision(*restrictions: str, ceiling: str | None = None) -> ScreeningDecision:
    return ScreeningDecision(Decision.CLEARED_WITH_RESTRICTIONS, (), restrictions, ceiling)


# --- refusal --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"phq9_item9": 2}, Decision.DEFER),
        ({"conditions": ["unstable_angina"]}, Decision.DEFER),
        (
            {"currently_active": False, "known_disease": ["cardiovascular"]},
            Decision.MEDICAL_CLEARANCE_REQUIRED,
        ),
    ],
)
def test_refuses_when_the_screen_does_not_clear(changes: dict[str, Any], expected: Decision) -> None:
    inp = parse_prescription_input(with_(**changes))
    result = prescribe(inp)
    assert isinstance(result, Refusal)
    assert result.decision == expected
    assert result.reasons == screen(inp.screening).reasons


def test_a_given_decision_is_used_instead_of_screening() -> None:
    inp = parse_prescription_input(with_(phq9_item9=2))
    cleared = ScreeningDecision(Decision.CLEARED, (), (), None)
    assert isinstance(prescribe(inp, decision=cleared), Plan)
    deferred = ScreeningDecision(Decision.DEFER, (), (), None)
    assert isinstance(prescribe(parse_prescription_input(BASE), decision=deferred), Refusal)


# --- what the screen forbids ------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", protocol_ids())
def test_beta_blocker_sets_no_heart_rate_anywhere(protocol: str) -> None:
    p = plan(with_(medications=["Metoprolol succinate"], protocol=protocol, prefs={"setting": "supervised"}))
    assert all(s.hr_range_bpm is None for s in sessions(p))
    assert all(any("RPE" in n and "heart-rate" in n for n in s.notes) for s in sessions(p))
    assert any("No heart-rate targets" in r.text for r in p.rationale)
    assert plan_to_dict(p)["weeks"][0]["sessions"][0]["hr_range_bpm"] is None


@pytest.mark.parametrize(
    "protocol", ["smile_aerobic", "progressive_resistance", "trace_rmd_combined", "yoga"]
)
@pytest.mark.parametrize("ceiling", ["light", "moderate"])
def test_a_ceiling_caps_every_session(protocol: str, ceiling: str) -> None:
    p = plan(with_(protocol=protocol), decision=decision(f"max_intensity_{ceiling}", ceiling=ceiling))
    top = CLASS_IDS.index(ceiling)
    for s in sessions(p):
        assert all(CLASS_IDS.index(c) <= top for c in s.classes)
        assert s.rpe_range[1] <= rpe_range(ceiling)[1]
        assert all(x.load_rpe[1] <= s.rpe_range[1] for x in s.strength)
        assert "vigorous" not in s.intensity
    assert any(r.code == f"max_intensity_{ceiling}" for r in p.restrictions)


def test_a_capped_strength_load_leaves_more_reps_in_reserve() -> None:
    p = plan(
        with_(protocol="progressive_resistance"), decision=decision("max_intensity_light", ceiling="light")
    )
    squat = next(x for x in p.weeks[-1].sessions[0].strength if x.name == "Squat")
    assert squat.load_rpe == (9, 11)
    assert squat.rir == (2 + 4, 3 + 4)  # exercise RPE 13-15, RIR 2-3; 4 RPE points lower


@pytest.mark.parametrize(
    ("protocol", "restriction"),
    [
        ("hiit", "max_intensity_moderate"),
        ("hiit", "max_intensity_light"),
        ("home_walking", "supervised_only"),
        ("hiit", "low_impact"),
    ],
)
def test_an_excluded_protocol_is_never_prescribed(protocol: str, restriction: str) -> None:
    inp = parse_prescription_input(with_(protocol=protocol))
    with pytest.raises(InvalidInput, match=restriction) as caught:
        prescribe(inp, decision=decision(restriction))
    assert caught.value.field == "protocol"


def test_the_screen_excludes_hiit_under_a_moderate_ceiling() -> None:
    data = with_(known_disease=["metabolic"], desired_intensity="moderate", protocol="hiit")
    with pytest.raises(InvalidInput) as caught:
        prescribe(parse_prescription_input(data))
    assert caught.value.field == "protocol"


def test_low_impact_removes_hiit_even_when_preferred_first() -> None:
    data = with_(conditions=["knee_osteoarthritis"], prefs={"modalities": ["hiit"]}, protocol="recommend")
    p = plan(data)
    assert p.protocol_id != "hiit"
    assert all(s.modality != "hiit" for s in sessions(p))
    assert any("hiit: excluded by the restriction low_impact" in r.text for r in p.rationale)


def test_supervised_only_delivers_a_supervised_protocol() -> None:
    p = plan(with_(parq={**PARQ_NO, "q7": True}, prefs={"setting": "home"}))
    assert "supervised" in get_protocol(p.protocol_id).settings
    assert all(any("Supervised session" in n for n in s.notes) for s in sessions(p))
    assert any(a.strategy == "supervised_sessions" and "Every session" in a.description for a in p.adherence)


def test_vigorous_sessions_carry_the_vigorous_notes() -> None:
    p = plan(with_(protocol="hiit"), decision=decision("exercise_professional_before_vigorous"))
    vigorous = [s for s in sessions(p) if "vigorous" in s.classes]
    assert vigorous
    assert all(any("exercise professional" in n for n in s.notes) for s in vigorous)


# --- dosing days -----------------------------------------------------------------------------------


def test_no_session_on_known_dosing_days() -> None:
    data = with_(medications=["esketamine"], dosing_days=["tue", "thu"], prefs={"setting": "home"})
    p = plan(data)
    assert not {s.day for s in sessions(p)} & {"tue", "thu"}
    assert all(any("dosing day" in n for n in s.notes) for s in sessions(p))
    assert any("No session on the dosing days tue, thu" in r.text for r in p.rationale)


def test_unknown_dosing_days_are_said_to_be_unknown() -> None:
    p = plan(with_(medications=["Spravato"], prefs={"setting": "home"}))
    assert all(any("dosing day" in n for n in s.notes) for s in sessions(p))
    assert any("not known to the engine" in r.text for r in p.rationale)


def test_dosing_days_that_leave_no_day_are_refused() -> None:
    data = with_(medications=["esketamine"], dosing_days=["mon"], prefs={"days": ["mon"]})
    with pytest.raises(InvalidInput) as caught:
        prescribe(parse_prescription_input(data))
    assert caught.value.field == "dosing_days"


# --- deconditioned start ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "deconditioned"),
    [
        ({"current_activity": {"ipaq_category": "low"}}, True),
        ({"current_activity": {"ipaq_category": "moderate"}}, False),
        ({"current_activity": {"minutes_per_week": 149}}, True),
        ({"current_activity": {"minutes_per_week": 150}}, False),
        ({"currently_active": False}, True),
        ({"currently_active": True}, False),
    ],
)
def test_who_is_deconditioned(changes: dict[str, Any], deconditioned: bool) -> None:
    p = plan(with_(protocol="tread_aerobic_dose", **changes))
    assert p.deconditioned is deconditioned
    assert p.weeks[0].target.start_level is deconditioned


@pytest.mark.parametrize("protocol", protocol_ids())
def test_a_deconditioned_start_ramps_over_at_least_six_weeks(protocol: str) -> None:
    p = plan(with_(protocol=protocol, current_activity={"ipaq_category": "low"}))
    proto = get_protocol(protocol)
    volumes = [w.target.volume for w in p.weeks]
    assert volumes[0] == proto.start_level.volume < proto.phases[0].volume
    assert p.weeks[0].target.start_level
    peak = max(ph.volume for ph in proto.phases)
    reached = [w.week for w in p.weeks if w.target.volume >= peak]
    assert not reached or reached[0] >= RULES.deconditioned.min_ramp_weeks
    assert not any(proto.progression.exceeds(a, b) for a, b in itertools.pairwise(volumes))


def test_fatigue_and_progress_gradually_start_low_too() -> None:
    assert plan(with_(protocol="yoga", symptoms_mood=["fatigue"])).weeks[0].target.start_level
    vigorous = with_(
        currently_active=False, desired_intensity="vigorous", current_activity={"ipaq_category": "high"}
    )
    p = plan({**vigorous, "protocol": "yoga"})
    assert not p.deconditioned
    assert p.weeks[0].target.start_level  # the screen's progress_gradually


# --- intensity -------------------------------------------------------------------------------------


def test_heart_rate_ranges_are_the_karvonen_zones_of_the_classes() -> None:
    p = plan(with_(protocol="smile_aerobic", hrmax=180, prefs={"setting": "group"}))
    zones = hr_zones(age=45, resting_hr=66, hrmax=180)
    for s in sessions(p):
        assert s.hr_range_bpm == (getattr(zones, s.classes[0])[0], getattr(zones, s.classes[-1])[1])
        assert rpe_range(s.classes[0])[0] <= s.rpe_range[0] <= s.rpe_range[1] <= rpe_range(s.classes[-1])[1]
    assert any("measured HRmax 180" in r.text for r in p.rationale)


def test_the_hrmax_formula_is_used_and_cited() -> None:
    p = plan(with_(protocol="yoga", hrmax_formula="gellish"))
    assert any("Gellish" in r.text and "Gellish" in r.source for r in p.rationale)


# --- days and session length -----------------------------------------------------------------------


def test_fewer_days_than_the_frequency_uses_them_all_and_says_so() -> None:
    p = plan(EXAMPLE)
    assert all([s.day for s in w.sessions] == ["mon", "wed", "fri"] for w in p.weeks)
    assert all(w.target.frequency == 5 and w.target.sessions == 3 for w in p.weeks)
    assert any("only 3 days are available" in r.text for r in p.rationale)


def test_strength_days_are_not_back_to_back_when_avoidable() -> None:
    p = plan(with_(protocol="progressive_resistance", prefs={"days": ["mon", "tue", "wed"]}))
    assert all([s.day for s in w.sessions] == ["mon", "wed"] for w in p.weeks)
    forced = plan(with_(protocol="progressive_resistance", prefs={"days": ["mon", "tue"]}))
    assert any("consecutive days" in r.text for r in forced.rationale)


def test_session_length_fits_or_the_rationale_says_why() -> None:
    fits = plan(with_(protocol="home_walking", prefs={"setting": "home", "minutes": 40}))
    assert any("fits the preferred 40 minutes" in r.text for r in fits.rationale)
    long = plan(with_(protocol="tread_aerobic_dose", prefs={"minutes": 30}))
    assert any("longer than the preferred 30" in r.text for r in long.rationale)


def test_an_energy_dose_is_spread_over_fewer_days_and_computed_with_the_weight() -> None:
    p = plan(with_(protocol="dose_public_health", weight_kg=80, prefs={"days": ["mon", "wed", "fri"]}))
    last = p.weeks[-1]
    assert last.target.volume == 17.5
    assert last.target.energy_kcal_per_week == 1400.0
    assert last.sessions[0].minutes == 70  # 5 x 42 min on 3 days
    assert any("energy dose is spread" in r.text for r in p.rationale)


# --- tailoring and adherence -----------------------------------------------------------------------


def test_low_motivation_adds_supervision_group_and_contacts() -> None:
    p = plan(with_(EXAMPLE, symptoms_mood=["low_motivation"]))
    added = [a for a in p.adherence if "low motivation" in a.description]
    assert {a.strategy for a in added} == {"supervised_sessions", "group_sessions", "follow_up_contacts"}
    assert all("the Stride clinical loop: review and adaptation" in a.source for a in added)
    assert any("Tailored for low motivation" in r.text for r in p.rationale)


def test_symptom_notes_go_on_every_session() -> None:
    p = plan(with_(protocol="yoga", symptoms_mood=["anxiety", "poor_sleep"]))
    assert all(any(n.startswith("Anxiety") for n in s.notes) for s in sessions(p))
    assert all(any(n.startswith("Poor sleep") for n in s.notes) for s in sessions(p))


# --- the recommendation ----------------------------------------------------------------------------


def test_the_example_patient_gets_home_walking() -> None:
    p = plan(EXAMPLE)
    assert p.protocol_id == "home_walking"
    assert p.deconditioned
    assert all(s.hr_range_bpm is None for s in sessions(p))
    assert p.weeks[0].target.volume == 1000
    assert p.weeks[5].target.volume == 3000
    assert any(r.text.startswith("Protocol recommended: home_walking") for r in p.rationale)


def test_ranking_is_evidence_times_preference_times_restrictions() -> None:
    inp = parse_prescription_input(EXAMPLE)
    ranked = rank_protocols(inp, screen(inp.screening), rules=RULES)
    allowed = [r for r in ranked if r.excluded is None]
    assert next(r.protocol for r in allowed) == "home_walking"
    assert [r.score for r in allowed] == sorted((r.score for r in allowed), reverse=True)
    for r in allowed:
        assert r.score == pytest.approx(
            r.effect_g * r.trd_weight * r.preference_weight * r.restriction_weight
        )
    assert {r.protocol for r in ranked if r.excluded} >= {"hiit", "smile_aerobic", "trace_rmd_combined"}


def test_ties_are_broken_by_id() -> None:
    flat = dataclasses.replace(
        RULES.ranking, measure="none", modality_g=dict.fromkeys(RULES.ranking.modality_g, 0.5), trd_weight=1.0
    )
    rules = dataclasses.replace(RULES, ranking=flat)
    inp = parse_prescription_input(with_(prefs={"setting": "gym"}))
    allowed = [
        r.protocol for r in rank_protocols(inp, screen(inp.screening), rules=rules) if r.excluded is None
    ]
    assert allowed == sorted(allowed)


def test_hiit_only_when_preferred_first_and_allowed() -> None:
    vigorous = with_(desired_intensity="vigorous", protocol="recommend")
    assert plan(with_(vigorous, prefs={"modalities": ["hiit"]})).protocol_id == "hiit"
    assert plan(with_(vigorous, prefs={"modalities": ["resistance", "hiit"]})).protocol_id != "hiit"
    assert plan(with_(vigorous, prefs={"modalities": []})).protocol_id != "hiit"


def test_trd_evidence_weighs_more() -> None:
    inp = parse_prescription_input(with_(prefs={"setting": "gym"}))
    ranked = {r.protocol: r for r in rank_protocols(inp, screen(inp.screening), rules=RULES)}
    assert ranked["tread_aerobic_dose"].trd_weight == RULES.ranking.trd_weight
    assert ranked["dose_public_health"].trd_weight == 1.0
    assert ranked["tread_aerobic_dose"].score > ranked["dose_public_health"].score


# --- every protocol, a typical profile ----------------------------------------------------------------


SETTING = {p: get_protocol(p).settings[0] for p in protocol_ids()}


@pytest.mark.parametrize("protocol", protocol_ids())
def test_a_plan_of_the_protocols_own_length_from_every_protocol(protocol: str) -> None:
    data = with_(protocol=protocol, desired_intensity="vigorous", prefs={"setting": SETTING[protocol]})
    p = plan(data)
    assert p.protocol_id == protocol
    assert [w.week for w in p.weeks] == list(range(1, get_protocol(protocol).duration_weeks + 1))
    for w in p.weeks:
        assert len(w.sessions) == w.target.frequency
        assert [s.day for s in w.sessions] == sorted((s.day for s in w.sessions), key=WEEK.index)
        assert w.target.volume_unit == get_protocol(protocol).volume_unit
    assert all(r.text and r.source for r in (*p.rationale, *p.progression))
    assert plan_from_dict(plan_to_dict(p)) == p


def test_plan_length_cut_or_held() -> None:
    assert len(plan(with_(protocol="smile_aerobic", prefs={"setting": "group"})).weeks) == 16
    short = plan(with_(protocol="smile_aerobic", prefs={"setting": "group"}, weeks=12))
    assert len(short.weeks) == 12
    assert any("the first 12 of the protocol's 16 weeks" in r.text for r in short.rationale)
    long = plan(with_(protocol="yoga", weeks=16))
    assert len(long.weeks) == 16
    assert long.weeks[-1].target == dataclasses.replace(long.weeks[11].target)
    assert any("held for 4 more" in r.text for r in long.rationale)


def test_start_date_only_labels_the_weeks() -> None:
    dated = plan(with_(protocol="yoga", start_date="2026-03-02"))
    undated = plan(with_(protocol="yoga"))
    assert str(dated.weeks[1].starts_on) == "2026-03-09"
    assert (
        dataclasses.replace(dated, weeks=tuple(dataclasses.replace(w, starts_on=None) for w in dated.weeks))
        == undated
    )


def test_unknown_protocol_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        prescribe(parse_prescription_input(with_(protocol="zumba")))
    assert caught.value.field == "protocol"


def test_plan_from_dict_names_the_bad_path() -> None:
    data = plan_to_dict(plan(with_(protocol="yoga")))
    data["weeks"][2]["sessions"][0]["rpe_range"] = [12]
    with pytest.raises(InvalidInput) as caught:
        plan_from_dict(data)
    assert caught.value.field == "weeks[2].sessions[0].rpe_range"
