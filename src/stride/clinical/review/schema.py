"""The schema of ``data/review.toml``: parse and check every rule, each with its source.

Checked at load: decision weeks positive and increasing, the early-improvement week before the
first decision point, per-instrument rules naming a packaged instrument, fractions within 0-1,
every rule with a ``status`` and a ``source``, no unknown key. A malformed file raises
``ConfigurationError`` naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stride.clinical import toml_reader as r
from stride.clinical.measurement import instrument_ids
from stride.clinical.review.model import (
    STATUSES,
    Cited,
    DecisionPoints,
    EarlyImprovement,
    ReviewRules,
    Threshold,
)

FILE = "review.toml"
_CITED = ("status", "source")


def _cited(table: Mapping[str, Any], at: r.At) -> Cited:
    status = r.choice(table, "status", at, STATUSES)
    return Cited(
        source=r.text(table, "source", at),
        status=status,  # type: ignore[arg-type]  # checked against STATUSES just above
        notes=r.optional_text(table, "notes", at),
    )


def _threshold(
    data: Mapping[str, Any], key: str, value_key: str, at: r.At, *, fraction: bool = False
) -> Threshold:
    t_at = at.key(key)
    table = r.table(data.get(key), t_at, required=(value_key, *_CITED), optional=("notes",))
    value = r.number(table, value_key, t_at)
    if value < 0 or (fraction and value > 1):
        raise t_at.key(value_key).fail("must be between 0 and 1" if fraction else "must not be negative")
    return Threshold(value, _cited(table, t_at))


def _only_cited(data: Mapping[str, Any], key: str, at: r.At) -> Cited:
    return _cited(r.table(data.get(key), at.key(key), required=_CITED, optional=("notes",)), at.key(key))


def _per_instrument(data: Mapping[str, Any], key: str, value_key: str, at: r.At) -> dict[str, Threshold]:
    entries = data.get(key)
    if not isinstance(entries, Mapping) or not entries:
        raise at.key(key).fail("must be a table of instruments")
    known = instrument_ids()
    rules: dict[str, Threshold] = {}
    for instrument in entries:
        if instrument not in known:
            raise at.key(key).key(instrument).fail("is not a packaged instrument")
        rules[instrument] = _threshold(entries, instrument, value_key, at.key(key))
        if rules[instrument].value <= 0:
            raise at.key(key).key(instrument).key(value_key).fail("must be more than 0")
    return rules


def _decision_points(data: Mapping[str, Any], at: r.At) -> DecisionPoints:
    d_at = at.key("decision_points")
    table = r.table(data.get("decision_points"), d_at, required=("weeks", *_CITED), optional=("notes",))
    weeks = table["weeks"]
    if not isinstance(weeks, list) or not weeks:
        raise d_at.key("weeks").fail("must be a non-empty array of integers")
    for index, week in enumerate(weeks):
        if not isinstance(week, int) or isinstance(week, bool) or week < 1:
            raise d_at.key("weeks").key(index).fail("must be a positive integer")
        if index and week <= weeks[index - 1]:
            raise d_at.key("weeks").key(index).fail("decision weeks must increase")
    return DecisionPoints(tuple(weeks), _cited(table, d_at))


def _early(data: Mapping[str, Any], at: r.At, first_decision: int) -> EarlyImprovement:
    e_at = at.key("early_improvement")
    table = r.table(
        data.get("early_improvement"),
        e_at,
        required=("week", "min_improvement_pct", *_CITED),
        optional=("notes",),
    )
    week = r.integer(table, "week", e_at, minimum=1)
    if week >= first_decision:
        raise e_at.key("week").fail("must come before the first decision point")
    pct = r.number(table, "min_improvement_pct", e_at)
    if not 0 < pct <= 100:
        raise e_at.key("min_improvement_pct").fail("must be more than 0 and at most 100")
    return EarlyImprovement(week, pct, _cited(table, e_at))


def parse(data: object) -> ReviewRules:
    """The rules of a parsed ``review.toml``; ``ConfigurationError`` names the file and key."""
    at = r.At(FILE)
    keys = (
        "decision_points",
        "early_improvement",
        "worsening",
        "detraining",
        "missed_weeks",
        "adherence",
        "rpe",
        "relapse",
        "safety",
        "adverse_event",
    )
    top = r.table(data, at, required=keys)
    points = _decision_points(top, at)
    regress_from = _threshold(top, "missed_weeks", "regress_from", at)
    if regress_from.value < 1:
        raise at.key("missed_weeks").key("regress_from").fail("must be at least 1")
    return ReviewRules(
        decision_points=points,
        early_improvement=_early(top, at, points.weeks[0]),
        worsening=_per_instrument(top, "worsening", "min_increase", at),
        detraining_max_weeks_off=_threshold(top, "detraining", "max_weeks_off", at),
        missed_weeks_regress_from=regress_from,
        good_adherence_from=_threshold(top, "adherence", "good_from", at, fraction=True),
        rpe_above_target_by=_threshold(top, "rpe", "above_target_by", at),
        relapse=_per_instrument(top, "relapse", "min_total", at),
        safety=_only_cited(top, "safety", at),
        adverse_event=_only_cited(top, "adverse_event", at),
    )
