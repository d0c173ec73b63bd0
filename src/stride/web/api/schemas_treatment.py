"""API models for the treatment history: the episode, the treatment entries and the TRD assessment."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from stride.clinical.trd import TrdAssessment
from stride.domain.treatment import Episode, TreatmentEntry, TreatmentKind
from stride.services.treatment import NewTreatment, TreatmentHistory
from stride.web.api.schemas import MAX_ID, FiniteFloat, IsoDate, Strict, StrictBool


class TreatmentCreate(Strict):
    """A treatment of the episode; with ``supersedes`` (and a ``reason``) it corrects or, with
    ``retract``, withdraws an earlier entry."""

    kind: TreatmentKind
    drug: str | None = Field(default=None, max_length=64)
    daily_dose_mg: FiniteFloat | None = None
    start_date: IsoDate | None = None
    weeks: FiniteFloat | None = None
    adherent: StrictBool | None = None
    improvement_pct: FiniteFloat | None = None
    note: str | None = Field(default=None, max_length=2000)
    supersedes: int | None = Field(default=None, strict=True, ge=1, le=MAX_ID)
    reason: str | None = Field(default=None, max_length=2000)
    retract: StrictBool = False

    def new(self) -> NewTreatment:
        return NewTreatment(
            **self.model_dump(exclude={"supersedes", "reason", "retract"}),
        )


class TreatmentEntryPublic(BaseModel):
    id: int
    patient_id: int
    kind: TreatmentKind
    drug: str | None
    daily_dose_mg: float | None
    start_date: date | None
    weeks: float | None
    adherent: bool | None
    improvement_pct: float | None
    note: str | None
    recorded_at: datetime
    recorded_by: int
    supersedes_id: int | None
    correction_reason: str | None

    @classmethod
    def of(cls, e: TreatmentEntry) -> TreatmentEntryPublic:
        return cls(**{name: getattr(e, name) for name in TreatmentEntry.__slots__})


class EpisodeUpdate(Strict):
    episode_start: IsoDate
    severity: str = Field(max_length=40)


class EpisodePublic(BaseModel):
    patient_id: int
    episode_start: date
    severity: str
    recorded_at: datetime

    @classmethod
    def of(cls, e: Episode) -> EpisodePublic:
        return cls(
            patient_id=e.patient_id,
            episode_start=e.episode_start,
            severity=e.severity,
            recorded_at=e.recorded_at,
        )


class TrialVerdictPublic(BaseModel):
    drug: str
    drug_class: str
    adequate: bool
    failed: bool
    counted: bool
    reasons: list[str]


class MsmItemPublic(BaseModel):
    name: str
    score: int
    category: str
    source: str


class MsmPublic(BaseModel):
    score: int
    band: str
    items: list[MsmItemPublic]


class TrdPublic(BaseModel):
    trd: bool
    adequate_failed_trials: int
    trials: list[TrialVerdictPublic]
    msm: MsmPublic
    reasons: list[str]
    recorded_treatments: list[str]

    @classmethod
    def of(cls, a: TrdAssessment) -> TrdPublic:
        return cls(
            trd=a.trd,
            adequate_failed_trials=a.adequate_failed_trials,
            trials=[
                TrialVerdictPublic(
                    drug=t.drug,
                    drug_class=t.drug_class,
                    adequate=t.adequate,
                    failed=t.failed,
                    counted=t.counted,
                    reasons=list(t.reasons),
                )
                for t in a.trials
            ],
            msm=MsmPublic(
                score=a.msm.score,
                band=a.msm.band,
                items=[
                    MsmItemPublic(name=m.name, score=m.score, category=m.category, source=m.source)
                    for m in a.msm.items
                ],
            ),
            reasons=list(a.reasons),
            recorded_treatments=list(a.recorded_treatments),
        )


class TreatmentHistoryPublic(BaseModel):
    episode: EpisodePublic | None
    entries: list[TreatmentEntryPublic]
    assessment: TrdPublic | None = Field(description="None until the episode (start, severity) is recorded")
    not_assessed: str | None = Field(
        default=None, description="Why the stored history could not be assessed (then assessment is None)"
    )

    @classmethod
    def of(cls, h: TreatmentHistory) -> TreatmentHistoryPublic:
        return cls(
            episode=EpisodePublic.of(h.episode) if h.episode else None,
            entries=[TreatmentEntryPublic.of(e) for e in h.entries],
            assessment=TrdPublic.of(h.assessment) if h.assessment else None,
            not_assessed=h.not_assessed,
        )
