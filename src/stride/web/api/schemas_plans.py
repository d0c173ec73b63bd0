"""API models for exercise plans: building one, its versions, its hold and its resumes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from stride.clinical.prescription import Refusal, plan_to_dict, refusal_to_dict
from stride.domain.exercise import PlanResume, StoredPlan
from stride.services.plans import PlanRequest, PlanView
from stride.web.api.schemas import IsoDate, SmallInt, Strict
from stride.web.api.schemas_exercise import Codes, ReasonPublic


class PlanCreate(Strict):
    """What the clinician chooses in the plan builder; the screening, resting heart rate and weight
    come from the patient's record."""

    protocol: str = Field(max_length=64, description='A protocol id, or "recommend"')
    setting: str = Field(max_length=40, description="home, gym, outdoor, supervised or group")
    days: Annotated[list[Annotated[str, Field(max_length=10)]], Field(max_length=14)] = Field(
        description="Free days, mon..sun"
    )
    minutes: SmallInt = Field(description="Session length, warm-up and cool-down included")
    modalities: Codes = Field(default_factory=list, description="Preferred modalities, most preferred first")
    weeks: SmallInt | None = Field(default=None, description="Plan length; default the protocol's own length")
    start_date: IsoDate | None = Field(default=None, description="Default today")
    mood_symptoms: Codes = Field(default_factory=list, description="fatigue, low_motivation, ...")
    reason: str | None = Field(default=None, max_length=2000, description="Required for a new version")

    def request(self) -> PlanRequest:
        return PlanRequest(
            protocol=self.protocol,
            setting=self.setting,
            days=tuple(self.days),
            minutes=self.minutes,
            modalities=tuple(self.modalities),
            weeks=self.weeks,
            start_date=self.start_date,
            mood_symptoms=tuple(self.mood_symptoms),
            reason=self.reason,
        )


class NotClearedBody(BaseModel):
    """409: the patient's screening does not clear them for exercise; no plan was stored. The JSON
    error body plus the screen's decision and reasons (as ``stride prescribe --json`` prints them)."""

    error: Literal["not_cleared"]
    message: str
    field: str | None
    decision: str
    reasons: list[ReasonPublic]

    @classmethod
    def of(cls, refusal: Refusal) -> NotClearedBody:
        body = refusal_to_dict(refusal)
        return cls(
            error="not_cleared",
            message=f"not cleared for exercise ({refusal.decision.value.replace('_', ' ')}): no plan",
            field="screening",
            decision=body["decision"],
            reasons=body["reasons"],
        )


class PlanPublic(BaseModel):
    id: int
    patient_id: int
    version: int
    supersedes_id: int | None
    screening_id: int
    protocol: str
    start_date: date
    created_at: datetime
    created_by: int
    change_reason: str | None
    plan: dict[str, Any] = Field(description="The plan as `stride prescribe --json` prints it")

    @classmethod
    def of(cls, p: StoredPlan) -> PlanPublic:
        return cls(
            id=p.id,
            patient_id=p.patient_id,
            version=p.version,
            supersedes_id=p.supersedes_id,
            screening_id=p.screening_id,
            protocol=p.protocol,
            start_date=p.start_date,
            created_at=p.created_at,
            created_by=p.created_by,
            change_reason=p.change_reason,
            plan=_keys_sorted(plan_to_dict(p.plan)),
        )


def _keys_sorted(value: Any) -> Any:
    """The plan's JSON with its keys in alphabetical order at every level, as the API has always
    shown a plan version (it showed the stored JSON, written with sorted keys)."""
    if isinstance(value, dict):
        return {k: _keys_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_keys_sorted(v) for v in value]
    return value


class PlanResumeCreate(Strict):
    # Checked by the service, so that a missing value is a 422 naming it like any other.
    mode: str = Field(
        default="",
        max_length=32,
        description="paused_week: the same plan from the week where it paused (a new prescription is "
        "a new version: POST /patients/{patient_id}/plans with a reason)",
    )
    reason: str = Field(default="", max_length=4000, description="Why the plan resumes (5 to 500 characters)")


class PlanResumePublic(BaseModel):
    """A resume of a plan that a safety alert held: from the week where it paused, or with a new
    prescription (the version ``plan_id``). The paused days are not counted as plan weeks."""

    id: int
    plan_id: int
    alert_id: int | None
    mode: Literal["paused_week", "new_prescription"]
    paused_from: date
    resumed_on: date
    from_week: int
    reason: str
    resumed_by: int
    created_at: datetime

    @classmethod
    def of(cls, r: PlanResume) -> PlanResumePublic:
        return cls(
            id=r.id,
            plan_id=r.plan_id,
            alert_id=r.alert_id,
            mode=r.mode,  # only the two modes are stored
            paused_from=r.paused_from,
            resumed_on=r.resumed_on,
            from_week=r.from_week,
            reason=r.reason,
            resumed_by=r.resumed_by,
            created_at=r.created_at,
        )


class PlanViewPublic(BaseModel):
    """The current plan, whether it is on hold (an open safety alert, a screening that no longer
    holds, or a resolved alert after which nobody has resumed it) and this week's sessions."""

    plan: PlanPublic
    on_hold: bool
    hold_reason: str | None
    current_week: int | None = Field(
        description="1-based, paused days not counted; null before the start or after the end"
    )
    this_week: dict[str, Any] | None
    may_resume: bool = Field(description="Held only by resolved safety alerts: the care team resumes it")
    resume_week: int | None = Field(
        description="The week it would resume from (where it paused); null when nothing waits to be "
        "resumed or the plan had ended"
    )
    resumes: list[PlanResumePublic] = Field(description="Every resume of the patient's plan, oldest first")

    @classmethod
    def of(cls, v: PlanView) -> PlanViewPublic:
        plan, week = plan_to_dict(v.plan), v.current_week
        return cls(
            plan=PlanPublic.of(v.stored).model_copy(update={"plan": plan}),
            on_hold=v.on_hold,
            hold_reason=v.hold_reason,
            current_week=week,
            this_week=None if week is None else plan["weeks"][week - 1],
            may_resume=v.may_resume,
            resume_week=v.resume_week if v.may_resume else None,
            resumes=[PlanResumePublic.of(r) for r in v.resumes],
        )
