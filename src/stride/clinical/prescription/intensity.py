"""Exercise intensity: HRmax estimates, Karvonen (%HRR) targets, the ACSM intensity classes and heart-rate
zones.

Every number is cited package data in ``data/intensity.toml`` (equations, class bounds, RPE,
CR10 and MET ranges, talk-test wording); the input bounds come from there and from
``stride/data/plausibility.toml``. Arithmetic is exact (:class:`fractions.Fraction`), and results are
rounded to whole beats **half up** (176.5 -> 177), so a printed HRmax and its zones can be re-derived
by hand. Zones are computed from the rounded HRmax.

A class spans its own lower bound up to the next class's lower bound (the sources' integer ranges
30-39, 40-59, 60-84 %HRR read as [30, 40), [40, 60), [60, 85)). In whole beats a zone runs from the
rounded target at its lower bound to one beat below the rounded target at the next lower bound, so
zones are contiguous and never overlap. The vigorous upper bound is 84 % HRR by default; 89 is the
other cited value (``vigorous_upper_pct``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache

from stride.clinical.prescription.intensity_model import (
    CLASS_IDS,
    IntensityClass,
    IntensityRules,
    exact,
    round_half_up,
)
from stride.clinical.prescription.intensity_schema import parse_intensity
from stride.data import load_toml
from stride.errors import InvalidInput

# CLASS_IDS belongs to this module's face too (intensity_class takes one): callers import it from here.
__all__ = [
    "BASES",
    "CLASS_IDS",
    "ZONE_CLASSES",
    "Zones",
    "cr10_range",
    "hr_zones",
    "hrmax",
    "intensity_class",
    "intensity_rules",
    "karvonen",
    "met_range",
    "percent_hrmax",
    "rpe_range",
    "talk_test",
    "vigorous_upper",
]


ZONE_CLASSES: tuple[str, ...] = ("light", "moderate", "vigorous")
BASES: tuple[str, ...] = ("hrr", "hrmax")


@dataclass(frozen=True, slots=True)
class Zones:
    """Heart-rate zones in whole beats per minute, each ``(lo, hi)`` inclusive and contiguous."""

    hrmax: int
    resting_hr: int
    formula: str  # the equation's id, or "measured"
    basis: str  # "hrr" (Karvonen) or "hrmax"
    vigorous_upper_pct: int
    light: tuple[int, int]
    moderate: tuple[int, int]
    vigorous: tuple[int, int]


@cache
def intensity_rules() -> IntensityRules:
    """The validated contents of ``intensity.toml`` (cached; a malformed file raises
    ``ConfigurationError`` naming the file and the key)."""
    return parse_intensity(
        load_toml("intensity", "stride.clinical.prescription.data"), plausibility=load_toml("plausibility")
    )


# --- calculations -----------------------------------------------------------------------------


def _whole(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"must be a whole number, got {value!r}", field=field)
    return value


def _check_age(age: object) -> int:
    lo, hi = intensity_rules().age_range
    value = _whole(age, field="age")
    if not lo <= value <= hi:
        raise InvalidInput(f"{value} is outside the plausible range {lo}-{hi} years", field="age")
    return value


def hrmax(age: int, *, formula: str = "tanaka", measured: int | None = None) -> int:
    """Maximal heart rate in whole beats per minute.

    Parameters
    ----------
    age
        Years; adults only (bounds in ``intensity.toml`` and ``plausibility.toml``).
    formula
        ``tanaka`` (208 - 0.7 x age, the default), ``fox`` (220 - age) or ``gellish`` (207 - 0.7 x age).
    measured
        A measured HRmax (exercise test); when given it is returned as is, and overrides the estimate.

    Returns
    -------
    int
        The estimate rounded half up (Tanaka at 45 years: 176.5 -> 177), or the measured value.

    Raises
    ------
    InvalidInput
        Naming ``formula``, ``age`` or ``hrmax`` (an implausible measured value).
    """
    return _max_hr(age, formula=formula, measured=measured)


def _max_hr(age: int, *, formula: str, measured: int | None) -> int:
    rules = intensity_rules()
    equation = rules.formula(formula)
    years = _check_age(age)
    if measured is None:
        return equation.estimate(years)
    value = _whole(measured, field="hrmax")
    if not rules.resting_range[0] < value <= rules.measured_hrmax_max:
        raise InvalidInput(
            f"a measured HRmax of {value} bpm is implausible (at most {rules.measured_hrmax_max})",
            field="hrmax",
        )
    return value


def karvonen(*, hrmax: int, resting_hr: int, fraction: float) -> int:
    """The Karvonen target ``(hrmax - resting_hr) x fraction + resting_hr``, rounded half up.

    ``fraction`` is the share of the heart-rate reserve, 0..1 (0.4 for 40 % HRR). With HRmax 177 and
    rest 70, 40 % HRR is 107 x 0.4 + 70 = 112.8 -> 113 bpm.
    """
    return _target(resting_hr, hrmax - resting_hr, _fraction(fraction))


def percent_hrmax(*, hrmax: int, fraction: float) -> int:
    """The %HRmax target ``hrmax x fraction``, rounded half up (64 % of 177 = 113.28 -> 113 bpm)."""
    return _target(0, hrmax, _fraction(fraction))


def _fraction(fraction: float) -> Fraction:
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 <= fraction <= 1:
        raise InvalidInput(f"must be a share between 0 and 1, got {fraction!r}", field="fraction")
    return exact(float(fraction))


def _target(base: int, span: int, share: Fraction) -> int:
    return round_half_up(base + span * share)


def _check_resting(resting_hr: object, top: int) -> int:
    lo, hi = intensity_rules().resting_range
    value = _whole(resting_hr, field="resting_hr")
    if not lo <= value <= hi:
        raise InvalidInput(f"{value} bpm is outside the plausible range {lo}-{hi}", field="resting_hr")
    if value >= top:
        raise InvalidInput(f"{value} bpm must be below HRmax ({top} bpm)", field="resting_hr")
    return value


def vigorous_upper(pct: int | None = None) -> int:
    """The vigorous upper bound in % HRR: ``pct`` if it is a cited option, else the default (84)."""
    rules = intensity_rules()
    if pct is None:
        return rules.default_vigorous_upper
    allowed = [o.pct for o in rules.vigorous_upper_options]
    if pct not in allowed:
        raise InvalidInput(
            f"{pct!r} is not a cited vigorous upper bound; choose {' or '.join(map(str, allowed))}",
            field="vigorous_upper_pct",
        )
    return pct


def hr_zones(
    *,
    age: int,
    resting_hr: int,
    hrmax: int | None = None,
    formula: str = "tanaka",
    vigorous_upper_pct: int | None = None,
    basis: str = "hrr",
) -> Zones:
    """Light, moderate and vigorous heart-rate zones in whole beats.

    Parameters
    ----------
    age, formula
        For the HRmax estimate (see :func:`stride.clinical.prescription.intensity.hrmax`).
    resting_hr
        Resting heart rate, below HRmax.
    hrmax
        A measured HRmax; overrides the estimate.
    vigorous_upper_pct
        The upper bound of vigorous in % HRR: 84 (default) or 89.
    basis
        ``hrr`` (Karvonen on the heart-rate reserve, the default) or ``hrmax`` (% of HRmax).

    Raises
    ------
    InvalidInput
        Naming ``age``, ``formula``, ``hrmax``, ``resting_hr`` (implausible, not below HRmax, or too close
        to it for distinct whole-beat zones), ``vigorous_upper_pct`` or ``basis``.
    """
    if basis not in BASES:
        raise InvalidInput(f"unknown basis {basis!r}; known: {', '.join(BASES)}", field="basis")
    rules = intensity_rules()
    top = _max_hr(age, formula=formula, measured=hrmax)
    rest = _check_resting(resting_hr, top)
    upper = vigorous_upper(vigorous_upper_pct)
    if basis == "hrr":
        starts = [c.hrr_from for c in rules.classes[1:4]] + [upper + 1]
        beats = [_target(rest, top - rest, Fraction(pct, 100)) for pct in starts]
    else:
        starts = [c.hrmax_from for c in rules.classes[1:]]
        beats = [_target(0, top, Fraction(pct, 100)) for pct in starts]
    zones = [(beats[i], beats[i + 1] - 1) for i in range(len(ZONE_CLASSES))]
    if any(lo > hi for lo, hi in zones):
        raise InvalidInput(
            f"a heart-rate reserve of {top - rest} beats is too small for distinct whole-beat zones",
            field="resting_hr",
        )
    return Zones(
        hrmax=top,
        resting_hr=rest,
        formula="measured" if hrmax is not None else formula,
        basis=basis,
        vigorous_upper_pct=upper,
        light=zones[0],
        moderate=zones[1],
        vigorous=zones[2],
    )


def intensity_class(class_id: str) -> IntensityClass:
    """The ACSM class ``class_id`` (one of :data:`CLASS_IDS`); ``InvalidInput`` naming ``intensity``."""
    for candidate in intensity_rules().classes:
        if candidate.id == class_id:
            return candidate
    raise InvalidInput(
        f"unknown intensity class {class_id!r}; known: {', '.join(CLASS_IDS)}", field="intensity"
    )


def rpe_range(cls: str) -> tuple[int, int]:
    """The Borg RPE (6-20) range of class ``cls``, inclusive (moderate: ``(12, 13)``)."""
    return intensity_class(cls).rpe


def cr10_range(cls: str) -> tuple[int, int]:
    """The Borg CR10 range of class ``cls``, inclusive (moderate: ``(3, 4)``)."""
    return intensity_class(cls).cr10


def met_range(cls: str) -> tuple[float | None, float | None]:
    """The METs of class ``cls`` as ``(from, below)``: inclusive, exclusive; ``None`` = open/not given."""
    found = intensity_class(cls)
    return found.met_from, found.met_below


def talk_test(cls: str) -> str:
    """The talk-test description of class ``cls``."""
    return intensity_class(cls).talk_test
