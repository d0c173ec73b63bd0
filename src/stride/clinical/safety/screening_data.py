"""Load and validate the screening rules from ``data/screening.toml``, ``conditions.toml`` and
``medications.toml``.

A malformed file fails at load with an error naming the file and the key; a rule that names an
undefined restriction, symptom, disease, intensity or policy is refused the same way, so every code
the screen can return is defined, with its text and source, in the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, cast

from stride.clinical import toml_reader as r
from stride.clinical.measurement import get_instrument
from stride.clinical.measurement.instrument_model import FrozenMap, TriageRule
from stride.clinical.safety import screening_catalogue as c
from stride.clinical.safety.screening_model import (
    AcsmRow,
    AcsmRules,
    BpRule,
    BpRules,
    Comparison,
    Group,
    ParqQuestion,
    ParqRules,
    PsychiatricRules,
    Restriction,
    ScreeningRules,
    Validity,
)
from stride.data import load_toml

_GROUPS: tuple[Group, ...] = ("none", "disease", "symptoms")
_COMPARISONS: tuple[Comparison, ...] = ("at_least", "above")
_TOP_KEYS: tuple[str, ...] = ("notes", "intensities", "intensities_source", "validity", "input", "acsm")
_TOP_KEYS += ("parq", "blood_pressure", "psychiatric", "restrictions")
#: The PAR-Q+ general health questions (2019-2023 versions: seven).
PARQ_QUESTIONS = tuple(f"q{i}" for i in range(1, 8))
#: Restriction codes the screen's API exposes as flags; the data must define them.
REQUIRED_RESTRICTIONS = ("intensity_by_rpe", "no_session_on_dosing_days")


def _restrictions(data: object, at: r.At, intensities: Sequence[str]) -> dict[str, Restriction]:
    if not isinstance(data, Mapping) or not data:
        raise at.fail("must be a non-empty table of restriction codes")
    out: dict[str, Restriction] = {}
    for code, entry in data.items():
        here = at.key(code)
        table = r.table(entry, here, required=("text", "source", "status"), optional=("max_intensity",))
        ceiling = r.choice(table, "max_intensity", here, intensities) if "max_intensity" in table else None
        out[code] = Restriction(
            code, r.text(table, "text", here), r.text(table, "source", here), c.status(table, here), ceiling
        )
    for code in REQUIRED_RESTRICTIONS:
        if code not in out:
            raise at.key(code).fail("is required (the screening API exposes it)")
    return out


def _acsm_row(
    entry: object, at: r.At, restrictions: Mapping[str, Restriction], intensities: Sequence[str]
) -> AcsmRow:
    row = r.table(entry, at, required=("code", "active", "group", "text", *intensities))
    by_intensity = {}
    for intensity in intensities:
        cell = r.table(row[intensity], at.key(intensity), required=("decision",), optional=("restrictions",))
        by_intensity[intensity] = c.outcome(cell, at.key(intensity), restrictions)
    return AcsmRow(
        code=r.text(row, "code", at),
        active=r.boolean(row, "active", at),
        group=cast(Group, r.choice(row, "group", at, _GROUPS)),
        text=r.text(row, "text", at),
        by_intensity=FrozenMap(by_intensity),
    )


def _acsm(
    data: object, at: r.At, restrictions: Mapping[str, Restriction], intensities: Sequence[str]
) -> AcsmRules:
    table = r.table(data, at, required=("status", "source", "diseases", "symptoms", "rows"))
    c.status(table, at)
    diseases = {
        k: r.text(table["diseases"], k, at.key("diseases"))
        for k in c.named(table["diseases"], at.key("diseases"))
    }
    symptoms = {}
    for code, entry in c.named(table["symptoms"], at.key("symptoms")).items():
        here = at.key("symptoms").key(code)
        symptom = r.table(entry, here, required=("text", "status"))
        c.status(symptom, here)
        symptoms[code] = r.text(symptom, "text", here)
    entries = r.tables(table, "rows", at)
    rows = tuple(
        _acsm_row(e, at.key("rows").key(i), restrictions, intensities) for i, e in enumerate(entries)
    )
    if len({(row.active, row.group) for row in rows}) != len(rows) or len(rows) != 2 * len(_GROUPS):
        raise at.key("rows").fail("needs exactly one row per (active, group): 6 rows")
    return AcsmRules(FrozenMap(diseases), FrozenMap(symptoms), rows, r.text(table, "source", at))


def _parq_question(
    qid: str, entry: object, at: r.At, restrictions: Mapping[str, Restriction], symptoms: Mapping[str, str]
) -> ParqQuestion:
    q = r.table(entry, at, required=("label", "restrictions"), optional=("implies_symptom",))
    implied = r.choice(q, "implies_symptom", at, tuple(symptoms)) if "implies_symptom" in q else None
    return ParqQuestion(qid, r.text(q, "label", at), c.codes(q, "restrictions", at, restrictions), implied)


def _parq(
    data: object, at: r.At, restrictions: Mapping[str, Restriction], symptoms: Mapping[str, str]
) -> ParqRules:
    texts = ("all_no_text", "not_given_text", "unanswered_text")
    table = r.table(data, at, required=("status", "source", *texts, "questions", "age_vigorous"))
    c.status(table, at)
    q_at = at.key("questions")
    listed = r.table(table["questions"], q_at, required=PARQ_QUESTIONS)
    questions = {q: _parq_question(q, listed[q], q_at.key(q), restrictions, symptoms) for q in PARQ_QUESTIONS}
    age_at = at.key("age_vigorous")
    age = r.table(
        table["age_vigorous"], age_at, required=("age_above", "restrictions", "text", "status", "source")
    )
    c.status(age, age_at)
    return ParqRules(
        questions=FrozenMap(questions),
        source=r.text(table, "source", at),
        all_no_text=r.text(table, "all_no_text", at),
        not_given_text=r.text(table, "not_given_text", at),
        unanswered_text=r.text(table, "unanswered_text", at),
        age_above=r.integer(age, "age_above", age_at, minimum=0),
        age_restrictions=c.codes(age, "restrictions", age_at, restrictions),
        age_text=r.text(age, "text", age_at),
        age_source=r.text(age, "source", age_at),
    )


def _bp_rule(entry: object, at: r.At, restrictions: Mapping[str, Restriction]) -> BpRule:
    keys = ("code", "systolic", "diastolic", "comparison", "decision", "text", "status", "source")
    table = r.table(entry, at, required=keys, optional=("restrictions",))
    return BpRule(
        code=r.text(table, "code", at),
        systolic=r.integer(table, "systolic", at, minimum=1),
        diastolic=r.integer(table, "diastolic", at, minimum=1),
        comparison=cast(Comparison, r.choice(table, "comparison", at, _COMPARISONS)),
        outcome=c.outcome(table, at, restrictions),
        text=r.text(table, "text", at),
        source=r.text(table, "source", at),
        status=c.status(table, at),
    )


def _blood_pressure(
    raw: Mapping[str, Any], restrictions: Mapping[str, Restriction], policy: str | None
) -> BpRules:
    at = r.At("screening.toml", "blood_pressure")
    keys = ("default_policy", "not_measured_text", "not_measured_source", "rules", "policies")
    table = r.table(raw["blood_pressure"], at, required=keys)
    rules = {}
    for index, entry in enumerate(r.tables(table, "rules", at)):
        rule = _bp_rule(entry, at.key("rules").key(index), restrictions)
        rules[rule.code] = rule
    chosen, picked = c.pick_policy(table, at, policy, field="bp_policy")
    codes = c.codes(picked, "rules", at.key("policies"), rules)
    guard_at = r.At("screening.toml", "input.resting_bp")
    keys = ("systolic_min", "systolic_max", "diastolic_min", "diastolic_max", "source")
    guard = r.table(raw["input"]["resting_bp"], guard_at, required=keys)
    return BpRules(
        policy=chosen,
        rules=tuple(rules[code] for code in codes),
        not_measured_text=r.text(table, "not_measured_text", at),
        not_measured_source=r.text(table, "not_measured_source", at),
        systolic_range=(
            r.integer(guard, "systolic_min", guard_at),
            r.integer(guard, "systolic_max", guard_at),
        ),
        diastolic_range=(
            r.integer(guard, "diastolic_min", guard_at),
            r.integer(guard, "diastolic_max", guard_at),
        ),
    )


def _psychiatric(
    data: object, restrictions: Mapping[str, Restriction], cssrs: Sequence[str]
) -> PsychiatricRules:
    at = r.At("screening.toml", "psychiatric")
    keys = ("decision", "phq9_flag", "phq9_text", "phq9_source", "cssrs_defer", "cssrs_text", "cssrs_source")
    required = (*keys, "not_given_text", "not_given_source")
    table = r.table(data, at, required=required, optional=("restrictions",))
    flag_code = r.text(table, "phq9_flag", at)
    flag = next((f for f in get_instrument("phq9").flags if f.code == flag_code), None)
    if flag is None or flag.min is None or not float(flag.min).is_integer():
        raise at.key("phq9_flag").fail("must name a PHQ-9 flag with an integer min")
    levels = r.strings(table, "cssrs_defer", at)
    if set(levels) - set(cssrs):
        raise at.key("cssrs_defer").fail(f"C-SSRS levels are {', '.join(cssrs)}")
    return PsychiatricRules(
        outcome=c.outcome(table, at, restrictions),
        phq9_item9_min=int(flag.min),
        phq9_text=r.text(table, "phq9_text", at),
        phq9_source=r.text(table, "phq9_source", at),
        cssrs_levels=levels,
        cssrs_text=r.text(table, "cssrs_text", at),
        cssrs_source=r.text(table, "cssrs_source", at),
        not_given_text=r.text(table, "not_given_text", at),
        not_given_source=r.text(table, "not_given_source", at),
    )


def _validity(data: object) -> Validity:
    at = r.At("screening.toml", "validity")
    table = r.table(data, at, required=("months", "status", "source", "rescreen_source"))
    return Validity(
        r.integer(table, "months", at, minimum=1),
        r.text(table, "source", at),
        c.status(table, at),
        r.text(table, "rescreen_source", at),
    )


def _cssrs_levels() -> tuple[str, ...]:
    cssrs = get_instrument("cssrs_screen").scoring
    assert isinstance(cssrs, TriageRule)
    # Triage levels are listed highest first; the screen orders them lowest first, after the default.
    return (cssrs.default, *reversed([level.label for level in cssrs.levels]))


def _item9_values(flag_code: str) -> tuple[int, ...]:
    phq9 = get_instrument("phq9")
    flag = next(f for f in phq9.flags if f.code == flag_code)
    return tuple(option.value for option in phq9.item(flag.on).options)


def bp_policies() -> tuple[str, ...]:
    """The names of the selectable blood-pressure policies (screening.toml)."""
    return tuple(
        p["name"] for p in load_toml("screening", "stride.clinical.safety.data")["blood_pressure"]["policies"]
    )


def dosing_day_policies() -> tuple[str, ...]:
    """The names of the selectable ketamine/esketamine dosing-day policies (medications.toml)."""
    return tuple(
        p["name"] for p in load_toml("medications", "stride.clinical.safety.data")["dosing_day"]["policies"]
    )


@cache
def screening_rules(*, bp_policy: str | None = None, dosing_day_policy: str | None = None) -> ScreeningRules:
    """The packaged screening rules, validated, with the chosen policies.

    Parameters
    ----------
    bp_policy
        One of :func:`bp_policies`; default ``no_session_180_110`` (see screening.toml notes).
    dosing_day_policy
        One of :func:`dosing_day_policies`; default ``no_session_on_dosing_days``.

    Raises
    ------
    InvalidInput
        An unknown policy (field ``bp_policy`` or ``dosing_day_policy``).
    ConfigurationError
        A malformed package-data file, naming the file and the key.
    """
    at = r.At("screening.toml")
    raw = r.table(load_toml("screening", "stride.clinical.safety.data"), at, required=_TOP_KEYS)
    intensities = r.strings(raw, "intensities", at)
    restrictions = _restrictions(raw["restrictions"], at.key("restrictions"), intensities)
    acsm = _acsm(raw["acsm"], at.key("acsm"), restrictions, intensities)
    cssrs_levels = _cssrs_levels()
    psychiatric = _psychiatric(raw["psychiatric"], restrictions, cssrs_levels)
    ages = load_toml("plausibility")["age_years"]
    return ScreeningRules(
        intensities=intensities,
        acsm=acsm,
        parq=_parq(raw["parq"], at.key("parq"), restrictions, acsm.symptoms),
        blood_pressure=_blood_pressure(raw, restrictions, bp_policy),
        psychiatric=psychiatric,
        conditions=FrozenMap(c.load_conditions(restrictions, acsm.diseases)),
        medications=c.load_medications(restrictions, dosing_day_policy),
        restrictions=FrozenMap(restrictions),
        validity=_validity(raw["validity"]),
        cssrs_levels=cssrs_levels,
        phq9_item9_values=_item9_values(raw["psychiatric"]["phq9_flag"]),
        age_range=(int(ages["min"]), int(ages["max"])),
    )
