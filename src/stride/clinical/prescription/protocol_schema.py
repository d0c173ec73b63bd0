"""The schema of a protocol file: parse and cross-check ``data/protocols/<id>.toml``.

Checked once, at load: the id equals the file name; modalities, settings, units and codes come from
their vocabularies (``protocol_library.toml``); phases tile weeks 1..duration without gaps; intensity
classes exist and are adjacent, and each RPE range lies within them; ``min_per_week`` volumes equal
frequency x minutes; a stepwise schedule never rises by more than its maximum weekly increase; the
start level lies below week 1; every phase whose intensity exceeds a screening ceiling is matched by
a contraindication note for it; every CERT item is filled in; and every parameter has a ``source``.
A malformed file raises ``ConfigurationError`` naming the file and the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, cast, get_args

from stride.clinical import toml_reader as r
from stride.clinical.prescription.intensity import CLASS_IDS, rpe_range
from stride.clinical.prescription.protocol_evidence import parse_evidence
from stride.clinical.prescription.protocol_library import (
    library_rules,
    parse_adherence,
    parse_cert,
    parse_contraindications,
)
from stride.clinical.prescription.protocol_model import (
    DoseOption,
    FittSources,
    HeartRateTarget,
    Intervals,
    Modality,
    Phase,
    Progression,
    Protocol,
    Routine,
    Rule,
    Setting,
    StartLevel,
    StrengthExercise,
    SupervisionMode,
    VolumeUnit,
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_REQUIRED = (
    "id", "name", "summary", "modalities", "settings", "volume_unit", "source", "notes", "duration",
    "supervision", "evidence", "fitt_sources", "phases", "start_level", "progression", "warm_up",
    "cool_down", "adherence", "contraindications", "cert",
)  # fmt: skip
_TOP_OPTIONAL = ("strength", "doses")
_FITT = ("frequency", "time", "intensity", "type", "volume")


# --- small typed readers ----------------------------------------------------------------------------


def _pair(
    data: Mapping[str, Any], key: str, at: r.At, *, lo: int = 0, hi: int | None = None
) -> tuple[int, int]:
    value = data.get(key)
    k_at = at.key(key)
    if not isinstance(value, list) or len(value) != 2:
        raise k_at.fail("must be a [low, high] pair of integers")
    first, second = (r.integer({"v": v}, "v", k_at) for v in value)
    if not lo <= first <= second or (hi is not None and second > hi):
        raise k_at.fail(f"must satisfy {lo} <= low <= high" + (f" <= {hi}" if hi is not None else ""))
    return first, second


def _rpe_scale() -> tuple[int, int]:
    # The Borg 6-20 range, from the instrument file that cites it (instruments/borg_rpe.toml).
    return rpe_range(CLASS_IDS[0])[0], rpe_range(CLASS_IDS[-1])[1]


def _choices(data: Mapping[str, Any], key: str, at: r.At, allowed: Sequence[str]) -> tuple[str, ...]:
    values = r.strings(data, key, at)
    for index, value in enumerate(values):
        if value not in allowed:
            raise at.key(key).key(index).fail(f"must be one of {', '.join(allowed)}")
    if len(set(values)) != len(values):
        raise at.key(key).fail("must not repeat a value")
    return values


def _intensity(
    data: Mapping[str, Any], key: str, rpe_key: str, at: r.At
) -> tuple[tuple[str, ...], tuple[int, int]]:
    classes = _choices(data, key, at, CLASS_IDS)
    indexes = [CLASS_IDS.index(c) for c in classes]
    if indexes != list(range(indexes[0], indexes[0] + len(indexes))):
        raise at.key(key).fail("must be adjacent classes, lowest first")
    rpe = _pair(data, rpe_key, at, lo=_rpe_scale()[0], hi=_rpe_scale()[1])
    low, high = rpe_range(classes[0])[0], rpe_range(classes[-1])[1]
    if rpe[0] < low or rpe[1] > high:
        raise at.key(rpe_key).fail(f"must lie within RPE {low}-{high} of {', '.join(classes)}")
    return classes, rpe


def _positive(data: Mapping[str, Any], key: str, at: r.At) -> float:
    value = r.number(data, key, at)
    if value <= 0:
        raise at.key(key).fail("must be positive")
    return value


def _check_minutes(unit: str, frequency: int, minutes: int, volume: float, at: r.At) -> None:
    if unit == "min_per_week" and volume != frequency * minutes:
        raise at.key("volume").fail(f"must equal frequency x minutes = {frequency * minutes} min/week")


# --- parts ------------------------------------------------------------------------------------------


def _sources(data: object, at: r.At, *, defaults: FittSources | None) -> FittSources:
    table = r.table(data, at, required=() if defaults else _FITT, optional=_FITT if defaults else ())
    values = {k: r.text(table, k, at) if k in table else getattr(defaults, k) for k in _FITT}
    return FittSources(**values)


def _intervals(data: object, at: r.At, minutes: int) -> Intervals:
    required = ("repeats", "work_seconds", "recovery_seconds", "work_intensity", "work_rpe",
                "recovery_intensity", "recovery_rpe", "source")  # fmt: skip
    table = r.table(data, at, required=required)
    work = _intensity(table, "work_intensity", "work_rpe", at)
    recovery = _intensity(table, "recovery_intensity", "recovery_rpe", at)
    bout = tuple(r.integer(table, k, at, minimum=1) for k in ("repeats", "work_seconds", "recovery_seconds"))
    if bout[0] * (bout[1] + bout[2]) > minutes * 60:
        raise at.key("repeats").fail(f"the bouts take longer than the session's {minutes} minutes")
    return Intervals(
        bout[0], bout[1], bout[2], work[0], work[1], recovery[0], recovery[1], r.text(table, "source", at)
    )


def _heart_rate(data: object, at: r.At) -> HeartRateTarget:
    table = r.table(data, at, required=("basis", "range_pct", "source"))
    low, high = _pair(table, "range_pct", at, lo=1, hi=100)
    basis = r.choice(table, "basis", at, ("hrr", "hrmax"))
    return HeartRateTarget("hrr" if basis == "hrr" else "hrmax", low, high, r.text(table, "source", at))


def _phase(data: object, at: r.At, *, unit: str, defaults: FittSources) -> Phase:
    table = r.table(
        data,
        at,
        required=("id", "name", "weeks", "type", "frequency", "minutes", "intensity", "rpe", "volume"),
        optional=("sources", "strength_sets", "intervals", "heart_rate"),
    )
    first, last = _pair(table, "weeks", at, lo=1)
    frequency, minutes = (
        r.integer(table, "frequency", at, minimum=1),
        r.integer(table, "minutes", at, minimum=1),
    )
    intensity, rpe = _intensity(table, "intensity", "rpe", at)
    volume = _positive(table, "volume", at)
    _check_minutes(unit, frequency, minutes, volume, at)
    intervals = _intervals(table["intervals"], at.key("intervals"), minutes) if "intervals" in table else None
    if intervals and not {*intervals.work_intensity, *intervals.recovery_intensity} <= set(intensity):
        raise at.key("intervals").fail("work and recovery classes must be among the phase's intensity")
    return Phase(
        id=r.text(table, "id", at),
        name=r.text(table, "name", at),
        first_week=first,
        last_week=last,
        type=r.text(table, "type", at),
        frequency=frequency,
        minutes=minutes,
        intensity=intensity,
        rpe=rpe,
        volume=volume,
        sources=_sources(table.get("sources", {}), at.key("sources"), defaults=defaults),
        strength_sets=r.integer(table, "strength_sets", at, minimum=1) if "strength_sets" in table else None,
        intervals=intervals,
        heart_rate=_heart_rate(table["heart_rate"], at.key("heart_rate")) if "heart_rate" in table else None,
    )


def _phases(
    top: Mapping[str, Any], at: r.At, *, unit: str, weeks: int, progression: Progression
) -> tuple[Phase, ...]:
    defaults = _sources(top["fitt_sources"], at.key("fitt_sources"), defaults=None)
    phases: list[Phase] = []
    for index, entry in enumerate(r.tables(top, "phases", at)):
        p_at = at.key("phases").key(index)
        phase = _phase(entry, p_at, unit=unit, defaults=defaults)
        expected = phases[-1].last_week + 1 if phases else 1
        if phase.first_week != expected:
            raise p_at.key("weeks").fail(f"phases must tile the weeks: expected to start at week {expected}")
        if (
            phases
            and progression.rule == "stepwise_by_phase"
            and progression.exceeds(phases[-1].volume, phase.volume)
        ):
            raise p_at.key("volume").fail("rises by more than the progression's max_weekly_increase")
        if phase.id in {p.id for p in phases}:
            raise p_at.key("id").fail(f"duplicate phase id {phase.id!r}")
        phases.append(phase)
    if phases[-1].last_week != weeks:
        raise at.key("phases").fail(f"must end at the programme's last week {weeks}")
    return tuple(phases)


def _progression(data: object, at: r.At) -> Progression:
    table = r.table(
        data, at, required=("rule", "step", "max_weekly_increase", "unit", "description", "source")
    )
    progression = Progression(
        rule=cast(Rule, r.choice(table, "rule", at, get_args(Rule))),
        step=_positive(table, "step", at),
        max_weekly_increase=_positive(table, "max_weekly_increase", at),
        unit=cast(Any, r.choice(table, "unit", at, ("percent", "absolute"))),
        description=r.text(table, "description", at),
        source=r.text(table, "source", at),
    )
    if progression.step > progression.max_weekly_increase:
        raise at.key("step").fail("must not exceed max_weekly_increase")
    if (progression.rule == "absolute_per_week") != (progression.unit == "absolute"):
        raise at.key("unit").fail("absolute_per_week goes with 'absolute', the other rules with 'percent'")
    return progression


def _start_level(data: object, at: r.At, *, unit: str, first: Phase) -> StartLevel:
    table = r.table(
        data, at, required=("applies_to", "frequency", "minutes", "intensity", "rpe", "volume", "source")
    )
    frequency, minutes = (
        r.integer(table, "frequency", at, minimum=1),
        r.integer(table, "minutes", at, minimum=1),
    )
    intensity, rpe = _intensity(table, "intensity", "rpe", at)
    volume = _positive(table, "volume", at)
    _check_minutes(unit, frequency, minutes, volume, at)
    if volume >= first.volume:
        raise at.key("volume").fail(f"must lie below week 1's volume {first.volume:g}")
    if CLASS_IDS.index(intensity[-1]) > CLASS_IDS.index(first.intensity[-1]):
        raise at.key("intensity").fail("must not be harder than week 1")
    return StartLevel(
        r.text(table, "applies_to", at),
        frequency,
        minutes,
        intensity,
        rpe,
        volume,
        r.text(table, "source", at),
    )


def _routine(data: object, at: r.At) -> Routine:
    table = r.table(data, at, required=("minutes", "description", "source"))
    return Routine(
        r.integer(table, "minutes", at, minimum=1),
        r.text(table, "description", at),
        r.text(table, "source", at),
    )


def _strength(top: Mapping[str, Any], at: r.At, *, required: bool) -> tuple[StrengthExercise, ...]:
    exercises = []
    for index, entry in enumerate(r.tables(top, "strength", at, allow_empty=not required)):
        s_at = at.key("strength").key(index)
        table = r.table(
            entry,
            s_at,
            required=("name", "description", "equipment", "sets", "reps", "rpe", "rir", "rest_seconds",
                      "progression", "source"),
        )  # fmt: skip
        exercises.append(
            StrengthExercise(
                name=r.text(table, "name", s_at),
                description=r.text(table, "description", s_at),
                equipment=r.text(table, "equipment", s_at),
                sets=r.integer(table, "sets", s_at, minimum=1),
                reps=_pair(table, "reps", s_at, lo=1),
                rpe=_pair(table, "rpe", s_at, lo=_rpe_scale()[0], hi=_rpe_scale()[1]),
                rir=_pair(table, "rir", s_at),
                rest_seconds=_pair(table, "rest_seconds", s_at),
                progression=r.text(table, "progression", s_at),
                source=r.text(table, "source", s_at),
            )
        )
    return tuple(exercises)


def _doses(top: Mapping[str, Any], at: r.At, phases: tuple[Phase, ...]) -> tuple[DoseOption, ...]:
    doses = []
    for index, entry in enumerate(r.tables(top, "doses", at, allow_empty=True)):
        d_at = at.key("doses").key(index)
        table = r.table(entry, d_at, required=("id", "label", "volume", "default", "source"))
        doses.append(
            DoseOption(
                id=r.text(table, "id", d_at),
                label=r.text(table, "label", d_at),
                volume=_positive(table, "volume", d_at),
                default=r.boolean(table, "default", d_at),
                source=r.text(table, "source", d_at),
            )
        )
    if doses and [d.volume for d in doses if d.default] != [max(p.volume for p in phases)]:
        raise at.key("doses").fail("exactly one dose is the default, and the phases build up to it")
    return tuple(doses)


def _protocol_id(top: Mapping[str, Any], at: r.At, *, file: str) -> str:
    protocol_id = r.text(top, "id", at)
    if not _ID.match(protocol_id) or protocol_id != PurePosixPath(file).stem:
        raise at.key("id").fail(f"must be lower-case and equal the file name {PurePosixPath(file).stem!r}")
    return protocol_id


def _duration(top: Mapping[str, Any], at: r.At, *, min_weeks: int) -> tuple[int, str]:
    """The programme length in weeks (at least the library's minimum) and its source."""
    d_at = at.key("duration")
    duration = r.table(top["duration"], d_at, required=("weeks", "source"))
    return r.integer(duration, "weeks", d_at, minimum=min_weeks), r.text(duration, "source", d_at)


def _supervision(top: Mapping[str, Any], at: r.At) -> tuple[SupervisionMode, str, str]:
    """The supervision mode, its description and its source."""
    s_at = at.key("supervision")
    supervision = r.table(top["supervision"], s_at, required=("mode", "description", "source"))
    mode = cast(SupervisionMode, r.choice(supervision, "mode", s_at, get_args(SupervisionMode)))
    return mode, r.text(supervision, "description", s_at), r.text(supervision, "source", s_at)


def parse_protocol(data: Mapping[str, Any], *, file: str) -> Protocol:
    """Validate one parsed protocol file and build its :class:`~stride.clinical.prescription.Protocol`.

    Raises
    ------
    ConfigurationError
        Naming the file (``protocols/<id>.toml``) and the key at fault.
    """
    at, rules = r.At(file), library_rules()
    top = r.table(data, at, required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    protocol_id = _protocol_id(top, at, file=file)
    weeks, duration_source = _duration(top, at, min_weeks=rules.min_weeks)
    mode, supervision_description, supervision_source = _supervision(top, at)
    modalities = _choices(top, "modalities", at, get_args(Modality))
    unit = r.choice(top, "volume_unit", at, get_args(VolumeUnit))
    progression = _progression(top["progression"], at.key("progression"))
    phases = _phases(top, at, unit=unit, weeks=weeks, progression=progression)
    return Protocol(
        id=protocol_id,
        name=r.text(top, "name", at),
        summary=r.text(top, "summary", at),
        modalities=cast(tuple[Modality, ...], modalities),
        settings=cast(tuple[Setting, ...], _choices(top, "settings", at, get_args(Setting))),
        duration_weeks=weeks,
        duration_source=duration_source,
        supervision=mode,
        supervision_description=supervision_description,
        supervision_source=supervision_source,
        volume_unit=cast(VolumeUnit, unit),
        evidence=parse_evidence(top["evidence"], at.key("evidence")),
        phases=phases,
        start_level=_start_level(top["start_level"], at.key("start_level"), unit=unit, first=phases[0]),
        progression=progression,
        warm_up=_routine(top["warm_up"], at.key("warm_up")),
        cool_down=_routine(top["cool_down"], at.key("cool_down")),
        strength=_strength(top, at, required="resistance" in modalities),
        adherence=parse_adherence(top, at, rules),
        contraindications=parse_contraindications(top, at, rules, phases),
        doses=_doses(top, at, phases),
        cert=parse_cert(top["cert"], at.key("cert"), rules),
        notes=r.text(top, "notes", at),
        source=r.text(top, "source", at),
    )
