"""API models for an activity week: its sessions, dose, steps and adherence against the plan."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, Field

from stride.domain.activity import DailySteps, WeekSummary
from stride.services.activity_views import AdherenceView, WeekBar, WeekView
from stride.web.api.schemas import Pair
from stride.web.api.schemas_activity import SessionPublic

WeekStart = Annotated[
    str,
    Path(
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        max_length=10,
        description="Any day of the week (YYYY-MM-DD); weeks run Monday to Sunday in the patient's timezone",
    ),
]


class WeekSummaryPublic(BaseModel):
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

    @classmethod
    def of(cls, w: WeekSummary) -> WeekSummaryPublic:
        return cls(**asdict(w))


class DailyStepsPublic(BaseModel):
    day: date
    steps: float

    @classmethod
    def of(cls, d: DailySteps) -> DailyStepsPublic:
        return cls(day=d.day, steps=d.steps)


class AdherenceViewPublic(BaseModel):
    """The week against the plan: sessions, minutes and dose done / planned, minutes in the
    prescribed heart-rate zone, the weekly adherence category and the streak."""

    sessions_done: int
    sessions_planned: int
    minutes_done: float
    minutes_target: float
    dose_done: float
    dose_target: float
    dose_unit: str
    dose_ratio: float | None
    minutes_in_zone: float
    target_band: Pair | None
    category: str
    category_label: str
    streak_weeks: int

    @classmethod
    def of(cls, a: AdherenceView) -> AdherenceViewPublic:
        data = asdict(a)
        data["target_band"] = None if a.target_band is None else list(a.target_band)
        return cls(**data)


class WeekBarPublic(BaseModel):
    week_start: date
    planned_minutes: float
    done_minutes: float
    category: str | None

    @classmethod
    def of(cls, b: WeekBar) -> WeekBarPublic:
        return cls(**asdict(b))


class WeekPublic(BaseModel):
    """One week (Monday to Sunday in the patient's timezone) of sessions, dose and adherence."""

    patient_id: int
    timezone: str
    week_start: date
    week_end: date
    previous_week: date
    next_week: date
    plan_week_number: int | None = Field(description="1-based; null outside the plan")
    plan_week: dict[str, Any] | None = Field(description="The plan's week as in the plan's JSON")
    protocol_name: str | None
    sessions: list[SessionPublic]
    summary: WeekSummaryPublic
    zone_minutes: dict[str, float]
    steps: list[DailyStepsPublic]
    adherence: AdherenceViewPublic | None
    history: list[WeekBarPublic] = Field(description="Planned and done minutes of the recent weeks")
    unknown_dose_sessions: int = Field(
        description="Sessions of the week whose dose is unknown (left out of MET-minutes and kcal/kg)"
    )

    @classmethod
    def of(cls, v: WeekView) -> WeekPublic:
        return cls(
            patient_id=v.patient_id,
            timezone=v.timezone,
            week_start=v.week_start,
            week_end=v.week_end,
            previous_week=v.previous_week,
            next_week=v.next_week,
            plan_week_number=v.plan_week_number,
            plan_week=None if v.plan_week is None else _plan_week(v),
            protocol_name=v.protocol_name,
            sessions=[SessionPublic.of(s) for s in v.sessions],
            summary=WeekSummaryPublic.of(v.summary),
            zone_minutes=dict(v.zone_minutes),
            steps=[DailyStepsPublic.of(d) for d in v.steps],
            adherence=None if v.adherence is None else AdherenceViewPublic.of(v.adherence),
            history=[WeekBarPublic.of(b) for b in v.history],
            unknown_dose_sessions=v.unknown_dose_sessions,
        )


def _plan_week(v: WeekView) -> dict[str, Any]:
    """The plan week with the keys of the plan's JSON (``plan_to_dict``): pairs as lists, dates ISO."""

    def plain(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [plain(x) for x in value]
        if isinstance(value, dict):
            return {k: plain(x) for k, x in value.items()}
        if isinstance(value, date):
            return value.isoformat()
        return value

    assert v.plan_week is not None
    result: dict[str, Any] = plain(asdict(v.plan_week))
    return result
