"""API models for activity: logged and imported sessions, adverse events (CERT item 11), device-file
imports (the week of dose and adherence is in :mod:`.schemas_weeks`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from stride.domain.activity import (
    AdverseEvent,
    AdverseEventEntry,
    DeviceTotals,
    ImportRecord,
    ImportStatus,
    SessionEntry,
    Severity,
    StoredSession,
)
from stride.domain.warning_signs import cardiac_warning, signs_mentioned
from stride.services.activity import ProtocolEvents
from stride.services.activity_views import SessionDetail
from stride.web.api.schemas import MAX_ID, FiniteFloat, Pair, SmallInt, Strict, StrictBool

# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


def _iso_datetime(value: object) -> object:
    # Strict about the type (a number is not taken as a Unix time), lax about the text: the domain
    # says which field lacks its timezone or lies in the future.
    if value is None or isinstance(value, str | datetime):
        return value
    raise ValueError("must be a date and time as YYYY-MM-DDTHH:MM[:SS]+HH:MM")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
Text = Annotated[str, Field(max_length=4000)]


class SessionCreate(Strict):
    """A session logged by hand. The time carries its UTC offset (``2026-11-25T18:30:00+00:00``)."""

    start: IsoDateTime = Field(description="When the session started, with its UTC offset")
    sport: str = Field(max_length=40, description="An activity of the list (walking, running, ...)")
    minutes: FiniteFloat = Field(description="Duration in minutes")
    rpe: SmallInt | None = Field(default=None, description="Borg RPE 6-20")
    avg_hr: SmallInt | None = Field(default=None, description="Average heart rate (bpm)")
    max_hr: SmallInt | None = Field(default=None, description="Maximum heart rate (bpm)")
    distance_km: FiniteFloat | None = None
    steps: Annotated[int, Field(strict=True, ge=0, le=1_000_000)] | None = Field(
        default=None, description="Steps counted during the session (towards a plan's step target)"
    )
    supervised: StrictBool | None = None
    notes: Text | None = None

    def entry(self) -> SessionEntry:
        return SessionEntry(
            start=self.start,
            sport=self.sport,
            minutes=self.minutes,
            rpe=self.rpe,
            avg_hr=self.avg_hr,
            max_hr=self.max_hr,
            distance_km=self.distance_km,
            supervised=self.supervised,
            notes=self.notes,
            steps=self.steps,
        )


class AdverseEventCreate(Strict):
    """An adverse event: what happened, how severe, what was done (CERT item 11)."""

    occurred_at: IsoDateTime = Field(description="When it happened, with its UTC offset")
    description: Text
    severity: Severity = Field(description="mild, moderate, severe or serious")
    action_taken: Text
    session_id: Annotated[int, Field(strict=True, ge=1, le=MAX_ID)] | None = Field(
        default=None, description="The session it happened in, if any"
    )
    warning_signs: Annotated[list[str], Field(max_length=10)] = Field(
        default_factory=list,
        description=(
            "Cardiac warning signs present: chest_pain, fainting, palpitations_at_rest, breathlessness."
            " Any of them raises a safety alert to the care team."
        ),
    )

    def entry(self) -> AdverseEventEntry:
        return AdverseEventEntry(
            occurred_at=self.occurred_at,
            description=self.description,
            severity=self.severity.value,
            action_taken=self.action_taken,
            session_id=self.session_id,
            warning_signs=tuple(self.warning_signs),
        )


# --------------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------------


DOSE_UNKNOWN = "dose unknown"


class DeviceSummaryPublic(BaseModel):
    """What the device file itself says about the session (a FIT session message, TCX laps), kept
    beside the summary computed from the samples: a device's timer stops when it is paused."""

    duration_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None

    @classmethod
    def of(cls, d: DeviceTotals) -> DeviceSummaryPublic:
        return cls(duration_s=d.duration_s, distance_m=d.distance_m, avg_hr=d.avg_hr, max_hr=d.max_hr)


class SessionPublic(BaseModel):
    id: int
    patient_id: int
    import_id: int | None
    source: str = Field(description='"manual" for a logged session, else the file format')
    start: datetime
    end: datetime
    sport: str
    device_sport: str | None
    duration_s: float = Field(description="Computed from the recorded samples (first to last)")
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    device_summary: DeviceSummaryPublic | None = Field(
        description="The file's own summary, where it gives one (null for logged sessions and GPX)"
    )
    calories_kcal: float | None
    rpe: int | None
    steps: int | None = Field(description="Steps counted during the session, when logged")
    supervised: bool | None
    notes: str | None
    sample_count: int
    duplicate_of: int | None = Field(description="An overlapping session of another source counted instead")
    counted: bool
    dose: dict[str, Any] = Field(
        description="The computed dose; met_minutes and kcal_per_kg are null when the dose is unknown"
    )
    dose_note: str | None = Field(description='"dose unknown" when MET-minutes could not be worked out')
    recorded_at: datetime
    recorded_by: int | None

    @classmethod
    def of(cls, s: StoredSession) -> SessionPublic:
        return cls(
            id=s.id,
            patient_id=s.patient_id,
            import_id=s.import_id,
            source=s.source,
            start=s.start,
            end=s.end,
            sport=s.sport,
            device_sport=s.device_sport,
            duration_s=s.duration_s,
            distance_m=s.distance_m,
            avg_hr=s.avg_hr,
            max_hr=s.max_hr,
            device_summary=None if s.device_summary is None else DeviceSummaryPublic.of(s.device_summary),
            calories_kcal=s.calories_kcal,
            rpe=s.rpe,
            steps=s.steps,
            supervised=s.supervised,
            notes=s.notes,
            sample_count=s.sample_count,
            duplicate_of=s.duplicate_of,
            counted=s.counted,
            dose={} if s.dose is None else s.dose.as_dict(),
            dose_note=DOSE_UNKNOWN if s.dose is not None and not s.dose.dose_known else None,
            recorded_at=s.recorded_at,
            recorded_by=s.recorded_by,
        )


