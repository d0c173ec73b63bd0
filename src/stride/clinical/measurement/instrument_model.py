"""The model of an instrument: frozen dataclasses for its items, bands, flags, scoring rules and licence.

No loading and no parsing here (:mod:`stride.clinical.measurement.instrument_schema` builds these
from a file, :mod:`stride.clinical.measurement.instruments` finds and caches them), so every module of
the family imports this one and nothing points back up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from stride.errors import InvalidInput

Kind = Literal["self_report", "clinician_rated", "rating_scale", "activity"]
KINDS: tuple[Kind, ...] = ("self_report", "clinician_rated", "rating_scale", "activity")
V = TypeVar("V")


class FrozenMap(Mapping[str, V]):
    """A read-only, hashable mapping, so that the frozen dataclasses holding one stay hashable."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, V]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


@dataclass(frozen=True, slots=True)
class Option:
    """One response option of an item: the stored ``value`` and the ``label`` shown with it."""

    value: int
    label: str
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One question or rating.

    ``text`` is the verbatim wording, present only where the licence allows reproducing it; the
    short ``label`` is always present. ``options`` is empty for free numeric answers (minutes),
    which are then bounded by ``min`` and ``max``.
    """

    id: str
    label: str
    text: str | None
    options: tuple[Option, ...]
    scored: bool
    min: int
    max: int

    def allows(self, value: int) -> bool:
        """Whether ``value`` is a valid answer to this item."""
        if self.options:
            return any(option.value == value for option in self.options)
        return self.min <= value <= self.max


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band ``min``..``max`` (inclusive) on the total's scale, e.g. for chart shading."""

    label: str
    min: int
    max: int
    source: str


@dataclass(frozen=True, slots=True)
class Flag:
    """A flag raised when the value ``on`` (the total or an item id) lies within ``min``..``max``."""

    code: str
    on: str
    min: float | None
    max: float | None
    source: str

    def fires(self, value: float) -> bool:
        """Whether ``value`` raises this flag (both bounds inclusive; a missing bound is open)."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True, slots=True)
class Licence:
    """Who owns the instrument and whether its wording may be shown verbatim."""

    name: str
    verbatim_allowed: bool
    note: str


@dataclass(frozen=True, slots=True)
class MissingRule:
    """What to do with unanswered scored items: ``none`` (incomplete) or ``prorate`` up to a limit."""

    rule: Literal["none", "prorate"]
    max_missing: int
    source: str


@dataclass(frozen=True, slots=True)
class Skip:
    """Items not asked when item ``when`` is answered ``equals`` (the form's skip logic).

    ``if_answered`` says what an answer to a skipped item means anyway: ``count`` uses it (the
    safer reading of a form that did not follow the skip logic), ``reject`` refuses the form.
    """

    when: str
    equals: int
    items: tuple[str, ...]
    if_answered: Literal["count", "reject"]
    source: str


@dataclass(frozen=True, slots=True)
class SumRule:
    """Total = the sum of the scored items (``rule = "sum"``; also ``"rating"`` for one-item scales)."""

    source: str


@dataclass(frozen=True, slots=True)
class SumTimesRule:
    """Total = the raw sum; ``details[detail]`` = raw sum x ``factor`` (the WHO-5 percentage)."""

    factor: int
    detail: str
    source: str


@dataclass(frozen=True, slots=True)
class Domain:
    """A QIDS domain: the maximum of its items; of each ``either_or`` group one answer suffices."""

    name: str
    items: tuple[str, ...]
    either_or: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class DomainsRule:
    """Total = the sum over domains of the maximum item score in each domain."""

    domains: tuple[Domain, ...]
    source: str


@dataclass(frozen=True, slots=True)
class TriageLevel:
    """A triage level reached when any item in ``any_positive`` is answered positive."""

    label: str
    any_positive: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class TriageRule:
    """No total: the level is the first (highest) of ``levels`` with a positive answer."""

    levels: tuple[TriageLevel, ...]
    positive_value: int
    default: str
    default_source: str
    source: str


@dataclass(frozen=True, slots=True)
class Activity:
    """One IPAQ intensity: its MET value and the items holding its days and minutes per day."""

    name: str
    met: float
    days_item: str
    minutes_item: str


@dataclass(frozen=True, slots=True)
class IpaqRule:
    """The IPAQ short-form MET-minutes and categories (thresholds as cited data)."""

    activities: tuple[Activity, ...]
    min_bout_minutes: int
    truncate_minutes: int
    exclude_daily_minutes_above: int
    thresholds: Mapping[str, float]
    source: str


Rule = SumRule | SumTimesRule | DomainsRule | TriageRule | IpaqRule


@dataclass(frozen=True)
class Instrument:
    """A validated instrument definition.

    ``loinc`` maps ``panel``, ``total``, ``interpretation`` and item ids to LOINC codes where the
    reference names them. ``min_total``/``max_total`` are ``None`` where there is no total.
    """

    id: str
    name: str
    version: str
    kind: Kind
    recall_period: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    flags: tuple[Flag, ...]
    scoring: Rule
    missing: MissingRule
    skips: tuple[Skip, ...]
    loinc: Mapping[str, str]
    licence: Licence
    source: str
    notes: str
    min_total: int | None
    max_total: int | None

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``; ``InvalidInput`` naming it if this instrument has none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise InvalidInput(f"{self.name} has no item {item_id!r}", field=item_id)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """The items that count towards the score, in form order."""
        return tuple(item for item in self.items if item.scored)
