"""The treatment history of the current depressive episode, as recorded by clinicians."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class TreatmentKind(StrEnum):
    ANTIDEPRESSANT = "antidepressant"
    AUGMENTATION = "augmentation"
    ECT = "ect"
    KETAMINE = "ketamine"
    ESKETAMINE = "esketamine"
    PSYCHOTHERAPY = "psychotherapy"


@dataclass(frozen=True, slots=True)
class TreatmentEntry:
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


@dataclass(frozen=True, slots=True)
class Episode:
    patient_id: int
    episode_start: date
    severity: str
    recorded_at: datetime
