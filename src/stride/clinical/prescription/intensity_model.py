"""The model of the intensity rules: the HRmax equations, the ACSM intensity classes and the cited
vigorous upper bounds, as frozen dataclasses, and the exact arithmetic they share.

No loading and no parsing here (:mod:`stride.clinical.prescription.intensity_schema` builds these from
``intensity.toml``, :mod:`stride.clinical.prescription.intensity` loads them and computes with them), so both
import this module and nothing points back up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from stride.errors import InvalidInput

CLASS_IDS: tuple[str, ...] = ("very_light", "light", "moderate", "vigorous", "near_maximal")


@dataclass(frozen=True, slots=True)
class HrmaxFormula:
    """An age-based HRmax equation: ``intercept - slope x age``."""

    id: str
    name: str
    intercept: Fraction
    slope: Fraction
    status: str
    source: str

    def estimate(self, age: int) -> int:
        """The estimate for ``age`` in whole beats, rounded half up."""
        return round_half_up(self.intercept - self.slope * age)


@dataclass(frozen=True, slots=True)
class IntensityClass:
    """One ACSM intensity class.

    ``hrr_from`` and ``hrmax_from`` are the inclusive lower bounds in %; the class ends where the next
    one begins. ``rpe`` (Borg 6-20) and ``cr10`` are inclusive ranges. ``met_from`` is inclusive and
    ``met_below`` exclusive; ``None`` is an open bound or one the source does not give.
    """

    id: str
    label: str
    hrr_from: int
    hrmax_from: int
    rpe: tuple[int, int]
    cr10: tuple[int, int]
    met_from: float | None
    met_below: float | None
    talk_test: str
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class VigorousUpper:
    """A cited choice of the upper bound of vigorous intensity in % HRR (inclusive)."""

    pct: int
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class IntensityRules:
    """Everything in ``intensity.toml`` (plus the plausibility bounds used to check inputs)."""

    formulas: tuple[HrmaxFormula, ...]
    default_formula: str
    classes: tuple[IntensityClass, ...]
    vigorous_upper_options: tuple[VigorousUpper, ...]
    default_vigorous_upper: int
    age_range: tuple[int, int]
    resting_range: tuple[int, int]
    measured_hrmax_max: int
    karvonen_source: str
    notes: str

    def formula(self, formula_id: str) -> HrmaxFormula:
        """The formula ``formula_id``; ``InvalidInput`` naming ``formula`` if unknown."""
        for candidate in self.formulas:
            if candidate.id == formula_id:
                return candidate
        known = ", ".join(f.id for f in self.formulas)
        raise InvalidInput(f"unknown HRmax formula {formula_id!r}; known: {known}", field="formula")


def round_half_up(value: Fraction) -> int:
    """Round to the nearest whole number, halves up (``Fraction(353, 2)`` -> 177)."""
    return math.floor(value + Fraction(1, 2))


def exact(value: float) -> Fraction:
    """``value`` as an exact fraction of its shortest decimal form (0.7 -> 7/10)."""
    # Via the shortest decimal repr, so 0.7 is 7/10 and not the binary float next to it.
    return Fraction(repr(value))
