"""The rules of the prescription engine, loaded from ``data/prescription.toml``.

Plan length, the definition of a deconditioned person, scheduling, the evidence weights of the
"recommend" ranking, what each screening restriction means for a plan and how symptoms tailor it.
Every rule carries its ``source``; a malformed file fails at load with an error naming the file and
the key. A caller may build a different :class:`PrescriptionRules` (``dataclasses.replace``) to
configure a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, get_args

from stride.clinical import toml_reader as r
from stride.clinical.measurement.instrument_model import FrozenMap
from stride.clinical.prescription.protocol_library import library_rules
from stride.clinical.prescription.protocol_model import Modality
from stride.clinical.safety import screening_rules
from stride.data import load_toml

_FILE = "prescription.toml"
_STATUS = ("VERIFIED", "SECONDARY", "UNSURE", "LOCAL")
_TOP = (
    "notes",
    "weeks",
    "session_minutes",
    "current_activity",
    "deconditioned",
    "schedule",
    "strength",
    "heart_rate",
    "ranking",
    "modality_aliases",
    "restrictions",
    "symptoms_mood",
)
SYMPTOMS_MOOD = ("fatigue", "low_motivation", "anxiety", "poor_sleep")


@dataclass(frozen=True, slots=True)
class Bounds:
    """An inclusive range with its source (``lo``..``hi``) and, for plan length, a ``default``."""

    lo: int
    hi: int
    default: int | None
    source: str


@dataclass(frozen=True, slots=True)
class DeconditionedRule:
    """Who starts at a protocol's start level, and how slowly they progress from it."""

    ipaq_categories: tuple[str, ...]
    minutes_below: int
    min_ramp_weeks: int
    ipaq_source: str
    minutes_source: str
    fallback_source: str
    ramp_source: str


@dataclass(frozen=True, slots=True)
class ScheduleRule:
    """The week's days and how sessions are placed on them."""

    days: tuple[str, ...]
    spread_source: str
    redistribute_units: tuple[str, ...]
    redistribute_source: str
    keep_session_source: str
    session_length_source: str


@dataclass(frozen=True, slots=True)
class RankingRule:
    """The weights of the "recommend" ranking (see the notes of prescription.toml)."""

    measure: str
    modality_g: Mapping[str, float]
    no_effect_g: float
    trd_weight: float
    modify_weight: float
    preference_weights: tuple[float, ...]
    unpreferred_weight: float
    preferred_first_only: tuple[str, ...]
    effect_source: str
    no_effect_source: str
    trd_source: str
    preference_source: str
    modify_source: str
    hiit_source: str


@dataclass(frozen=True, slots=True)
class RestrictionRule:
    """What one screening restriction code means for a plan (beyond the protocol's own note)."""

    code: str
    exclude_modalities: tuple[str, ...]
    require_setting: str | None
    start_level: bool
    session_note: str | None
    first_session_note: str | None
    vigorous_note: str | None
    protocol_note_on_sessions: bool
    source: str


@dataclass(frozen=True, slots=True)
class AdherenceAddition:
    """An adherence strategy a symptom adds to the plan."""

    strategy: str
    description: str


@dataclass(frozen=True, slots=True)
class SymptomRule:
    """How one mood symptom (``symptoms_mood``) tailors the plan."""

    code: str
    label: str
    start_level: bool
    adherence: tuple[AdherenceAddition, ...]
    note: str | None
    source: str


@dataclass(frozen=True, slots=True)
class PrescriptionRules:
    """Every rule of the prescription engine. Build with :func:`prescription_rules`."""

    weeks: Bounds
    session_minutes: Bounds
    activity_minutes_max: int
    deconditioned: DeconditionedRule
    schedule: ScheduleRule
    rir_per_rpe_point: int
    strength_source: str
    heart_rate_source: str
    ranking: RankingRule
    modality_aliases: Mapping[str, str]
    restrictions: Mapping[str, RestrictionRule]
    symptoms: Mapping[str, SymptomRule]

    def restriction(self, code: str) -> RestrictionRule:
        """The rule for ``code``; a code without an entry only carries the protocol's note."""
        found = self.restrictions.get(code)
        return found or RestrictionRule(code, (), None, False, None, None, None, True, "screening.toml")


def _status(data: Mapping[str, Any], at: r.At) -> str:
    return r.choice(data, "status", at, _STATUS)


