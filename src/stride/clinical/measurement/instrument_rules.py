"""The schema of an instrument's ``[scoring]`` table: one parser per named rule.

Rules: ``sum`` (and ``rating``, a one-item sum), ``sum_times`` (WHO-5: raw sum, and raw x factor
as a detail), ``qids_domains`` (sum of the maximum item in each domain), ``cssrs_triage`` (highest
level with a positive answer; no total) and ``ipaq_met`` (MET-minutes/week and activity category).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stride.clinical import toml_reader as r
from stride.clinical.measurement.instrument_model import (
    Activity,
    Domain,
    DomainsRule,
    FrozenMap,
    IpaqRule,
    Item,
    Rule,
    SumRule,
    SumTimesRule,
    TriageLevel,
    TriageRule,
)

IPAQ_ACTIVITIES = ("vigorous", "moderate", "walking")
IPAQ_THRESHOLDS = (
    "high_vigorous_days",
    "high_total_met",
    "high_combined_days",
    "high_combined_met",
    "moderate_vigorous_days",
    "moderate_vigorous_minutes",
    "moderate_days",
    "moderate_minutes",
    "moderate_combined_days",
    "moderate_combined_met",
)

_Parser = Callable[[Mapping[str, Any], r.At, Mapping[str, Item]], Rule]


def parse_rule(data: object, at: r.At, *, items: tuple[Item, ...]) -> Rule:
    """Validate the ``[scoring]`` table against the items and build its rule."""
    if not isinstance(data, Mapping):
        raise at.fail("must be a table")
    name = r.choice(data, "rule", at, tuple(_PARSERS))
    return _PARSERS[name](data, at, {item.id: item for item in items})


def rule_total_range(rule: Rule, items: tuple[Item, ...]) -> tuple[int, int] | None:
    """The range of totals the rule can produce from these items; ``None`` for rules without a total."""
    if isinstance(rule, SumRule | SumTimesRule):
        scored = [item for item in items if item.scored]
        return sum(item.min for item in scored), sum(item.max for item in scored)
    if isinstance(rule, DomainsRule):
        by_id = {item.id: item for item in items}
        lows = [max(by_id[i].min for i in domain.items) for domain in rule.domains]
        highs = [max(by_id[i].max for i in domain.items) for domain in rule.domains]
        return sum(lows), sum(highs)
    return None


def _item_ref(name: str, at: r.At, by_id: Mapping[str, Item], *, scored: bool | None = True) -> Item:
    if name not in by_id:
        raise at.fail(f"unknown item {name!r}")
    if scored is not None and by_id[name].scored != scored:
        raise at.fail(f"item {name!r} must {'' if scored else 'not '}be scored")
    return by_id[name]


def _sum(data: Mapping[str, Any], at: r.At, by_id: Mapping[str, Item]) -> Rule:
    table = r.table(data, at, required=("rule", "source"))
    return SumRule(source=r.text(table, "source", at))


def _rating(data: Mapping[str, Any], at: r.At, by_id: Mapping[str, Item]) -> Rule:
    if sum(item.scored for item in by_id.values()) != 1:
        raise at.key("rule").fail("a rating scale has exactly one scored item")
    return _sum(data, at, by_id)


def _sum_times(data: Mapping[str, Any], at: r.At, by_id: Mapping[str, Item]) -> Rule:
    table = r.table(data, at, required=("rule", "factor", "detail", "source"))
    return SumTimesRule(
        factor=r.integer(table, "factor", at, minimum=1),
        detail=r.text(table, "detail", at),
        source=r.text(table, "source", at),
    )


def _domains(data: Mapping[str, Any], at: r.At, by_id: Mapping[str, Item]) -> Rule:
    table = r.table(data, at, required=("rule", "source", "domains"))
    domains: list[Domain] = []
    seen: list[str] = []
    for index, entry in enumerate(r.tables(table, "domains", at)):
        d_at = at.key("domains").key(index)
        raw = r.table(entry, d_at, required=("name", "items"), optional=("either_or",))
        members = r.strings(raw, "items", d_at)
        for name in members:
            _item_ref(name, d_at.key("items"), by_id)
        groups = _either_or(raw, d_at, members)
        domains.append(Domain(name=r.text(raw, "name", d_at), items=members, either_or=groups))
        seen.extend(members)
    scored = [item.id for item in by_id.values() if item.scored]
    if sorted(seen) != sorted(scored):
        raise at.key("domains").fail("every scored item must be in exactly one domain")
    return DomainsRule(domains=tuple(domains), source=r.text(table, "source", at))


def _either_or(raw: Mapping[str, Any], at: r.At, members: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    value = raw.get("either_or", [])
    if not isinstance(value, list):
        raise at.key("either_or").fail("must be an array of item-id arrays")
    groups = tuple(
        r.strings({"group": group}, "group", at.key("either_or").key(i)) for i, group in enumerate(value)
    )
    flat = [name for group in groups for name in group]
    if len(flat) != len(set(flat)) or not set(flat) <= set(members):
        raise at.key("either_or").fail("groups must be disjoint and within the domain's items")
    return groups


def _triage(data: Mapping[str, Any], at: r.At, by_id: Mapping[str, Item]) -> Rule:
    table = r.table(
        data, at, required=("rule", "source", "positive_value", "default", "default_source", "levels")
    )
    positive = r.integer(table, "positive_value", at)
    levels: list[TriageLevel] = []
    for index, entry in enumerate(r.tables(table, "levels", at)):
        l_at = at.key("levels").key(index)
        raw = r.table(entry, l_at, required=("label", "any_positive", "source"))
        members = r.strings(raw, "any_positive", l_at)
        for name in members:
            if not _item_ref(name, l_at.key("any_positive"), by_id).allows(positive):
                raise l_at.key("any_positive").fail(f"{name} cannot take the positive value {positive}")
        levels.append(
            TriageLevel(
                label=r.text(raw, "label", l_at), any_positive=members, source=r.text(raw, "source", l_at)
            )
        )
    default = r.text(table, "default", at)
    if len({level.label for level in levels} | {default}) != len(levels) + 1:
        raise at.key("levels").fail("level labels and the default must be unique")
    return TriageRule(
        levels=tuple(levels),
        positive_value=positive,
        default=default,
        default_source=r.text(table, "default_source", at),
        source=r.text(table, "source", at),
    )


def _ipaq(data: Mapping[str, Any], at: r.At, by_id: Mapping[str, Item]) -> Rule:
    required = ("rule", "source", "min_bout_minutes", "truncate_minutes", "exclude_daily_minutes_above")
    table = r.table(data, at, required=(*required, "activities", "thresholds", "thresholds_source"))
    activities: list[Activity] = []
    for index, entry in enumerate(r.tables(table, "activities", at)):
        a_at = at.key("activities").key(index)
        raw = r.table(entry, a_at, required=("name", "met", "days_item", "minutes_item"))
        activity = Activity(
            name=r.text(raw, "name", a_at),
            met=r.number(raw, "met", a_at),
            days_item=_item_ref(r.text(raw, "days_item", a_at), a_at.key("days_item"), by_id).id,
            minutes_item=_item_ref(r.text(raw, "minutes_item", a_at), a_at.key("minutes_item"), by_id).id,
        )
        activities.append(activity)
    if tuple(a.name for a in activities) != IPAQ_ACTIVITIES:
        raise at.key("activities").fail(f"must be exactly {', '.join(IPAQ_ACTIVITIES)}, in that order")
    t_at = at.key("thresholds")
    raw_thresholds = r.table(table["thresholds"], t_at, required=IPAQ_THRESHOLDS)
    r.text(table, "thresholds_source", at)
    return IpaqRule(
        activities=tuple(activities),
        min_bout_minutes=r.integer(table, "min_bout_minutes", at, minimum=0),
        truncate_minutes=r.integer(table, "truncate_minutes", at, minimum=1),
        exclude_daily_minutes_above=r.integer(table, "exclude_daily_minutes_above", at, minimum=1),
        thresholds=FrozenMap({key: r.number(raw_thresholds, key, t_at) for key in IPAQ_THRESHOLDS}),
        source=r.text(table, "source", at),
    )


_PARSERS: dict[str, _Parser] = {
    "sum": _sum,
    "rating": _rating,
    "sum_times": _sum_times,
    "qids_domains": _domains,
    "cssrs_triage": _triage,
    "ipaq_met": _ipaq,
}
