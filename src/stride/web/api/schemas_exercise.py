"""API models for exercise: the protocol library, heart-rate zones and the pre-exercise screening
(the plans are in :mod:`.schemas_plans`)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, Field

from stride.clinical.prescription import ZONE_CLASSES, Protocol, Zones
from stride.domain.exercise import StoredScreening
from stride.services.screening import ScreeningStatus
from stride.web.api.schemas import Pair, SmallInt, Strict, StrictBool

# --------------------------------------------------------------------------------------------------
# Exercise: the protocol library, heart-rate zones, pre-exercise screening and exercise plans
# --------------------------------------------------------------------------------------------------

ProtocolId = Annotated[str, Path(max_length=64, description="A protocol of the library, e.g. home_walking")]
CertFormat = Annotated[Literal["markdown", "html"], Query(alias="format")]
# Plausibility (age, resting rate below HRmax, a known equation) is the domain's, naming the field;
# the bounds only keep arbitrarily large numbers out.
HrQuery = Annotated[int, Query(ge=-1000, le=100_000)]
OptionalHrQuery = Annotated[int | None, Query(ge=-1000, le=100_000)]
FormulaQuery = Annotated[str, Query(max_length=40, description="tanaka (default), fox or gellish")]
Code = Annotated[str, Field(max_length=64)]
Codes = Annotated[list[Code], Field(max_length=50)]


class EffectSizePublic(BaseModel):
    comparison: str
    measure: str
    estimate: float
    lower: float
    upper: float
    interval: str
    favours_exercise: str
    participants: int | None
    studies: int | None
    status: str
    source: str


class FindingPublic(BaseModel):
    text: str
    status: str
    source: str


class EvidencePublic(BaseModel):
    evidence_level: str
    limited_evidence_in_trd: bool
    summary: str
    effects: list[EffectSizePublic]
    findings: list[FindingPublic]
    source: str


class ProtocolSummaryPublic(BaseModel):
    id: str
    name: str
    summary: str
    modalities: list[str]
    settings: list[str]
    weeks: int
    supervision: str
    evidence_level: str
    limited_evidence_in_trd: bool

    @classmethod
    def of(cls, p: Protocol) -> ProtocolSummaryPublic:
        return cls(
            id=p.id,
            name=p.name,
            summary=p.summary,
            modalities=list(p.modalities),
            settings=list(p.settings),
            weeks=p.duration_weeks,
            supervision=p.supervision,
            evidence_level=p.evidence.evidence_level,
            limited_evidence_in_trd=p.evidence.limited_evidence_in_trd,
        )


class PhasePublic(BaseModel):
    id: str
    name: str
    first_week: int
    last_week: int
    type: str
    frequency: int
    minutes: int
    intensity: list[str]
    rpe: Pair
    volume: float
    strength_sets: int | None


class ProgressionPublic(BaseModel):
    rule: str
    step: float
    max_weekly_increase: float
    unit: str
    description: str
    source: str


class AdherencePublic(BaseModel):
    strategy: str
    description: str
    source: str


class ContraindicationPublic(BaseModel):
    restriction: str
    action: str
    note: str
    source: str


class ProtocolPublic(ProtocolSummaryPublic):
    """A protocol with its FITT-VP phases, progression, adherence support, contraindication notes
    (keyed by screening restriction codes) and evidence; the CERT report is ``/cert``."""

    volume_unit: str
    evidence: EvidencePublic
    phases: list[PhasePublic]
    progression: ProgressionPublic
    adherence: list[AdherencePublic]
    contraindications: list[ContraindicationPublic]
    notes: str
    source: str

    @classmethod
    def of_protocol(cls, p: Protocol) -> ProtocolPublic:
        ev = p.evidence
        return cls(
            **ProtocolSummaryPublic.of(p).model_dump(),
            volume_unit=p.volume_unit,
            evidence=EvidencePublic(
                evidence_level=ev.evidence_level,
                limited_evidence_in_trd=ev.limited_evidence_in_trd,
                summary=ev.summary,
                effects=[EffectSizePublic(**asdict(e)) for e in ev.effects],
                findings=[FindingPublic(**asdict(f)) for f in ev.findings],
                source=ev.source,
            ),
            phases=[
                PhasePublic(
                    id=ph.id,
                    name=ph.name,
                    first_week=ph.first_week,
                    last_week=ph.last_week,
                    type=ph.type,
                    frequency=ph.frequency,
                    minutes=ph.minutes,
                    intensity=list(ph.intensity),
                    rpe=list(ph.rpe),
                    volume=ph.volume,
                    strength_sets=ph.strength_sets,
                )
                for ph in p.phases
            ],
            progression=ProgressionPublic(**asdict(p.progression)),
            adherence=[AdherencePublic(**asdict(a)) for a in p.adherence],
            contraindications=[ContraindicationPublic(**asdict(c)) for c in p.contraindications],
            notes=p.notes,
            source=p.source,
        )


class HrZonesPublic(BaseModel):
    """The ``stride hr-zones --json`` contract: HRmax and three zones as ``[lo, hi]`` whole beats."""

    hrmax: int
    zones: dict[str, Pair] = Field(description="light, moderate and vigorous")

    @classmethod
    def of(cls, z: Zones) -> HrZonesPublic:
        return cls(hrmax=z.hrmax, zones={name: list(getattr(z, name)) for name in ZONE_CLASSES})


class ScreeningCreate(Strict):
    """The screening answers. Age and sex are not sent: they come from the patient's record."""

    currently_active: StrictBool = Field(description="Planned moderate exercise 3x30 min/week for 3 months")
    known_disease: Codes = Field(description="cardiovascular, metabolic, renal")
    symptoms: Codes = Field(description="Signs or symptoms, by code (chest_pain, ...)")
    desired_intensity: str = Field(max_length=40, description="light, moderate or vigorous")
    resting_bp: Annotated[list[SmallInt], Field(min_length=2, max_length=2)] | None = Field(
        default=None, description="[systolic, diastolic] in mmHg"
    )
    parq: Annotated[dict[Annotated[str, Field(max_length=10)], StrictBool], Field(max_length=20)] | None = (
        Field(default=None, description="PAR-Q+ answers q1..q7 (true = yes)")
    )
    phq9_item9: SmallInt | None = None
    cssrs_risk: str | None = Field(default=None, max_length=40, description="none, low, moderate, high")
    medications: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)] = Field(
        default_factory=list, description="Generic names"
    )
    conditions: Codes = Field(default_factory=list, description="Condition codes of the screening rules")

    def answers(self) -> dict[str, object]:
        return self.model_dump(mode="json")


