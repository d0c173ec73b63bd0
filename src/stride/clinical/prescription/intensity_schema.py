"""The schema of ``data/intensity.toml``: parse and cross-check the HRmax equations, the ACSM
intensity classes and the input bounds.

Checked at load: the classes are listed lowest first and their lower bounds increase; their RPE and
CR10 ranges name existing bands of the Borg instruments (whose sources apply) and the RPE bands follow
each other; only the top class omits its %HRR bound (it starts above the configurable vigorous upper
bound); each vigorous option lies between the vigorous lower bound and 100; the default formula
exists; every entry has a ``source``. A malformed file raises ``ConfigurationError`` naming the file
and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stride.clinical import toml_reader as r
from stride.clinical.measurement import get_instrument
from stride.clinical.prescription.intensity_model import (
    CLASS_IDS,
    HrmaxFormula,
    IntensityClass,
    IntensityRules,
    VigorousUpper,
    exact,
)

_FILE = "intensity.toml"
_STATUS = ("VERIFIED", "SECONDARY", "UNSURE")


def _band(instrument_id: str, label: str, at: r.At) -> tuple[int, int]:
    for band in get_instrument(instrument_id).bands:
        if band.label == label:
            return band.min, band.max
    raise at.fail(f"{instrument_id} has no band {label!r}")


def _classes(data: Mapping[str, Any], at: r.At) -> tuple[IntensityClass, ...]:
    classes: list[IntensityClass] = []
    for index, entry in enumerate(r.tables(data, "classes", at)):
        c_at = at.key("classes").key(index)
        required = ("id", "label", "hrmax_from", "rpe_band", "cr10_band", "talk_test", "status", "source")
        table = r.table(entry, c_at, required=required, optional=("hrr_from", "met_from", "met_below"))
        class_id = r.choice(table, "id", c_at, CLASS_IDS)
        if class_id != CLASS_IDS[index]:
            raise c_at.key("id").fail(f"classes must be listed in order {', '.join(CLASS_IDS)}")
        last = class_id == CLASS_IDS[-1]
        if last == ("hrr_from" in table):  # the top class starts at the configurable vigorous bound
            raise c_at.key("hrr_from").fail("required for every class but the last, which must omit it")
        classes.append(
            IntensityClass(
                id=class_id,
                label=r.text(table, "label", c_at),
                hrr_from=0 if last else r.integer(table, "hrr_from", c_at, minimum=0),
                hrmax_from=r.integer(table, "hrmax_from", c_at, minimum=0),
                rpe=_band("borg_rpe", r.text(table, "rpe_band", c_at), c_at.key("rpe_band")),
                cr10=_band("borg_cr10", r.text(table, "cr10_band", c_at), c_at.key("cr10_band")),
                met_from=r.optional_number(table, "met_from", c_at),
                met_below=r.optional_number(table, "met_below", c_at),
                talk_test=r.text(table, "talk_test", c_at),
                status=r.choice(table, "status", c_at, _STATUS),
                source=r.text(table, "source", c_at),
            )
        )
    if len(classes) != len(CLASS_IDS):
        raise at.key("classes").fail(f"must list exactly {', '.join(CLASS_IDS)}")
    return tuple(classes)


def _check_order(classes: tuple[IntensityClass, ...], at: r.At) -> None:
    for index in range(1, len(classes)):
        prev, cur = classes[index - 1], classes[index]
        if cur.hrmax_from <= prev.hrmax_from or (cur.id != CLASS_IDS[-1] and cur.hrr_from <= prev.hrr_from):
            raise at.key("classes").key(index).fail("lower bounds must increase from class to class")
        if cur.rpe[0] != prev.rpe[1] + 1:
            raise at.key("classes").key(index).key("rpe_band").fail("RPE bands must follow each other")


def _formulas(data: Mapping[str, Any], at: r.At) -> tuple[HrmaxFormula, ...]:
    f_at = at.key("hrmax").key("formulas")
    raw = data["hrmax"].get("formulas")
    if not isinstance(raw, Mapping) or not raw:
        raise f_at.fail("must be a table of formulas")
    formulas = []
    for formula_id, entry in raw.items():
        e_at = f_at.key(formula_id)
        table = r.table(entry, e_at, required=("name", "intercept", "slope", "status", "source"))
        formulas.append(
            HrmaxFormula(
                id=formula_id,
                name=r.text(table, "name", e_at),
                intercept=exact(r.number(table, "intercept", e_at)),
                slope=exact(r.number(table, "slope", e_at)),
                status=r.choice(table, "status", e_at, _STATUS),
                source=r.text(table, "source", e_at),
            )
        )
    return tuple(formulas)


def _vigorous_options(data: Mapping[str, Any], at: r.At) -> tuple[tuple[VigorousUpper, ...], int]:
    v_at = at.key("vigorous_upper_hrr")
    table = r.table(data.get("vigorous_upper_hrr"), v_at, required=("default", "options"))
    options = []
    for index, entry in enumerate(r.tables(table, "options", v_at)):
        o_at = v_at.key("options").key(index)
        option = r.table(entry, o_at, required=("pct", "name", "source"))
        options.append(
            VigorousUpper(
                pct=r.integer(option, "pct", o_at, minimum=1),
                name=r.text(option, "name", o_at),
                source=r.text(option, "source", o_at),
            )
        )
    default = r.integer(table, "default", v_at)
    if default not in {o.pct for o in options}:
        raise v_at.key("default").fail("must be one of the options")
    return tuple(options), default


def _inputs(
    data: Mapping[str, Any], at: r.At, plausible: Mapping[str, Any]
) -> tuple[tuple[int, int], tuple[int, int], int]:
    i_at = at.key("inputs")
    inputs = r.table(data["inputs"], i_at, required=("age", "measured_hrmax"))
    age = r.table(inputs["age"], i_at.key("age"), required=("min", "source"))
    measured = r.table(inputs["measured_hrmax"], i_at.key("measured_hrmax"), required=("max", "source"))
    return (
        (r.integer(age, "min", i_at.key("age")), int(plausible["age_years"]["max"])),
        (int(plausible["resting_hr"]["min"]), int(plausible["resting_hr"]["max"])),
        r.integer(measured, "max", i_at.key("measured_hrmax")),
    )


def parse_intensity(raw: Mapping[str, Any], *, plausibility: Mapping[str, Any]) -> IntensityRules:
    """Validate the parsed ``intensity.toml`` and build its
    :class:`~stride.clinical.prescription.intensity_model.IntensityRules`.

    ``plausibility`` is the parsed ``plausibility.toml``: the data-entry bounds on age and resting
    heart rate are shared with the patient record.

    Raises
    ------
    ConfigurationError
        Naming ``intensity.toml`` and the key at fault.
    """
    at = r.At(_FILE)
    required = ("notes", "hrmax", "inputs", "karvonen", "vigorous_upper_hrr", "classes")
    data = r.table(raw, at, required=required)
    hrmax_table = r.table(data["hrmax"], at.key("hrmax"), required=("default", "default_source", "formulas"))
    karvonen_table = r.table(data["karvonen"], at.key("karvonen"), required=("formula", "source"))
    classes = _classes(data, at)
    _check_order(classes, at)
    options, default_upper = _vigorous_options(data, at)
    if any(o.pct < classes[-2].hrr_from or o.pct >= 100 for o in options):
        raise at.key("vigorous_upper_hrr").fail("options must lie between the vigorous lower bound and 100")
    age_range, resting_range, measured_max = _inputs(data, at, plausibility)
    rules = IntensityRules(
        formulas=_formulas(data, at),
        default_formula=r.text(hrmax_table, "default", at.key("hrmax")),
        classes=classes,
        vigorous_upper_options=options,
        default_vigorous_upper=default_upper,
        age_range=age_range,
        resting_range=resting_range,
        measured_hrmax_max=measured_max,
        karvonen_source=r.text(karvonen_table, "source", at.key("karvonen")),
        notes=r.text(data, "notes", at),
    )
    if rules.default_formula not in {f.id for f in rules.formulas}:
        raise at.key("hrmax").key("default").fail("must name one of [hrmax.formulas]")
    return rules
