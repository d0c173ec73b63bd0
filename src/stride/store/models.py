"""Relational tables (SQLAlchemy 2.0 declarative). Repositories map them to domain objects.

Changes here need a migration in ``stride/store/migrations/versions`` (same on SQLite and
PostgreSQL); ``tests/integration/test_migrations.py`` fails when the two drift apart.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stride.store.db import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class SiteRow(Base):
    __tablename__ = "site"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Crisis guidance shown to a patient at once after a positive suicidality answer;
    # empty means the package default (src/stride/data/crisis.toml).
    crisis_text: Mapped[str | None] = mapped_column(Text)
    crisis_phone: Mapped[str | None] = mapped_column(String(64))


class PatientRow(Base):
    __tablename__ = "patient"
    # The patient list's order, so that a page is read from the index instead of a sort of them all.
    __table_args__ = (Index("ix_patient_family_given_id", "family_name", "given_name", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    mrn: Mapped[str | None] = mapped_column(String(40), unique=True)
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    resting_hr: Mapped[int | None] = mapped_column(Integer)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UserRow(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "(role = 'patient') = (patient_id IS NOT NULL)",
            name="patient_link_iff_patient_role",
        ),
        CheckConstraint("role IN ('admin', 'clinician', 'patient', 'researcher')", name="known_role"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(63), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), unique=True)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class CareTeamRow(Base):
    __tablename__ = "care_team"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_care_team_site_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))


class TeamMemberRow(Base):
    __tablename__ = "team_member"
    team_id: Mapped[int] = mapped_column(ForeignKey("care_team.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True, index=True)


class TeamPatientRow(Base):
    __tablename__ = "team_patient"
    # From the patient to their teams with no read of the row: the access check of every patient
    # on a list page ("is this patient in one of my teams?") is answered from this index alone.
    __table_args__ = (Index("ix_team_patient_patient_team", "patient_id", "team_id"),)
    team_id: Mapped[int] = mapped_column(ForeignKey("care_team.id", ondelete="CASCADE"), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)


class WebSessionRow(Base):
    __tablename__ = "web_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    client_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class ApiTokenRow(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginAttemptRow(Base):
    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(63))
    client_addr: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime]
    success: Mapped[bool] = mapped_column(Boolean)


class AuditRow(Base):
    """Append-only (database triggers refuse UPDATE and DELETE); no foreign keys, so that the
    trail outlives whatever it mentions."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    resource: Mapped[str] = mapped_column(String(255))
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class SecurityEventRow(Base):
    """The security log: refusals and failed log-ins. Not hash-chained and pruned after
    STRIDE_SECURITY_LOG_DAYS; repeats of one event within a minute are folded into one row
    (``count``, ``last_at``) so that a flood of refusals cannot grow it without bound. No foreign
    keys: an entry outlives the account or record it names."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_kind_at", "kind", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    last_at: Mapped[datetime] = mapped_column(index=True)
    count: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(63))
    method: Mapped[str | None] = mapped_column(String(8))
    resource: Mapped[str] = mapped_column(String(255))
    patient_id: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class QuestionnaireResponseRow(Base):
    """One completed questionnaire or rating. Never updated: a correction is a new row that
    ``supersedes`` the old one, with a reason; the old row stays for the record."""

    __tablename__ = "questionnaire_response"
    __table_args__ = (
        Index("ix_questionnaire_response_patient_instrument", "patient_id", "instrument", "answered_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    instrument: Mapped[str] = mapped_column(String(32))
    answers: Mapped[str] = mapped_column(Text)  # JSON object: item id -> value
    total: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[str | None] = mapped_column(String(32))
    flags: Mapped[str] = mapped_column(Text)  # JSON list
    details: Mapped[str] = mapped_column(Text)  # JSON object
    answered_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    source: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_response.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)


class SafetyAlertRow(Base):
    """A safety concern raised for the care team at once (e.g. PHQ-9 item 9 positive)."""

    __tablename__ = "safety_alert"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_response.id"))
    code: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]
    # open -> acknowledged -> resolved (stride.domain.measurements.AlertState); never reopened:
    # a new positive answer after resolution raises a new alert.
    state: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[str | None] = mapped_column(String(32))
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    next_review_on: Mapped[date | None] = mapped_column(Date)


class QuestionnaireScheduleRow(Base):
    """A standing order: this patient answers this instrument every N days."""

    __tablename__ = "questionnaire_schedule"
    __table_args__ = (
        UniqueConstraint("patient_id", "instrument", name="uq_questionnaire_schedule_patient_instrument"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    instrument: Mapped[str] = mapped_column(String(32))
    every_days: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]


class TreatmentEntryRow(Base):
    """One entry of the treatment history: an antidepressant trial, or a record of augmentation,
    ECT, ketamine/esketamine or psychotherapy. Append-only like responses: a correction
    supersedes the entry with a reason; a removal is a correction with ``retracted`` set."""

    __tablename__ = "treatment_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    drug: Mapped[str | None] = mapped_column(String(64))
    daily_dose_mg: Mapped[float | None] = mapped_column(Float)
    start_date: Mapped[date | None] = mapped_column(Date)
    weeks: Mapped[float | None] = mapped_column(Float)
    adherent: Mapped[bool | None] = mapped_column(Boolean)
    improvement_pct: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    retracted: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_entry.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)


class DepressionEpisodeRow(Base):
    """The current episode as the MSM needs it (start, severity). Versioned by appending rows."""

    __tablename__ = "depression_episode"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_start: Mapped[date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))


class ScreeningRow(Base):
    """A pre-exercise safety screening: the answers it was made from and its decision, kept as given."""

    __tablename__ = "screening"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    inputs: Mapped[str] = mapped_column(Text)  # JSON: the screening input
    decision: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of {code, text, source}
    restrictions: Mapped[str] = mapped_column(Text)  # JSON list of restriction codes
    screened_at: Mapped[datetime]
    expires_on: Mapped[date] = mapped_column(Date)
    screened_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))


class ExercisePlanRow(Base):
    """One version of a patient's exercise prescription. A clinician's edit is a new version that
    supersedes the previous one, with a reason; nothing is overwritten. Whether a plan is on hold
    is derived (an open safety alert), not stored."""

    __tablename__ = "exercise_plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("exercise_plan.id"), unique=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id"))
    protocol: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    plan: Mapped[str] = mapped_column(Text)  # JSON: weeks, sessions, targets, rationale
    created_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    change_reason: Mapped[str | None] = mapped_column(Text)


class PlanResumeRow(Base):
    """A clinician resumed a plan that a safety alert held, with the reason: from the week where it
    paused (``plan_id`` the version resumed) or with a new prescription (``plan_id`` the version
    built with it). Never updated. The days from ``paused_from`` to ``resumed_on`` are not counted
    as plan weeks when the plan continues from where it paused."""

    __tablename__ = "plan_resume"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("exercise_plan.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("safety_alert.id"))
    mode: Mapped[str] = mapped_column(String(24))
    paused_from: Mapped[date] = mapped_column(Date)
    resumed_on: Mapped[date] = mapped_column(Date)
    from_week: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    resumed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]


class ActivityImportRow(Base):
    """One device file received for a patient; the file itself is in the blob store by its SHA-256.
    Importing the same file again for the same patient finds this row and adds nothing."""

    __tablename__ = "activity_import"
    __table_args__ = (UniqueConstraint("patient_id", "sha256", name="uq_activity_import_patient_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    finished_at: Mapped[datetime | None]
    # When the running job last said it was alive (its claim, then each progress write).
    heartbeat_at: Mapped[datetime | None]


class ActivitySessionRow(Base):
    """A session logged by hand or imported; samples are in the Parquet activity store."""

    __tablename__ = "activity_session"
    __table_args__ = (Index("ix_activity_session_patient_start", "patient_id", "start_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("activity_import.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    sport: Mapped[str] = mapped_column(String(24))
    device_sport: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    calories_kcal: Mapped[float | None] = mapped_column(Float)
    rpe: Mapped[int | None] = mapped_column(Integer)
    steps: Mapped[int | None] = mapped_column(Integer)  # the steps of the session, when counted
    supervised: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    sample_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("activity_session.id"))
    dose: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the computed session dose
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The file's own summary (FIT session message, TCX laps), beside the one from the samples.
    device_duration_s: Mapped[float | None] = mapped_column(Float)
    device_distance_m: Mapped[float | None] = mapped_column(Float)
    device_avg_hr: Mapped[float | None] = mapped_column(Float)
    device_max_hr: Mapped[float | None] = mapped_column(Float)


class AdverseEventRow(Base):
    """An adverse event during or after exercise (CERT item 11), append-only."""

    __tablename__ = "adverse_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("activity_session.id"))
    occurred_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    action_taken: Mapped[str] = mapped_column(Text)
    protocol: Mapped[str | None] = mapped_column(String(64), index=True)
    reported_at: Mapped[datetime]
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The cardiac warning signs ticked, as space-separated codes ("" for none).
    warning_signs: Mapped[str] = mapped_column(String(200), default="", server_default="")


class DailyActivityRow(Base):
    """Steps per local day from one import (several sources are de-duplicated when summarised)."""

    __tablename__ = "daily_activity"
    __table_args__ = (UniqueConstraint("import_id", "day", name="uq_daily_activity_import_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("activity_import.id"))
    day: Mapped[date] = mapped_column(Date)
    steps: Mapped[float | None] = mapped_column(Float)
    calories_kcal: Mapped[float | None] = mapped_column(Float)


class ActivityWeekRow(Base):
    """The weekly dose summary (Monday-aligned, the patient's timezone), recomputed in the same
    transaction as any change to that week's sessions or steps."""

    __tablename__ = "activity_week"
    __table_args__ = (UniqueConstraint("patient_id", "week_start", name="uq_activity_week_patient_week"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    week_start: Mapped[date] = mapped_column(Date)
    sessions: Mapped[int] = mapped_column(Integer)
    moderate_minutes: Mapped[float] = mapped_column(Float)
    vigorous_minutes: Mapped[float] = mapped_column(Float)
    mvpa_minutes: Mapped[float] = mapped_column(Float)
    moderate_equivalent_minutes: Mapped[float] = mapped_column(Float)
    met_minutes: Mapped[float] = mapped_column(Float)
    kcal_per_kg: Mapped[float] = mapped_column(Float)
    steps_per_day: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime]
