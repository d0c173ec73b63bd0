"""Outcomes over repeated measures of one instrument for one patient.

For each scored measurement: change and % change from a baseline, and, where the instrument has a
cited rule (``data/outcomes.toml`` of this package), response, partial response, remission, reliable
improvement or deterioration and recovery (NHS Talking Therapies). Whether lower or higher totals
are better is the instrument's ``direction`` in the data, so WHO-5 needs no special case here.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import cache
from typing import Any, Literal, cast

from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput

Direction = Literal["lower_is_better", "higher_is_better"]
Op = Literal["<", "<=", ">", ">="]
_OPS: Mapping[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_SIGN: Mapping[str, int] = {"lower_is_better": -1, "higher_is_better": 1}


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A comparison of a total with a value, e.g. PHQ-9 remission ``< 5``."""

    op: Op
    value: float
    source: str

    def holds(self, total: float) -> bool:
        return _OPS[self.op](total, self.value)

    def points_up(self) -> bool:
        """True when the cutoff selects the high end of the scale (``>`` or ``>=``)."""
        return self.op in {">", ">="}


@dataclass(frozen=True, slots=True)
class PctRule:
    """A minimum improvement from baseline, in per cent of the baseline total."""

    min_improvement_pct: float
    source: str


@dataclass(frozen=True, slots=True)
class ChangeRule:
    """A minimum change in total-score points (inclusive), e.g. reliable change on PHQ-9 ``>= 6``."""

    min_change: float
    source: str


@dataclass(frozen=True, slots=True)
class OutcomeRules:
    """The outcome rules of one instrument; any rule may be absent (its outcome is then None).

    Raises
    ------
    InvalidInput
        Inconsistent rules: a remission cutoff pointing to the worse end of the scale, caseness to
        the better end, partial response without response or not below it, a non-positive change.
    """

    instrument: str
    direction: Direction | None = None  # None: nothing known about the instrument beyond its totals
    response: PctRule | None = None
    partial_response: PctRule | None = None
    remission: Cutoff | None = None
    reliable_change: ChangeRule | None = None
    caseness: Cutoff | None = None

    def __post_init__(self) -> None:
        rules = (self.response, self.partial_response, self.remission, self.reliable_change, self.caseness)
        if self.direction is None:
            if any(rule is not None for rule in rules):
                raise InvalidInput("rules need the instrument's direction", field="rules.direction")
            return
        if self.direction not in _SIGN:
            raise InvalidInput(f"unknown direction {self.direction!r}", field="rules.direction")
        up = self.direction == "higher_is_better"
        for name, cutoff, better in (("remission", self.remission, True), ("caseness", self.caseness, False)):
            if cutoff is not None and (cutoff.op not in _OPS or cutoff.points_up() != (up == better)):
                raise InvalidInput(
                    f"{cutoff.op} points the wrong way for {self.direction}", field=f"rules.{name}"
                )
        self._check_amounts()

    def _check_amounts(self) -> None:
        if self.response is not None and self.response.min_improvement_pct <= 0:
            raise InvalidInput("must be more than 0 %", field="rules.response")
        partial = self.partial_response
        if partial is not None and (
            self.response is None or not 0 < partial.min_improvement_pct < self.response.min_improvement_pct
        ):
            raise InvalidInput("needs a response rule and a smaller minimum", field="rules.partial_response")
        if self.reliable_change is not None and self.reliable_change.min_change <= 0:
            raise InvalidInput("must be more than 0 points", field="rules.reliable_change")


@dataclass(frozen=True, slots=True)
class OutcomePoint:
    """One measurement and its outcomes relative to the baseline (None: no rule, or not computable)."""

    when: date
    total: float
    change: float  # total - baseline, in points, whatever the direction
    pct_change: float | None  # change as % of the baseline; None when the baseline is 0
    improvement_pct: float | None  # % change toward the better end (reduction on symptom scales)
    response: bool | None
    partial_response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    caseness: bool | None
    recovery: bool | None  # None also when the baseline was not at caseness (NHS TT counts only cases)


class OutcomeStatus(StrEnum):
    """Where the latest measurement stands; the first that applies, in this order."""

    BASELINE = "baseline"  # the latest measurement is the baseline itself
    REMISSION = "remission"
    RESPONSE = "response"
    PARTIAL_RESPONSE = "partial_response"
    NO_RESPONSE = "no_response"
    NOT_IN_REMISSION = "not_in_remission"  # remission rule only (e.g. GAD-7)
    NOT_RATED = "not_rated"  # no response or remission rule for this instrument


