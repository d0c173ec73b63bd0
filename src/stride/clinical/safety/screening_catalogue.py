"""The code catalogues of the screen, loaded from package data: the condition codes
(``data/conditions.toml``) and the medication notes (``data/medications.toml``), plus
the small validating readers that :mod:`stride.clinical.safety.screening_data` shares.

Every rule names restriction codes defined in ``screening.toml``; an undefined code, an unknown
decision or a medicine in two groups fails at load, naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stride.clinical import toml_reader as r
from stride.clinical.measurement.instrument_model import FrozenMap
from stride.clinical.safety.screening_model import (
    ConditionRule,
    Decision,
    MedicationRule,
    MedicationRules,
    Outcome,
    Restriction,
)
from stride.data import load_toml
from stride.errors import InvalidInput

STATUSES = ("VERIFIED", "SECONDARY", "UNSURE", "LOCAL")
_DECISIONS = tuple(d.value for d in Decision)


# --- shared readers ---------------------------------------------------------------------------


def named(data: object, at: r.At) -> Mapping[str, Any]:
    """A non-empty table whose keys are codes chosen by the data (symptoms, conditions, aliases)."""
    if not isinstance(data, Mapping) or not data:
        raise at.fail("must be a non-empty table")
    return data


def codes(data: Mapping[str, Any], key: str, at: r.At, known: Mapping[str, object]) -> tuple[str, ...]:
    """A possibly empty array of codes (absent = empty), each defined in ``known``."""
    value = data.get(key, [])
    if not isinstance(value, list):
        raise at.key(key).fail("must be an array of codes")
    for index, code in enumerate(value):
        if code not in known:
            raise at.key(key).key(index).fail(f"{code!r} is not defined (known: {', '.join(known)})")
    return tuple(value)


def outcome(data: Mapping[str, Any], at: r.At, restrictions: Mapping[str, Restriction]) -> Outcome:
    """``decision`` and ``restrictions`` of a rule; restrictions never come with a plain 'cleared'."""
    decision = Decision(r.choice(data, "decision", at, _DECISIONS))
    chosen = codes(data, "restrictions", at, restrictions)
    if decision == Decision.CLEARED and chosen:
        raise at.key("decision").fail("a rule with restrictions cannot be 'cleared'")
    return Outcome(decision, chosen)


def status(table: Mapping[str, Any], at: r.At) -> str:
    """The reliability tag of a rule."""
    return r.choice(table, "status", at, STATUSES)


def policies(table: Mapping[str, Any], at: r.At) -> dict[str, Mapping[str, Any]]:
    """The ``[[policies]]`` of a section, by name."""
    entries = r.tables(table, "policies", at)
    return {r.text(p, "name", at.key("policies").key(i)): p for i, p in enumerate(entries)}


def pick_policy(table: Mapping[str, Any], at: r.At, chosen: str | None, *, field: str) -> tuple[str, Any]:
    """The chosen policy (default ``default_policy``); an unknown name is the caller's error."""
    options = policies(table, at)
    name = chosen if chosen is not None else r.choice(table, "default_policy", at, tuple(options))
    if name not in options:
        raise InvalidInput(f"{name!r} is not a policy; choose {' or '.join(options)}", field=field)
    return name, options[name]


# --- conditions.toml --------------------------------------------------------------------------


def load_conditions(
    restrictions: Mapping[str, Restriction], diseases: Mapping[str, str]
) -> dict[str, ConditionRule]:
    """The documented condition codes and what each forces."""
    at = r.At("conditions.toml")
    data = r.table(
        load_toml("conditions", "stride.clinical.safety.data"), at, required=("notes", "conditions")
    )
    out = {}
    for code, entry in named(data["conditions"], at.key("conditions")).items():
        here = at.key("conditions").key(code)
        keys = ("label", "decision", "restrictions", "status", "source")
        table = r.table(entry, here, required=keys, optional=("acsm_disease",))
        disease = r.choice(table, "acsm_disease", here, tuple(diseases)) if "acsm_disease" in table else None
        forced = outcome(table, here, restrictions)
        if forced.decision == Decision.CLEARED and disease is None:
            raise here.key("decision").fail("'cleared' is only for a condition with acsm_disease")
        label, source = r.text(table, "label", here), r.text(table, "source", here)
        out[code] = ConditionRule(code, label, forced, disease, source, status(table, here))
    return out


# --- medications.toml -------------------------------------------------------------------------


def _group(entry: object, at: r.At, known: Mapping[str, Restriction], **override: Any) -> MedicationRule:
    optional = ("restrictions", "default_policy", "policies")
    table = r.table(entry, at, required=("code", "drugs", "text", "status", "source"), optional=optional)
    table = {**table, **override}
    return MedicationRule(
        code=r.text(table, "code", at),
        drugs=frozenset(d.lower() for d in r.strings(table, "drugs", at)),
        restrictions=codes(table, "restrictions", at, known),
        text=r.text(table, "text", at),
        source=r.text(table, "source", at),
        status=status(table, at),
    )


def _dosing_day(
    data: Mapping[str, Any], at: r.At, known: Mapping[str, Restriction], chosen: str | None
) -> tuple[str, MedicationRule]:
    name, picked = pick_policy(data, at, chosen, field="dosing_day_policy")
    here = at.key("policies")
    policy = r.table(picked, here, required=("name", "restrictions"), optional=("text",))
    override: dict[str, Any] = {"restrictions": policy["restrictions"]}
    if "text" in policy:
        override["text"] = r.text(policy, "text", here)
    return name, _group(data, at, known, **override)


def load_medications(
    restrictions: Mapping[str, Restriction], dosing_day_policy: str | None
) -> MedicationRules:
    """The medication groups, with the ketamine/esketamine group under the chosen dosing-day policy."""
    at = r.At("medications.toml")
    data = r.table(
        load_toml("medications", "stride.clinical.safety.data"),
        at,
        required=("notes", "aliases", "groups", "dosing_day"),
    )
    entries = r.tables(data, "groups", at)
    groups = [_group(e, at.key("groups").key(i), restrictions) for i, e in enumerate(entries)]
    policy, dosing = _dosing_day(data["dosing_day"], at.key("dosing_day"), restrictions, dosing_day_policy)
    groups.append(dosing)
    owner: dict[str, str] = {}
    for group in groups:
        for drug in sorted(group.drugs):
            if owner.setdefault(drug, group.code) != group.code:
                raise at.fail(f"{drug} is in both {owner[drug]} and {group.code}")
    aliases = {str(k).lower(): str(v) for k, v in named(data["aliases"], at.key("aliases")).items()}
    for alias, drug in aliases.items():
        if drug not in owner:
            raise at.key("aliases").key(alias).fail(f"{drug!r} is in no group")
    return MedicationRules(tuple(groups), FrozenMap(aliases), policy)
