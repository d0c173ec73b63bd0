"""Maudsley Staging Method (MSM) for treatment-resistant depression.

Fekadu et al., J Clin Psychiatry 2009; standardised in Fekadu, Donocik & Cleare, BMC Psychiatry
2018;18:100, Table 3. Five items (episode duration, baseline severity, failed antidepressants,
augmentation, ECT) add up to a total of 3-15, banded mild / moderate / severe. Item scores and bands
are package data (``data/trd_rules.toml``, section ``msm``), validated when first loaded.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput

ITEM_NAMES = ("duration", "severity", "antidepressants", "augmentation", "ect")


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One row of an MSM item table: values ``low..high`` (``high`` None = no upper bound) score ``score``."""

    low: int
    high: int | None
    score: int
    label: str

    def contains(self, value: int) -> bool:
        return value >= self.low and (self.high is None or value <= self.high)


@dataclass(frozen=True, slots=True)
class MsmTable:
    """The MSM scoring rules as loaded from package data."""

    duration: tuple[ScoreRow, ...]  # low/high are months; rows are checked in order
    severity: Mapping[str, int]
    antidepressants: tuple[ScoreRow, ...]
    augmentation: tuple[int, int]  # (not used, used)
    ect: tuple[int, int]
    bands: tuple[ScoreRow, ...]  # label = band name
    source: str
    treatment_source: str
    zero_failures_note: str


@dataclass(frozen=True, slots=True)
class MsmItem:
    """The score of one MSM item, the category that gave it and the source of the rule."""

    name: str
    score: int
    category: str
    source: str


@dataclass(frozen=True, slots=True)
class MsmScore:
    """An MSM total (3-15), its band and the five item scores."""

    score: int
    band: str
    items: tuple[MsmItem, ...]

    def item_scores(self) -> dict[str, int]:
        """Item name -> score, in the MSM's order."""
        return {item.name: item.score for item in self.items}


def _fail(message: str) -> ConfigurationError:
    return ConfigurationError(f"trd_rules.toml [msm]: {message}")


def _rows(raw: list[dict[str, Any]], *, low_key: str, high_key: str) -> tuple[ScoreRow, ...]:
    rows: list[ScoreRow] = []
    for entry in raw:
        low = int(entry.get(low_key, rows[-1].high + 1 if rows and rows[-1].high is not None else 0))
        high = entry.get(high_key)
        rows.append(
            ScoreRow(low, None if high is None else int(high), int(entry["score"]), str(entry["label"]))
        )
    for before, after in itertools.pairwise(rows):
        if before.high is None or after.low != before.high + 1:
            raise _fail(f"rows must be contiguous and ascending ({before.label} -> {after.label})")
    if not rows or rows[-1].high is not None:
        raise _fail("the last row must have no upper bound")
    return tuple(rows)


def _bands(raw: list[dict[str, Any]], *, lowest: int, highest: int) -> tuple[ScoreRow, ...]:
    bands = tuple(ScoreRow(int(b["min"]), int(b["max"]), 0, str(b["name"])) for b in raw)
    covered = [total for band in bands for total in range(band.low, (band.high or band.low) + 1)]
    # Every possible total must fall in exactly one band, or "band consistent with score" breaks.
    if covered != list(range(lowest, highest + 1)):
        raise _fail(f"bands must cover {lowest}-{highest} once, in order")
    return bands


