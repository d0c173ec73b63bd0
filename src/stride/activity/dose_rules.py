"""The rules that price a session and a week, from ``stride/data/dose.toml`` (which cites them).

Heart-rate samples stand for at most ``max_gap_s`` each; each heart-rate zone is priced at a
Compendium effort variant; the WHO classes of moderate and vigorous minutes and the weight of a
vigorous minute; kcal per kg per MET-hour; how daily steps are averaged; and the trials' weekly
doses to compare with. Validated once, at load: a malformed file raises ``ConfigurationError``
naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from stride.activity.zones import ZONES
from stride.clinical import toml_reader as r
from stride.data import load_toml

_FILE = "dose.toml"


@dataclass(frozen=True, slots=True)
class ReferenceDose:
    """A trial's weekly energy dose, for comparison (TREAD 16 and 4, DOSE 17.5 and 7.0 kcal/kg/week)."""

    id: str
    label: str
    kcal_per_kg_per_week: float
    source: str


@dataclass(frozen=True, slots=True)
class DoseRules:
    """Everything in ``dose.toml`` that prices a session and a week (see the file for the sources)."""

    max_gap_s: float
    hr_met_mode: str  # "by_zone" or "modality"
    zone_efforts: Mapping[str, str]  # zone -> Compendium effort variant
    moderate_classes: tuple[str, ...]
    vigorous_classes: tuple[str, ...]
    vigorous_weight: float
    kcal_per_kg_per_met_hour: float
    energy_basis: str  # "gross" or "net"
    steps_average_over: str  # "days_with_data" or "all_days"
    reference_doses: tuple[ReferenceDose, ...]
    notes: str


def _sub(data: Mapping[str, Any], key: str, at: r.At, keys: tuple[str, ...]) -> Mapping[str, Any]:
    return r.table(data[key], at.key(key), required=(*keys, "status", "source"))


def _classes(table: Mapping[str, Any], key: str, at: r.At) -> tuple[str, ...]:
    names = r.strings(table, key, at)
    if any(n not in ZONES for n in names):
        raise at.key(key).fail(f"must name classes among {', '.join(ZONES)}")
    return names


def _reference_doses(data: Mapping[str, Any], at: r.At) -> tuple[ReferenceDose, ...]:
    doses = []
    for index, entry in enumerate(r.tables(data, "reference_doses", at)):
        d_at = at.key("reference_doses").key(index)
        keys = ("id", "label", "kcal_per_kg_per_week", "status", "source")
        table = r.table(entry, d_at, required=keys)
        value = r.number(table, "kcal_per_kg_per_week", d_at)
        doses.append(
            ReferenceDose(r.text(table, "id", d_at), r.text(table, "label", d_at), value, table["source"])
        )
    return tuple(doses)


def parse_dose(raw: Mapping[str, Any]) -> DoseRules:
    """Validate the parsed ``dose.toml``; ``ConfigurationError`` naming the file and the key."""
    at = r.At(_FILE)
    sections = ("notes", "hr_samples", "hr_met", "who", "energy", "steps", "reference_doses")
    data = r.table(raw, at, required=sections, optional=("overlap",))
    samples = _sub(data, "hr_samples", at, ("max_gap_s",))
    hr_met = _sub(data, "hr_met", at, ("mode", *ZONES))
    who = _sub(data, "who", at, ("moderate_classes", "vigorous_classes", "vigorous_weight"))
    energy = _sub(data, "energy", at, ("kcal_per_kg_per_met_hour", "basis"))
    max_gap = r.number(samples, "max_gap_s", at.key("hr_samples"))
    if max_gap <= 0:
        raise at.key("hr_samples").key("max_gap_s").fail("must be a number of seconds above 0")
    efforts = {z: r.choice(hr_met, z, at.key("hr_met"), ("light", "moderate", "vigorous")) for z in ZONES}
    return DoseRules(
        max_gap_s=max_gap,
        hr_met_mode=r.choice(hr_met, "mode", at.key("hr_met"), ("by_zone", "modality")),
        zone_efforts=MappingProxyType(efforts),
        moderate_classes=_classes(who, "moderate_classes", at.key("who")),
        vigorous_classes=_classes(who, "vigorous_classes", at.key("who")),
        vigorous_weight=r.number(who, "vigorous_weight", at.key("who")),
        kcal_per_kg_per_met_hour=r.number(energy, "kcal_per_kg_per_met_hour", at.key("energy")),
        energy_basis=r.choice(energy, "basis", at.key("energy"), ("gross", "net")),
        steps_average_over=r.choice(
            _sub(data, "steps", at, ("average_over",)),
            "average_over",
            at.key("steps"),
            ("days_with_data", "all_days"),
        ),
        reference_doses=_reference_doses(data, at),
        notes=r.text(data, "notes", at),
    )


@cache
def dose_rules() -> DoseRules:
    """The validated contents of ``dose.toml`` (cached)."""
    return parse_dose(load_toml("dose"))
