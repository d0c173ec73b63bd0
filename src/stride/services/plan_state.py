"""The state of a patient's current plan: whether it is on hold and why (an open safety alert, a
screening that no longer holds or does not clear, or resolved alerts after which nobody has resumed
it), the plan week (paused days not counted), and its resumes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from stride.clinical.prescription import Plan, PlanWeek
from stride.domain.exercise import PlanResume, StoredPlan
from stride.domain.measurements import SafetyAlert
from stride.domain.plan_weeks import AwaitingResume, Pause, awaiting_resume, covered_week, plan_week
from stride.services.screening import ScreeningStatus
from stride.store.repositories import exercise as repo
from stride.store.repositories import measurements as measurement_repo
from stride.store.repositories import users as user_repo

_CLEARED = ("cleared", "cleared_with_restrictions")


def screening_hold(status: ScreeningStatus) -> str | None:
    if not status.valid or status.screening is None:
        return f"the screening no longer holds: {status.why_not}"
    # A newer screening can hold and still not clear the patient (a re-screen that defers).
    if status.screening.decision not in _CLEARED:
        return "the latest screening does not clear exercise: " + status.screening.decision.replace("_", " ")
    return None


def _hold_reason(*, open_alert: bool, status: ScreeningStatus, awaiting: AwaitingResume | None) -> str | None:
    if open_alert:
        return "a safety alert is under review: the care team resolves it before exercise continues"
    screening = screening_hold(status)
    if screening is not None:
        return screening
    return None if awaiting is None else resume_hold(awaiting)


def resume_hold(awaiting: AwaitingResume) -> str:
    return (
        f"the safety alert was resolved on {awaiting.resolved_at.date().isoformat()}; "
        "a clinician of the care team resumes the plan"
    )


@dataclass(frozen=True, slots=True)
class HoldState:
    """What the on-hold state and the plan weeks are derived from, read in one transaction."""

    active_alerts: bool
    resumes: tuple[PlanResume, ...]
    awaiting: AwaitingResume | None
    resumed_by: Mapping[int, str]  # user id -> username, of who resumed

    @property
    def pauses(self) -> tuple[Pause, ...]:
        return tuple((r.paused_from, r.resumed_on) for r in self.resumes)


def hold_state(s: Session, stored: StoredPlan, *, alerts: Sequence[SafetyAlert] | None = None) -> HoldState:
    """``alerts``: the patient's alerts when the use case has read them already."""
    if alerts is None:
        alerts = measurement_repo.alerts_for_patient(s, stored.patient_id)
    resumes = tuple(repo.resumes(s, stored.patient_id))
    # Resolving an alert does not restart the plan: a resolution after this version was made, and
    # after its last resume, leaves it waiting for a clinician to resume it.
    since: datetime = max([stored.created_at, *(r.created_at for r in resumes)])
    return HoldState(
        active_alerts=any(a.is_active for a in alerts),
        resumes=resumes,
        awaiting=awaiting_resume(alerts, since=since),
        resumed_by=user_repo.usernames(s, {r.resumed_by for r in resumes}),
    )


@dataclass(frozen=True, slots=True)
class PlanView:
    stored: StoredPlan
    plan: Plan
    on_hold: bool
    hold_reason: str | None
    current_week: int | None  # None before the start or after the end
    resumes: tuple[PlanResume, ...] = ()  # of every version of the patient's plan, oldest first
    awaiting: AwaitingResume | None = None  # held by alerts resolved since; nobody resumed it yet
    resume_week: int | None = None  # the week it resumes from; None: the plan had ended by then
    resumed_by: Mapping[int, str] = field(default_factory=dict)  # user id -> username

    @property
    def this_week(self) -> PlanWeek | None:
        return None if self.current_week is None else self.plan.weeks[self.current_week - 1]

    @property
    def last_resume(self) -> PlanResume | None:
        return self.resumes[-1] if self.resumes else None

    @property
    def may_resume(self) -> bool:
        """Held only by resolved alerts (no alert under review, the screening clears): the care
        team resumes it (from the paused week when the plan had not ended by then)."""
        return self.awaiting is not None and self.hold_reason == resume_hold(self.awaiting)


def plan_view(stored: StoredPlan, state: HoldState, status: ScreeningStatus, *, today: date) -> PlanView:
    hold = _hold_reason(open_alert=state.active_alerts, status=status, awaiting=state.awaiting)
    plan = stored.plan
    resume_week = None
    if state.awaiting is not None:
        # The week the hold began in (the first week when it began before the start).
        paused = max(1, plan_week(stored.start_date, state.awaiting.paused_from, state.pauses))
        resume_week = paused if paused <= len(plan.weeks) else None
    return PlanView(
        stored=stored,
        plan=plan,
        on_hold=hold is not None,
        hold_reason=hold,
        current_week=covered_week(stored.start_date, today, state.pauses, weeks=len(plan.weeks)),
        resumes=state.resumes,
        awaiting=state.awaiting,
        resume_week=resume_week,
        resumed_by=state.resumed_by,
    )
