"""Pre-exercise safety screening: cleared, cleared with restrictions, medical clearance required or
defer, each reason with its source.

The screen combines six components, each a pure function of the input and the cited rules
(``data/screening.toml``, ``conditions.toml``, ``medications.toml``):

1. the ACSM 2015 pre-participation algorithm (current activity x known disease x signs or
   symptoms x desired intensity);
2. the PAR-Q+ general health questions (any 'yes' -> the follow-up questions);
3. resting blood pressure (thresholds and policy are data);
4. documented condition codes (contraindications defer or need clearance; others add restrictions);
5. psychiatric safety (PHQ-9 item 9, C-SSRS, mania, psychosis -> defer until stabilised; neither
   item 9 nor the C-SSRS given -> incomplete, defer);
6. medication notes (beta-blockers -> intensity by RPE; ketamine/esketamine -> dosing-day policy).

The decision is the most restrictive component (defer > medical_clearance_required >
cleared_with_restrictions > cleared). A deferral is a return value, never an exception.
"""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from stride.clinical.safety.screening_data import bp_policies, dosing_day_policies, screening_rules
from stride.clinical.safety.screening_input import ScreeningInput, input_to_json, parse_screening_input
from stride.clinical.safety.screening_model import Decision, Group, Outcome, ScreeningRules
from stride.errors import InvalidInput

__all__ = [
    "Decision",
    "Reason",
    "ScreeningDecision",
    "ScreeningInput",
    "ScreeningRules",
    "bp_policies",
    "dosing_day_policies",
    "expires_on",
    "input_to_json",
    "needs_rescreen",
    "parse_screening_input",
    "screen",
    "screening_rules",
]