@dataclass(frozen=True, slots=True)
class OutcomeSummary:
    """First response and remission after the baseline, and the status of the latest measurement."""

    first_response: date | None
    first_remission: date | None
    current_status: OutcomeStatus
    current: OutcomePoint


@dataclass(frozen=True, slots=True)
class OutcomeSeries:
    """The outcomes of every measurement, the baseline they are measured from, and a summary."""

    instrument: str
    rules: OutcomeRules
    baseline_index: int
    points: tuple[OutcomePoint, ...]
    summary: OutcomeSummary

    @property
    def baseline(self) -> OutcomePoint:
        return self.points[self.baseline_index]


# --- package data -----------------------------------------------------------------------------


def normalise_id(instrument_id: str) -> str:
    """Instrument ids compare without case or punctuation: ``"PHQ-9"`` is ``"phq9"``."""
    return re.sub(r"[^a-z0-9]", "", instrument_id.lower())


def _from_toml(instrument_id: str, raw: Mapping[str, Any]) -> OutcomeRules:
    def pct(key: str) -> PctRule | None:
        entry = raw.get(key)
        return None if entry is None else PctRule(float(entry["min_improvement_pct"]), str(entry["source"]))

    def cutoff(key: str) -> Cutoff | None:
        entry = raw.get(key)
        return None if entry is None else Cutoff(entry["op"], float(entry["value"]), str(entry["source"]))

    change = raw.get("reliable_change")
    return OutcomeRules(
        instrument=instrument_id,
        direction=cast(Direction, raw["direction"]),
        response=pct("response"),
        partial_response=pct("partial_response"),
        remission=cutoff("remission"),
        reliable_change=None
        if change is None
        else ChangeRule(float(change["min_change"]), str(change["source"])),
        caseness=cutoff("caseness"),
    )