def _bounds(data: object, at: r.At, *, with_default: bool) -> Bounds:
    keys = ("min", "max", "status", "source")
    table = r.table(data, at, required=(*keys, "default") if with_default else keys)
    _status(table, at)
    lo, hi = r.integer(table, "min", at, minimum=1), r.integer(table, "max", at, minimum=1)
    default = r.integer(table, "default", at, minimum=lo) if with_default else None
    if hi < lo or (default is not None and default > hi):
        raise at.fail("must satisfy min <= default <= max")
    return Bounds(lo, hi, default, r.text(table, "source", at))


def _deconditioned(data: object, at: r.At) -> DeconditionedRule:
    texts = ("ipaq_source", "minutes_source", "fallback_source", "ramp_source")
    table = r.table(
        data, at, required=("ipaq_categories", "minutes_below", "min_ramp_weeks", "status", *texts)
    )
    _status(table, at)
    return DeconditionedRule(
        r.strings(table, "ipaq_categories", at),
        r.integer(table, "minutes_below", at, minimum=1),
        r.integer(table, "min_ramp_weeks", at, minimum=2),
        *(r.text(table, key, at) for key in texts),
    )


def _schedule(data: object, at: r.At) -> ScheduleRule:
    texts = ("spread_source", "redistribute_source", "keep_session_source", "session_length_source")
    table = r.table(data, at, required=("days", "redistribute_units", "status", *texts))
    _status(table, at)
    days = r.strings(table, "days", at)
    if len(days) != 7 or len(set(days)) != 7:
        raise at.key("days").fail("must name the 7 days of the week once each")
    return ScheduleRule(
        days=days,
        spread_source=r.text(table, "spread_source", at),
        redistribute_units=r.strings(table, "redistribute_units", at),
        redistribute_source=r.text(table, "redistribute_source", at),
        keep_session_source=r.text(table, "keep_session_source", at),
        session_length_source=r.text(table, "session_length_source", at),
    )


