"""MET values per activity type from the 2024 Adult Compendium of Physical Activities.

The values, their Compendium codes and descriptions, and the reliability of each are package data in
``stride/data/mets.toml``. Every :data:`~stride.activity.model.Sport` has an entry except those in
the file's ``[no_value]`` table (``other``), which are priced at no MET at all rather than at a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from stride.activity.model import SPORTS, Sport
from stride.clinical import toml_reader as r
from stride.data import load_toml

_FILE = "mets.toml"
VARIANTS: tuple[str, ...] = ("general", "light", "moderate", "vigorous")
STATUSES: tuple[str, ...] = ("VERIFIED", "SECONDARY", "UNSURE")


@dataclass(frozen=True, slots=True)
class MetEntry:
    """One Compendium activity: its code, MET value, description and how sure the value is."""

    code: str
    met: float
    description: str
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class SportMets:
    """The MET values of one sport: the ``default`` variant and the effort variants that exist."""

    sport: str
    default: str
    variants: Mapping[str, MetEntry]

    @property
    def default_entry(self) -> MetEntry:
        """The entry used when nothing says how hard the session was."""
        return self.variants[self.default]

    def for_effort(self, effort: str) -> MetEntry:
        """The ``effort`` variant (``light``, ``moderate``, ``vigorous``), else the default one."""
        return self.variants.get(effort, self.default_entry)


@dataclass(frozen=True, slots=True)
class NoValue:
    """Why a sport has no MET value, and the source of that choice."""

    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class NamedActivity:
    """An activity outside :data:`~stride.activity.model.Sport` that a device names (kayaking,
    stand-up paddleboarding): the words of its labels and its Compendium values."""

    id: str
    labels: tuple[str, ...]  # folded: lower case, words joined by "_"
    mets: SportMets


@dataclass(frozen=True, slots=True)
class MetTable:
    """Everything in ``mets.toml``."""

    sports: Mapping[str, SportMets]
    no_value: Mapping[str, NoValue]
    notes: str
    named: tuple[NamedActivity, ...] = ()


def _entry(data: object, at: r.At) -> MetEntry:
    table = r.table(data, at, required=("code", "met", "description", "status", "source"))
    code = r.text(table, "code", at)
    if not (len(code) == 5 and code.isdigit()):
        raise at.key("code").fail("must be a five-digit Compendium activity code")
    met = r.number(table, "met", at)
    if not 1.0 <= met <= 25.0:  # 1 MET is rest; the Compendium's highest values are below 25
        raise at.key("met").fail("must lie between 1 and 25 METs")
    return MetEntry(
        code=code,
        met=met,
        description=r.text(table, "description", at),
        status=r.choice(table, "status", at, STATUSES),
        source=r.text(table, "source", at),
    )


def _sport(name: str, data: object, at: r.At) -> SportMets:
    table = r.table(data, at, required=("default", "variants"))
    raw = table["variants"]
    if not isinstance(raw, Mapping) or not raw:
        raise at.key("variants").fail("must be a table of variants")
    variants: dict[str, MetEntry] = {}
    for variant, entry in raw.items():
        if variant not in VARIANTS:
            raise at.key("variants").key(variant).fail(f"must be one of {', '.join(VARIANTS)}")
        variants[variant] = _entry(entry, at.key("variants").key(variant))
    default = r.text(table, "default", at)
    if default not in variants:
        raise at.key("default").fail("must name one of the sport's variants")
    return SportMets(sport=name, default=default, variants=variants)


def _named(data: Mapping[str, Any], at: r.At) -> tuple[NamedActivity, ...]:
    found = []
    for index, entry in enumerate(r.tables(data, "named", at) if "named" in data else ()):
        n_at = at.key("named").key(index)
        table = r.table(entry, n_at, required=("id", "labels", "default", "variants"))
        name = r.text(table, "id", n_at)
        labels = tuple(fold_label(label) for label in r.strings(table, "labels", n_at))
        if not labels or not all(labels):
            raise n_at.key("labels").fail("must list at least one label")
        sport = {k: v for k, v in table.items() if k in ("default", "variants")}
        found.append(NamedActivity(id=name, labels=labels, mets=_sport(name, sport, n_at)))
    return tuple(found)


def fold_label(label: str) -> str:
    """A device's activity label compared case- and punctuation-insensitively (``"Stand Up
    Paddleboarding"`` -> ``"stand_up_paddleboarding"``; ``"StandUpPaddling"`` likewise split)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", label.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def parse_mets(raw: Mapping[str, Any]) -> MetTable:
    """Validate the parsed ``mets.toml``: every sport has an entry or a reason for having none.

    Raises
    ------
    ConfigurationError
        Naming ``mets.toml`` and the key at fault.
    """
    at = r.At(_FILE)
    data = r.table(raw, at, required=("notes", "sports"), optional=("no_value", "named"))
    sports_raw = data["sports"]
    if not isinstance(sports_raw, Mapping):
        raise at.key("sports").fail("must be a table of sports")
    no_value: dict[str, NoValue] = {}
    for name, entry in dict(data.get("no_value", {})).items():
        n_at = at.key("no_value").key(name)
        table = r.table(entry, n_at, required=("reason", "source"))
        no_value[name] = NoValue(r.text(table, "reason", n_at), r.text(table, "source", n_at))
    sports = {name: _sport(name, entry, at.key("sports").key(name)) for name, entry in sports_raw.items()}
    for name in [*sports, *no_value]:
        if name not in SPORTS:
            raise at.key("sports").key(name).fail(f"unknown sport; known: {', '.join(SPORTS)}")
    missing = [s for s in SPORTS if s not in sports and s not in no_value]
    if missing or set(sports) & set(no_value):
        raise at.key("sports").fail("every sport needs exactly one of [sports.<s>] or [no_value.<s>]")
    return MetTable(sports=sports, no_value=no_value, notes=r.text(data, "notes", at), named=_named(data, at))


