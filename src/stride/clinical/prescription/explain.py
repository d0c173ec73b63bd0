"""The parts of a plan that explain and tailor it: where the person starts, the restrictions
applied, the adherence support, the session notes, and the rationale of each choice with its source.

Pure helpers of :mod:`stride.clinical.prescription`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stride.clinical.labels import label
from stride.clinical.prescription.input import PrescriptionInput
from stride.clinical.prescription.intensity import Zones, intensity_rules
from stride.clinical.prescription.model import AdherenceItem, AppliedRestriction, PlanWeek, Rationale
from stride.clinical.prescription.protocol_model import Protocol, WeekTarget
from stride.clinical.prescription.ranking import contraindication
from stride.clinical.prescription.rules import PrescriptionRules
from stride.clinical.safety import ScreeningDecision, ScreeningRules


@dataclass(frozen=True, slots=True)
class Start:
    """Whether the person is deconditioned, whether the plan starts at the start level, and why."""

    deconditioned: bool
    low: bool
    rationale: tuple[Rationale, ...]


def _conditioning(inp: PrescriptionInput, rules: PrescriptionRules) -> tuple[bool, Rationale]:
    rule, activity = rules.deconditioned, inp.current_activity
    if activity is not None and activity.ipaq_category is not None:
        low = activity.ipaq_category in rule.ipaq_categories
        return low, Rationale(
            f"IPAQ category {activity.ipaq_category}: {'deconditioned' if low else 'not deconditioned'}.",
            rule.ipaq_source,
        )
    if activity is not None and activity.minutes_per_week is not None:
        low = activity.minutes_per_week < rule.minutes_below
        side = "below" if low else "at or above"
        return low, Rationale(
            f"{activity.minutes_per_week} min a week of moderate activity, {side} {rule.minutes_below}: "
            f"{'deconditioned' if low else 'not deconditioned'}.",
            rule.minutes_source,
        )
    low = not inp.screening.currently_active
    state = "not exercising regularly" if low else "exercising regularly"
    return low, Rationale(
        f"No current activity given; {state} in the ACSM sense: "
        f"{'deconditioned' if low else 'not deconditioned'}.",
        rule.fallback_source,
    )


def starting_point(inp: PrescriptionInput, decision: ScreeningDecision, rules: PrescriptionRules) -> Start:
    """Deconditioned (IPAQ low, < 150 min a week, or not currently active), and whether a restriction
    (progress gradually) or a symptom (fatigue) also asks for the protocol's start level."""
    deconditioned, why = _conditioning(inp, rules)
    reasons, low = [why], deconditioned
    for code in decision.restrictions:
        rule = rules.restriction(code)
        if rule.start_level:
            low = True
            reasons.append(Rationale(f"The restriction {code} asks for a gradual start.", rule.source))
    for code in inp.symptoms_mood:
        symptom = rules.symptoms.get(code)
        if symptom is not None and symptom.start_level:
            low = True
            reasons.append(Rationale(f"Reported {symptom.label}: start gently.", symptom.source))
    return Start(deconditioned, low, tuple(reasons))


def start_rationale(
    protocol: Protocol,
    start: Start,
    targets: tuple[WeekTarget, ...],
    rules: PrescriptionRules,
    *,
    slowed: bool,
) -> list[Rationale]:
    """Why the plan starts where it starts, and how the dose is built up."""
    out = list(start.rationale)
    first = protocol.phases[0]
    unit = label(protocol.volume_unit)
    if not start.low:
        out.append(
            Rationale(f"Starts at week 1 of the schedule ({first.volume:g} {unit}).", first.sources.volume)
        )
        return out
    level = protocol.start_level
    full = next((t.week for t in targets if not t.start_level), None)
    reached = (
        f"the schedule is reached in week {full}" if full else "the schedule is not reached within the plan"
    )
    out.append(
        Rationale(
            f"Starts at the protocol's start level: {level.volume:g} {unit} ({level.frequency} x "
            f"{level.minutes} min at {'-'.join(level.intensity)}, RPE {level.rpe[0]}-{level.rpe[1]}), "
            f"below week 1's {first.volume:g}; "
            f"{reached}. The protocol's start level applies to: {level.applies_to}",
            level.source,
        )
    )
    if slowed:
        out.append(_spread_ramp(rules))
    return out


def _spread_ramp(rules: PrescriptionRules) -> Rationale:
    """Why the ramp up from the start level is slower than the protocol's own."""
    ramp = rules.deconditioned.min_ramp_weeks
    return Rationale(
        f"The protocol's own ramp would reach the full dose before week {ramp}; it is spread over "
        f"at least {ramp} weeks instead, never faster than the protocol's weekly step.",
        rules.deconditioned.ramp_source,
    )


def progression(protocol: Protocol, start: Start, rules: PrescriptionRules) -> tuple[Rationale, ...]:
    """The progression rules of the plan: the protocol's, and the start-level ramp if it applies."""
    rule = protocol.progression
    limit = (
        f"{rule.max_weekly_increase:g}{' %' if rule.unit == 'percent' else ' ' + label(protocol.volume_unit)}"
    )
    out = [Rationale(f"{rule.description} Never more than {limit} more than the week before.", rule.source)]
    if start.low:
        weeks = rules.deconditioned.min_ramp_weeks
        out.append(
            Rationale(
                "From the start level the volume rises by at most the protocol's step a week and reaches "
                f"the full dose no earlier than week {weeks}.",
                rules.deconditioned.ramp_source,
            )
        )
    return tuple(out)


