"""A table of golden patient-weeks: trajectory, dose and events -> the proposal and its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pytest

from stride.clinical.review import Action, Rating, ReviewWeek, Trajectory, propose

START = date(2026, 1, 5)


@dataclass(frozen=True)
class Golden:
    name: str
    week: int
    phq9: tuple[float, float | None]  # baseline, latest
    action: Action
    codes: tuple[str, ...]
    facts: dict[str, object] = field(default_factory=dict)


GOLDEN = (
    Golden("week 2, 25 % better", 2, (16, 12), Action.HOLD, ("between_decision_points", "early_improvement")),
    Golden(
        "week 2, 6 % better", 2, (16, 15), Action.HOLD, ("between_decision_points", "no_early_improvement")
    ),
    Golden("week 4, no response, full dose", 4, (16, 14), Action.PROGRESS, ("non_response",)),
    Golden(
        "week 4, no response, 40 % dose",
        4,
        (16, 14),
        Action.ADD_SUPPORT,
        ("non_response_poor_adherence",),
        {"adherence": 0.4},
    ),
    Golden("week 6, responding", 6, (16, 7), Action.HOLD, ("response",)),
    Golden("week 9, remitted", 9, (16, 3), Action.HOLD, ("remission",)),
    Golden(
        "week 12, no response at the top step",
        12,
        (16, 13),
        Action.CHANGE_DELIVERY,
        ("non_response_at_max",),
        {"at_max_step": True},
    ),
    Golden("week 5, 6 points worse", 5, (12, 18), Action.REFER_NOW, ("worsening",)),
    Golden(
        "week 7, safety signal while improving",
        7,
        (16, 6),
        Action.REFER_NOW,
        ("safety_signal",),
        {"safety_signal_open": True},
    ),
    Golden(
        "week 8, two weeks missed",
        8,
        (16, 12),
        Action.REGRESS,
        ("missed_weeks",),
        {"weeks_missed_in_a_row": 2, "weeks_since_last_session": 2},
    ),
    Golden(
        "week 10, six weeks off",
        10,
        (16, 12),
        Action.RESTART_LOWER,
        ("detraining",),
        {"weeks_missed_in_a_row": 6, "weeks_since_last_session": 6},
    ),
    Golden("week 6, knee pain", 6, (16, 14), Action.REGRESS, ("adverse_event",), {"adverse_events": 1}),
    Golden(
        "week 4, RPE 16 against 12",
        4,
        (16, 14),
        Action.HOLD,
        ("rpe_above_target",),
        {"mean_rpe": 16, "target_rpe": 12},
    ),
    Golden(
        "week 30, PHQ-9 11 after remission",
        30,
        (16, 11),
        Action.REFER_NOW,
        ("relapse",),
        {"remitted_before": True},
    ),
)


def build(golden: Golden) -> ReviewWeek:
    baseline, latest = golden.phq9
    rated = None if latest is None else Rating(START + timedelta(weeks=golden.week), latest)
    week = ReviewWeek(
        weeks_since_start=golden.week,
        trajectories=(Trajectory("phq9", Rating(START, baseline), rated),),
        prescribed_minutes=150,
        achieved_minutes=150,
        prescribed_sessions=3,
        achieved_sessions=3,
        adherence=1.0,
        weeks_since_last_session=0,
    )
    return replace(week, **golden.facts)  # type: ignore[arg-type]


@pytest.mark.parametrize("golden", GOLDEN, ids=[g.name for g in GOLDEN])
def test_golden_patient_week(golden: Golden) -> None:
    proposal = propose(build(golden))
    assert proposal.action is golden.action
    assert tuple(r.code for r in proposal.reasons) == golden.codes
    assert all(r.source for r in proposal.reasons)
