"""The weekly review part of the clinical reference: each rule of ``review.toml`` in plain words,
with its value, its status (verified, a Stride choice, uncertain…), its source and its notes."""

from __future__ import annotations

from collections.abc import Mapping

from stride.clinical.reference.markdown import table
from stride.clinical.review import review_rules
from stride.clinical.review.model import Cited, Threshold

Row = tuple[str, str, str, str, str, str | None]


def _row(rule: str, says: str, value: str, cited: Cited) -> Row:
    # Rule keys as code, dotted or not (the page's identifier marking needs an underscore).
    return (f"`{rule}`", says, value, cited.status, cited.source, cited.notes)


def _per_instrument(key: str, says: str, unit: str, rules: Mapping[str, Threshold]) -> list[Row]:
    return [_row(f"{key}.{i}", says.format(i=i), unit.format(t.value), t.cited) for i, t in rules.items()]


def review_section() -> list[str]:
    """The rules the weekly review applies, in the order the review weighs them."""
    rules = review_rules()
    out = [
        "## Weekly review",
        "",
        "What a patient-week's scores, dose, adherence, RPE and events propose (progress, hold, regress,"
        " restart lower, change the delivery, add support or refer now). A proposal changes nothing: a"
        " clinician of the care team approves, edits or rejects it. Safety comes first, then the rules"
        " that apply in any week; the symptom score moves the dose only at a decision point. Response"
        " and remission are the outcome rules above.",
        "",
    ]
    rows: list[Row] = [
        _row(
            "safety",
            "An open safety signal refers the patient now, before any dose change.",
            "always",
            rules.safety,
        ),
        *_per_instrument(
            "worsening",
            "`{i}` this many points or more worse than at baseline refers the patient now.",
            "≥ {:g} points",
            rules.worsening,
        ),
        *_per_instrument(
            "relapse",
            "After remission, a `{i}` total of this or more is a relapse and refers the patient now.",
            "≥ {:g}",
            rules.relapse,
        ),
        _row(
            "adverse_event",
            "An adverse event this week steps the dose down one step.",
            "any event",
            rules.adverse_event,
        ),
        _row(
            "detraining",
            "More than this many weeks since the last session restarts at a lower stage.",
            f"> {rules.detraining_max_weeks_off.value:g} weeks",
            rules.detraining_max_weeks_off.cited,
        ),
        _row(
            "missed_weeks",
            "This many weeks missed in a row or more: resume one step below the last completed week.",
            f"≥ {rules.missed_weeks_regress_from.value:g} week(s)",
            rules.missed_weeks_regress_from.cited,
        ),
        _row(
            "rpe",
            "A mean Borg RPE (6-20) more than this many points above the target holds the dose.",
            f"> {rules.rpe_above_target_by.value:g} points",
            rules.rpe_above_target_by.cited,
        ),
        _row(
            "decision_points",
            "Only at these weeks does non-response change the dose; between them the dose holds.",
            "weeks " + ", ".join(str(w) for w in rules.decision_points.weeks),
            rules.decision_points.cited,
        ),
        _row(
            "adherence",
            "At a decision point, non-response with at least this share of the prescribed dose done"
            " progresses; below it, the review proposes support for adherence.",
            f"≥ {rules.good_adherence_from.value * 100:g} % of the dose",
            rules.good_adherence_from.cited,
        ),
        _row(
            "early_improvement",
            "At this week, this much improvement from baseline is reported as early improvement"
            " (never a reason to change the dose).",
            f"week {rules.early_improvement.week}, ≥ {rules.early_improvement.min_improvement_pct:g} %",
            rules.early_improvement.cited,
        ),
    ]
    return out + table(("rule", "what it says", "value", "status", "source", "notes"), rows)