@cache
def met_table() -> MetTable:
    """The validated contents of ``mets.toml`` (cached)."""
    return parse_mets(load_toml("mets"))


def sport_mets(sport: Sport) -> SportMets | None:
    """The MET values of ``sport``, or ``None`` for a sport without one (``other``)."""
    return met_table().sports.get(sport)


def named_mets(device_sport: str | None) -> SportMets | None:
    """The Compendium values of an activity outside the normalised list that the device's label
    names (``mets.toml`` ``[[named]]``, first match in the file's order), else ``None``.

    >>> named_mets("Kayaking").default_entry.code
    '18200'
    >>> named_mets("HKWorkoutActivityTypePaddleSports") is None
    False
    >>> named_mets("generic") is None
    True
    """
    if not device_sport:
        return None
    label = fold_label(device_sport.removeprefix("HKWorkoutActivityType"))
    words = label.split("_")
    for named in met_table().named:
        for wanted in named.labels:
            size = wanted.count("_") + 1
            if any("_".join(words[i : i + size]).startswith(wanted) for i in range(len(words))):
                return named.mets
    return None


def met_for(sport: Sport, effort: str | None = None) -> float | None:
    """The MET value of ``sport`` at ``effort`` (``light``, ``moderate``, ``vigorous``).

    Parameters
    ----------
    sport
        A normalised activity type.
    effort
        The effort variant; ``None``, or an effort the Compendium gives no value for, selects the
        sport's default variant.

    Returns
    -------
    float or None
        METs, or ``None`` for a sport without a Compendium value (``other``).

    Examples
    --------
    >>> met_for("walking")
    3.8
    >>> met_for("cycling", "vigorous")
    9.0
    """
    entry = sport_mets(sport)
    if entry is None:
        return None
    return (entry.default_entry if effort is None else entry.for_effort(effort)).met
