"""Sessions recorded twice: the same bout from two sources (a watch and a phone, a FIT file and a
hand-written log) must be counted once.

Two sessions are the same bout when their overlap reaches ``min_fraction`` of the shorter one
(``dose.toml [overlap]``, 0.5 by default; a session of no duration overlaps when its instant lies
within the other). The richer record is kept: heart-rate samples, then a device's summary, then a
hand-entered log (``richness``); ties go to the longer session, then to the smaller id. Kept sessions
are chosen richest first, and a session is a duplicate of the kept session it overlaps most, so two
real sessions inside one long recording both survive and the long recording is the duplicate.

The result flags duplicates; weekly and adherence functions take its :attr:`Deduplication.duplicate_ids`
and skip them. Merging the records (e.g. taking the RPE of the log into the device's session) is the
caller's choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np

from stride.clinical import toml_reader as r
from stride.data import load_toml
from stride.errors import InvalidInput

RICHNESS: tuple[str, ...] = ("samples", "summary", "manual")


@dataclass(frozen=True, slots=True)
class OverlapRules:
    """``dose.toml [overlap]``: the overlap share that makes two sessions one, and the richness order."""

    min_fraction: float
    richness: tuple[str, ...]
    source: str


def parse_overlap(raw: Mapping[str, Any]) -> OverlapRules:
    """Validate ``[overlap]`` of the parsed ``dose.toml``; ``ConfigurationError`` naming the key."""
    at = r.At("dose.toml").key("overlap")
    table = r.table(raw.get("overlap"), at, required=("min_fraction", "richness", "status", "source"))
    fraction = r.number(table, "min_fraction", at)
    if not 0.0 < fraction <= 1.0:
        raise at.key("min_fraction").fail("must be a share above 0 and at most 1")
    order = r.strings(table, "richness", at)
    if sorted(order) != sorted(RICHNESS):
        raise at.key("richness").fail(f"must order exactly {', '.join(RICHNESS)}")
    return OverlapRules(fraction, order, r.text(table, "source", at))


@cache
def overlap_rules() -> OverlapRules:
    """The validated ``[overlap]`` table of ``dose.toml`` (cached)."""
    return parse_overlap(load_toml("dose"))


@dataclass(frozen=True, slots=True)
class SessionSpan:
    """A recorded session as far as overlap goes.

    ``has_hr_samples``: the record carries heart-rate samples; ``manual``: it was entered by hand
    (otherwise it is a device's summary). ``source`` names where it came from (``fit``, ``manual``, …).
    """

    id: str
    start: datetime
    end: datetime
    source: str
    has_hr_samples: bool
    manual: bool = False

    @property
    def richness(self) -> str:
        """``samples``, ``summary`` or ``manual``."""
        if self.has_hr_samples:
            return "samples"
        return "manual" if self.manual else "summary"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Session ``id`` is a second record of the kept session ``of``; ``overlap``: share of the shorter."""

    id: str
    of: str
    overlap: float


@dataclass(frozen=True, slots=True)
class Deduplication:
    """Which sessions count (``kept``, in input order) and which are duplicates of which."""

    kept: tuple[str, ...]
    duplicates: tuple[Duplicate, ...]

    @property
    def duplicate_ids(self) -> frozenset[str]:
        """The ids to skip when counting."""
        return frozenset(d.id for d in self.duplicates)


def _check(spans: Sequence[SessionSpan]) -> None:
    ids = [s.id for s in spans]
    if len(set(ids)) != len(ids):
        raise InvalidInput("a session id appears twice", field="sessions")
    for s in spans:
        if s.start.utcoffset() is None or s.end.utcoffset() is None:
            raise InvalidInput(f"session {s.id}: times must be timezone-aware", field="start")
        if s.end < s.start:
            raise InvalidInput(f"session {s.id} ends before it starts", field="end")


def overlap_shares(spans: Sequence[SessionSpan]) -> np.ndarray:
    """The pairwise overlap of the sessions as a share of the shorter of each pair (``n x n``).

    A pair whose shorter session has no duration has share 1 when its instant lies within the other
    (inclusive), else 0. The diagonal is 1.
    """
    start = np.array([s.start.timestamp() for s in spans], dtype=np.float64)
    end = np.array([s.end.timestamp() for s in spans], dtype=np.float64)
    common = np.minimum(end[:, None], end[None, :]) - np.maximum(start[:, None], start[None, :])
    shorter = np.minimum((end - start)[:, None], (end - start)[None, :])
    touching = common >= 0  # an instant within the other, ends included
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(shorter > 0, np.clip(common, 0.0, None) / shorter, touching.astype(np.float64))
    return np.asarray(share, dtype=np.float64)


def find_duplicates(spans: Sequence[SessionSpan], *, rules: OverlapRules | None = None) -> Deduplication:
    """Flag the sessions that record the same bout as a richer one.

    Parameters
    ----------
    spans
        The sessions of one patient, from any sources.
    rules
        The overlap share and the richness order (default: ``dose.toml [overlap]``).

    Returns
    -------
    Deduplication
        The kept ids and, for every duplicate, the kept session it repeats.

    Raises
    ------
    InvalidInput
        Naming ``sessions`` (an id twice), ``start`` (naive times) or ``end`` (before the start).

    Examples
    --------
    A FIT file with heart rate and a hand-written log of the same walk:

    >>> from datetime import UTC
    >>> t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    >>> fit = SessionSpan("fit-1", t, t.replace(hour=10), "fit", has_hr_samples=True)
    >>> log = SessionSpan("log-1", t.replace(minute=5), t.replace(hour=10), "manual", False, manual=True)
    >>> find_duplicates([log, fit]).duplicates
    (Duplicate(id='log-1', of='fit-1', overlap=1.0),)
    """
    rules = rules or overlap_rules()
    _check(spans)
    share = overlap_shares(spans)
    rank = {name: i for i, name in enumerate(rules.richness)}
    order = sorted(
        range(len(spans)),
        key=lambda i: (
            rank[spans[i].richness],
            -(spans[i].end - spans[i].start).total_seconds(),
            spans[i].id,
        ),
    )
    kept: list[int] = []
    duplicates: list[Duplicate] = []
    for i in order:
        same = [k for k in kept if share[i, k] >= rules.min_fraction]
        if same:
            best = max(same, key=lambda k: share[i, k])  # first kept wins a tie: the richest
            duplicates.append(Duplicate(spans[i].id, spans[best].id, float(share[i, best])))
        else:
            kept.append(i)
    return Deduplication(
        kept=tuple(spans[i].id for i in sorted(kept)),
        duplicates=tuple(sorted(duplicates, key=lambda d: d.id)),
    )
