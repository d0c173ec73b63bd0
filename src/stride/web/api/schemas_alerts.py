"""API models for safety alerts (raised, acknowledged, resolved) and the crisis guidance shown with one."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from stride.domain.measurements import AlertDecision, AlertState, SafetyAlert
from stride.services.alerts import CrisisGuidance
from stride.web.api.schemas import Strict


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
