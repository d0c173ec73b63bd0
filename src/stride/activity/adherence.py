"""Adherence to the exercise plan, week by week.

A week is judged against its :class:`~stride.clinical.prescription.model.PlanWeek`: sessions done over
sessions planned, the dose achieved over the target in the protocol's unit (exercise minutes, kcal/kg
or steps per day; ``stride/data/adherence.toml [dose_metrics]``) and the minutes spent in the
prescribed intensity classes. The week's category comes from the ratio chosen in ``[basis]``
(default: the dose) and the cited cut-offs of ``[[categories]]`` (adherent >= 80 %, partly >= 50 %).
Besides the configured categories a week can be ``no_target`` (nothing planned) or ``no_data`` (a
steps target without any step total). A streak counts consecutive adherent weeks up to a week; a
``no_target`` week neither breaks nor extends it (``[streaks]``).

The week runs for seven local days from the plan week's first day, which need not be a Monday.
Sessions flagged as duplicates (:mod:`stride.activity.overlap`) are skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta, tzinfo
from functools import cache
from types import MappingProxyType
from typing import Any

from stride.activity.dose import SessionDose
from stride.activity.dose_rules import DoseRules
from stride.activity.weekly import WeekDose, week_dose
from stride.activity.zones import ZONES
from stride.clinical import toml_reader as r
from stride.clinical.prescription import Plan, PlanWeek
from stride.data import load_toml
from stride.errors import InvalidInput

NO_TARGET = "no_target"
NO_DATA = "no_data"
_METRICS = ("minutes", "kcal_per_kg", "steps_per_day")


@dataclass(frozen=True, slots=True)
class AdherenceCategory:
    """A weekly category: reached when the judged ratio is at least ``min_ratio``."""

    id: str
    label: str
    min_ratio: float
    source: str


@dataclass(frozen=True, slots=True)
class AdherenceRules:
    """Everything in ``adherence.toml``; ``categories`` are highest first, the first is 'adherent'."""

    category_from: str  # "dose", "sessions" or "lower"
    unmeasured_dose: str  # "sessions" (judge on attendance) or "no_data", when the dose has no data
    minutes_target: str  # "planned" or "protocol"
    dose_metrics: Mapping[str, str]  # protocol volume unit -> "minutes" | "kcal_per_kg" | "steps_per_day"
    categories: tuple[AdherenceCategory, ...]
    no_target_breaks: bool
    notes: str


def _categories(data: Mapping[str, Any], at: r.At) -> tuple[AdherenceCategory, ...]:
    found = []
    for index, entry in enumerate(r.tables(data, "categories", at)):
        c_at = at.key("categories").key(index)
        table = r.table(entry, c_at, required=("id", "label", "min_ratio", "status", "source"))
        found.append(
            AdherenceCategory(
                id=r.text(table, "id", c_at),
                label=r.text(table, "label", c_at),
                min_ratio=r.number(table, "min_ratio", c_at),
                source=r.text(table, "source", c_at),
            )
        )
    ratios = [c.min_ratio for c in found]
    if ratios != sorted(ratios, reverse=True) or len(set(ratios)) != len(ratios) or ratios[-1] != 0.0:
        raise at.key("categories").fail(
            "min_ratio must fall strictly from the first category to 0 in the last"
        )
    if {c.id for c in found} & {NO_TARGET, NO_DATA} or len({c.id for c in found}) != len(found):
        raise at.key("categories").fail(f"ids must be distinct and not {NO_TARGET} or {NO_DATA}")
    return tuple(found)


def parse_adherence(raw: Mapping[str, Any]) -> AdherenceRules:
    """Validate the parsed ``adherence.toml``; ``ConfigurationError`` naming the file and the key."""
    at = r.At("adherence.toml")
    data = r.table(raw, at, required=("notes", "basis", "dose_metrics", "categories", "streaks"))
    basis = r.table(
        data["basis"],
        at.key("basis"),
        required=("category_from", "minutes_target", "unmeasured_dose", "status", "source"),
    )
    metrics_raw = dict(data["dose_metrics"]) if isinstance(data["dose_metrics"], Mapping) else {}
    r.text(metrics_raw, "source", at.key("dose_metrics"))
    metrics = {
        unit: r.choice(metrics_raw, unit, at.key("dose_metrics"), _METRICS)
        for unit in metrics_raw
        if unit != "source"
    }
    streaks = r.table(data["streaks"], at.key("streaks"), required=("no_target_breaks", "status", "source"))
    return AdherenceRules(
        category_from=r.choice(basis, "category_from", at.key("basis"), ("dose", "sessions", "lower")),
        unmeasured_dose=r.choice(basis, "unmeasured_dose", at.key("basis"), ("sessions", "no_data")),
        minutes_target=r.choice(basis, "minutes_target", at.key("basis"), ("planned", "protocol")),
        dose_metrics=MappingProxyType(metrics),
        categories=_categories(data, at),
        no_target_breaks=r.boolean(streaks, "no_target_breaks", at.key("streaks")),
        notes=r.text(data, "notes", at),
    )


@cache
def adherence_rules() -> AdherenceRules:
    """The validated contents of ``adherence.toml`` (cached)."""
    return parse_adherence(load_toml("adherence"))


@dataclass(frozen=True, slots=True)
class WeekAdherence:
    """Adherence in one plan week.

    ``dose_metric`` is ``minutes``, ``kcal_per_kg`` or ``steps_per_day`` (from the protocol's volume
    unit); ``dose_achieved`` is ``None`` for steps without step data. Ratios are ``None`` when nothing
    was planned. ``minutes_in_prescribed_intensity`` counts the minutes in the classes the week's
    target names (``light-moderate``: light and moderate). ``streak`` is the number of consecutive
    adherent weeks up to and including this one. ``dose`` is the week's full :class:`WeekDose`.
    """

    week: int
    week_start: date
    sessions_planned: int
    sessions_done: int
    sessions_ratio: float | None
    dose_metric: str
    dose_target: float
    dose_achieved: float | None
    dose_ratio: float | None
    minutes_in_prescribed_intensity: float
    prescribed_intensity_share: float | None
    minutes_in_target_hr: float | None
    category: str
    streak: int
    dose: WeekDose


def _ratio(achieved: float | None, target: float) -> float | None:
    return None if achieved is None or target <= 0 else achieved / target


def _dose(plan_week: PlanWeek, week: WeekDose, rules: AdherenceRules) -> tuple[str, float, float | None]:
    t = plan_week.target
    metric = rules.dose_metrics.get(t.volume_unit)
    if metric is None:
        raise InvalidInput(f"no dose is defined for the volume unit {t.volume_unit!r}", field="volume_unit")
    if metric == "minutes":
        target = t.planned_minutes_per_week if rules.minutes_target == "planned" else t.minutes_per_week
        return metric, float(target), week.duration_minutes
    achieved = week.kcal_per_kg if metric == "kcal_per_kg" else week.steps_per_day
    return metric, float(t.volume), achieved


def _category(sessions_ratio: float | None, dose: tuple[float, float | None], rules: AdherenceRules) -> str:
    target, achieved = dose
    if sessions_ratio is None and target <= 0:
        return NO_TARGET
    dose_ratio = _ratio(achieved, target)
    judged = {"dose": [dose_ratio], "sessions": [sessions_ratio], "lower": [dose_ratio, sessions_ratio]}
    known = [x for x in judged[rules.category_from] if x is not None]
    if not known and achieved is None and sessions_ratio is not None and rules.unmeasured_dose == "sessions":
        known = [sessions_ratio]  # a steps target without a tracker: judged on the sessions done
    if not known:
        return NO_DATA if achieved is None and target > 0 else NO_TARGET
    ratio = min(known)
    return next(c.id for c in rules.categories if ratio >= c.min_ratio)


def adherence_for_week(
    plan_week: PlanWeek,
    sessions: Sequence[SessionDose],
    *,
    tz: str | tzinfo,
    duplicates: Collection[str],
    week_start: date | None = None,
    daily_steps: Mapping[date, float] | None = None,
    rules: AdherenceRules | None = None,
    dose_rules: DoseRules | None = None,
) -> WeekAdherence:
    """Adherence in ``plan_week``.

    Parameters
    ----------
    plan_week
        The plan's week: its target (sessions, minutes, intensity, volume and unit).
    sessions
        Session doses (:func:`stride.activity.dose.session_dose`); only those of the week count.
    tz
        The patient's timezone.
    duplicates
        Ids of sessions flagged as duplicates; skipped.
    week_start
        The week's first local day; default the plan week's ``starts_on``.
    daily_steps
        Step totals per local day, for protocols dosed in steps per day.
    rules, dose_rules
        Default: ``adherence.toml`` and ``dose.toml``.

    Returns
    -------
    WeekAdherence
        With ``streak`` 1 for an adherent week and 0 otherwise (use :func:`adherence_series` for
        streaks over several weeks).

    Raises
    ------
    InvalidInput
        Naming ``starts_on`` (no first day known), ``volume_unit`` (no dose defined for it),
        ``sessions`` or ``tz``.
    """
    rules = rules or adherence_rules()
    first = week_start or plan_week.starts_on
    if first is None:
        raise InvalidInput(f"week {plan_week.week} has no start date; pass week_start", field="starts_on")
    week = week_dose(first, sessions, tz=tz, duplicates=duplicates, daily_steps=daily_steps, rules=dose_rules)
    metric, target, achieved = _dose(plan_week, week, rules)
    planned = plan_week.target.sessions
    sessions_ratio = _ratio(float(week.sessions), float(planned))
    in_intensity = _in_intensity(plan_week, week)
    category = _category(sessions_ratio, (target, achieved), rules)
    return WeekAdherence(
        week=plan_week.week,
        week_start=first,
        sessions_planned=planned,
        sessions_done=week.sessions,
        sessions_ratio=sessions_ratio,
        dose_metric=metric,
        dose_target=target,
        dose_achieved=achieved,
        dose_ratio=_ratio(achieved, target),
        minutes_in_prescribed_intensity=in_intensity,
        prescribed_intensity_share=in_intensity / week.duration_minutes
        if week.duration_minutes > 0
        else None,
        minutes_in_target_hr=week.minutes_in_target,
        category=category,
        streak=1 if category == rules.categories[0].id else 0,
        dose=week,
    )


def _in_intensity(plan_week: PlanWeek, week: WeekDose) -> float:
    """The week's minutes in the classes the plan prescribes (``moderate-vigorous``: both)."""
    classes = [c for c in plan_week.target.intensity.split("-") if c in ZONES]
    return float(sum(week.minutes_by_zone[c] for c in classes))


