"""The demo clinic's exercise story: one patient (DEMO-0005, login ``patient5``) screened, on the
home-walking plan for the last three weeks, with the sessions they logged and one mild adverse
event, so that the Activity pages show dose and adherence from the first log-in."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from stride.domain.activity import AdverseEventEntry, SessionEntry
from stride.domain.dates import monday_of
from stride.services.activity import ActivityService
from stride.services.context import Caller
from stride.services.plans import PlanRequest, PlanService
from stride.services.screening import ScreeningService

CLEARED_SCREENING: dict[str, object] = {
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "resting_bp": [124, 80],
    "parq": {f"q{i}": False for i in range(1, 8)},
    "phq9_item9": 0,
    "cssrs_risk": None,
    "medications": ["sertraline"],
    "conditions": [],
}
PLAN_DAYS = ("mon", "wed", "fri")
_WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def seed_activity(
    clinician: Caller,
    patient_id: int,
    *,
    screening: ScreeningService,
    plans: PlanService,
    activity: ActivityService,
    now: datetime,
    rng: random.Random,
) -> None:
    today = now.date()
    start = monday_of(today) - timedelta(days=21)  # a Monday three weeks back
    screening.record(clinician, patient_id, CLEARED_SCREENING)
    plans.build(
        clinician,
        patient_id,
        PlanRequest(protocol="home_walking", setting="home", days=PLAN_DAYS, minutes=30, start_date=start),
    )
    logged = [activity.log_session(clinician, patient_id, entry) for entry in _walks(start, today, rng)]
    if logged:
        first = logged[min(2, len(logged) - 1)]
        activity.report_adverse_event(
            clinician,
            patient_id,
            AdverseEventEntry(
                occurred_at=first.end,
                description="Blister on the left heel after the walk",
                severity="mild",
                action_taken="Plaster; advised better-fitting shoes; no change to the plan",
                session_id=first.id,
            ),
        )


def _walks(start: date, today: date, rng: random.Random) -> list[SessionEntry]:
    """The walks logged from ``start`` up to yesterday, at morning-to-afternoon times in London."""
    zone = ZoneInfo("Europe/London")
    day, walks = start, []
    while day < today:
        planned = day.weekday() in {_WEEKDAY[d] for d in PLAN_DAYS}
        # Most planned days walked, a missed one now and then, an extra weekend walk sometimes.
        if (planned and rng.random() < 0.8) or (day.weekday() == 5 and rng.random() < 0.3):
            at = datetime.combine(day, time(7 + rng.randint(0, 10), rng.choice((0, 15, 30))), tzinfo=zone)
            walks.append(
                SessionEntry(
                    start=at.astimezone(UTC),
                    sport="walking",
                    minutes=float(rng.randint(22, 38)),
                    rpe=rng.choice((11, 12, 13, 13, 14)),
                    supervised=False,
                    notes=rng.choice((None, "Park loop", "Walked to the shops and back", None)),
                )
            )
        day += timedelta(days=1)
    return walks