def _weights(table: Mapping[str, Any], key: str, at: r.At) -> tuple[float, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not value:
        raise at.key(key).fail("must be a non-empty array of numbers")
    weights = tuple(r.number({"v": v}, "v", at.key(key)) for v in value)
    if any(w <= 0 for w in weights) or list(weights) != sorted(weights, reverse=True):
        raise at.key(key).fail("must be positive and non-increasing (first preference weighs most)")
    return weights


_RANKING_TEXTS = (
    "effect_source", "no_effect_source", "trd_source", "preference_source", "modify_source", "hiit_source",
)  # fmt: skip
_RANKING_NUMBERS = ("no_effect_g", "trd_weight", "modify_weight", "unpreferred_weight")


def _ranking(data: object, at: r.At) -> RankingRule:
    texts, numbers = _RANKING_TEXTS, _RANKING_NUMBERS
    required = (
        "measure",
        "modality_g",
        "preference_weights",
        "preferred_first_only",
        "status",
        *numbers,
        *texts,
    )
    table = r.table(data, at, required=required)
    _status(table, at)
    modalities = get_args(Modality)
    g_at = at.key("modality_g")
    g_table = r.table(table["modality_g"], g_at, required=(), optional=modalities)
    values = {k: r.number(table, k, at) for k in numbers}
    if any(v <= 0 for v in values.values()):
        raise at.fail(f"{', '.join(numbers)} must be positive")
    return RankingRule(
        measure=r.text(table, "measure", at),
        modality_g=FrozenMap({k: abs(r.number(g_table, k, g_at)) for k in g_table}),
        no_effect_g=values["no_effect_g"],
        trd_weight=values["trd_weight"],
        modify_weight=values["modify_weight"],
        preference_weights=_weights(table, "preference_weights", at),
        unpreferred_weight=values["unpreferred_weight"],
        preferred_first_only=tuple(
            r.choice({"v": v}, "v", at.key("preferred_first_only"), modalities)
            for v in r.strings(table, "preferred_first_only", at)
        ),
        **{key: r.text(table, key, at) for key in texts},
    )


def _aliases(data: object, at: r.At) -> Mapping[str, str]:
    if not isinstance(data, Mapping):
        raise at.fail("must be a table of word = modality")
    return FrozenMap({word: r.choice(data, word, at, get_args(Modality)) for word in data})


def _restriction(code: str, data: object, at: r.At) -> RestrictionRule:
    notes = ("session_note", "first_session_note", "vigorous_note")
    optional = ("exclude_modalities", "require_setting", "start_level", "protocol_note_on_sessions", *notes)
    table = r.table(data, at, required=("status", "source"), optional=optional)
    _status(table, at)
    modalities = get_args(Modality)
    excluded = r.strings(table, "exclude_modalities", at) if "exclude_modalities" in table else ()
    for index, modality in enumerate(excluded):
        if modality not in modalities:
            raise at.key("exclude_modalities").key(index).fail(f"must be one of {', '.join(modalities)}")
    setting = r.optional_text(table, "require_setting", at)
    return RestrictionRule(
        code=code,
        exclude_modalities=excluded,
        require_setting=setting,
        start_level=r.boolean(table, "start_level", at, default=False),
        session_note=r.optional_text(table, "session_note", at),
        first_session_note=r.optional_text(table, "first_session_note", at),
        vigorous_note=r.optional_text(table, "vigorous_note", at),
        protocol_note_on_sessions=r.boolean(table, "protocol_note_on_sessions", at, default=True),
        source=r.text(table, "source", at),
    )


def _symptom(code: str, data: object, at: r.At) -> SymptomRule:
    table = r.table(
        data, at, required=("label", "status", "source"), optional=("start_level", "adherence", "note")
    )
    _status(table, at)
    strategies = library_rules().strategies
    additions = []
    for index, entry in enumerate(r.tables(table, "adherence", at, allow_empty=True)):
        a_at = at.key("adherence").key(index)
        item = r.table(entry, a_at, required=("strategy", "description"))
        additions.append(
            AdherenceAddition(r.choice(item, "strategy", a_at, strategies), r.text(item, "description", a_at))
        )
    return SymptomRule(
        code=code,
        label=r.text(table, "label", at),
        start_level=r.boolean(table, "start_level", at, default=False),
        adherence=tuple(additions),
        note=r.optional_text(table, "note", at),
        source=r.text(table, "source", at),
    )


def _keyed(data: object, at: r.At, allowed: tuple[str, ...] | None) -> Mapping[str, Any]:
    if not isinstance(data, Mapping) or not data:
        raise at.fail("must be a non-empty table")
    for key in data:
        if allowed is not None and key not in allowed:
            raise at.key(key).fail(f"unknown code (allowed: {', '.join(allowed)})")
    return data


@cache
def prescription_rules() -> PrescriptionRules:
    """The validated contents of ``prescription.toml`` (cached).

    Raises
    ------
    ConfigurationError
        A malformed file, naming ``prescription.toml`` and the key at fault.
    """
    at = r.At(_FILE)
    top = r.table(load_toml("prescription", "stride.clinical.prescription.data"), at, required=_TOP)
    strength = r.table(
        top["strength"], at.key("strength"), required=("rir_per_rpe_point", "status", "source")
    )
    heart = r.table(top["heart_rate"], at.key("heart_rate"), required=("status", "source"))
    activity = r.table(
        top["current_activity"], at.key("current_activity"), required=("minutes_max", "status", "source")
    )
    codes = tuple(screening_rules().restrictions)
    restrictions = _keyed(top["restrictions"], at.key("restrictions"), codes)
    symptoms = _keyed(top["symptoms_mood"], at.key("symptoms_mood"), SYMPTOMS_MOOD)
    return PrescriptionRules(
        weeks=_bounds(top["weeks"], at.key("weeks"), with_default=False),
        session_minutes=_bounds(top["session_minutes"], at.key("session_minutes"), with_default=False),
        activity_minutes_max=r.integer(activity, "minutes_max", at.key("current_activity"), minimum=1),
        deconditioned=_deconditioned(top["deconditioned"], at.key("deconditioned")),
        schedule=_schedule(top["schedule"], at.key("schedule")),
        rir_per_rpe_point=r.integer(strength, "rir_per_rpe_point", at.key("strength"), minimum=0),
        strength_source=r.text(strength, "source", at.key("strength")),
        heart_rate_source=r.text(heart, "source", at.key("heart_rate")),
        ranking=_ranking(top["ranking"], at.key("ranking")),
        modality_aliases=_aliases(top["modality_aliases"], at.key("modality_aliases")),
        restrictions=FrozenMap(
            {c: _restriction(c, v, at.key("restrictions").key(c)) for c, v in restrictions.items()}
        ),
        symptoms=FrozenMap({c: _symptom(c, v, at.key("symptoms_mood").key(c)) for c, v in symptoms.items()}),
    )
