"""Stored screenings and exercise-plan versions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class StoredReason:
    code: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class StoredScreening:
    id: int
    patient_id: int
    inputs: Mapping[str, object]
    decision: str
    reasons: tuple[StoredReason, ...]
    restrictions: tuple[str, ...]
    screened_at: datetime
    expires_on: date
    screened_by: int


@dataclass(frozen=True, slots=True)
class StoredPlan:
    id: int
    patient_id: int
    version: int
    supersedes_id: int | None
    screening_id: int
    protocol: str
    start_date: date
    plan: Mapping[str, object]
    created_at: datetime
    created_by: int
    change_reason: str | None


@dataclass(frozen=True, slots=True)
class PlanResume:
    """A clinician's decision to resume a plan that a safety alert held: from the week where it
    paused (the same version) or with a new prescription (the version built at the same time)."""

    id: int
    patient_id: int
    plan_id: int
    alert_id: int | None
    mode: str  # stride.domain.plan_weeks.ResumeMode
    paused_from: date
    resumed_on: date
    from_week: int
    reason: str
    resumed_by: int
    created_at: datetime