class AdverseEventPublic(BaseModel):
    id: int
    patient_id: int
    session_id: int | None
    occurred_at: datetime
    description: str
    severity: Severity
    action_taken: str
    protocol: str | None = Field(description="The protocol of the plan in force when it was reported")
    reported_at: datetime
    reported_by: int | None
    warning_signs: list[str] = Field(description="Cardiac warning signs ticked on the report")
    stop_exercising: str | None = Field(
        description=(
            "When the report ticks or names a cardiac warning sign: the guidance to show the patient"
            " (stop exercising and seek care; ACSM)"
        )
    )

    @classmethod
    def of(cls, e: AdverseEvent) -> AdverseEventPublic:
        named = e.warning_signs or signs_mentioned(e.description)
        return cls(
            warning_signs=list(e.warning_signs),
            stop_exercising=cardiac_warning().guidance if named else None,
            id=e.id,
            patient_id=e.patient_id,
            session_id=e.session_id,
            occurred_at=e.occurred_at,
            description=e.description,
            severity=e.severity,
            action_taken=e.action_taken,
            protocol=e.protocol,
            reported_at=e.reported_at,
            reported_by=e.reported_by,
        )


class ProtocolEventsPublic(BaseModel):
    """Adverse events under one protocol, by severity (no patient data)."""

    protocol: str | None = Field(description="null: reported while the patient had no plan")
    by_severity: dict[str, int]
    total: int

    @classmethod
    def of(cls, p: ProtocolEvents) -> ProtocolEventsPublic:
        return cls(protocol=p.protocol, by_severity=dict(p.by_severity), total=p.total)


class SessionDetailPublic(BaseModel):
    """A session with its heart-rate curve and the plan's target band for that day."""

    session: SessionPublic
    timezone: str
    hr_curve: list[Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        description="[seconds from the start, bpm] pairs"
    )
    target_band: Pair | None
    zone_minutes: dict[str, float] = Field(
        description="Minutes per intensity zone; empty when no heart rate classified the session"
    )
    adverse_events: list[AdverseEventPublic]

    @classmethod
    def of(cls, d: SessionDetail) -> SessionDetailPublic:
        return cls(
            session=SessionPublic.of(d.session),
            timezone=d.timezone,
            hr_curve=[[t, bpm] for t, bpm in d.hr_curve],
            target_band=None if d.target_band is None else list(d.target_band),
            zone_minutes=dict(d.zone_minutes),
            adverse_events=[AdverseEventPublic.of(e) for e in d.adverse_events],
        )


class ImportPublic(BaseModel):
    id: int
    patient_id: int
    sha256: str
    filename: str
    size_bytes: int
    format: str | None
    status: ImportStatus = Field(description="queued, running, done or failed")
    progress: float = Field(description="0..1")
    error: str | None = Field(description="Why the file could not be read (failed imports)")
    warnings: list[str]
    sessions: int
    created_at: datetime
    created_by: int | None
    finished_at: datetime | None

    @classmethod
    def of(cls, r: ImportRecord) -> ImportPublic:
        return cls(
            id=r.id,
            patient_id=r.patient_id,
            sha256=r.sha256,
            filename=r.filename,
            size_bytes=r.size_bytes,
            format=r.format,
            status=r.status,
            progress=r.progress,
            error=r.error,
            warnings=list(r.warnings),
            sessions=r.sessions,
            created_at=r.created_at,
            created_by=r.created_by,
            finished_at=r.finished_at,
        )


class ImportSubmittedPublic(ImportPublic):
    """The import of an uploaded file; ``already_imported``: the same file was imported before, and
    this is that earlier import (nothing was added), ``message`` says when and as which session."""

    already_imported: bool
    message: str | None = Field(
        description='For a file imported before: "already imported on DATE as session N; nothing added"'
    )
    session_id: int | None = Field(description="The first session of the earlier import")
    session_url: str | None = Field(description="The API address of that session")

    @classmethod
    def of_outcome(
        cls, record: ImportRecord, *, already_imported: bool, session_id: int | None, api_prefix: str
    ) -> ImportSubmittedPublic:
        message = url = None
        if already_imported:
            as_session = f" as session {session_id}" if session_id is not None else ""
            message = f"already imported on {record.created_at:%Y-%m-%d}{as_session}; nothing added"
            url = f"{api_prefix}/sessions/{session_id}" if session_id is not None else None
        return cls(
            **ImportPublic.of(record).model_dump(),
            already_imported=already_imported,
            message=message,
            session_id=session_id if already_imported else None,
            session_url=url,
        )