def adherence_series(
    plan: Plan | Sequence[PlanWeek],
    sessions: Sequence[SessionDose],
    *,
    tz: str | tzinfo,
    duplicates: Collection[str],
    start: date | None = None,
    through_week: int | None = None,
    daily_steps: Mapping[date, float] | None = None,
    rules: AdherenceRules | None = None,
    dose_rules: DoseRules | None = None,
) -> tuple[WeekAdherence, ...]:
    """Adherence in each plan week up to ``through_week``, with streaks of consecutive adherent weeks.

    Parameters
    ----------
    plan
        The plan, or its weeks.
    start
        The plan's first local day; week ``n`` starts ``7 x (n - 1)`` days later. Default: each
        week's ``starts_on``.
    through_week
        The last plan week to judge (weeks still to come should not be judged); default all.

    Other parameters are those of :func:`adherence_for_week`.
    """
    rules = rules or adherence_rules()
    weeks = plan.weeks if isinstance(plan, Plan) else plan
    out: list[WeekAdherence] = []
    for pw in sorted(weeks, key=lambda w: w.week):
        if through_week is not None and pw.week > through_week:
            break
        first = start + timedelta(weeks=pw.week - 1) if start is not None else None
        week = adherence_for_week(
            pw,
            sessions,
            tz=tz,
            duplicates=duplicates,
            week_start=first,
            daily_steps=daily_steps,
            rules=rules,
            dose_rules=dose_rules,
        )
        out.append(week)
    return tuple(
        replace(w, streak=n) for w, n in zip(out, streaks([w.category for w in out], rules), strict=True)
    )


def streaks(categories: Sequence[str], rules: AdherenceRules | None = None) -> tuple[int, ...]:
    """The streak at each of consecutive weeks given their categories, oldest first: an adherent week
    (the first category) extends it, a ``no_target`` week neither breaks nor extends it unless
    ``[streaks] no_target_breaks``, any other week ends it.

    >>> streaks(["adherent", "no_target", "adherent", "partial", "adherent"])
    (1, 1, 2, 0, 1)
    """
    rules = rules or adherence_rules()
    out: list[int] = []
    streak = 0
    for category in categories:
        if category == rules.categories[0].id:
            streak += 1
        elif category != NO_TARGET or rules.no_target_breaks:
            streak = 0
        out.append(streak)
    return tuple(out)


def current_streak(categories: Sequence[str], rules: AdherenceRules | None = None) -> int:
    """The run of adherent weeks ending with the last of ``categories`` (oldest first): 0 unless
    that week is adherent itself, so a rest week shows no streak of its own."""
    rules = rules or adherence_rules()
    if not categories or categories[-1] != rules.categories[0].id:
        return 0
    return streaks(categories, rules)[-1]