class ReasonPublic(BaseModel):
    code: str
    text: str
    source: str


class ScreeningPublic(BaseModel):
    id: int
    patient_id: int
    decision: str
    reasons: list[ReasonPublic] = Field(description="The deciding reasons first")
    restrictions: list[str]
    inputs: dict[str, Any] = Field(description="The answers screened, with age and sex from the record")
    screened_at: datetime
    expires_on: date
    screened_by: int

    @classmethod
    def of(cls, s: StoredScreening) -> ScreeningPublic:
        return cls(
            id=s.id,
            patient_id=s.patient_id,
            decision=s.decision,
            reasons=[ReasonPublic(code=r.code, text=r.text, source=r.source) for r in s.reasons],
            restrictions=list(s.restrictions),
            inputs=dict(s.inputs),
            screened_at=s.screened_at,
            expires_on=s.expires_on,
            screened_by=s.screened_by,
        )


class ScreeningStatusPublic(BaseModel):
    screening: ScreeningPublic | None = Field(description="The latest screening; null before the first")
    valid: bool = Field(description="Whether a plan may rest on it today")
    why_not: str | None

    @classmethod
    def of(cls, st: ScreeningStatus) -> ScreeningStatusPublic:
        return cls(
            screening=ScreeningPublic.of(st.screening) if st.screening else None,
            valid=st.valid,
            why_not=st.why_not,
        )
