"""The input of the prescription engine, and its validation from decoded JSON.

The input is the screening input (:func:`~stride.clinical.safety.screening_input.parse_screening_input`)
plus what a prescription needs: resting heart rate, measured HRmax or the equation, weight,
preferences (modalities, setting, days, session length), the protocol (or ``"recommend"``), and
optionally the plan length, current activity, mood symptoms, ketamine/esketamine dosing days and a
start date that only labels the weeks. Every problem raises
:class:`~stride.errors.InvalidInput` naming the field (``preferences.days[2]``); unknown keys are
refused so that a misspelt answer is never dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from stride.clinical.input_checks import choice, integer
from stride.clinical.prescription.intensity import hr_zones, intensity_rules
from stride.clinical.prescription.protocol_model import Modality, Setting
from stride.clinical.prescription.rules import SYMPTOMS_MOOD, PrescriptionRules, prescription_rules
from stride.clinical.safety import ScreeningRules
from stride.clinical.safety.screening_input import OPTIONAL as SCREEN_OPTIONAL
from stride.clinical.safety.screening_input import REQUIRED as SCREEN_REQUIRED
from stride.clinical.safety.screening_input import ScreeningInput, input_to_json, parse_screening_input
from stride.data import load_toml
from stride.errors import InvalidInput

RECOMMEND = "recommend"
IPAQ_CATEGORIES = ("low", "moderate", "high")
REQUIRED = ("resting_hr", "weight_kg", "preferences")
OPTIONAL = (
    "hrmax",
    "hrmax_formula",
    "protocol",
    "weeks",
    "current_activity",
    "symptoms_mood",
    "dosing_days",
    "start_date",
)
_PREFERENCES = ("modalities", "setting", "days", "minutes")


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the patient prefers: ranked modalities (first = most preferred; the library's names),
    the setting, the days of the week that are free (in week order) and the session length in
    minutes, warm-up and cool-down included."""

    modalities: tuple[str, ...]
    setting: str
    days: tuple[str, ...]
    minutes: int


@dataclass(frozen=True, slots=True)
class CurrentActivity:
    """Current activity: an IPAQ category, or minutes a week of moderate activity (one of the two)."""

    ipaq_category: str | None
    minutes_per_week: int | None


@dataclass(frozen=True, slots=True)
class PrescriptionInput:
    """Everything the engine needs about one person, today (see the module docstring)."""

    screening: ScreeningInput
    resting_hr: int
    hrmax: int | None
    hrmax_formula: str
    weight_kg: float
    preferences: Preferences
    protocol: str
    weeks: int | None  # None: the chosen protocol's own length
    current_activity: CurrentActivity | None
    symptoms_mood: tuple[str, ...]
    dosing_days: tuple[str, ...]
    start_date: date | None


# --- small validators ---------------------------------------------------------------------------


