"""Pure scoring of an instrument's answers: validation, missing items, totals, bands and flags.

The rule for each instrument is data (``[scoring]`` in its file); this module dispatches on the
rule's kind. Every threshold comes from the instrument file, with its source.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType

from stride.clinical.measurement import cssrs, ipaq
from stride.clinical.measurement.instrument_model import (
    DomainsRule,
    Instrument,
    IpaqRule,
    Item,
    SumRule,
    SumTimesRule,
    TriageRule,
)
from stride.clinical.measurement.instruments import get_instrument
from stride.clinical.measurement.result import Score
from stride.errors import InvalidInput

__all__ = ["Score", "score", "score_ipaq", "score_list"]

Answers = dict[str, int | None]


def score(instrument: Instrument, answers: Mapping[str, int | None]) -> Score:
    """Score one response.

    Parameters
    ----------
    instrument
        From :func:`stride.clinical.measurement.instruments.get_instrument`.
    answers
        Item id → answer value; ``None`` (or an absent key) means unanswered.

    Returns
    -------
    Score
        With ``complete=False``, ``total=None`` and ``severity=None`` when too many items are
        missing for the instrument's missing-item rule; ``missing`` lists them.

    Raises
    ------
    InvalidInput
        For an unknown item id or a value that is not one of the item's answers, with the item id
        as ``field``.
    """
    return _score(instrument, answers, fields={})


def score_list(instrument_id: str, values: Sequence[int | None]) -> Score:
    """Score answers given by position, in the instrument's item order (the CLI's form).

    Trailing items that are not scored may be left out (the PHQ-9 takes 9 or 10 values: item 10 is
    recorded, not scored). ``None`` marks an unanswered item.

    Raises
    ------
    InvalidInput
        ``field="instrument"`` for an unknown instrument; ``field="answers"`` for a wrong number of
        values (saying how many are expected); the item id for a bad value.
    """
    instrument = get_instrument(instrument_id)
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidInput("answers must be a list of values", field="answers")
    allowed = _positional_lengths(instrument)
    if len(values) not in allowed:
        expected = " or ".join(str(n) for n in allowed)
        unscored = len(instrument.items) - allowed[0]
        why = f" (the last {unscored} recorded, not scored)" if unscored else ""
        raise InvalidInput(
            f"{instrument.name} expects {expected} values{why}, got {len(values)}", field="answers"
        )
    return score(instrument, dict(zip((item.id for item in instrument.items), values, strict=False)))


def score_ipaq(data: Mapping[str, object]) -> Score:
    """Score an IPAQ short form given as ``{"vigorous": {"days": d, "minutes_per_day": m}, ...}``.

    Applies the official processing rules (exclusion of implausible totals, the 10-minute bout
    minimum, truncation at 180 min/day) and the low/moderate/high criteria; ``total`` is
    MET-minutes/week and ``severity`` the category.

    Raises
    ------
    InvalidInput
        Naming the field, e.g. ``vigorous.days``.
    """
    instrument = get_instrument(ipaq.INSTRUMENT_ID)
    assert isinstance(instrument.scoring, IpaqRule)  # guaranteed by the packaged file's schema
    answers, fields = ipaq.parse_input(instrument.scoring, data)
    return _score(instrument, answers, fields=fields)


def _positional_lengths(instrument: Instrument) -> tuple[int, ...]:
    last_scored = max(i for i, item in enumerate(instrument.items) if item.scored) + 1
    return tuple(sorted({last_scored, len(instrument.items)}))


def _score(instrument: Instrument, answers: Mapping[str, int | None], *, fields: Mapping[str, str]) -> Score:
    values = _validated(instrument, answers, fields)
    skipped = _skipped(instrument, values, fields)
    missing = _missing(instrument, values, skipped)
    rule = instrument.scoring
    details: dict[str, object] = {}
    severity: str | None = None
    if isinstance(rule, TriageRule):
        total, severity, details = None, *cssrs.triage(rule, values, missing)
        complete = not missing
    elif isinstance(rule, IpaqRule):
        complete = not missing
        total, severity, details = ipaq.compute(rule, values) if complete else (None, None, {})
    elif isinstance(rule, DomainsRule):
        complete = not missing
        total, details = _domains_total(rule, values) if complete else (None, {})
    else:
        total, complete, details = _sum_total(instrument, rule, values, missing)
    if total is not None and instrument.bands:
        severity = next(band.label for band in instrument.bands if band.min <= total <= band.max)
    return _finish(instrument, values, skipped, total, severity, details, complete, missing)


def _field(item_id: str, fields: Mapping[str, str]) -> str:
    return fields.get(item_id, item_id)


def _validated(instrument: Instrument, answers: object, fields: Mapping[str, str]) -> Answers:
    if not isinstance(answers, Mapping):
        raise InvalidInput("answers must map item ids to values", field="answers")
    values: Answers = dict.fromkeys((item.id for item in instrument.items), None)
    for key, value in answers.items():
        if not isinstance(key, str) or key not in values:
            raise InvalidInput(f"{instrument.name} has no item {key!r}", field=str(key) or "answers")
        if value is None:
            continue
        item = instrument.item(key)
        # bool is an int subclass; True is not an answer, and neither is 2.0 from a sloppy client.
        if not isinstance(value, int) or isinstance(value, bool) or not item.allows(value):
            raise InvalidInput(
                f"{value!r} is not a valid answer: {_allowed(item)}", field=_field(key, fields)
            )
        values[key] = value
    return values


def _allowed(item: Item) -> str:
    if item.options and len(item.options) != item.max - item.min + 1:  # options with gaps
        return "expected one of " + ", ".join(str(o.value) for o in item.options)
    return f"expected a whole number {item.min}-{item.max}"


def _skipped(instrument: Instrument, values: Answers, fields: Mapping[str, str]) -> frozenset[str]:
    skipped: set[str] = set()
    for skip in instrument.skips:
        if values[skip.when] != skip.equals:
            continue
        skipped.update(skip.items)
        for item_id in skip.items:
            value = values[item_id]
            # The lowest option ("no", "none") is what a complete positional form puts in an
            # unasked slot; anything else contradicts the skip and is counted or refused.
            if skip.if_answered == "reject" and value is not None and value != instrument.item(item_id).min:
                raise InvalidInput(
                    f"{value} contradicts {skip.when} = {skip.equals}: this item is only asked otherwise",
                    field=_field(item_id, fields),
                )
    return frozenset(skipped)


def _missing(instrument: Instrument, values: Answers, skipped: frozenset[str]) -> tuple[str, ...]:
    rule = instrument.scoring
    optional: set[str] = set(skipped)
    if isinstance(rule, DomainsRule):
        for domain in rule.domains:
            for group in domain.either_or:
                if any(values[item_id] is not None for item_id in group):
                    optional.update(group)  # one answer of an either/or pair is a complete answer
    return tuple(
        item.id for item in instrument.scored_items if values[item.id] is None and item.id not in optional
    )


def _sum_total(
    instrument: Instrument, rule: SumRule | SumTimesRule, values: Answers, missing: tuple[str, ...]
) -> tuple[int | None, bool, dict[str, object]]:
    answered = [v for item in instrument.scored_items if (v := values[item.id]) is not None]
    details: dict[str, object] = {}
    if not missing:
        raw = sum(answered)
    elif instrument.missing.rule == "prorate" and len(missing) <= instrument.missing.max_missing:
        # NHS Data Dictionary: each missing item takes the mean of the answered ones. Rounded
        # half up to keep the total on the integer scale of the bands (the rounding is our choice;
        # the source does not say, see the instrument's notes).
        mean_total = Fraction(sum(answered), len(answered)) * len(instrument.scored_items)
        raw = math.floor(mean_total + Fraction(1, 2))
        details = {"prorated": True, "answered": len(answered)}
    else:
        return None, False, {}
    if isinstance(rule, SumTimesRule):
        details[rule.detail] = raw * rule.factor
    return raw, True, details


def _domains_total(rule: DomainsRule, values: Answers) -> tuple[int, dict[str, object]]:
    domains: dict[str, int] = {}
    for domain in rule.domains:
        answered = [v for item_id in domain.items if (v := values[item_id]) is not None]
        domains[domain.name] = max(answered)
    return sum(domains.values()), {"domains": domains}


def _finish(
    instrument: Instrument,
    values: Answers,
    skipped: frozenset[str],
    total: float | None,
    severity: str | None,
    details: dict[str, object],
    complete: bool,
    missing: tuple[str, ...],
) -> Score:
    flags: list[str] = []
    for flag in instrument.flags:
        value = total if flag.on == "total" else values[flag.on]
        # Item flags fire on the answer alone, even in an incomplete form: an item-9 answer of
        # "nearly every day" must never be lost because item 4 was skipped.
        if value is not None and flag.fires(value) and flag.code not in flags:
            flags.append(flag.code)
    unscored = {
        item.id: values[item.id]
        for item in instrument.items
        if not item.scored and values[item.id] is not None
    }
    if unscored:
        details["unscored"] = unscored
    contradicted = [
        i for i in sorted(skipped) if values[i] is not None and values[i] != instrument.item(i).min
    ]
    if contradicted:
        details["answered_although_skipped"] = contradicted
    return Score(
        instrument=instrument.id,
        total=total,
        severity=severity,
        flags=tuple(flags),
        details=MappingProxyType(details),
        complete=complete,
        missing=missing,
    )
