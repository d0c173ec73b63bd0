"""Properties of the prescription engine over random valid profiles (Hypothesis, explicit seeds, no
example database): no plan exceeds its restrictions (ceilings, RPE only, exclusions), intensity
ranges lie inside the zones they claim, progression never jumps more than the protocol allows,
sessions fall only on available days, plans last at least 6 weeks, the same input gives the same
plan, and plans survive the JSON round trip."""

from __future__ import annotations

import itertools
from typing import Any, get_args

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from stride.clinical.prescription import (
    RECOMMEND,
    Plan,
    PrescriptionInput,
    Refusal,
    get_protocol,
    parse_prescription_input,
    plan_from_dict,
    plan_to_dict,
    prescribe,
    prescription_input_to_json,
    prescription_rules,
    protocol_ids,
)
from stride.clinical.prescription.intensity import CLASS_IDS, Zones, hr_zones, rpe_range
from stride.clinical.prescription.protocol_model import Modality, Setting
from stride.clinical.safety import Decision, ScreeningDecision, screen, screening_rules
from stride.errors import InvalidInput

SETTINGS = settings(max_examples=200, deadline=None, database=None)
RULES = prescription_rules()
SCREEN = screening_rules()
WEEK = RULES.schedule.days
# Restriction-only conditions mostly; a few that need clearance or defer, so refusals occur too.
CONDITIONS = ["hypertension", "knee_osteoarthritis", "osteoporosis", "osteoporotic_vertebral_fracture"]
NOT_CLEARING = ["diabetes", "pregnancy", "mania"]
MEDICINES = ["bisoprolol", "metoprolol", "esketamine", "sertraline", "verapamil", "bupropion"]
RESTRICTIONS = sorted(SCREEN.restrictions)
NOT_CLEARED = (Decision.DEFER, Decision.MEDICAL_CLEARANCE_REQUIRED)
RARELY = st.integers(0, 7).map(lambda x: x == 7)  # about 1 in 8 (PAR-Q+ 2-3 imply ACSM symptoms)


def subset(values: list[str], **kwargs: Any) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), unique=True, **kwargs)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "age": draw(st.integers(min_value=18, max_value=85)),
        "sex": draw(st.sampled_from(["female", "male", "other"])),
        "currently_active": draw(st.booleans()),
        "known_disease": ["metabolic"] if draw(RARELY) else [],
        "symptoms": ["palpitations"] if draw(RARELY) else [],
        "desired_intensity": draw(st.sampled_from(["light", "moderate", "vigorous"])),
        "resting_bp": draw(st.none() | st.sampled_from([[118, 76], [138, 88], [150, 95]])),
        "parq": {
            f"q{i}": draw(RARELY if i in (2, 3) else st.booleans()) for i in draw(st.sets(st.integers(1, 7)))
        },
        "phq9_item9": draw(st.none() | st.just(0)) if not draw(RARELY) else 1,
        "medications": draw(subset(MEDICINES, max_size=2)),
        "conditions": draw(subset(CONDITIONS, max_size=2))
        + ([draw(st.sampled_from(NOT_CLEARING))] if draw(RARELY) else []),
        "resting_hr": draw(st.integers(min_value=45, max_value=95)),
        "hrmax": draw(st.none() | st.integers(min_value=150, max_value=200)),
        "hrmax_formula": draw(st.sampled_from(["tanaka", "gellish", "fox"])),
        "weight_kg": draw(st.floats(min_value=40, max_value=160, allow_nan=False)),
        "preferences": {
            "modalities": draw(subset(list(get_args(Modality)), max_size=3)),
            "setting": draw(st.sampled_from(list(get_args(Setting)))),
            "days": draw(subset(list(WEEK), min_size=1)),
            "minutes": draw(st.integers(min_value=10, max_value=120)),
        },
        "protocol": draw(st.sampled_from([RECOMMEND, RECOMMEND, *protocol_ids()])),
        "weeks": draw(st.integers(min_value=6, max_value=20)),
        "symptoms_mood": draw(subset(["fatigue", "low_motivation", "anxiety", "poor_sleep"])),
        "dosing_days": draw(subset(list(WEEK), max_size=2)),
    }
    activity = draw(st.sampled_from(["none", "ipaq", "minutes"]))
    if activity == "ipaq":
        data["current_activity"] = {"ipaq_category": draw(st.sampled_from(["low", "moderate", "high"]))}
    elif activity == "minutes":
        data["current_activity"] = {"minutes_per_week": draw(st.integers(min_value=0, max_value=400))}
    return data


@st.composite
def decisions(draw: st.DrawFn) -> ScreeningDecision:
    """Hand-built cleared decisions: any restrictions, including ceilings no screen rule sets today."""
    restrictions = tuple(draw(subset(RESTRICTIONS, max_size=5)))
    ceilings = [SCREEN.restrictions[c].max_intensity for c in restrictions]
    ceiling = min((c for c in ceilings if c), key=CLASS_IDS.index, default=None)
    kind = Decision.CLEARED_WITH_RESTRICTIONS if restrictions else Decision.CLEARED
    return ScreeningDecision(kind, (), restrictions, ceiling)


