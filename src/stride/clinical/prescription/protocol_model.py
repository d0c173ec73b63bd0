"""The model of a standard protocol: FITT-VP phases, progression, start level, strength exercises,
adherence support, contraindication notes, evidence and CERT items, as frozen dataclasses.

No loading and no parsing here (:mod:`stride.clinical.prescription.protocol_schema` and
:mod:`stride.clinical.prescription.protocol_library` build these from the package files,
:mod:`stride.clinical.prescription.protocols` loads them and derives the weekly targets), so every
module of the family imports this one and nothing points back up.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

from stride.errors import InvalidInput

Modality = Literal["aerobic", "resistance", "yoga", "tai_chi_qigong", "walking", "hiit", "mixed"]
Setting = Literal["home", "gym", "outdoor", "supervised", "group"]
SETTINGS: tuple[Setting, ...] = get_args(Setting)  # the choices, in this order, for forms
SupervisionMode = Literal["supervised", "partly_supervised", "unsupervised"]
VolumeUnit = Literal["min_per_week", "kcal_per_kg_per_week", "steps_per_day"]
Rule = Literal["stepwise_by_phase", "percent_per_week", "absolute_per_week"]
EvidenceLevel = Literal["network_meta_analysis", "meta_analysis", "rct", "pilot_rct", "indirect"]
Action = Literal["exclude", "modify", "suitable"]


@dataclass(frozen=True, slots=True)
class EffectSize:
    """A pooled or trial effect with its interval. ``favours_exercise`` says which sign means benefit:
    ``negative`` for Hedges' g and mean differences in symptoms, ``positive`` for Gordon's Delta."""

    comparison: str
    measure: str
    estimate: float
    lower: float
    upper: float
    interval: str
    favours_exercise: Literal["negative", "positive"]
    participants: int | None
    studies: int | None
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A cited result that is not an effect size with an interval (a remission rate, a % reduction)."""

    text: str
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """The evidence behind a protocol.

    ``limited_evidence_in_trd`` is true when there is no randomised evidence for this modality in
    people whose depression did not respond to antidepressants (TRD, or SSRI non-remitters as in
    TREAD). ``evidence_level`` is the strongest design behind the protocol: ``network_meta_analysis``,
    ``meta_analysis``, ``rct``, ``pilot_rct`` or ``indirect`` (no trial of the modality itself).
    """

    evidence_level: EvidenceLevel
    limited_evidence_in_trd: bool
    summary: str
    effects: tuple[EffectSize, ...]
    findings: tuple[Finding, ...]
    source: str


@dataclass(frozen=True, slots=True)
class FittSources:
    """The source of each FITT-VP parameter of a phase."""

    frequency: str
    time: str
    intensity: str
    type: str
    volume: str


@dataclass(frozen=True, slots=True)
class Intervals:
    """Work and recovery bouts inside a session (the rest of ``minutes`` is easy continuous work)."""

    repeats: int
    work_seconds: int
    recovery_seconds: int
    work_intensity: tuple[str, ...]
    work_rpe: tuple[int, int]
    recovery_intensity: tuple[str, ...]
    recovery_rpe: tuple[int, int]
    source: str


@dataclass(frozen=True, slots=True)
class HeartRateTarget:
    """A heart-rate target as given by a trial, in % of HRR or of HRmax (inclusive)."""

    basis: Literal["hrr", "hrmax"]
    low_pct: int
    high_pct: int
    source: str


@dataclass(frozen=True, slots=True)
class Phase:
    """Weeks ``first_week``..``last_week`` with their FITT-VP targets.

    ``minutes`` is the main part of one session (warm-up and cool-down come on top). ``intensity`` is
    one or more adjacent classes of :mod:`stride.clinical.prescription.intensity`, the highest being the
    hardest part of the session; ``rpe`` lies within their RPE range. ``volume`` is in the protocol's
    ``volume_unit`` (for ``min_per_week`` it equals ``frequency x minutes``).
    """

    id: str
    name: str
    first_week: int
    last_week: int
    type: str
    frequency: int
    minutes: int
    intensity: tuple[str, ...]
    rpe: tuple[int, int]
    volume: float
    sources: FittSources
    strength_sets: int | None = None
    intervals: Intervals | None = None
    heart_rate: HeartRateTarget | None = None


