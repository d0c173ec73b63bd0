"""API models for exercise: protocols, HR zones, screenings, plans."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, Field

from stride.clinical.prescription import ZONE_CLASSES, Protocol, Refusal, Zones, plan_to_dict, refusal_to_dict
from stride.domain.exercise import PlanResume, StoredPlan, StoredScreening
from stride.services.plans import PlanRequest, PlanView
from stride.services.screening import ScreeningStatus
from stride.web.api.schemas import Strict
from stride.web.api.schemas_clinical import IsoDate, StrictBool

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
SmallInt = Annotated[int, Field(strict=True, ge=-1000, le=100_000)]
# A [low, high] pair. Not a tuple: FastAPI writes a tuple's schema in a form OpenAPI 3.1 refuses.
Pair = Annotated[list[int], Field(min_length=2, max_length=2)]


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


class PlanCreate(Strict):
    """What the clinician chooses in the plan builder; the screening, resting heart rate and weight
    come from the patient's record."""

    protocol: str = Field(max_length=64, description='A protocol id, or "recommend"')
    setting: str = Field(max_length=40, description="home, gym, outdoor, supervised or group")
    days: Annotated[list[Annotated[str, Field(max_length=10)]], Field(max_length=14)] = Field(
        description="Free days, mon..sun"
    )
    minutes: SmallInt = Field(description="Session length, warm-up and cool-down included")
    modalities: Codes = Field(default_factory=list, description="Preferred modalities, most preferred first")
    weeks: SmallInt | None = Field(default=None, description="Plan length; default the protocol's own length")
    start_date: IsoDate | None = Field(default=None, description="Default today")
    mood_symptoms: Codes = Field(default_factory=list, description="fatigue, low_motivation, ...")
    reason: str | None = Field(default=None, max_length=2000, description="Required for a new version")

    def request(self) -> PlanRequest:
        return PlanRequest(
            protocol=self.protocol,
            setting=self.setting,
            days=tuple(self.days),
            minutes=self.minutes,
            modalities=tuple(self.modalities),
            weeks=self.weeks,
            start_date=self.start_date,
            mood_symptoms=tuple(self.mood_symptoms),
            reason=self.reason,
        )


class NotClearedBody(BaseModel):
    """409: the patient's screening does not clear them for exercise; no plan was stored. The JSON
    error body plus the screen's decision and reasons (as ``stride prescribe --json`` prints them)."""

    error: Literal["not_cleared"]
    message: str
    field: str | None
    decision: str
    reasons: list[ReasonPublic]

    @classmethod
    def of(cls, refusal: Refusal) -> NotClearedBody:
        body = refusal_to_dict(refusal)
        return cls(
            error="not_cleared",
            message=f"not cleared for exercise ({refusal.decision.value.replace('_', ' ')}): no plan",
            field="screening",
            decision=body["decision"],
            reasons=body["reasons"],
        )


class PlanPublic(BaseModel):
    id: int
    patient_id: int
    version: int
    supersedes_id: int | None
    screening_id: int
    protocol: str
    start_date: date
    created_at: datetime
    created_by: int
    change_reason: str | None
    plan: dict[str, Any] = Field(description="The plan as `stride prescribe --json` prints it")

    @classmethod
    def of(cls, p: StoredPlan) -> PlanPublic:
        return cls(
            id=p.id,
            patient_id=p.patient_id,
            version=p.version,
            supersedes_id=p.supersedes_id,
            screening_id=p.screening_id,
            protocol=p.protocol,
            start_date=p.start_date,
            created_at=p.created_at,
            created_by=p.created_by,
            change_reason=p.change_reason,
            plan=_keys_sorted(plan_to_dict(p.plan)),
        )


def _keys_sorted(value: Any) -> Any:
    """The plan's JSON with its keys in alphabetical order at every level, as the API has always
    shown a plan version (it showed the stored JSON, written with sorted keys)."""
    if isinstance(value, dict):
        return {k: _keys_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_keys_sorted(v) for v in value]
    return value


class PlanResumeCreate(Strict):
    # Checked by the service, so that a missing value is a 422 naming it like any other.
    mode: str = Field(
        default="",
        max_length=32,
        description="paused_week: the same plan from the week where it paused (a new prescription is "
        "a new version: POST /patients/{patient_id}/plans with a reason)",
    )
    reason: str = Field(default="", max_length=4000, description="Why the plan resumes (5 to 500 characters)")


class PlanResumePublic(BaseModel):
    """A resume of a plan that a safety alert held: from the week where it paused, or with a new
    prescription (the version ``plan_id``). The paused days are not counted as plan weeks."""

    id: int
    plan_id: int
    alert_id: int | None
    mode: Literal["paused_week", "new_prescription"]
    paused_from: date
    resumed_on: date
    from_week: int
    reason: str
    resumed_by: int
    created_at: datetime

    @classmethod
    def of(cls, r: PlanResume) -> PlanResumePublic:
        return cls(
            id=r.id,
            plan_id=r.plan_id,
            alert_id=r.alert_id,
            mode=r.mode,  # only the two modes are stored
            paused_from=r.paused_from,
            resumed_on=r.resumed_on,
            from_week=r.from_week,
            reason=r.reason,
            resumed_by=r.resumed_by,
            created_at=r.created_at,
        )


class PlanViewPublic(BaseModel):
    """The current plan, whether it is on hold (an open safety alert, a screening that no longer
    holds, or a resolved alert after which nobody has resumed it) and this week's sessions."""

    plan: PlanPublic
    on_hold: bool
    hold_reason: str | None
    current_week: int | None = Field(
        description="1-based, paused days not counted; null before the start or after the end"
    )
    this_week: dict[str, Any] | None
    may_resume: bool = Field(description="Held only by resolved safety alerts: the care team resumes it")
    resume_week: int | None = Field(
        description="The week it would resume from (where it paused); null when nothing waits to be "
        "resumed or the plan had ended"
    )
    resumes: list[PlanResumePublic] = Field(description="Every resume of the patient's plan, oldest first")

    @classmethod
    def of(cls, v: PlanView) -> PlanViewPublic:
        plan, week = plan_to_dict(v.plan), v.current_week
        return cls(
            plan=PlanPublic.of(v.stored).model_copy(update={"plan": plan}),
            on_hold=v.on_hold,
            hold_reason=v.hold_reason,
            current_week=week,
            this_week=None if week is None else plan["weeks"][week - 1],
            may_resume=v.may_resume,
            resume_week=v.resume_week if v.may_resume else None,
            resumes=[PlanResumePublic.of(r) for r in v.resumes],
        )
