"""Where and when the sessions go: the days available, the session's modality, and the rationale of
the schedule (plan length, days, session length, setting, dose and mood tailoring).

Pure helpers of :mod:`stride.clinical.prescription`.
"""

from __future__ import annotations

from stride.clinical.prescription.input import Preferences, PrescriptionInput
from stride.clinical.prescription.model import PlanWeek, Rationale
from stride.clinical.prescription.protocol_model import Protocol
from stride.clinical.prescription.rules import PrescriptionRules
from stride.clinical.prescription.weeks import back_to_back
from stride.clinical.safety import ScreeningDecision
from stride.errors import InvalidInput


def session_modality(protocol: Protocol, prefs: Preferences) -> str:
    """The protocol's modality the patient prefers most, else the protocol's first modality."""
    for modality in prefs.modalities:
        if modality in protocol.modalities:
            return modality
    return protocol.modalities[0]


def available_days(
    inp: PrescriptionInput, decision: ScreeningDecision, rules: PrescriptionRules
) -> tuple[tuple[str, ...], list[Rationale]]:
    """The patient's days minus any ketamine/esketamine dosing day, and why.

    Raises
    ------
    InvalidInput
        Naming ``dosing_days`` when no day is left.
    """
    days, notes = inp.preferences.days, []
    if not decision.no_session_on_dosing_days:
        if inp.dosing_days:
            notes.append(
                Rationale(
                    "Dosing days were given but the screen set no dosing-day rule: not used.",
                    "screening restrictions (medications.toml [dosing_day])",
                )
            )
        return days, notes
    source = rules.restriction("no_session_on_dosing_days").source
    if not inp.dosing_days:
        notes.append(
            Rationale(
                "No session on a ketamine or esketamine dosing day, but the dosing days are not known to the "
                "engine: every session carries a note to move it off a dosing day; give dosing_days to plan "
                "around them.",
                source,
            )
        )
        return days, notes
    left = tuple(d for d in days if d not in inp.dosing_days)
    if not left:
        raise InvalidInput(
            "every available day is a dosing day: no day is left for a session", field="dosing_days"
        )
    notes.append(Rationale(f"No session on the dosing days {', '.join(inp.dosing_days)}.", source))
    return left, notes


def _plan_length(protocol: Protocol, weeks: int, rules: PrescriptionRules) -> Rationale:
    if weeks < protocol.duration_weeks:
        what = f"the first {weeks} of the protocol's {protocol.duration_weeks} weeks"
    elif weeks > protocol.duration_weeks:
        more = weeks - protocol.duration_weeks
        what = f"the protocol's {protocol.duration_weeks} weeks, then its last week held for {more} more"
    else:
        what = f"the protocol's {protocol.duration_weeks} weeks"
    return Rationale(f"Plan of {weeks} weeks: {what}.", f"{rules.weeks.source}; {protocol.duration_source}")


def _days(
    protocol: Protocol, weeks: tuple[PlanWeek, ...], days: tuple[str, ...], rules: PrescriptionRules
) -> list[Rationale]:
    used = sorted({s.day for w in weeks for s in w.sessions}, key=rules.schedule.days.index)
    out = [
        Rationale(
            f"Sessions on {', '.join(used)} of the available {', '.join(days)}, spread as evenly as "
            "the days allow.",
            rules.schedule.spread_source,
        )
    ]
    short = [w for w in weeks if w.target.sessions < w.target.frequency]
    if short:
        most = max(w.target.frequency for w in short)
        redistribute = protocol.volume_unit in rules.schedule.redistribute_units
        effect = (
            "the week's energy dose is spread over them, so sessions are longer"
            if redistribute
            else f"each session keeps its prescribed length, so the week's volume is {len(days)}/{most} "
            "of the protocol's"
        )
        source = rules.schedule.redistribute_source if redistribute else rules.schedule.keep_session_source
        out.append(
            Rationale(
                f"The protocol asks for up to {most} sessions a week; only {len(days)} days are "
                f"available, so every one is used and {effect}.",
                source,
            )
        )
    strength = any(s.strength for w in weeks for s in w.sessions)
    if strength and any(
        back_to_back(tuple(s.day for s in w.sessions), week=rules.schedule.days) for w in weeks
    ):
        out.append(
            Rationale(
                "Some strength sessions fall on consecutive days: the available days allow no other spacing.",
                rules.schedule.spread_source,
            )
        )
    return out


def _length(
    protocol: Protocol, weeks: tuple[PlanWeek, ...], prefs: Preferences, rules: PrescriptionRules
) -> Rationale:
    extra = protocol.warm_up.minutes + protocol.cool_down.minutes
    longest = max(s.minutes for w in weeks for s in w.sessions)
    source = f"{rules.schedule.session_length_source}; {protocol.phases[0].sources.time}"
    if longest + extra <= prefs.minutes:
        return Rationale(
            f"Every session (warm-up {protocol.warm_up.minutes} + main part up to {longest} + cool-down "
            f"{protocol.cool_down.minutes} min) fits the preferred {prefs.minutes} minutes.",
            source,
        )
    over = [w.week for w in weeks if any(s.minutes + extra > prefs.minutes for s in w.sessions)]
    return Rationale(
        f"In weeks {over[0]}-{over[-1]} a session lasts up to {longest + extra} min, longer than the "
        f"preferred {prefs.minutes}: the main part ({longest} min) carries the protocol's dose and the "
        f"warm-up and cool-down ({extra} min) are kept for safety; the main part may be split into bouts "
        "of at least 10 minutes.",
        source,
    )


def _tailoring(inp: PrescriptionInput, rules: PrescriptionRules) -> list[Rationale]:
    out = []
    for code in inp.symptoms_mood:
        symptom = rules.symptoms.get(code)
        if symptom is None:
            continue
        parts = [f"added {a.strategy.replace('_', ' ')}" for a in symptom.adherence]
        parts += ["a note on every session"] if symptom.note else []
        parts += ["start at the start level"] if symptom.start_level else []
        out.append(
            Rationale(f"Tailored for {symptom.label}: {', '.join(parts) or 'no change'}.", symptom.source)
        )
    return out


def _delivery(protocol: Protocol, modality: str, setting: str, weight: float) -> list[Rationale]:
    source = protocol.phases[0].sources
    out = [
        Rationale(f"Sessions are {modality}: {protocol.phases[0].type}.", source.type),
        Rationale(f"Setting {setting}; {protocol.supervision_description}", protocol.supervision_source),
    ]
    if protocol.volume_unit == "kcal_per_kg_per_week":
        out.append(
            Rationale(
                f"Energy dose in kcal/kg/week times the body weight of {weight:g} kg gives each week's "
                "kcal target.",
                source.volume,
            )
        )
    return out


def schedule_rationale(
    protocol: Protocol,
    inp: PrescriptionInput,
    weeks: tuple[PlanWeek, ...],
    days: tuple[str, ...],
    setting: str,
    rules: PrescriptionRules,
) -> list[Rationale]:
    """The rationale of the plan length, days, session length, delivery and mood tailoring."""
    modality = weeks[0].sessions[0].modality if weeks and weeks[0].sessions else protocol.modalities[0]
    return [
        _plan_length(protocol, len(weeks), rules),
        *_days(protocol, weeks, days, rules),
        _length(protocol, weeks, inp.preferences, rules),
        *_delivery(protocol, modality, setting, inp.weight_kg),
        *_tailoring(inp, rules),
    ]
