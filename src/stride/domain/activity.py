"""Stored activity records: imports of device files, sessions (logged or imported), adverse
events and weekly summaries. The computations on them live in ``stride.activity``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from stride.data import load_toml
from stride.domain.dates import check_event_time
from stride.domain.warning_signs import check_warning_signs
from stride.errors import InvalidInput


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Severity(StrEnum):
    """Adverse-event severity, after the CTCAE grades 1-3 and the ICH E2A 'serious' criterion."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    SERIOUS = "serious"


@dataclass(frozen=True, slots=True)
class ImportRecord:
    id: int
    patient_id: int
    sha256: str
    filename: str
    size_bytes: int
    format: str | None
    status: ImportStatus
    progress: float  # 0..1 while running
    error: str | None
    warnings: tuple[str, ...]
    sessions: int
    created_at: datetime
    created_by: int | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeviceTotals:
    """A device file's own summary of a session, as stored beside the one from its samples."""

    duration_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None

    def differs_from(self, session: StoredSession) -> bool:
        """Whether a person would see a difference from ``session``'s summary (to the second, the
        ten metres, the beat per minute it is shown in)."""
        pairs = (
            (self.duration_s, session.duration_s, 1.0),
            (self.distance_m, session.distance_m, 10.0),
            (self.avg_hr, session.avg_hr, 0.5),
            (self.max_hr, session.max_hr, 0.5),
        )
        return any(
            mine is not None and (theirs is None or abs(mine - theirs) >= tol) for mine, theirs, tol in pairs
        )


DOSE_VERSION = 1  # the "v" of a session's stored dose; rows written before it had none and are v1
_DOSE_NUMBERS = (
    "duration_minutes",
    "hr_coverage",
    "moderate_minutes",
    "vigorous_minutes",
    "moderate_equivalent_minutes",
)
_DOSE_OPTIONAL = ("met_minutes", "kcal_per_kg", "minutes_in_target")


@dataclass(frozen=True, slots=True)
class StoredDose:
    """A session's dose as stored (``stride.activity.dose.SessionDose`` without the session's own
    fields): the method, the minutes per zone and class, MET-minutes and kcal/kg (``None`` when
    unknown), the heart-rate coverage and the values that priced it."""

    method: str  # "hr", "rpe" or "met"
    duration_minutes: float
    minutes_by_zone: Mapping[str, float]
    hr_coverage: float
    met_minutes: float | None
    kcal_per_kg: float | None
    moderate_minutes: float
    vigorous_minutes: float
    moderate_equivalent_minutes: float
    minutes_in_target: float | None
    met_source: str | None = None

    @property
    def dose_known(self) -> bool:
        return self.met_minutes is not None

    def as_dict(self) -> dict[str, object]:
        """The dose as the API has always shown it: its fields by name, in alphabetical order."""
        data: dict[str, object] = {
            "method": self.method,
            "minutes_by_zone": dict(self.minutes_by_zone),
            "met_source": self.met_source,
            **{name: getattr(self, name) for name in (*_DOSE_NUMBERS, *_DOSE_OPTIONAL)},
        }
        return dict(sorted(data.items()))


def dose_to_data(dose: StoredDose | None) -> dict[str, object]:
    """The JSON object stored for a dose (``{}`` for a session whose dose was never computed)."""
    return {} if dose is None else {"v": DOSE_VERSION, **dose.as_dict()}