INTENSITY_BY_RPE = "intensity_by_rpe"
NO_SESSION_ON_DOSING_DAYS = "no_session_on_dosing_days"
_EFFECT = {
    Decision.DEFER: "defer exercise until it has resolved or a physician has cleared it",
    Decision.MEDICAL_CLEARANCE_REQUIRED: "medical clearance required before exercise",
    Decision.CLEARED_WITH_RESTRICTIONS: "exercise with restrictions",
    Decision.CLEARED: "no restriction of its own",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the screen decided as it did: a stable ``code``, a sentence for people, and its ``source``."""

    code: str
    text: str
    source: str


@dataclass(frozen=True)
class ScreeningDecision:
    """The outcome of a screen and what the prescription engine must respect.

    ``restrictions`` are codes defined in ``screening.toml`` (each with its text and source), in the
    order of that file; they hold once the person is cleared, whatever the decision. ``max_intensity``
    is the lowest intensity ceiling among them (``None``: no ceiling from the screen).
    """

    decision: Decision
    reasons: tuple[Reason, ...]
    restrictions: tuple[str, ...]
    max_intensity: str | None

    @property
    def intensity_by_rpe_only(self) -> bool:
        """Prescribe intensity by RPE (and talk test) only, never by heart-rate targets (beta-blockers)."""
        return INTENSITY_BY_RPE in self.restrictions

    @property
    def no_session_on_dosing_days(self) -> bool:
        """No session on a ketamine or esketamine dosing day (local policy)."""
        return NO_SESSION_ON_DOSING_DAYS in self.restrictions


@dataclass(frozen=True, slots=True)
class _Finding:
    outcome: Outcome
    reason: Reason


def _info(code: str, text: str, source: str) -> _Finding:
    return _Finding(Outcome(Decision.CLEARED), Reason(code, text, source))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _restricting(restrictions: tuple[str, ...]) -> Outcome:
    decision = Decision.CLEARED_WITH_RESTRICTIONS if restrictions else Decision.CLEARED
    return Outcome(decision, restrictions)


# --- components -------------------------------------------------------------------------------


def _symptoms(inp: ScreeningInput, rules: ScreeningRules) -> tuple[str, ...]:
    """The signs and symptoms given, plus those a PAR-Q+ 'yes' reports (questions 2 and 3)."""
    implied = (q.implies_symptom for q in rules.parq.questions.values() if inp.parq.get(q.id))
    return tuple(dict.fromkeys([*inp.symptoms, *(s for s in implied if s is not None)]))


def _diseases(inp: ScreeningInput, rules: ScreeningRules) -> tuple[str, ...]:
    """The known diseases given, plus those a condition code counts as (coronary disease, diabetes)."""
    implied = (rules.conditions[c].acsm_disease for c in inp.conditions)
    return tuple(dict.fromkeys([*inp.known_disease, *(d for d in implied if d is not None)]))


def _acsm(inp: ScreeningInput, rules: ScreeningRules) -> list[_Finding]:
    symptoms, diseases = _symptoms(inp, rules), _diseases(inp, rules)
    group: Group = "symptoms" if symptoms else "disease" if diseases else "none"
    row = rules.acsm.row(active=inp.currently_active, group=group)
    details = []
    if symptoms:
        details.append("signs or symptoms: " + "; ".join(rules.acsm.symptoms[s] for s in symptoms))
    if diseases:
        details.append("known disease: " + "; ".join(rules.acsm.diseases[d] for d in diseases))
    text = f"{row.text} Desired intensity: {inp.desired_intensity}."
    if details:
        text += " " + _sentence("; ".join(details)) + "."
    return [_Finding(row.by_intensity[inp.desired_intensity], Reason(row.code, text, rules.acsm.source))]


def _parq(inp: ScreeningInput, rules: ScreeningRules) -> list[_Finding]:
    parq = rules.parq
    if not inp.parq:
        return [_info("parq_not_given", parq.not_given_text, parq.source)]
    yes = [q for q in parq.questions.values() if inp.parq.get(q.id)]
    found = [
        _Finding(
            _restricting(q.restrictions),
            Reason(f"parq_{q.id}", f"PAR-Q+ {q.id} yes: {q.label}.", parq.source),
        )
        for q in yes
    ]
    unanswered = [q for q in parq.questions if q not in inp.parq]
    if unanswered:
        text = parq.unanswered_text.replace("{questions}", ", ".join(unanswered))
        found.append(_info("parq_incomplete", text, parq.source))
    elif not yes:
        found.append(_info("parq_all_no", parq.all_no_text, parq.source))
    return found


def _parq_age(inp: ScreeningInput, rules: ScreeningRules) -> list[_Finding]:
    """PAR-Q+ page 1: over the age limit, not used to vigorous exercise, and wanting it."""
    parq = rules.parq
    vigorous = inp.desired_intensity == rules.intensities[-1]
    if not (vigorous and inp.age > parq.age_above and not inp.currently_active):
        return []
    text = parq.age_text.replace("{age_above}", str(parq.age_above))
    return [_Finding(_restricting(parq.age_restrictions), Reason("parq_age_vigorous", text, parq.age_source))]


def _blood_pressure(inp: ScreeningInput, rules: ScreeningRules) -> list[_Finding]:
    bp = rules.blood_pressure
    if inp.resting_bp is None:
        return [_info("bp_not_measured", bp.not_measured_text, bp.not_measured_source)]
    systolic, diastolic = inp.resting_bp
    return [
        _Finding(
            rule.outcome, Reason(rule.code, f"{rule.text} Measured {systolic}/{diastolic} mmHg.", rule.source)
        )
        for rule in bp.rules
        if rule.fires(systolic, diastolic)
    ]


def _effect(outcome: Outcome, rules: ScreeningRules, disease: str | None) -> str:
    if outcome.decision == Decision.CLEARED and disease is not None:
        return f"counts as known {disease} disease in the ACSM algorithm."
    return " ".join(
        [f"{_EFFECT[outcome.decision]}.", *(rules.restrictions[c].text for c in outcome.restrictions)]
    )


def _conditions(inp: ScreeningInput, rules: ScreeningRules) -> list[_Finding]:
    found = []
    for code in dict.fromkeys(inp.conditions):
        rule = rules.conditions[code]
        text = f"{_sentence(rule.label)}: {_effect(rule.outcome, rules, rule.acsm_disease)}"
        found.append(_Finding(rule.outcome, Reason(f"condition_{code}", text, rule.source)))
    return found


def _psychiatric(inp: ScreeningInput, rules: ScreeningRules) -> list[_Finding]:
    psy = rules.psychiatric
    found = []
    if inp.phq9_item9 is not None and inp.phq9_item9 >= psy.phq9_item9_min:
        text = psy.phq9_text.replace("{value}", str(inp.phq9_item9))
        found.append(_Finding(psy.outcome, Reason("suicidal_ideation_phq9", text, psy.phq9_source)))
    if inp.cssrs_risk is not None and inp.cssrs_risk in psy.cssrs_levels:
        text = psy.cssrs_text.replace("{value}", inp.cssrs_risk)
        found.append(
            _Finding(psy.outcome, Reason(f"suicide_risk_cssrs_{inp.cssrs_risk}", text, psy.cssrs_source))
        )
    if inp.phq9_item9 is None and inp.cssrs_risk is None:
        # An incomplete screen never clears: it takes the psychiatric outcome (defer).
        reason = Reason("suicidality_not_screened", psy.not_given_text, psy.not_given_source)
        found.append(_Finding(psy.outcome, reason))
    return found


def _medications(inp: ScreeningInput, rules: ScreeningRules) -> list[_Finding]:
    return [
        _Finding(
            _restricting(group.restrictions),
            Reason(group.code, _sentence(group.text.replace("{drug}", name)), group.source),
        )
        for name in dict.fromkeys(inp.medications)
        for group in rules.medications.matches(name)
    ]


_COMPONENTS = (_psychiatric, _conditions, _blood_pressure, _acsm, _parq, _parq_age, _medications)


# --- the screen -------------------------------------------------------------------------------


def _combine(findings: Iterable[_Finding], rules: ScreeningRules) -> ScreeningDecision:
    # Most restrictive first (stable), so the reasons that decide come first.
    ordered = sorted(findings, key=lambda f: -f.outcome.decision.rank)
    decision = ordered[0].outcome.decision if ordered else Decision.CLEARED
    used = {code for f in ordered for code in f.outcome.restrictions}
    restrictions = tuple(code for code in rules.restrictions if code in used)
    if restrictions and decision == Decision.CLEARED:
        decision = Decision.CLEARED_WITH_RESTRICTIONS
    ceilings = [c for c in (rules.restrictions[code].max_intensity for code in restrictions) if c is not None]
    max_intensity = min(ceilings, key=rules.intensities.index, default=None)
    reasons = tuple(dict.fromkeys(f.reason for f in ordered))
    return ScreeningDecision(decision, reasons, restrictions, max_intensity)


def screen(inp: ScreeningInput, *, rules: ScreeningRules | None = None) -> ScreeningDecision:
    """Screen one person before exercise.

    Parameters
    ----------
    inp
        The answers, usually from :func:`parse_screening_input`; a hand-built input is validated
        the same way.
    rules
        The cited rules; default :func:`screening_rules` () (blood-pressure policy
        ``no_session_180_110``, dosing-day policy ``no_session_on_dosing_days``).

    Returns
    -------
    ScreeningDecision
        The most restrictive decision of all components, every reason (code, text, source; the
        deciding ones first) and the restriction codes with the intensity ceiling they imply.

    Raises
    ------
    InvalidInput
        Only for an invalid hand-built input, naming the field.
    """
    rules = rules or screening_rules()
    raw = {field.name: getattr(inp, field.name) for field in dataclasses.fields(inp)}
    checked = parse_screening_input(raw, rules=rules)
    return _combine((f for component in _COMPONENTS for f in component(checked, rules)), rules)


# --- validity ---------------------------------------------------------------------------------


def expires_on(screened_on: date, *, rules: ScreeningRules | None = None) -> date:
    """The last day on which a screen holds.

    Parameters
    ----------
    screened_on
        The day of the screen.
    rules
        Default :func:`screening_rules` (): 12 months, a local policy whose sources are UNSURE
        (``[validity]`` in screening.toml).

    Returns
    -------
    date
        The day before the same date ``months`` later (the 28th for a leap day), so a screen of
        2026-01-15 holds up to and including 2027-01-14.
    """
    months = (rules or screening_rules()).validity.months
    years, month0 = divmod(screened_on.month - 1 + months, 12)
    year, month = screened_on.year + years, month0 + 1
    same_day = date(year, month, min(screened_on.day, calendar.monthrange(year, month)[1]))
    return same_day - timedelta(days=1)


def needs_rescreen(
    previous: ScreeningInput | None,
    *,
    new_cardiac_event: bool,
    new_safety_alert: bool,
    screened_on: date | None = None,
    today: date | None = None,
    rules: ScreeningRules | None = None,
) -> bool:
    """Whether a new screen is needed before the next session.

    Parameters
    ----------
    previous
        The input of the last screen, or ``None`` when there was none.
    new_cardiac_event, new_safety_alert
        Whether a cardiac event or a psychiatric safety alert happened since the last screen
        (``[validity] rescreen_source`` in screening.toml).
    screened_on, today
        Both or neither: the day of the last screen and today, to check expiry (:func:`expires_on`).
    rules
        Default :func:`screening_rules` ().

    Returns
    -------
    bool
        True with no previous screen, after a new cardiac event or safety alert, or once expired.

    Raises
    ------
    InvalidInput
        ``screened_on`` without ``today`` or the reverse, or ``today`` before ``screened_on``.
    """
    if (screened_on is None) != (today is None):
        raise InvalidInput("give both screened_on and today, or neither", field="today")
    if previous is None or new_cardiac_event or new_safety_alert:
        return True
    if screened_on is None or today is None:
        return False
    if today < screened_on:
        raise InvalidInput(f"{today} is before the screen of {screened_on}", field="today")
    return today > expires_on(screened_on, rules=rules)
