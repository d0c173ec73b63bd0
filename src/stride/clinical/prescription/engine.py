"""The prescription engine: an individual exercise plan (FITT-VP, week by week) from a standard
protocol, tailored to the screen, fitness, preferences, symptoms and medication.

:func:`prescribe` is pure and deterministic (no clock; a ``start_date`` in the input only labels the
weeks). It refuses, as a return value, when the screen defers exercise or requires medical
clearance. Otherwise it chooses the protocol (the clinician's, or the best-ranked one by evidence x
preference x restrictions), starts a deconditioned person at the protocol's start level, caps every
session at the screen's intensity ceiling, sets intensity by RPE only under beta-blockers, places the
sessions on the patient's days, and gives the source of every choice. The rules are cited data in
``data/prescription.toml`` and the protocol files, each rule with its cited source.
"""

from __future__ import annotations

from stride.clinical.labels import label
from stride.clinical.prescription.explain import (
    Start,
    adherence,
    applied_restrictions,
    heart_rate_rationale,
    intensity_rationale,
    progression,
    session_notes,
    start_rationale,
    starting_point,
)
from stride.clinical.prescription.input import (
    RECOMMEND,
    CurrentActivity,
    Preferences,
    PrescriptionInput,
    parse_prescription_input,
    prescription_input_to_json,
)
from stride.clinical.prescription.intensity import Zones, hr_zones
from stride.clinical.prescription.model import (
    AdherenceItem,
    AppliedRestriction,
    Plan,
    PlanSession,
    PlanTarget,
    PlanWeek,
    PrescriptionResult,
    Rationale,
    Refusal,
    StrengthSet,
    plan_from_dict,
    plan_to_dict,
    refusal_to_dict,
)
from stride.clinical.prescription.protocol_model import Protocol
from stride.clinical.prescription.ranking import (
    RankedProtocol,
    choose_protocol,
    delivery_setting,
    rank_protocols,
)
from stride.clinical.prescription.rules import PrescriptionRules, prescription_rules
from stride.clinical.prescription.schedule import available_days, schedule_rationale, session_modality
from stride.clinical.prescription.sessions import WeekContext, build_week
from stride.clinical.prescription.weeks import plan_targets, spread_days
from stride.clinical.safety import Decision, ScreeningDecision, ScreeningRules, screen, screening_rules

__all__ = [
    "RECOMMEND",
    "AdherenceItem",
    "AppliedRestriction",
    "CurrentActivity",
    "Plan",
    "PlanSession",
    "PlanTarget",
    "PlanWeek",
    "Preferences",
    "PrescriptionInput",
    "PrescriptionResult",
    "PrescriptionRules",
    "RankedProtocol",
    "Rationale",
    "Refusal",
    "StrengthSet",
    "parse_prescription_input",
    "plan_from_dict",
    "plan_to_dict",
    "prescribe",
    "prescription_input_to_json",
    "prescription_rules",
    "rank_protocols",
    "refusal_to_dict",
]

#: Screening decisions that allow no plan: exercise waits for stabilisation or a physician.
NOT_CLEARED = (Decision.DEFER, Decision.MEDICAL_CLEARANCE_REQUIRED)


def _zones(inp: PrescriptionInput, decision: ScreeningDecision) -> Zones | None:
    if decision.intensity_by_rpe_only:
        return None
    return hr_zones(
        age=inp.screening.age, resting_hr=inp.resting_hr, hrmax=inp.hrmax, formula=inp.hrmax_formula
    )


def _context(
    inp: PrescriptionInput, decision: ScreeningDecision, protocol: Protocol, rules: PrescriptionRules
) -> WeekContext:
    every, first, vigorous = session_notes(protocol, inp, decision, rules)
    return WeekContext(
        protocol=protocol,
        modality=session_modality(protocol, inp.preferences),
        zones=_zones(inp, decision),
        ceiling=decision.max_intensity,
        redistribute=protocol.volume_unit in rules.schedule.redistribute_units,
        weight_kg=inp.weight_kg,
        rir_per_rpe_point=rules.rir_per_rpe_point,
        notes=every,
        first_notes=first,
        vigorous_notes=vigorous,
        start_date=inp.start_date,
    )


