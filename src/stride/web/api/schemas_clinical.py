"""API models for measurement-based care: instruments, responses, alerts, schedules, treatment, outcomes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, BeforeValidator, Field

from stride.clinical.measurement import Instrument, OutcomePoint, OutcomeStatus, Score
from stride.clinical.trd import TrdAssessment
from stride.domain.measurements import (
    AlertDecision,
    AlertState,
    DueStatus,
    ResponseSource,
    SafetyAlert,
    Schedule,
    ScheduleState,
    StoredResponse,
)
from stride.domain.treatment import Episode, TreatmentEntry, TreatmentKind
from stride.services.alerts import CrisisGuidance
from stride.services.record import Trajectory
from stride.services.treatment import NewTreatment, TreatmentHistory
from stride.web.api.schemas import MAX_ID, Strict

# --------------------------------------------------------------------------------------------------
# Measurement-based care: instruments, responses, alerts, schedules, treatment, outcomes
# --------------------------------------------------------------------------------------------------

InstrumentId = Annotated[str, Path(max_length=40, description="An instrument of the library, e.g. phq9")]
InstrumentQuery = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9_]*$")]
# An answer is an option value or a count (IPAQ minutes); the instrument says which values are valid
# and the domain names the item when one is not. The bounds only keep fuzz out of integer columns.
AnswerKey = Annotated[str, Field(max_length=40)]
AnswerValue = Annotated[int | None, Field(strict=True, ge=-1000, le=100_000)]
Answers = Annotated[dict[AnswerKey, AnswerValue], Field(max_length=100)]
# Clinical inputs are parsed strictly: in lax mode Pydantic reads true as 1, "yes" as true and a
# number as a Unix time, so a client's mistake would be stored as a plausible answer or date.
FiniteFloat = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e9, le=1e9)]
StrictBool = Annotated[bool, Field(strict=True)]


def _iso_date(value: object) -> object:
    if value is None or isinstance(value, str | date):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class OptionPublic(BaseModel):
    value: int
    label: str


class ItemPublic(BaseModel):
    id: str
    label: str
    text: str | None = Field(description="Verbatim wording, only where the licence allows it")
    options: list[OptionPublic] = Field(description="Empty for free numeric answers (min..max)")
    scored: bool
    min: int
    max: int


class BandPublic(BaseModel):
    label: str
    min: int
    max: int


class LicencePublic(BaseModel):
    name: str
    verbatim_allowed: bool
    note: str


class InstrumentPublic(BaseModel):
    id: str
    name: str
    version: str
    kind: str
    recall_period: str
    items: list[ItemPublic]
    bands: list[BandPublic]
    min_total: int | None
    max_total: int | None
    loinc: dict[str, str]
    licence: LicencePublic

    @classmethod
    def of(cls, i: Instrument) -> InstrumentPublic:
        return cls(
            id=i.id,
            name=i.name,
            version=i.version,
            kind=i.kind,
            recall_period=i.recall_period,
            items=[
                ItemPublic(
                    id=it.id,
                    label=it.label,
                    text=it.text,
                    options=[OptionPublic(value=o.value, label=o.label) for o in it.options],
                    scored=it.scored,
                    min=it.min,
                    max=it.max,
                )
                for it in i.items
            ],
            bands=[BandPublic(label=b.label, min=b.min, max=b.max) for b in i.bands],
            min_total=i.min_total,
            max_total=i.max_total,
            loinc=dict(i.loinc),
            licence=LicencePublic(
                name=i.licence.name, verbatim_allowed=i.licence.verbatim_allowed, note=i.licence.note
            ),
        )


class ResponseCreate(Strict):
    instrument: str = Field(max_length=40, description="An instrument id, e.g. phq9")
    answers: Answers = Field(description="Item id -> answer value; null or absent = unanswered")
    answered_on: IsoDate | None = Field(default=None, description="The day of the interview (default today)")


class CorrectionCreate(Strict):
    answers: Answers
    reason: str = Field(max_length=2000)


class ResponsePublic(BaseModel):
    id: int
    patient_id: int
    instrument: str
    answers: dict[str, int | None]
    total: float | None
    severity: str | None
    flags: list[str]
    details: dict[str, Any]
    answered_at: datetime
    recorded_at: datetime
    recorded_by: int
    source: ResponseSource
    version: int
    supersedes_id: int | None
    correction_reason: str | None

    @classmethod
    def of(cls, r: StoredResponse) -> ResponsePublic:
        return cls(
            id=r.id,
            patient_id=r.patient_id,
            instrument=r.instrument,
            answers=dict(r.answers),
            total=r.total,
            severity=r.severity,
            flags=list(r.flags),
            details=dict(r.details),
            answered_at=r.answered_at,
            recorded_at=r.recorded_at,
            recorded_by=r.recorded_by,
            source=r.source,
            version=r.version,
            supersedes_id=r.supersedes_id,
            correction_reason=r.correction_reason,
        )


class ScorePublic(BaseModel):
    total: float | None
    severity: str | None
    flags: list[str]
    details: dict[str, Any]
    complete: bool
    missing: list[str]

    @classmethod
    def of(cls, s: Score) -> ScorePublic:
        return cls(
            total=s.total,
            severity=s.severity,
            flags=list(s.flags),
            details=dict(s.details),
            complete=s.complete,
            missing=list(s.missing),
        )


class AlertPublic(BaseModel):
    id: int
    patient_id: int
    response_id: int | None
    code: str
    severity: str
    reason: str
    source: str
    raised_at: datetime
    is_open: bool
    state: AlertState
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    acknowledgement_note: str | None
    resolved_at: datetime | None
    resolved_by: int | None
    decision: AlertDecision | None
    resolution_reason: str | None
    next_review_on: date | None

    @classmethod
    def of(cls, a: SafetyAlert) -> AlertPublic:
        return cls(
            id=a.id,
            patient_id=a.patient_id,
            response_id=a.response_id,
            code=a.code,
            severity=a.severity,
            reason=a.reason,
            source=a.source,
            raised_at=a.raised_at,
            is_open=a.is_open,
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=a.acknowledged_by,
            acknowledgement_note=a.acknowledgement_note,
            state=a.state,
            resolved_at=a.resolved_at,
            resolved_by=a.resolved_by,
            decision=a.decision,
            resolution_reason=a.resolution_reason,
            next_review_on=a.next_review_on,
        )


class InboxAlertPublic(AlertPublic):
    patient_name: str


class AlertAcknowledge(Strict):
    note: str = Field(max_length=4000, description="What was done (at least 5 characters)")


class AlertResolve(Strict):
    # Checked by the service, so that a missing value is a 422 naming it like any other.
    decision: str = Field(
        default="",
        max_length=64,
        description="reassessed_cssrs, reassessed_clinical, safety_plan, referred or not_a_risk",
    )
    reason: str = Field(default="", max_length=4000, description="Why (at least 5 characters)")
    next_review_on: date | None = Field(default=None, description="The next review, today or later")


class CrisisPublic(BaseModel):
    title: str
    text: str
    phone: str
    source: str

    @classmethod
    def of(cls, c: CrisisGuidance) -> CrisisPublic:
        return cls(title=c.title, text=c.text, phone=c.phone, source=c.source)


class SubmissionPublic(BaseModel):
    """A stored response, its score and, when an answer raised a safety concern, the alert and the
    crisis guidance to show at once."""

    response: ResponsePublic
    score: ScorePublic
    alert: AlertPublic | None
    crisis: CrisisPublic | None


class ResponseViewPublic(BaseModel):
    instrument: str
    instrument_name: str
    current: ResponsePublic
    versions: list[ResponsePublic] = Field(description="Oldest first; the last is the current version")
    alert: AlertPublic | None
    crisis: CrisisPublic | None


class ScheduleUpdate(Strict):
    every_days: int = Field(strict=True, ge=-MAX_ID, le=MAX_ID, description="1 to 92")
    start_date: IsoDate | None = Field(default=None, description="Default today")
    active: StrictBool = True


class SchedulePublic(BaseModel):
    id: int
    patient_id: int
    instrument: str
    every_days: int
    start_date: date
    active: bool

    @classmethod
    def of(cls, s: Schedule) -> SchedulePublic:
        return cls(
            id=s.id,
            patient_id=s.patient_id,
            instrument=s.instrument,
            every_days=s.every_days,
            start_date=s.start_date,
            active=s.active,
        )


class ScheduleStatePublic(SchedulePublic):
    due_on: date
    status: DueStatus
    last_answered_on: date | None

    @classmethod
    def of_state(cls, st: ScheduleState) -> ScheduleStatePublic:
        return cls(
            **SchedulePublic.of(st.schedule).model_dump(),
            due_on=st.due_on,
            status=st.status,
            last_answered_on=st.last_answered_on,
        )


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


class OutcomePointPublic(BaseModel):
    date: date
    total: float
    change: float
    pct_change: float | None
    improvement_pct: float | None
    response: bool | None
    partial_response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    caseness: bool | None
    recovery: bool | None

    @classmethod
    def of(cls, p: OutcomePoint) -> OutcomePointPublic:
        when = p.when.date() if isinstance(p.when, datetime) else p.when
        return cls(
            date=when,
            **{name: getattr(p, name) for name in OutcomePoint.__slots__ if name != "when"},
        )


class OutcomeSummaryPublic(BaseModel):
    baseline_date: date
    first_response: date | None
    first_remission: date | None
    current_status: OutcomeStatus


class TrajectoryPublic(BaseModel):
    """One instrument's measurements over time and their outcomes relative to the first (baseline)."""

    instrument: str
    instrument_name: str
    response_ids: list[int]
    points: list[OutcomePointPublic] = Field(description="Empty when no response has a total (C-SSRS)")
    summary: OutcomeSummaryPublic | None

    @classmethod
    def of(cls, t: Trajectory) -> TrajectoryPublic:
        series = t.outcomes
        return cls(
            instrument=t.instrument.id,
            instrument_name=t.instrument.name,
            response_ids=[r.id for r in t.responses],
            points=[OutcomePointPublic.of(p) for p in series.points] if series else [],
            summary=OutcomeSummaryPublic(
                baseline_date=series.baseline.when,
                first_response=series.summary.first_response,
                first_remission=series.summary.first_remission,
                current_status=series.summary.current_status,
            )
            if series
            else None,
        )
