"""The weekly review rules, each at its boundary, in their safety-first order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stride.clinical.review import Action, Rating, ReviewWeek, Trajectory, propose, review_rules
from stride.errors import InvalidInput

START = date(2026, 1, 5)


def phq9(baseline: float, latest: float | None, week: int = 4) -> Trajectory:
    rated = None if latest is None else Rating(START + timedelta(weeks=week), latest)
    return Trajectory("phq9", Rating(START, baseline), rated)


def week_of(n: int, latest: float | None = 15, baseline: float = 16, **changes: object) -> ReviewWeek:
    base = ReviewWeek(
        weeks_since_start=n,
        trajectories=(phq9(baseline, latest, n),),
        prescribed_minutes=150,
        achieved_minutes=150,
        prescribed_sessions=3,
        achieved_sessions=3,
        adherence=1.0,
        weeks_since_last_session=0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(week: ReviewWeek) -> list[str]:
    return [reason.code for reason in propose(week).reasons]


# --- early improvement (Szegedi 2009): >= 20 % by week 2 ---------------------------------------


def test_early_improvement_at_20_percent_but_not_19() -> None:
    improved = propose(week_of(2, latest=80, baseline=100))  # 20 % better
    not_improved = propose(week_of(2, latest=81, baseline=100))  # 19 %
    assert improved.status.early_improvement is True
    assert not_improved.status.early_improvement is False
    assert "early_improvement" in [r.code for r in improved.reasons]
    assert "no_early_improvement" in [r.code for r in not_improved.reasons]
    # Reported, never a reason to change the dose: week 2 is no decision point.
    assert improved.action is not_improved.action is Action.HOLD
    assert any("Szegedi" in r.source for r in not_improved.reasons)


def test_early_improvement_only_at_its_week() -> None:
    assert propose(week_of(3, latest=8)).status.early_improvement is None


# --- worsening by the MCID (Loewe 2004): PHQ-9 + 5 ---------------------------------------------


def test_worsening_by_5_points_refers_but_4_does_not() -> None:
    four, five = propose(week_of(3, latest=14, baseline=10)), propose(week_of(3, latest=15, baseline=10))
    assert four.action is Action.HOLD
    assert four.status.worsening is False
    assert five.action is Action.REFER_NOW
    assert five.status.worsening is True
    assert five.reasons[0].code == "worsening"
    assert "Loewe" in five.reasons[0].source


# --- detraining (Mujika & Padilla 2001): more than 4 weeks off ---------------------------------


def test_more_than_4_weeks_off_restarts_lower_and_4_regresses() -> None:
    four = week_of(8, weeks_since_last_session=4, weeks_missed_in_a_row=4)
    five = week_of(8, weeks_since_last_session=5, weeks_missed_in_a_row=5)
    assert propose(four).action is Action.REGRESS
    assert codes(four)[0] == "missed_weeks"
    assert propose(five).action is Action.RESTART_LOWER
    assert codes(five)[0] == "detraining"
    assert "Mujika" in propose(five).reasons[0].source


def test_a_missed_week_regresses_and_none_does_not() -> None:
    assert propose(week_of(5, weeks_missed_in_a_row=1)).action is Action.REGRESS
    assert propose(week_of(5, weeks_missed_in_a_row=0)).action is Action.HOLD


# --- decision points (STAR*D weeks 4, 6, 9, 12) ------------------------------------------------


@pytest.mark.parametrize("n", [4, 6, 9, 12])
def test_non_response_at_a_decision_point_with_good_adherence_progresses(n: int) -> None:
    assert propose(week_of(n, latest=15)).action is Action.PROGRESS


@pytest.mark.parametrize("n", [3, 5, 7, 8, 10, 11])
def test_between_decision_points_the_dose_holds(n: int) -> None:
    proposal = propose(week_of(n, latest=15))
    assert proposal.action is Action.HOLD
    assert proposal.reasons[0].code == "between_decision_points"


def test_non_response_at_the_top_step_changes_delivery() -> None:
    assert propose(week_of(6, at_max_step=True)).action is Action.CHANGE_DELIVERY


def test_good_adherence_from_80_percent() -> None:
    assert propose(week_of(4, adherence=0.8)).action is Action.PROGRESS
    poor = propose(week_of(4, adherence=0.79))
    assert poor.action is Action.ADD_SUPPORT
    assert poor.reasons[0].code == "non_response_poor_adherence"


def test_response_and_remission_hold_with_the_measurement_sources() -> None:
    response = propose(week_of(4, latest=8, baseline=16))  # 50 %, not < 5
    remission = propose(week_of(4, latest=4, baseline=16))
    assert response.action is remission.action is Action.HOLD
    assert response.reasons[0].code == "response"
    assert remission.reasons[0].code == "remission"
    assert "doi:10.1176/appi.ps.201900295" in remission.reasons[0].source


def test_a_decision_point_without_a_rating_holds() -> None:
    proposal = propose(week_of(4, latest=None))
    assert proposal.action is Action.HOLD
    assert proposal.reasons[0].code == "not_rated"


def test_rpe_above_target_by_more_than_2_holds() -> None:
    assert propose(week_of(4, mean_rpe=15, target_rpe=13)).action is Action.PROGRESS
    high = propose(week_of(4, mean_rpe=15.5, target_rpe=13))
    assert high.action is Action.HOLD
    assert high.reasons[0].code == "rpe_above_target"


def test_an_adverse_event_regresses() -> None:
    assert propose(week_of(4, adverse_events=1)).action is Action.REGRESS


# --- relapse after remission (Rush 2006: QIDS-SR16 >= 11) --------------------------------------


def qids(latest: float) -> Trajectory:
    return Trajectory("qids_sr16", Rating(START, 16), Rating(START + timedelta(weeks=20), latest))


def test_relapse_after_remission_from_qids_11() -> None:
    relapsed = week_of(20, trajectories=(qids(11),), remitted_before=True)
    assert propose(relapsed).action is Action.REFER_NOW
    assert "Rush" in propose(relapsed).reasons[0].source
    assert propose(replace(relapsed, trajectories=(qids(10),))).action is Action.HOLD
    assert propose(replace(relapsed, remitted_before=False)).action is Action.HOLD


def test_the_phq9_relapse_rule_is_marked_uncertain() -> None:
    assert review_rules().relapse["phq9"].cited.status == "UNSURE"
    assert review_rules().worsening["phq9"].cited.status == "UNSURE"


# --- safety first ------------------------------------------------------------------------------


def test_safety_comes_before_every_dose_rule() -> None:
    everything = week_of(
        4, latest=30, baseline=10, safety_signal_open=True, adverse_events=2, weeks_since_last_session=6
    )
    proposal = propose(everything)
    assert proposal.action is Action.REFER_NOW
    assert [r.code for r in proposal.reasons][:2] == ["safety_signal", "worsening"]


def test_worsening_comes_before_an_adverse_event() -> None:
    assert propose(week_of(5, latest=21, baseline=16, adverse_events=1)).action is Action.REFER_NOW


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidInput):
        propose(week_of(4, adherence=-0.1))
    with pytest.raises(InvalidInput):
        propose(week_of(4, trajectories=(Trajectory("nope", Rating(START, 3)),)))


weeks = st.builds(
    week_of,
    n=st.integers(0, 60),
    latest=st.one_of(st.none(), st.integers(0, 27).map(float)),
    baseline=st.integers(0, 27).map(float),
    adherence=st.floats(0, 2),
    weeks_missed_in_a_row=st.integers(0, 10),
    weeks_since_last_session=st.one_of(st.none(), st.integers(0, 10)),
    adverse_events=st.integers(0, 3),
    mean_rpe=st.one_of(st.none(), st.floats(6, 20)),
    target_rpe=st.one_of(st.none(), st.floats(6, 20)),
    safety_signal_open=st.booleans(),
    remitted_before=st.booleans(),
    at_max_step=st.booleans(),
)


@given(weeks)
def test_any_safety_signal_refers_now_and_every_proposal_has_a_sourced_reason(week: ReviewWeek) -> None:
    proposal = propose(week)
    assert proposal.reasons
    assert all(r.source.strip() and r.text.strip() for r in proposal.reasons)
    if week.safety_signal_open:
        assert proposal.action is Action.REFER_NOW
    if proposal.action is Action.PROGRESS:
        assert week.weeks_since_start in review_rules().decision_points.weeks