@cache
def _packaged() -> Mapping[str, OutcomeRules]:
    rules: dict[str, OutcomeRules] = {}
    packaged = load_toml("outcomes", "stride.clinical.measurement.data")["instruments"]
    for instrument_id, raw in packaged.items():
        sources = [v["source"] for v in raw.values() if isinstance(v, dict)]
        try:
            if not all(sources):
                raise InvalidInput("every rule needs a source", field="source")
            rules[normalise_id(instrument_id)] = _from_toml(instrument_id, raw)
        except (InvalidInput, KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(f"outcomes.toml [instruments.{instrument_id}]: {exc}") from exc
    return rules


def outcome_rules(instrument_id: str) -> OutcomeRules:
    """The packaged rules of an instrument; an instrument without any gets rules with none set."""
    return _packaged().get(normalise_id(instrument_id), OutcomeRules(instrument=instrument_id))


# --- computation ------------------------------------------------------------------------------


def _instant(when: date) -> datetime:
    # Dates and datetimes (naive or aware) in one series must still order; aware ones go to UTC.
    if isinstance(when, datetime):
        return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    return datetime.combine(when, time())


def _checked_points(points: Sequence[tuple[date, float]]) -> list[tuple[date, float]]:
    checked: list[tuple[date, float]] = []
    for index, point in enumerate(points):
        at = f"points[{index}]"
        if not isinstance(point, tuple | list) or len(point) != 2:
            raise InvalidInput("must be a (when, total) pair", field=at)
        when, total = point
        if not isinstance(when, date):
            raise InvalidInput("must be a date or datetime", field=f"{at}.when")
        if isinstance(total, bool) or not isinstance(total, int | float) or not math.isfinite(total):
            raise InvalidInput("must be a finite number", field=f"{at}.total")
        if checked and _instant(when) < _instant(checked[-1][0]):
            raise InvalidInput("is earlier than the measurement before it", field=f"{at}.when")
        checked.append((when, float(total)))
    if not checked:
        raise InvalidInput("needs at least one measurement", field="points")
    return checked


def _improvement_at_least(improvement: float, baseline: float, pct: float) -> bool:
    # Cross-multiplied so that integer totals meet a threshold exactly: 10 -> 5 is 50 %, a response.
    return improvement * 100 >= pct * abs(baseline)


def _responses(improvement: float, baseline: float, rules: OutcomeRules) -> tuple[bool | None, bool | None]:
    if baseline == 0 or rules.response is None:
        return None, None  # no per cent of nothing
    response = _improvement_at_least(improvement, baseline, rules.response.min_improvement_pct)
    if rules.partial_response is None:
        return response, None
    partial = _improvement_at_least(improvement, baseline, rules.partial_response.min_improvement_pct)
    return response, partial and not response


def _point(when: date, total: float, baseline: float, rules: OutcomeRules) -> OutcomePoint:
    change = total - baseline
    pct_change = 100 * change / abs(baseline) if baseline != 0 else None
    response = partial = reliable_up = reliable_down = None
    improvement_pct = None
    if rules.direction is not None:
        # + 0.0 turns the -0.0 of "no change on a lower-is-better scale" into 0.0.
        improvement = _SIGN[rules.direction] * change + 0.0
        improvement_pct = None if pct_change is None else _SIGN[rules.direction] * pct_change + 0.0
        response, partial = _responses(improvement, baseline, rules)
        if rules.reliable_change is not None:
            reliable_up = improvement >= rules.reliable_change.min_change
            reliable_down = -improvement >= rules.reliable_change.min_change
    case_now = None if rules.caseness is None else rules.caseness.holds(total)
    case_before = None if rules.caseness is None else rules.caseness.holds(baseline)
    return OutcomePoint(
        when=when,
        total=total,
        change=change,
        pct_change=pct_change,
        improvement_pct=improvement_pct,
        response=response,
        partial_response=partial,
        remission=None if rules.remission is None else rules.remission.holds(total),
        reliable_improvement=reliable_up,
        reliable_deterioration=reliable_down,
        caseness=case_now,
        recovery=(not case_now) if case_before else None,
    )


def _status(point: OutcomePoint, *, is_baseline: bool) -> OutcomeStatus:
    if is_baseline:
        return OutcomeStatus.BASELINE
    ladder = (
        (point.remission, OutcomeStatus.REMISSION),
        (point.response, OutcomeStatus.RESPONSE),
        (point.partial_response, OutcomeStatus.PARTIAL_RESPONSE),
    )
    for flag, status in ladder:
        if flag:
            return status
    if point.response is not None:
        return OutcomeStatus.NO_RESPONSE
    if point.remission is not None:
        return OutcomeStatus.NOT_IN_REMISSION
    return OutcomeStatus.NOT_RATED


def outcome_series(
    instrument_id: str,
    points: Sequence[tuple[date, float]],
    *,
    baseline_index: int = 0,
    rules: OutcomeRules | None = None,
) -> OutcomeSeries:
    """Outcomes of every measurement of one instrument relative to a baseline.

    Parameters
    ----------
    instrument_id
        The instrument (``"phq9"``, ``"PHQ-9"``, ...); selects the packaged rules.
    points
        ``(when, total)`` in chronological order; ``when`` is a date or datetime.
    baseline_index
        Which measurement is the baseline; the first by default.
    rules
        Rules to use instead of the packaged ones (a site's configuration, a study protocol).

    Returns
    -------
    OutcomeSeries
        Per point: change, % change, improvement %, response, partial response, remission,
        reliable improvement / deterioration, caseness and recovery (None where no rule applies);
        and a summary with the first response and remission after the baseline and the current status.

    Raises
    ------
    InvalidInput
        No points, a point out of order or not a finite number, or a baseline index out of range.
    """
    checked = _checked_points(points)
    if isinstance(baseline_index, bool) or not isinstance(baseline_index, int):
        raise InvalidInput("must be an integer", field="baseline_index")
    if not 0 <= baseline_index < len(checked):
        raise InvalidInput(f"must be between 0 and {len(checked) - 1}", field="baseline_index")
    rules = rules if rules is not None else outcome_rules(instrument_id)
    baseline = checked[baseline_index][1]
    series = tuple(_point(when, total, baseline, rules) for when, total in checked)
    later = series[baseline_index + 1 :]
    summary = OutcomeSummary(
        first_response=next((p.when for p in later if p.response), None),
        first_remission=next((p.when for p in later if p.remission), None),
        current_status=_status(series[-1], is_baseline=baseline_index == len(series) - 1),
        current=series[-1],
    )
    return OutcomeSeries(instrument_id, rules, baseline_index, series, summary)
