"""IPAQ short form: MET-minutes/week and the low/moderate/high category.

Follows the "Guidelines for Data Processing and Analysis of the IPAQ" (November 2005); every number
is data in ``instruments/ipaq_sf.toml``.
Order of processing, as in the guidelines: exclude implausible cases on the raw answers, then
re-code bouts under the minimum to zero, then truncate long days, then compute and categorise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stride.clinical.measurement.instrument_model import IpaqRule
from stride.errors import InvalidInput

INSTRUMENT_ID = "ipaq_sf"
_BLOCK_KEYS = ("days", "minutes_per_day")


@dataclass(frozen=True, slots=True)
class _Dose:
    days: int
    minutes: int


def parse_input(rule: IpaqRule, data: object) -> tuple[dict[str, int | None], dict[str, str]]:
    """Flatten ``{"vigorous": {"days": d, "minutes_per_day": m}, ...}`` into item answers.

    Returns the answers keyed by item id and the public field name of each item
    (``vigorous.days``), so that validation errors name the field the user wrote. Values are
    range-checked by the caller against the items; only the shape is checked here.
    """
    names = [activity.name for activity in rule.activities]
    if not isinstance(data, Mapping):
        raise InvalidInput(f"expected an object with {', '.join(names)}", field="input")
    for key in data:
        if key not in names:
            raise InvalidInput(f"unknown activity {key!r}; expected {', '.join(names)}", field=str(key))
    answers: dict[str, int | None] = {}
    fields: dict[str, str] = {}
    for activity in rule.activities:
        block = data.get(activity.name)
        if not isinstance(block, Mapping):
            raise InvalidInput("required: an object with days and minutes_per_day", field=activity.name)
        for key in block:
            if key not in _BLOCK_KEYS:
                raise InvalidInput(
                    f"unknown key; expected {' or '.join(_BLOCK_KEYS)}", field=f"{activity.name}.{key}"
                )
        if "days" not in block:
            raise InvalidInput("required (null if not known)", field=f"{activity.name}.days")
        # The caller validates the values' types and ranges, naming these fields.
        answers[activity.days_item] = _whole(block["days"])
        answers[activity.minutes_item] = _whole(block.get("minutes_per_day"))
        fields[activity.days_item] = f"{activity.name}.days"
        fields[activity.minutes_item] = f"{activity.name}.minutes_per_day"
    return answers, fields


def _whole(value: object) -> Any:
    # JSON has one number type: 30.0 is the integer 30 (as JSON Schema's "integer" agrees).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def compute(
    rule: IpaqRule, values: Mapping[str, int | None]
) -> tuple[float | None, str | None, dict[str, object]]:
    """MET-minutes/week, category and details for a complete set of answers.

    An implausible case (more than ``exclude_daily_minutes_above`` minutes a day across the three
    intensities) is excluded as the guidelines require: no total and no category, with the reason
    in ``details["excluded"]``.
    """
    raw = {
        a.name: _Dose(values[a.days_item] or 0, _minutes(values, a.days_item, a.minutes_item))
        for a in rule.activities
    }
    daily = sum(dose.minutes for dose in raw.values())
    if daily > rule.exclude_daily_minutes_above:
        limit = rule.exclude_daily_minutes_above
        reason = f"{daily} minutes a day in total is above {limit}: excluded as implausible"
        return None, None, {"excluded": reason}
    short = [name for name, dose in raw.items() if 0 < dose.minutes < rule.min_bout_minutes]
    long = [name for name, dose in raw.items() if dose.minutes > rule.truncate_minutes]
    doses = {name: _processed(dose, rule) for name, dose in raw.items()}
    met = {a.name: _met(a.met, doses[a.name]) for a in rule.activities}
    total = sum(met.values(), Decimal(0))
    details: dict[str, object] = {"met_minutes": {name: float(value) for name, value in met.items()}}
    if short:
        details["recoded_short_bouts"] = short
    if long:
        details["truncated"] = long
    return float(total), _category(rule, doses, total), details


def _minutes(values: Mapping[str, int | None], days_item: str, minutes_item: str) -> int:
    # With zero days the minutes question is skipped; any minutes given are then meaningless.
    if not values[days_item]:
        return 0
    minutes = values[minutes_item]
    assert minutes is not None  # the caller's missing-item check guarantees it
    return minutes


def _processed(dose: _Dose, rule: IpaqRule) -> _Dose:
    if dose.minutes < rule.min_bout_minutes:
        return _Dose(0, 0)  # a bout under the minimum does not count, nor does its day
    return _Dose(dose.days, min(dose.minutes, rule.truncate_minutes))


def _met(met: float, dose: _Dose) -> Decimal:
    # Decimal keeps 3.3 x 30 x 5 at exactly 495.0, so the >= thresholds are not missed by a float ulp.
    return Decimal(str(met)) * dose.minutes * dose.days


def _category(rule: IpaqRule, doses: Mapping[str, _Dose], total: Decimal) -> str:
    t = rule.thresholds
    vigorous = doses["vigorous"]
    # Day counts of different intensities are summed (IPAQlong does the same); capping the sum at 7
    # would change nothing, because every threshold compared against it is at most 7.
    combined_days = sum(dose.days for dose in doses.values())
    if (vigorous.days >= t["high_vigorous_days"] and total >= Decimal(str(t["high_total_met"]))) or (
        combined_days >= t["high_combined_days"] and total >= Decimal(str(t["high_combined_met"]))
    ):
        return "high"
    moderate_days = sum(
        doses[name].days for name in ("moderate", "walking") if doses[name].minutes >= t["moderate_minutes"]
    )
    if (
        (vigorous.days >= t["moderate_vigorous_days"] and vigorous.minutes >= t["moderate_vigorous_minutes"])
        or moderate_days >= t["moderate_days"]
        or (
            combined_days >= t["moderate_combined_days"] and total >= Decimal(str(t["moderate_combined_met"]))
        )
    ):
        return "moderate"
    return "low"
