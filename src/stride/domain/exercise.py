"""Stored screenings and exercise-plan versions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from stride.clinical.prescription import Plan, plan_from_dict, plan_to_dict


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
    plan: Plan
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


PLAN_VERSION = 1  # the "v" of a stored plan; rows written before it had none and are v1


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The JSON object stored for a plan version: ``plan_to_dict`` with its version."""
    return {"v": PLAN_VERSION, **plan_to_dict(plan)}


def plan_from_data(data: Mapping[str, Any]) -> Plan:
    """A stored plan back. Rows without ``"v"`` were written as v1 (no migration needed); a
    version this Stride does not know is an error, not a guess."""
    version = data.get("v", 1)
    if version != PLAN_VERSION:
        raise ValueError(f"a stored plan of version {version!r}; this Stride reads version {PLAN_VERSION}")
    return plan_from_dict({k: v for k, v in data.items() if k != "v"})