def _screen_rationale(decision: ScreeningDecision) -> Rationale:
    restrictions = ", ".join(label(r) for r in decision.restrictions) or "none"
    acsm = [r.source for r in decision.reasons if r.code.startswith("acsm_")]
    source = "; ".join([*acsm[:1], "Stride's pre-exercise screening rules (conditions, medications)"])
    reasons = len(decision.reasons)
    return Rationale(
        f"Pre-exercise screen: {label(decision.decision)} ({reasons} reason{'' if reasons == 1 else 's'}, "
        f"listed with the screening); restrictions: {restrictions}.",
        source,
    )


def _build(
    inp: PrescriptionInput, decision: ScreeningDecision, rules: PrescriptionRules, screening: ScreeningRules
) -> Plan:
    protocol, choice = choose_protocol(inp, decision, rules=rules)
    start: Start = starting_point(inp, decision, rules)
    targets, slowed = plan_targets(
        protocol,
        start_low=start.low,
        weeks=protocol.duration_weeks if inp.weeks is None else inp.weeks,
        min_ramp_weeks=rules.deconditioned.min_ramp_weeks,
    )
    days, day_notes = available_days(inp, decision, rules)
    ctx = _context(inp, decision, protocol, rules)
    weeks = tuple(
        build_week(ctx, t, spread_days(days, t.frequency, week=rules.schedule.days)) for t in targets
    )
    setting = delivery_setting(inp.preferences, decision, rules)
    restrictions = applied_restrictions(protocol, decision, screening, rules)
    rationale = (
        _screen_rationale(decision),
        *choice,
        *start_rationale(protocol, start, targets, rules, slowed=slowed),
        *intensity_rationale(protocol, weeks, decision, screening),
        heart_rate_rationale(inp, ctx.zones, decision, screening, rules),
        *schedule_rationale(protocol, inp, weeks, days, setting, rules),
        *day_notes,
        *(Rationale(f"{r.code} ({r.action}): {r.text}", r.source) for r in restrictions),
    )
    return Plan(
        protocol_id=protocol.id,
        protocol_name=protocol.name,
        decision=decision.decision.value,
        deconditioned=start.deconditioned,
        weeks=weeks,
        progression=progression(protocol, start, rules),
        adherence=adherence(protocol, inp, decision, rules),
        restrictions=restrictions,
        rationale=rationale,
    )


def prescribe(
    inp: PrescriptionInput,
    *,
    decision: ScreeningDecision | None = None,
    rules: PrescriptionRules | None = None,
    screening: ScreeningRules | None = None,
) -> PrescriptionResult:
    """An individual exercise plan, or a refusal when the screen does not clear the person.

    Parameters
    ----------
    inp
        The input, usually from :func:`parse_prescription_input`.
    decision
        The screening decision the plan must respect; ``None`` screens ``inp`` now with
        :func:`~stride.clinical.safety.screening.screen`.
    rules
        The engine's rules; default :func:`prescription_rules` ().
    screening
        The screening rules (texts and sources of the restrictions, and the screen itself when
        ``decision`` is ``None``); default the packaged rules.

    Returns
    -------
    Plan | Refusal
        A :class:`Refusal` carrying the screen's decision and reasons when it is ``defer`` or
        ``medical_clearance_required``; otherwise a :class:`Plan` of ``inp.weeks`` weeks (the
        protocol's own length when ``inp.weeks`` is None).

    Raises
    ------
    InvalidInput
        Naming ``protocol`` for an unknown protocol or one the screening restrictions exclude;
        naming ``dosing_days`` when the dosing days leave no day for a session.
    """
    rules = rules or prescription_rules()
    screening = screening or screening_rules()
    decision = decision if decision is not None else screen(inp.screening, rules=screening)
    if decision.decision in NOT_CLEARED:
        return Refusal(decision.decision, decision.reasons)
    return _build(inp, decision, rules, screening)