def attempt(inp: PrescriptionInput, decision: ScreeningDecision | None = None) -> Plan | Refusal | None:
    """The result, or None when the input names something the restrictions forbid (never silently)."""
    try:
        return prescribe(inp, decision=decision)
    except InvalidInput as exc:
        assert exc.field in ("protocol", "dosing_days")
        if exc.field == "protocol":
            assert inp.protocol != RECOMMEND
        return None


def zones(inp: PrescriptionInput) -> Zones:
    return hr_zones(
        age=inp.screening.age, resting_hr=inp.resting_hr, hrmax=inp.hrmax, formula=inp.hrmax_formula
    )


def check_plan(inp: PrescriptionInput, decision: ScreeningDecision, plan: Plan) -> None:
    protocol = get_protocol(plan.protocol_id)
    # Exclusions: neither the protocol's own 'exclude' nor the engine's modality rules.
    for code in decision.restrictions:
        assert all(not (c.restriction == code and c.action == "exclude") for c in protocol.contraindications)
        assert not set(RULES.restriction(code).exclude_modalities) & set(protocol.modalities)
    if inp.protocol == RECOMMEND and "hiit" in protocol.modalities:
        assert inp.preferences.modalities[:1] == ("hiit",)
    assert len(plan.weeks) == inp.weeks >= 6
    days = set(inp.preferences.days)
    if decision.no_session_on_dosing_days:
        days -= set(inp.dosing_days)
    z = None if decision.intensity_by_rpe_only else zones(inp)
    for week in plan.weeks:
        assert len(week.sessions) == min(week.target.frequency, len(days))
        assert {s.day for s in week.sessions} <= days
        assert len({s.day for s in week.sessions}) == len(week.sessions)
        for s in week.sessions:
            check_session(s, decision, z)


def check_session(s: Any, decision: ScreeningDecision, z: Zones | None) -> None:
    low, high = s.classes[0], s.classes[-1]
    assert rpe_range(low)[0] <= s.rpe_range[0] <= s.rpe_range[1] <= rpe_range(high)[1]
    assert all(x.load_rpe[0] <= x.load_rpe[1] <= s.rpe_range[1] for x in s.strength)
    if decision.max_intensity is not None:
        top = CLASS_IDS.index(decision.max_intensity)
        assert all(CLASS_IDS.index(c) <= top for c in s.classes)
        assert s.rpe_range[1] <= rpe_range(decision.max_intensity)[1]
    if z is None:
        assert s.hr_range_bpm is None
    else:
        assert s.hr_range_bpm is not None
        assert getattr(z, low)[0] <= s.hr_range_bpm[0] <= s.hr_range_bpm[1] <= getattr(z, high)[1]


def check_progression(plan: Plan, deconditioned_start: bool) -> None:
    protocol = get_protocol(plan.protocol_id)
    volumes = [w.target.volume for w in plan.weeks]
    assert not any(protocol.progression.exceeds(a, b) for a, b in itertools.pairwise(volumes))
    if deconditioned_start:
        peak = max(p.volume for p in protocol.phases)
        assert volumes[0] == protocol.start_level.volume < peak
        reached = [i + 1 for i, v in enumerate(volumes) if v >= peak]
        assert not reached or reached[0] >= RULES.deconditioned.min_ramp_weeks


@seed(20261301)
@SETTINGS
@given(profiles())
def test_plans_respect_the_screen(data: dict[str, Any]) -> None:
    inp = parse_prescription_input(data)
    decision = screen(inp.screening)
    result = attempt(inp)
    if isinstance(result, Refusal):
        assert decision.decision in NOT_CLEARED
        assert result.reasons == decision.reasons
    elif isinstance(result, Plan):
        assert decision.decision not in NOT_CLEARED
        check_plan(inp, decision, result)
        check_progression(result, result.weeks[0].target.start_level)


@seed(20261302)
@SETTINGS
@given(profiles(), decisions())
def test_plans_respect_any_restrictions(data: dict[str, Any], decision: ScreeningDecision) -> None:
    inp = parse_prescription_input(data)
    result = attempt(inp, decision)
    assert not isinstance(result, Refusal)
    if result is not None:
        check_plan(inp, decision, result)
        check_progression(result, result.weeks[0].target.start_level)
        if "progress_gradually" in decision.restrictions or result.deconditioned:
            assert result.weeks[0].target.start_level


@seed(20261303)
@SETTINGS
@given(profiles())
def test_same_input_same_plan(data: dict[str, Any]) -> None:
    inp = parse_prescription_input(data)
    first = attempt(inp)
    assert attempt(inp) == first
    assert attempt(parse_prescription_input(prescription_input_to_json(inp))) == first
    assert attempt(parse_prescription_input(dict(reversed(list(data.items()))))) == first


@seed(20261304)
@SETTINGS
@given(profiles(), decisions())
def test_json_round_trip(data: dict[str, Any], decision: ScreeningDecision) -> None:
    result = attempt(parse_prescription_input(data), decision)
    if isinstance(result, Plan):
        assert plan_from_dict(plan_to_dict(result)) == result
