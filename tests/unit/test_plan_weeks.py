"""The plan week of a day when the plan was paused, and when a plan held by a resolved alert still
waits to be resumed (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from stride.domain.measurements import AlertState, SafetyAlert
from stride.domain.plan_weeks import awaiting_resume, covered_week, deciding_day, paused_days, plan_week

START = date(2026, 11, 2)  # a Monday


def test_without_pauses_a_week_is_seven_days_from_the_start() -> None:
    assert plan_week(START, START) == 1
    assert plan_week(START, date(2026, 11, 8)) == 1
    assert plan_week(START, date(2026, 11, 9)) == 2
    assert plan_week(START, date(2026, 11, 30)) == 5


def test_resuming_from_the_week_where_it_paused_skips_the_paused_days() -> None:
    # Paused on day 3 of week 2 (Wednesday 11 November), resumed 17 days later.
    pause = (date(2026, 11, 11), date(2026, 11, 28))
    assert plan_week(START, date(2026, 11, 11), [pause]) == 2
    assert plan_week(START, date(2026, 11, 28), [pause]) == 2  # the day it resumed: week 2 again
    assert plan_week(START, date(2026, 12, 2), [pause]) == 2  # the rest of week 2's days
    assert plan_week(START, date(2026, 12, 3), [pause]) == 3
    assert paused_days(START, date(2026, 12, 3), [pause]) == 17


def test_several_pauses_add_up_and_overlapping_ones_count_a_day_once() -> None:
    first, second = (date(2026, 11, 9), date(2026, 11, 16)), (date(2026, 11, 23), date(2026, 12, 7))
    assert paused_days(START, date(2026, 12, 14), [second, first]) == 21
    assert plan_week(START, date(2026, 12, 14), [first, second]) == 4  # 42 days, 21 paused: day 22
    assert plan_week(START, date(2026, 12, 13), [first, second]) == 3
    overlapping = (date(2026, 11, 12), date(2026, 11, 20))
    assert paused_days(START, date(2026, 12, 1), [first, overlapping]) == 11  # 9th to 20th


def test_a_pause_before_the_start_or_after_the_day_counts_for_nothing() -> None:
    before = (date(2026, 10, 20), date(2026, 10, 30))
    assert plan_week(START, date(2026, 11, 9), [before]) == 2
    # Resumed before the plan began: the plan starts on its day as planned.
    straddling = (date(2026, 10, 28), date(2026, 11, 4))
    assert paused_days(START, date(2026, 11, 20), [straddling]) == 2
    assert plan_week(START, date(2026, 10, 30), [straddling]) < 1  # not started yet
    later = (date(2026, 12, 1), date(2026, 12, 10))
    assert plan_week(START, date(2026, 11, 20), [later]) == 3


def test_a_still_running_count_goes_past_the_end_of_the_plan() -> None:
    # A 12-week plan paused for two weeks ends two weeks later than planned.
    pause = (date(2026, 12, 1), date(2026, 12, 15))
    assert plan_week(START, date(2027, 1, 24)) == 12
    assert plan_week(START, date(2027, 1, 25)) == 13  # past the end without the pause
    assert plan_week(START, date(2027, 2, 7), [pause]) == 12
    assert plan_week(START, date(2027, 2, 8), [pause]) == 13


ALERT = SafetyAlert(
    id=1,
    patient_id=7,
    response_id=None,
    code="phq9_item9_positive",
    severity="high",
    reason="PHQ-9 item 9 positive",
    source="Kroenke 2001",
    raised_at=datetime(2026, 11, 11, 9, 0, tzinfo=UTC),
    acknowledged_at=None,
    acknowledged_by=None,
    acknowledgement_note=None,
)
PLAN_CREATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def resolved(alert: SafetyAlert, at: datetime) -> SafetyAlert:
    return replace(alert, state=AlertState.RESOLVED, resolved_at=at)


def test_a_resolved_alert_since_the_plan_version_waits_for_a_resume() -> None:
    done = resolved(ALERT, datetime(2026, 11, 12, 10, 0, tzinfo=UTC))
    found = awaiting_resume([done], since=PLAN_CREATED)
    assert found is not None
    assert (found.alert_id, found.paused_from) == (1, date(2026, 11, 11))
    # Resumed (or a new version made) after the resolution: nothing waits any more.
    assert awaiting_resume([done], since=datetime(2026, 11, 13, tzinfo=UTC)) is None
    # An alert still under review is not "resolved": the open alert holds the plan itself.
    assert awaiting_resume([ALERT], since=PLAN_CREATED) is None


def test_the_hold_began_with_the_first_alert_and_waits_for_the_last_resolved() -> None:
    first = resolved(ALERT, datetime(2026, 11, 14, tzinfo=UTC))
    second = resolved(
        replace(ALERT, id=2, raised_at=datetime(2026, 11, 12, tzinfo=UTC)), datetime(2026, 11, 16, tzinfo=UTC)
    )
    found = awaiting_resume([second, first], since=PLAN_CREATED)
    assert found is not None
    assert (found.alert_id, found.paused_from, found.resolved_at.day) == (2, date(2026, 11, 11), 16)
    # An alert resolved before this version was made held an earlier plan, not this one.
    assert awaiting_resume([first], since=datetime(2026, 11, 15, tzinfo=UTC)) is None


def test_a_day_is_covered_by_the_plan_from_its_first_to_its_last_week() -> None:
    assert covered_week(START, START - timedelta(days=1), weeks=4) is None
    assert covered_week(START, START, weeks=4) == 1
    assert covered_week(START, date(2026, 11, 29), weeks=4) == 4
    assert covered_week(START, date(2026, 11, 30), weeks=4) is None
    pause = (date(2026, 11, 11), date(2026, 11, 28))
    assert covered_week(START, date(2026, 12, 3), [pause], weeks=4) == 3  # the paused days do not count


def test_a_calendar_week_is_judged_on_the_plan_week_holding_its_thursday() -> None:
    assert deciding_day(date(2026, 11, 23)) == date(2026, 11, 26)