@cache
def msm_table() -> MsmTable:
    """The packaged MSM rules (cached: package data does not change at run time)."""
    raw = load_toml("trd_rules", "stride.clinical.trd.data")["msm"]
    duration = _rows(raw["duration"], low_key="min_months", high_key="max_months")
    antidepressants = _rows(raw["antidepressants"], low_key="min", high_key="max")
    if antidepressants[0].low != 0:
        raise _fail("antidepressant rows must start at 0 failures")
    severity = {str(k): int(v) for k, v in raw["severity"].items()}
    augmentation = (int(raw["augmentation"]["not_used"]), int(raw["augmentation"]["used"]))
    ect = (int(raw["ect"]["not_used"]), int(raw["ect"]["used"]))
    parts = (duration, antidepressants)
    lowest = sum(min(r.score for r in p) for p in parts) + min(severity.values()) + augmentation[0] + ect[0]
    highest = sum(max(r.score for r in p) for p in parts) + max(severity.values()) + augmentation[1] + ect[1]
    return MsmTable(
        duration=duration,
        severity=MappingProxyType(severity),
        antidepressants=antidepressants,
        augmentation=augmentation,
        ect=ect,
        bands=_bands(raw["bands"], lowest=lowest, highest=highest),
        source=str(raw["source"]),
        treatment_source=str(raw["treatment_source"]),
        zero_failures_note=str(raw["zero_failures_note"]),
    )


def severity_levels() -> tuple[str, ...]:
    """The accepted baseline severity categories, mildest first."""
    table = msm_table()
    return tuple(sorted(table.severity, key=table.severity.__getitem__))


def months_after(start: date, months: int) -> date:
    """``start`` plus whole calendar months, the day clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    if year > date.max.year:
        return date.max  # beyond the calendar: no as_of can reach it
    return date(year, month0 + 1, min(start.day, calendar.monthrange(year, month0 + 1)[1]))


def _duration_item(table: MsmTable, *, episode_start: date, as_of: date) -> MsmItem:
    # "<= 12 months" is read as elapsed time: 12 months and 1 day is no longer acute.
    for row in table.duration:
        if row.high is None or as_of <= months_after(episode_start, row.high):
            return MsmItem("duration", row.score, row.label, table.source)
    raise AssertionError("unreachable: the last duration row is open-ended")  # pragma: no cover


def _count_item(table: MsmTable, failed: int) -> MsmItem:
    row = next(r for r in table.antidepressants if r.contains(failed))
    label = f"{failed} failed: {row.label}"
    if failed == 0:
        label += f" ({table.zero_failures_note})"
    return MsmItem("antidepressants", row.score, label, table.treatment_source)


def _used_item(name: str, scores: tuple[int, int], used: bool, source: str) -> MsmItem:
    return MsmItem(name, scores[1] if used else scores[0], "used" if used else "not used", source)


def stage(
    *,
    episode_start: date,
    as_of: date,
    severity: str,
    failed_antidepressants: int,
    augmentation: bool,
    ect: bool,
) -> MsmScore:
    """Score the Maudsley Staging Method.

    Parameters
    ----------
    episode_start, as_of
        Onset of the current episode and the date of the assessment; the duration item is the
        time between them in calendar months.
    severity
        Baseline severity, one of :func:`severity_levels`.
    failed_antidepressants
        Number of antidepressant medications failed in the episode (0 is scored as the lowest row).
    augmentation, ect
        Whether augmentation or ECT was used in the episode.

    Returns
    -------
    MsmScore
        Total 3-15, band and item scores, each item with its category and source.

    Raises
    ------
    InvalidInput
        ``episode_start`` after ``as_of``, an unknown ``severity`` or a negative count.
    """
    table = msm_table()
    if episode_start > as_of:
        raise InvalidInput(f"episode start {episode_start} is after as_of {as_of}", field="episode_start")
    if severity not in table.severity:
        raise InvalidInput(
            f"unknown severity {severity!r}; one of {', '.join(severity_levels())}", field="severity"
        )
    if failed_antidepressants < 0:
        raise InvalidInput("must not be negative", field="failed_antidepressants")
    items = (
        _duration_item(table, episode_start=episode_start, as_of=as_of),
        MsmItem("severity", table.severity[severity], severity.replace("_", " "), table.source),
        _count_item(table, failed_antidepressants),
        _used_item("augmentation", table.augmentation, augmentation, table.treatment_source),
        _used_item("ect", table.ect, ect, table.treatment_source),
    )
    total = sum(item.score for item in items)
    band = next(b.label for b in table.bands if b.contains(total))
    return MsmScore(score=total, band=band, items=items)