def dose_from_data(data: Mapping[str, object]) -> StoredDose | None:
    """A stored dose back; ``{}`` is none. Rows without ``"v"`` were written as v1 (no migration
    needed); those written before ``met_source`` existed have it ``None``."""
    if not data:
        return None
    version = data.get("v", 1)
    if version != DOSE_VERSION:
        raise ValueError(f"a stored dose of version {version!r}; this Stride reads version {DOSE_VERSION}")
    zones = data["minutes_by_zone"]
    assert isinstance(zones, Mapping)
    source = data.get("met_source")
    return StoredDose(
        method=str(data["method"]),
        duration_minutes=_required(data["duration_minutes"]),
        minutes_by_zone=MappingProxyType({str(k): _required(v) for k, v in zones.items()}),
        hr_coverage=_required(data["hr_coverage"]),
        met_minutes=_number(data["met_minutes"]),
        kcal_per_kg=_number(data["kcal_per_kg"]),
        moderate_minutes=_required(data["moderate_minutes"]),
        vigorous_minutes=_required(data["vigorous_minutes"]),
        moderate_equivalent_minutes=_required(data["moderate_equivalent_minutes"]),
        minutes_in_target=_number(data["minutes_in_target"]),
        met_source=None if source is None else str(source),
    )


def _required(value: object) -> float:
    # Numbers are kept as JSON gave them (an int stays an int), so the API shows what it always did.
    number = _number(value)
    if number is None:
        raise ValueError("a stored dose lacks a number it must have")
    return number


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a stored dose has {value!r} where a number belongs")
    return value


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as stored: logged by hand (``source == "manual"``) or imported from a file."""

    id: int
    patient_id: int
    import_id: int | None
    source: str
    start: datetime
    end: datetime
    sport: str
    device_sport: str | None
    duration_s: float
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    calories_kcal: float | None
    rpe: int | None
    supervised: bool | None
    notes: str | None
    sample_count: int
    duplicate_of: int | None  # an overlapping session of another source counted instead
    dose: StoredDose | None  # None: never computed
    recorded_at: datetime
    recorded_by: int | None
    device_summary: DeviceTotals | None = None  # the file's own summary, where it gave one
    steps: int | None = None  # the steps of the session, when counted (logged by hand)

    @property
    def counted(self) -> bool:
        return self.duplicate_of is None


@dataclass(frozen=True, slots=True)
class AdverseEvent:
    id: int
    patient_id: int
    session_id: int | None
    occurred_at: datetime
    description: str
    severity: Severity
    action_taken: str
    protocol: str | None  # the protocol of the plan in force, for CERT item 11 counts
    reported_at: datetime
    reported_by: int | None
    warning_signs: tuple[str, ...] = ()  # cardiac warning signs ticked (stride.domain.warning_signs)

    @property
    def alerts_care_team(self) -> bool:
        """Whether this event raised a safety alert when it was reported (adverse_events.toml)."""
        return escalation_for(self.severity.value, self.warning_signs) is not None


@dataclass(frozen=True, slots=True)
class DailySteps:
    day: date
    steps: float


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """The stored weekly dose of a patient (Monday-aligned in their timezone)."""

    week_start: date
    sessions: int
    moderate_minutes: float
    vigorous_minutes: float
    mvpa_minutes: float
    moderate_equivalent_minutes: float
    met_minutes: float
    kcal_per_kg: float
    steps_per_day: float | None
    updated_at: datetime


def check_text(value: str, *, field: str, limit: int, required: bool = True) -> str | None:
    """Trimmed free text within ``limit`` characters; ``InvalidInput`` naming ``field`` otherwise."""
    text = value.strip().replace("\x00", "")
    if not text:
        if required:
            raise InvalidInput("this is required", field=field)
        return None
    if len(text) > limit:
        raise InvalidInput(f"at most {limit} characters", field=field)
    return text


RPE_RANGE = (6, 20)  # Borg 6-20 scale (instruments/borg_rpe.toml)


def _bound(value: float | None, *, key: str, field: str) -> float | None:
    if value is None:
        return None
    bounds = load_toml("plausibility")[key]
    if not bounds["min"] <= value <= bounds["max"]:
        raise InvalidInput(f"must be between {bounds['min']} and {bounds['max']}", field=field)
    return value


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """A session logged by hand (by the patient or a clinician)."""

    start: datetime  # timezone-aware
    sport: str
    minutes: float
    rpe: int | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    distance_km: float | None = None
    supervised: bool | None = None
    notes: str | None = None
    steps: int | None = None


def check_session_entry(entry: SessionEntry, *, sports: tuple[str, ...], now: datetime) -> SessionEntry:
    """The entry with trimmed notes; ``InvalidInput`` naming the first wrong field."""
    if entry.start.tzinfo is None:
        raise InvalidInput("give the start time with its timezone", field="start")
    check_event_time(entry.start, now=now, field="start")
    if entry.start > now:
        raise InvalidInput("a session cannot start in the future", field="start")
    if entry.sport not in sports:
        raise InvalidInput(f"unknown activity {entry.sport!r}; known: {', '.join(sports)}", field="sport")
    _bound(entry.minutes, key="session_minutes", field="minutes")
    if entry.rpe is not None and not RPE_RANGE[0] <= entry.rpe <= RPE_RANGE[1]:
        raise InvalidInput("the Borg RPE scale runs from 6 to 20", field="rpe")
    _bound(entry.avg_hr, key="exercise_hr", field="avg_hr")
    _bound(entry.max_hr, key="exercise_hr", field="max_hr")
    if entry.avg_hr is not None and entry.max_hr is not None and entry.max_hr < entry.avg_hr:
        raise InvalidInput("the maximum heart rate is below the average", field="max_hr")
    _bound(entry.distance_km, key="session_distance_km", field="distance_km")
    _bound(entry.steps, key="session_steps", field="steps")
    notes = check_text(entry.notes or "", field="notes", limit=2000, required=False)
    return SessionEntry(
        start=entry.start,
        sport=entry.sport,
        minutes=entry.minutes,
        rpe=entry.rpe,
        avg_hr=entry.avg_hr,
        max_hr=entry.max_hr,
        distance_km=entry.distance_km,
        supervised=entry.supervised,
        notes=notes,
        steps=entry.steps,
    )


@dataclass(frozen=True, slots=True)
class AdverseEventEntry:
    occurred_at: datetime  # timezone-aware
    description: str
    severity: str
    action_taken: str
    session_id: int | None = None
    warning_signs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Escalation:
    """An adverse event of this severity also raises a safety alert (``adverse_events.toml``)."""

    severity: str
    alert_severity: str
    code: str
    reason: str
    source: str


def escalation_for(severity: str, warning_signs: tuple[str, ...] = ()) -> Escalation | None:
    """The alert an adverse event of ``severity`` raises, or None (recorded and counted only).

    A severity rule wins where one applies; otherwise a ticked cardiac warning sign raises the
    ``[warning_sign]`` alert with the event's own severity.
    """
    rules = load_toml("adverse_events")
    for rule in rules["escalate"]:
        if rule["severity"] == severity:
            return Escalation(
                severity=rule["severity"],
                alert_severity=rule["alert_severity"],
                code=rule["code"],
                reason=rule["reason"],
                source=rule["source"],
            )
    if warning_signs:
        sign = rules["warning_sign"]
        return Escalation(
            severity=severity,
            alert_severity=severity,
            code=sign["code"],
            reason=sign["reason"],
            source=sign["source"],
        )
    return None


def check_adverse_event(entry: AdverseEventEntry, *, now: datetime) -> AdverseEventEntry:
    if entry.occurred_at.tzinfo is None:
        raise InvalidInput("give the time with its timezone", field="occurred_at")
    check_event_time(entry.occurred_at, now=now, field="occurred_at")
    if entry.occurred_at > now:
        raise InvalidInput("an adverse event cannot be in the future", field="occurred_at")
    if entry.severity not in {s.value for s in Severity}:
        known = ", ".join(s.value for s in Severity)
        raise InvalidInput(f"unknown severity {entry.severity!r}; known: {known}", field="severity")
    description = check_text(entry.description, field="description", limit=2000)
    action = check_text(entry.action_taken, field="action_taken", limit=2000)
    assert description is not None
    assert action is not None
    return AdverseEventEntry(
        occurred_at=entry.occurred_at,
        description=description,
        severity=entry.severity,
        action_taken=action,
        session_id=entry.session_id,
        warning_signs=check_warning_signs(entry.warning_signs),
    )
