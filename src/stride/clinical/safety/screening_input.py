"""The input of the pre-exercise screen, and its validation from decoded JSON or a form.

Every problem raises :class:`~stride.errors.InvalidInput` naming the field (``resting_bp[0]``,
``symptoms[2]``, ``parq.q3``); unknown keys are refused, because a misspelt safety answer
("symtoms") would otherwise be dropped silently and the screen would clear too easily. The codes
(symptoms, diseases, conditions, C-SSRS levels, PHQ-9 item-9 values) are those of the rules' data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stride.clinical.input_checks import choice, integer
from stride.clinical.measurement.instrument_model import FrozenMap
from stride.clinical.safety.screening_data import screening_rules
from stride.clinical.safety.screening_model import ScreeningRules
from stride.errors import InvalidInput

SEXES = ("female", "male", "other")
REQUIRED = ("age", "sex", "currently_active", "known_disease", "symptoms", "desired_intensity")
OPTIONAL = ("resting_bp", "parq", "phq9_item9", "cssrs_risk", "medications", "conditions")


@dataclass(frozen=True)
class ScreeningInput:
    """What the screen needs to know about one person, today.

    ``currently_active`` is the ACSM definition: planned, structured exercise of at least 30 min at
    moderate intensity on at least 3 days a week for at least the last 3 months. ``parq`` holds the
    PAR-Q+ general questions answered (``q1``..``q7``), empty when not given. ``resting_bp`` is
    ``(systolic, diastolic)`` in mmHg, ``None`` when not measured. ``sex`` is recorded for the
    clinician; no rule uses it (neither ACSM 2015 nor the PAR-Q+ does). ``medications`` are the
    names as entered (matched by generic name); the other codes are those of the rules' data.
    """

    age: int
    sex: str
    currently_active: bool
    known_disease: tuple[str, ...]
    symptoms: tuple[str, ...]
    desired_intensity: str
    resting_bp: tuple[int, int] | None
    parq: Mapping[str, bool]
    phq9_item9: int | None
    cssrs_risk: str | None
    medications: tuple[str, ...]
    conditions: tuple[str, ...]


def _flag(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("must be true or false", field=field)
    return value


def _list(value: object, *, field: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise InvalidInput("must be a list", field=field)
    return list(value)


def _codes(value: object, allowed: Iterable[str], *, field: str, what: str) -> tuple[str, ...]:
    options = tuple(allowed)
    items = _list(value, field=field)
    return tuple(choice(v, options, field=f"{field}[{i}]", what=what) for i, v in enumerate(items))


def _names(value: object, *, field: str) -> tuple[str, ...]:
    out = []
    for index, item in enumerate(_list(value, field=field)):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInput("must be a medicine's generic name", field=f"{field}[{index}]")
        out.append(" ".join(item.split()))
    return tuple(out)


def _resting_bp(value: object, rules: ScreeningRules) -> tuple[int, int] | None:
    if value is None:
        return None
    items = _list(value, field="resting_bp")
    if len(items) != 2:
        raise InvalidInput("must be [systolic, diastolic] in mmHg", field="resting_bp")
    bp = rules.blood_pressure
    systolic = integer(items[0], field="resting_bp[0]", low=bp.systolic_range[0], high=bp.systolic_range[1])
    diastolic = integer(
        items[1], field="resting_bp[1]", low=bp.diastolic_range[0], high=bp.diastolic_range[1]
    )
    if diastolic >= systolic:
        raise InvalidInput(f"diastolic {diastolic} is not below systolic {systolic}", field="resting_bp")
    return systolic, diastolic


def _parq(value: object, rules: ScreeningRules) -> Mapping[str, bool]:
    if value is None:
        return FrozenMap({})
    if not isinstance(value, Mapping):
        raise InvalidInput("must be an object of PAR-Q+ answers q1..q7", field="parq")
    questions = rules.parq.questions
    for key in value:
        if key not in questions:
            raise InvalidInput(f"is not a PAR-Q+ question ({', '.join(questions)})", field=f"parq.{key}")
    # Answers in question order, whatever the order given, so equal inputs compare equal.
    return FrozenMap({q: _flag(value[q], field=f"parq.{q}") for q in questions if q in value})


def _fields(data: object) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInput("must be an object of screening answers", field="input")
    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            raise InvalidInput("is not a known field", field=str(key))
    for key in REQUIRED:
        if key not in data:
            raise InvalidInput("is required", field=key)
    return data


def parse_screening_input(
    data: Mapping[str, object], *, rules: ScreeningRules | None = None
) -> ScreeningInput:
    """Validate decoded JSON (or form answers) into a :class:`ScreeningInput`.

    Parameters
    ----------
    data
        The fields of ``stride/data/schemas/screen.input.schema.json``. ``resting_bp``, ``parq``,
        ``phq9_item9`` and ``cssrs_risk`` may be absent or null; ``medications`` and ``conditions``
        may be absent.
    rules
        The rules whose codes are accepted; default :func:`~stride.clinical.safety.screening_rules`.

    Raises
    ------
    InvalidInput
        Naming the field: a missing or unknown key, a wrong type, an unknown code (with close
        matches), a value out of range, or a diastolic pressure not below the systolic.
    """
    rules = rules or screening_rules()
    raw = _fields(data)
    acsm = rules.acsm
    return ScreeningInput(
        age=integer(raw["age"], field="age", low=rules.age_range[0], high=rules.age_range[1]),
        sex=choice(raw["sex"], SEXES, field="sex", what="sex"),
        currently_active=_flag(raw["currently_active"], field="currently_active"),
        known_disease=_codes(raw["known_disease"], acsm.diseases, field="known_disease", what="disease"),
        symptoms=_codes(raw["symptoms"], acsm.symptoms, field="symptoms", what="sign or symptom"),
        desired_intensity=choice(
            raw["desired_intensity"], rules.intensities, field="desired_intensity", what="intensity"
        ),
        resting_bp=_resting_bp(raw.get("resting_bp"), rules),
        parq=_parq(raw.get("parq"), rules),
        phq9_item9=_item9(raw.get("phq9_item9"), rules),
        cssrs_risk=_cssrs(raw.get("cssrs_risk"), rules),
        medications=_names(raw.get("medications", []), field="medications"),
        conditions=_codes(
            raw.get("conditions", []), rules.conditions, field="conditions", what="condition code"
        ),
    )


def _item9(value: object, rules: ScreeningRules) -> int | None:
    if value is None:
        return None
    values = rules.phq9_item9_values
    answer = integer(value, field="phq9_item9", low=min(values), high=max(values))
    if answer not in values:
        raise InvalidInput(
            f"{answer} is not a PHQ-9 answer ({', '.join(map(str, values))})", field="phq9_item9"
        )
    return answer


def _cssrs(value: object, rules: ScreeningRules) -> str | None:
    if value is None:
        return None
    return choice(value, rules.cssrs_levels, field="cssrs_risk", what="C-SSRS risk level")


def input_to_json(inp: ScreeningInput) -> dict[str, object]:
    """The JSON form of an input (the inverse of :func:`parse_screening_input`), e.g. for storage."""
    return {
        "age": inp.age,
        "sex": inp.sex,
        "currently_active": inp.currently_active,
        "known_disease": list(inp.known_disease),
        "symptoms": list(inp.symptoms),
        "desired_intensity": inp.desired_intensity,
        "resting_bp": None if inp.resting_bp is None else list(inp.resting_bp),
        "parq": dict(inp.parq),
        "phq9_item9": inp.phq9_item9,
        "cssrs_risk": inp.cssrs_risk,
        "medications": list(inp.medications),
        "conditions": list(inp.conditions),
    }
