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