def applied_restrictions(
    protocol: Protocol, decision: ScreeningDecision, screening: ScreeningRules, rules: PrescriptionRules
) -> tuple[AppliedRestriction, ...]:
    """Each screening restriction and what it means for this protocol (its note, or the engine's rule)."""
    out = []
    for code in decision.restrictions:
        defined = screening.restrictions.get(code)
        text = defined.text if defined else code
        note = contraindication(protocol, code)
        engine = (
            rules.restrictions[code].source
            if code in rules.restrictions
            else (defined.source if defined else "screening.toml [restrictions]")
        )
        if note is not None:
            source = f"{engine}; protocols/{protocol.id}.toml: {note.source}"
            out.append(AppliedRestriction(code, note.action, f"{text} Protocol: {note.note}", source))
        else:
            out.append(AppliedRestriction(code, "applied", text, engine))
    return tuple(out)


def adherence(
    protocol: Protocol, inp: PrescriptionInput, decision: ScreeningDecision, rules: PrescriptionRules
) -> tuple[AdherenceItem, ...]:
    """The protocol's adherence support, plus what the symptoms and restrictions add."""
    out = [AdherenceItem(a.strategy, a.description, a.source) for a in protocol.adherence]
    for code in inp.symptoms_mood:
        symptom = rules.symptoms.get(code)
        if symptom is None:
            continue
        for add in symptom.adherence:
            text = f"Because of {symptom.label}: {add.description}"
            out.append(AdherenceItem(add.strategy, text, symptom.source))
    for code in decision.restrictions:
        rule = rules.restriction(code)
        if rule.require_setting == "supervised":
            out.append(AdherenceItem("supervised_sessions", "Every session is supervised.", rule.source))
    return tuple(out)


def session_notes(
    protocol: Protocol, inp: PrescriptionInput, decision: ScreeningDecision, rules: PrescriptionRules
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The notes for every session, for the first session, and for vigorous sessions."""
    every: list[str] = []
    first: list[str] = []
    vigorous: list[str] = []
    for code in decision.restrictions:
        rule = rules.restriction(code)
        every += [rule.session_note] if rule.session_note else []
        first += [rule.first_session_note] if rule.first_session_note else []
        vigorous += [rule.vigorous_note] if rule.vigorous_note else []
        note = contraindication(protocol, code)
        if note is not None and note.action == "modify" and rule.protocol_note_on_sessions:
            every.append(note.note)
    for code in inp.symptoms_mood:
        symptom = rules.symptoms.get(code)
        if symptom is not None and symptom.note:
            every.append(symptom.note)
    return _unique(every), _unique(first), _unique(vigorous)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _intensity_runs(weeks: tuple[PlanWeek, ...]) -> str:
    # "weeks 1-5 light (RPE 9-11); weeks 6-12 moderate (RPE 12-13)": runs of weeks alike.
    runs: list[tuple[int, int, str]] = []
    for week in weeks:
        low, high = week.target.rpe_range
        text = f"{week.target.intensity} (RPE {low}-{high})"
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], week.week, text)
        else:
            runs.append((week.week, week.week, text))
    return "; ".join(f"week {a} {t}" if a == b else f"weeks {a}-{b} {t}" for a, b, t in runs)


def intensity_rationale(
    protocol: Protocol, weeks: tuple[PlanWeek, ...], decision: ScreeningDecision, screening: ScreeningRules
) -> list[Rationale]:
    """The intensity of each run of weeks, and the ceiling if the screen set one."""
    out = [Rationale(f"Intensity: {_intensity_runs(weeks)}.", protocol.phases[0].sources.intensity)]
    if decision.max_intensity is not None:
        code = f"max_intensity_{decision.max_intensity}"
        defined = screening.restrictions.get(code)
        out.append(
            Rationale(
                f"Every session is capped at {decision.max_intensity} intensity (classes above it dropped, "
                "RPE cut to the class range).",
                defined.source if defined else "screening.toml [restrictions]",
            )
        )
    return out


def heart_rate_rationale(
    inp: PrescriptionInput,
    zones: Zones | None,
    decision: ScreeningDecision,
    screening: ScreeningRules,
    rules: PrescriptionRules,
) -> Rationale:
    """Heart-rate targets from Karvonen zones, or none (intensity by RPE only)."""
    if zones is None:
        defined = screening.restrictions.get("intensity_by_rpe")
        reasons = [r.text for r in decision.reasons if r.code in ("beta_blocker", "heart_rate_lowering")]
        return Rationale(
            "No heart-rate targets in any session: intensity is prescribed by RPE and the talk test only. "
            + " ".join(reasons),
            defined.source if defined else rules.heart_rate_source,
        )
    if inp.hrmax is not None:
        how, source = f"measured HRmax {zones.hrmax} bpm", rules.heart_rate_source
    else:
        formula = intensity_rules().formula(inp.hrmax_formula)
        how, source = (
            f"HRmax {zones.hrmax} bpm estimated by {formula.name}",
            f"{rules.heart_rate_source}; {formula.source}",
        )
    return Rationale(
        f"Heart-rate ranges are the Karvonen zones of each session's intensity classes, from resting HR "
        f"{zones.resting_hr} bpm and {how} (light {zones.light[0]}-{zones.light[1]}, moderate "
        f"{zones.moderate[0]}-{zones.moderate[1]}, vigorous {zones.vigorous[0]}-{zones.vigorous[1]} bpm).",
        source,
    )
