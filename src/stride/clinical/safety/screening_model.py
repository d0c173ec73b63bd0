"""The model of the pre-exercise screening rules: the decisions, the restriction vocabulary and one
frozen dataclass per component (ACSM algorithm, PAR-Q+, blood pressure, conditions, psychiatric
safety, medications, validity).

The values come from ``data/screening.toml``, ``conditions.toml`` and ``medications.toml``
through :func:`stride.clinical.safety.screening_data.screening_rules`; every rule carries its source. A
caller may build a different :class:`ScreeningRules` (``dataclasses.replace``) to configure a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Group = Literal["none", "disease", "symptoms"]
Comparison = Literal["at_least", "above"]
_WORD = re.compile(r"[a-z]+")


class Decision(StrEnum):
    """The outcome of a screen, least restrictive first."""

    CLEARED = "cleared"
    CLEARED_WITH_RESTRICTIONS = "cleared_with_restrictions"
    MEDICAL_CLEARANCE_REQUIRED = "medical_clearance_required"
    DEFER = "defer"

    @property
    def rank(self) -> int:
        """0 for ``cleared`` up to 3 for ``defer``: a higher rank is more restrictive."""
        return list(Decision).index(self)


@dataclass(frozen=True, slots=True)
class Restriction:
    """One restriction code the prescription engine must respect; ``max_intensity`` makes it a ceiling."""

    code: str
    text: str
    source: str
    status: str
    max_intensity: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one rule contributes: a decision and the restriction codes that come with it."""

    decision: Decision
    restrictions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AcsmRow:
    """One row of the ACSM table and its outcome for each desired intensity."""

    code: str
    active: bool
    group: Group
    text: str
    by_intensity: Mapping[str, Outcome]


@dataclass(frozen=True, slots=True)
class AcsmRules:
    """The ACSM 2015 pre-participation algorithm: diseases, signs and symptoms, the decision table."""

    diseases: Mapping[str, str]
    symptoms: Mapping[str, str]
    rows: tuple[AcsmRow, ...]
    source: str

    def row(self, *, active: bool, group: Group) -> AcsmRow:
        """The row for current activity and disease/symptom group (the table covers every pair)."""
        return next(r for r in self.rows if r.active == active and r.group == group)


@dataclass(frozen=True, slots=True)
class ParqQuestion:
    """One PAR-Q+ general health question: a short label, and what a 'yes' brings."""

    id: str
    label: str
    restrictions: tuple[str, ...]
    implies_symptom: str | None


@dataclass(frozen=True, slots=True)
class ParqRules:
    """The PAR-Q+ page-1 rules."""

    questions: Mapping[str, ParqQuestion]
    source: str
    all_no_text: str
    not_given_text: str
    unanswered_text: str
    age_above: int
    age_restrictions: tuple[str, ...]
    age_text: str
    age_source: str


@dataclass(frozen=True, slots=True)
class BpRule:
    """A resting blood-pressure rule: fires when systolic or diastolic reaches its value."""

    code: str
    systolic: int
    diastolic: int
    comparison: Comparison
    outcome: Outcome
    text: str
    source: str
    status: str

    def fires(self, systolic: int, diastolic: int) -> bool:
        """Whether a resting ``systolic``/``diastolic`` reading meets this rule."""
        if self.comparison == "at_least":
            return systolic >= self.systolic or diastolic >= self.diastolic
        return systolic > self.systolic or diastolic > self.diastolic


@dataclass(frozen=True, slots=True)
class BpRules:
    """The rules in force (chosen by the policy) and the plausibility guard for the input."""

    policy: str
    rules: tuple[BpRule, ...]
    not_measured_text: str
    not_measured_source: str
    systolic_range: tuple[int, int]
    diastolic_range: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PsychiatricRules:
    """Suicidality: PHQ-9 item 9 at or above ``phq9_item9_min``, or a C-SSRS level in ``cssrs_levels``."""

    outcome: Outcome
    phq9_item9_min: int
    phq9_text: str
    phq9_source: str
    cssrs_levels: tuple[str, ...]
    cssrs_text: str
    cssrs_source: str
    not_given_text: str  # suicidality not screened: the screen is incomplete and takes ``outcome``
    not_given_source: str


@dataclass(frozen=True, slots=True)
class ConditionRule:
    """A documented condition code and what it forces."""

    code: str
    label: str
    outcome: Outcome
    acsm_disease: str | None
    source: str
    status: str


@dataclass(frozen=True, slots=True)
class MedicationRule:
    """A group of medicines (generic names) that adds restrictions; ``text`` may use ``{drug}``."""

    code: str
    drugs: frozenset[str]
    restrictions: tuple[str, ...]
    text: str
    source: str
    status: str


@dataclass(frozen=True, slots=True)
class MedicationRules:
    """The medication groups, the brand-name aliases and the chosen dosing-day policy."""

    groups: tuple[MedicationRule, ...]
    aliases: Mapping[str, str]
    dosing_day_policy: str

    def matches(self, name: str) -> tuple[MedicationRule, ...]:
        """The groups a medicine as entered belongs to (by any word of it, case-insensitive)."""
        words = {self.aliases.get(w, w) for w in _WORD.findall(name.lower())}
        return tuple(group for group in self.groups if words & group.drugs)


@dataclass(frozen=True, slots=True)
class Validity:
    """How long a screen holds, and why a new event calls for a new screen."""

    months: int
    source: str
    status: str
    rescreen_source: str


@dataclass(frozen=True, slots=True)
class ScreeningRules:
    """Every rule of the screen. Build with :func:`stride.clinical.safety.screening_data.screening_rules`."""

    intensities: tuple[str, ...]
    acsm: AcsmRules
    parq: ParqRules
    blood_pressure: BpRules
    psychiatric: PsychiatricRules
    conditions: Mapping[str, ConditionRule]
    medications: MedicationRules
    restrictions: Mapping[str, Restriction]
    validity: Validity
    cssrs_levels: tuple[str, ...]
    phq9_item9_values: tuple[int, ...]
    age_range: tuple[int, int]