def _object(value: object, keys: Iterable[str], *, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput("must be an object", field=field)
    allowed = tuple(keys)
    for key in value:
        if key not in allowed:
            raise InvalidInput(f"is not a known field ({', '.join(allowed)})", field=f"{field}.{key}")
    return value


def _codes(value: object, options: Iterable[str], *, field: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise InvalidInput("must be a list", field=field)
    codes = tuple(choice(v, options, field=f"{field}[{i}]", what=what) for i, v in enumerate(value))
    for index, code in enumerate(codes):
        if code in codes[:index]:
            raise InvalidInput(f"{code!r} is given twice", field=f"{field}[{index}]")
    return codes


def _days(value: object, rules: PrescriptionRules, *, field: str) -> tuple[str, ...]:
    week = rules.schedule.days
    given = _codes(value, week, field=field, what="day")
    return tuple(day for day in week if day in given)  # week order, so equal inputs compare equal


# --- parts ----------------------------------------------------------------------------------------


def _modalities(value: object, rules: PrescriptionRules) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise InvalidInput("must be a list, most preferred first", field="preferences.modalities")
    names = (*get_args(Modality), *rules.modality_aliases)
    out: list[str] = []
    for index, item in enumerate(value):
        name = choice(item, names, field=f"preferences.modalities[{index}]", what="modality")
        modality = rules.modality_aliases.get(name, name)
        if modality not in out:
            out.append(modality)
    return tuple(out)


def _preferences(value: object, rules: PrescriptionRules) -> Preferences:
    raw = _object(value, _PREFERENCES, field="preferences")
    for key in _PREFERENCES:
        if key not in raw:
            raise InvalidInput("is required", field=f"preferences.{key}")
    days = _days(raw["days"], rules, field="preferences.days")
    if not days:
        raise InvalidInput("name at least one day", field="preferences.days")
    bounds = rules.session_minutes
    return Preferences(
        modalities=_modalities(raw["modalities"], rules),
        setting=choice(raw["setting"], get_args(Setting), field="preferences.setting", what="setting"),
        days=days,
        minutes=integer(raw["minutes"], field="preferences.minutes", low=bounds.lo, high=bounds.hi),
    )


def _current_activity(value: object, rules: PrescriptionRules) -> CurrentActivity | None:
    if value is None:
        return None
    raw = _object(value, ("ipaq_category", "minutes_per_week"), field="current_activity")
    if len(raw) != 1:
        raise InvalidInput("give either ipaq_category or minutes_per_week", field="current_activity")
    if "ipaq_category" in raw:
        category = choice(
            raw["ipaq_category"],
            IPAQ_CATEGORIES,
            field="current_activity.ipaq_category",
            what="IPAQ category",
        )
        return CurrentActivity(category, None)
    minutes = integer(
        raw["minutes_per_week"],
        field="current_activity.minutes_per_week",
        low=0,
        high=rules.activity_minutes_max,
    )
    return CurrentActivity(None, minutes)


def _weight(value: object) -> float:
    bounds = load_toml("plausibility")["weight_kg"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("must be a number of kilograms", field="weight_kg")
    if not bounds["min"] <= value <= bounds["max"]:
        raise InvalidInput(f"{value} kg is outside {bounds['min']}-{bounds['max']}", field="weight_kg")
    return float(value)


def _start_date(value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("must be a date YYYY-MM-DD", field="start_date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date YYYY-MM-DD", field="start_date") from None


def _heart(raw: Mapping[str, Any], age: int) -> tuple[int, int | None, str]:
    formulas = [f.id for f in intensity_rules().formulas]
    formula = choice(
        raw.get("hrmax_formula", intensity_rules().default_formula),
        formulas,
        field="hrmax_formula",
        what="HRmax formula",
    )
    resting, measured = raw["resting_hr"], raw.get("hrmax")
    if isinstance(resting, bool) or not isinstance(resting, int):
        raise InvalidInput("must be a whole number of beats per minute", field="resting_hr")
    # The zones are computed once here so that every heart-rate problem is named at parse time.
    hr_zones(age=age, resting_hr=resting, hrmax=measured, formula=formula)
    return resting, measured, formula


def _split(data: object) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(data, Mapping):
        raise InvalidInput("must be an object of prescription input", field="input")
    screening_keys = (*SCREEN_REQUIRED, *SCREEN_OPTIONAL)
    screening, own = {}, {}
    for key, value in data.items():
        if key in screening_keys:
            screening[key] = value
        elif key in REQUIRED or key in OPTIONAL:
            own[key] = value
        else:
            raise InvalidInput("is not a known field", field=str(key))
    for key in REQUIRED:
        if key not in own:
            raise InvalidInput("is required", field=key)
    return screening, own


def parse_prescription_input(
    data: Mapping[str, object],
    *,
    rules: PrescriptionRules | None = None,
    screening_rules: ScreeningRules | None = None,
) -> PrescriptionInput:
    """Validate decoded JSON into a :class:`PrescriptionInput`.

    Parameters
    ----------
    data
        The fields of ``stride/data/schemas/prescribe.input.schema.json``: the screening fields plus
        ``resting_hr``, ``weight_kg`` and ``preferences`` (required) and ``hrmax``, ``hrmax_formula``,
        ``protocol`` (default ``"recommend"``), ``weeks`` (default: the chosen protocol's own
        length), ``current_activity``, ``symptoms_mood``, ``dosing_days`` and ``start_date`` (optional).
    rules, screening_rules
        Default :func:`~stride.clinical.prescription.rules.prescription_rules` and the packaged
        screening rules.

    Raises
    ------
    InvalidInput
        Naming the field: a missing or unknown key, a wrong type, an unknown code (with close
        matches), or a value out of range (also an implausible heart rate or weight).
    """
    rules = rules or prescription_rules()
    screening_part, raw = _split(data)
    screening = parse_screening_input(screening_part, rules=screening_rules)
    resting, measured, formula = _heart(raw, screening.age)
    protocol = raw.get("protocol", RECOMMEND)
    if not isinstance(protocol, str) or not protocol.strip():
        raise InvalidInput('must be a protocol id or "recommend"', field="protocol")
    weeks = rules.weeks
    return PrescriptionInput(
        screening=screening,
        resting_hr=resting,
        hrmax=measured,
        hrmax_formula=formula,
        weight_kg=_weight(raw["weight_kg"]),
        preferences=_preferences(raw["preferences"], rules),
        protocol=protocol.strip(),
        weeks=None
        if raw.get("weeks") is None
        else integer(raw["weeks"], field="weeks", low=weeks.lo, high=weeks.hi),
        current_activity=_current_activity(raw.get("current_activity"), rules),
        symptoms_mood=_codes(
            raw.get("symptoms_mood", []), SYMPTOMS_MOOD, field="symptoms_mood", what="symptom"
        ),
        dosing_days=_days(raw.get("dosing_days", []), rules, field="dosing_days"),
        start_date=_start_date(raw.get("start_date")),
    )


def prescription_input_to_json(inp: PrescriptionInput) -> dict[str, object]:
    """The JSON form of an input (the inverse of :func:`parse_prescription_input`), e.g. for storage."""
    activity: dict[str, object] | None = None
    if inp.current_activity is not None:
        ipaq, minutes = inp.current_activity.ipaq_category, inp.current_activity.minutes_per_week
        activity = {"ipaq_category": ipaq} if ipaq is not None else {"minutes_per_week": minutes}
    prefs = inp.preferences
    return {
        **input_to_json(inp.screening),
        "resting_hr": inp.resting_hr,
        "hrmax": inp.hrmax,
        "hrmax_formula": inp.hrmax_formula,
        "weight_kg": inp.weight_kg,
        "preferences": {
            "modalities": list(prefs.modalities),
            "setting": prefs.setting,
            "days": list(prefs.days),
            "minutes": prefs.minutes,
        },
        "protocol": inp.protocol,
        "weeks": inp.weeks,
        "current_activity": activity,
        "symptoms_mood": list(inp.symptoms_mood),
        "dosing_days": list(inp.dosing_days),
        "start_date": None if inp.start_date is None else inp.start_date.isoformat(),
    }
