"""Stored questionnaire responses, safety alerts and questionnaire schedules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from stride.domain.accounts import check_no_control_characters
from stride.errors import Conflict, InvalidInput


class ResponseSource(StrEnum):
    PATIENT_PORTAL = "patient_portal"
    CLINICIAN = "clinician"
    API = "api"


# A rating dated by its day (the interview's, entered after it) is stamped at this UTC instant of
# that day: the day is what matters for trajectories and schedules, not the minute.
DATED_BY_DAY_AT = time(12)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A scored questionnaire or rating as stored; ``version`` > 1 means it corrects an earlier one."""

    id: int
    patient_id: int
    instrument: str
    answers: Mapping[str, int | None]
    total: float | None
    severity: str | None
    flags: tuple[str, ...]
    details: Mapping[str, object]
    answered_at: datetime
    recorded_at: datetime
    recorded_by: int
    source: ResponseSource
    version: int
    supersedes_id: int | None
    correction_reason: str | None

    @property
    def dated_by_day(self) -> bool:
        """Entered with a date and no time: show the date only (its stamp is not a time anyone gave)."""
        at = self.answered_at.astimezone(UTC) if self.answered_at.tzinfo else self.answered_at
        return at.timetz().replace(tzinfo=None) == DATED_BY_DAY_AT


class AlertState(StrEnum):
    """An alert's lifecycle, one way only: a new positive answer after resolution is a new alert."""

    OPEN = "open"  # raised, nobody has taken it on yet
    ACKNOWLEDGED = "acknowledged"  # a clinician has taken it on (who, when, what was done)
    RESOLVED = "resolved"  # a clinician of the care team recorded a decision, a reason, a review date


class AlertDecision(StrEnum):
    """What the clinician who resolves an alert decided (issue 10: the safety dead end)."""

    REASSESSED_CSSRS = "reassessed_cssrs"  # risk reassessed by a structured C-SSRS screen
    REASSESSED_CLINICAL = "reassessed_clinical"  # risk reassessed by the clinician's assessment
    SAFETY_PLAN = "safety_plan"  # a safety plan is in place
    REFERRED = "referred"  # referred on (crisis team, psychiatry, emergency care)
    NOT_A_RISK = "not_a_risk"  # not a risk after all (e.g. an answer entered by mistake)


# The next review is a real appointment: today at the earliest, within a year at the latest.
NEXT_REVIEW_WITHIN_DAYS = 366


@dataclass(frozen=True, slots=True)
class SafetyAlert:
    id: int
    patient_id: int
    response_id: int | None
    code: str
    severity: str
    reason: str
    source: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    acknowledgement_note: str | None
    state: AlertState = AlertState.OPEN
    resolved_at: datetime | None = None
    resolved_by: int | None = None
    decision: AlertDecision | None = None
    resolution_reason: str | None = None
    next_review_on: date | None = None

    @property
    def is_open(self) -> bool:
        """Raised and not yet acknowledged by anyone."""
        return self.state is AlertState.OPEN

    @property
    def is_active(self) -> bool:
        """Not resolved: it stays in the care team's inbox and holds the patient's plan."""
        return self.state is not AlertState.RESOLVED


@dataclass(frozen=True, slots=True)
class Resolution:
    """A checked resolution: the decision, the clinician's reason and the next review date."""

    decision: AlertDecision
    reason: str
    next_review_on: date


def check_resolution(
    alert: SafetyAlert, *, decision: str, reason: str, next_review_on: date | None, today: date
) -> Resolution:
    """Whether ``alert`` may be resolved with these values; the checked resolution.

    Raises
    ------
    Conflict
        The alert is resolved already, or nobody has acknowledged it yet.
    InvalidInput
        An unknown decision, a reason too short, a missing or out-of-range review date.
    """
    if alert.state is AlertState.RESOLVED:
        raise Conflict("this alert was already resolved", field="alert_id")
    if alert.state is AlertState.OPEN:
        raise Conflict("acknowledge the alert before resolving it", field="alert_id")
    try:
        chosen = AlertDecision(decision)
    except ValueError:
        raise InvalidInput("choose the decision that was made", field="decision") from None
    why = check_note(reason, field="reason", minimum=5, maximum=2000, hint="give the reason for the decision")
    if next_review_on is None:
        raise InvalidInput("give the date of the next review", field="next_review_on")
    if next_review_on < today:
        raise InvalidInput("the next review cannot be in the past", field="next_review_on")
    if (next_review_on - today).days > NEXT_REVIEW_WITHIN_DAYS:
        raise InvalidInput("the next review must be within a year", field="next_review_on")
    return Resolution(decision=chosen, reason=why, next_review_on=next_review_on)


class DueStatus(StrEnum):
    NOT_YET = "not_yet"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    patient_id: int
    instrument: str
    every_days: int
    start_date: date
    active: bool


@dataclass(frozen=True, slots=True)
class ScheduleState:
    schedule: Schedule
    due_on: date
    status: DueStatus
    last_answered_on: date | None


# A questionnaire is "due" from its date and "overdue" once this many days have passed: long
# enough for a patient who answers on a weekend, short enough that the next review sees it.
OVERDUE_AFTER_DAYS = 3


def schedule_state(schedule: Schedule, *, last_answered_on: date | None, today: date) -> ScheduleState:
    """When the next answer is due, counted from the last answer (or the start), and whether it is late."""
    due_on = (
        schedule.start_date if last_answered_on is None else last_answered_on + timedelta(schedule.every_days)
    )
    due_on = max(due_on, schedule.start_date)
    if today < due_on:
        status = DueStatus.NOT_YET
    elif (today - due_on).days < OVERDUE_AFTER_DAYS:
        status = DueStatus.DUE
    else:
        status = DueStatus.OVERDUE
    return ScheduleState(schedule=schedule, due_on=due_on, status=status, last_answered_on=last_answered_on)


def check_interval(every_days: int) -> int:
    """Schedules run from daily to quarterly."""
    if not 1 <= every_days <= 92:
        raise InvalidInput("must be between 1 and 92 days", field="every_days")
    return every_days


def check_note(note: str, *, field: str, minimum: int, maximum: int, hint: str) -> str:
    """Free text a reviewer will read (a reason, what was done): trimmed, bounded, printable."""
    text = check_no_control_characters(" ".join(note.split()), field=field)
    if len(text) < minimum:
        raise InvalidInput(f"{hint} (at least {minimum} characters)", field=field)
    if len(text) > maximum:
        raise InvalidInput(f"must be at most {maximum} characters", field=field)
    return text


def check_reason(reason: str) -> str:
    """A correction needs a reason a reviewer can read."""
    return check_note(reason, field="reason", minimum=5, maximum=500, hint="give the reason")
