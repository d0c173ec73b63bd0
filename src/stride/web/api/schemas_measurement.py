"""API models for measurement: instruments, responses and their scores, questionnaire schedules, and
the outcomes of an instrument over time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, Field

from stride.clinical.measurement import Instrument, OutcomePoint, OutcomeStatus, Score
from stride.domain.measurements import DueStatus, ResponseSource, Schedule, ScheduleState, StoredResponse
from stride.services.record import Trajectory
from stride.web.api.schemas import MAX_ID, IsoDate, Strict, StrictBool
from stride.web.api.schemas_alerts import AlertPublic, CrisisPublic

InstrumentId = Annotated[str, Path(max_length=40, description="An instrument of the library, e.g. phq9")]
InstrumentQuery = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9_]*$")]
# An answer is an option value or a count (IPAQ minutes); the instrument says which values are valid
# and the domain names the item when one is not. The bounds only keep fuzz out of integer columns.
AnswerKey = Annotated[str, Field(max_length=40)]
AnswerValue = Annotated[int | None, Field(strict=True, ge=-1000, le=100_000)]
Answers = Annotated[dict[AnswerKey, AnswerValue], Field(max_length=100)]


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