@dataclass(frozen=True, slots=True)
class StartLevel:
    """Where a deconditioned person starts, below the week-1 target, and who counts as one."""

    applies_to: str
    frequency: int
    minutes: int
    intensity: tuple[str, ...]
    rpe: tuple[int, int]
    volume: float
    source: str


@dataclass(frozen=True, slots=True)
class Progression:
    """How volume grows week to week.

    ``stepwise_by_phase``: each phase's volume holds for its weeks. ``percent_per_week`` /
    ``absolute_per_week``: each week grows by ``step`` (% or volume units) towards the phase's volume.
    A deconditioned start always ramps by ``step``. No week may exceed the previous week by more
    than ``max_weekly_increase`` (in ``unit``).
    """

    rule: Rule
    step: float
    max_weekly_increase: float
    unit: Literal["percent", "absolute"]
    description: str
    source: str

    def allowed(self, previous: Fraction, *, increase: float | None = None) -> Fraction:
        """The most the week after a week of ``previous`` may reach (by ``increase``, default the maximum)."""
        amount = Fraction(repr(self.max_weekly_increase if increase is None else increase))
        return previous * (1 + amount / 100) if self.unit == "percent" else previous + amount

    def exceeds(self, previous: float, following: float) -> bool:
        """Whether going from ``previous`` to ``following`` breaks the maximum weekly increase."""
        return Fraction(repr(following)) > self.allowed(Fraction(repr(previous)))


@dataclass(frozen=True, slots=True)
class StrengthExercise:
    """One resistance exercise; load by Borg RPE (6-20) and reps in reserve (RIR)."""

    name: str
    description: str
    equipment: str
    sets: int
    reps: tuple[int, int]
    rpe: tuple[int, int]
    rir: tuple[int, int]
    rest_seconds: tuple[int, int]
    progression: str
    source: str


@dataclass(frozen=True, slots=True)
class Routine:
    """A warm-up or cool-down."""

    minutes: int
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class AdherenceSupport:
    """One adherence strategy (goal setting, self-monitoring, supervised or group sessions, ...)."""

    strategy: str
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class Contraindication:
    """What a screening restriction code means for this protocol: ``exclude`` it, ``modify`` it as the
    note says, or note that it is ``suitable`` as is."""

    restriction: str
    action: Action
    note: str
    source: str


@dataclass(frozen=True, slots=True)
class DoseOption:
    """A named dose of a dose-finding protocol (TREAD high/low, DOSE public-health/low)."""

    id: str
    label: str
    volume: float
    default: bool
    source: str


@dataclass(frozen=True, slots=True)
class CertItem:
    """One CERT item filled in for a protocol."""

    id: str
    category: str
    title: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Protocol:
    """A validated standard protocol (see the module docstring for what each part means)."""

    id: str
    name: str
    summary: str
    modalities: tuple[Modality, ...]
    settings: tuple[Setting, ...]
    duration_weeks: int
    duration_source: str
    supervision: SupervisionMode
    supervision_description: str
    supervision_source: str
    volume_unit: VolumeUnit
    evidence: Evidence
    phases: tuple[Phase, ...]
    start_level: StartLevel
    progression: Progression
    warm_up: Routine
    cool_down: Routine
    strength: tuple[StrengthExercise, ...]
    adherence: tuple[AdherenceSupport, ...]
    contraindications: tuple[Contraindication, ...]
    doses: tuple[DoseOption, ...]
    cert: tuple[CertItem, ...]
    notes: str
    source: str

    def phase_for_week(self, week: int) -> Phase:
        """The phase that week ``week`` (1-based) belongs to."""
        for phase in self.phases:
            if phase.first_week <= week <= phase.last_week:
                return phase
        raise InvalidInput(f"{self.id} runs weeks 1-{self.duration_weeks}", field="week")

    def cert_item(self, item_id: str) -> CertItem:
        """The filled-in CERT item ``item_id`` (``"7a"``)."""
        for item in self.cert:
            if item.id == item_id:
                return item
        raise InvalidInput(f"CERT has no item {item_id!r}", field="item")


@dataclass(frozen=True, slots=True)
class WeekTarget:
    """The targets of one week. ``start_level`` is true while a deconditioned person is still below
    the standard schedule: week 1 is then the start level itself, later weeks keep its intensity."""

    week: int
    phase: str
    frequency: int
    minutes: int
    intensity: tuple[str, ...]
    rpe: tuple[int, int]
    volume: float
    start_level: bool
