"""The weekly review: from one patient-week's facts to a proposal with its reasons.

The proposal changes nothing: it is for a clinician of the care team to approve, edit or reject,
and nothing here diagnoses. The rules are ``data/review.toml`` (loaded once, checked at load);
response and remission are the measurement package's outcome rules.
"""

from __future__ import annotations

import math
from functools import cache

from stride.clinical.measurement import OutcomeSeries, instrument_ids, outcome_series
from stride.clinical.review.model import (
    Action,
    Proposal,
    Reason,
    ReviewRules,
    ReviewWeek,
    Trajectory,
    TrajectoryStatus,
)
from stride.clinical.review.schema import parse
from stride.data import load_toml
from stride.errors import InvalidInput


@cache
def review_rules() -> ReviewRules:
    """The packaged review rules; a malformed file raises ``ConfigurationError`` naming the key."""
    return parse(load_toml("review", "stride.clinical.review.data"))


def _check(week: ReviewWeek) -> None:
    def whole(name: str, value: object, minimum: int = 0) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise InvalidInput(f"must be an integer of at least {minimum}", field=name)

    def amount(name: str, value: object) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise InvalidInput("must be a finite number of at least 0", field=name)

    whole("weeks_since_start", week.weeks_since_start)
    for name in ("weeks_missed_in_a_row", "adverse_events", "prescribed_sessions", "achieved_sessions"):
        whole(name, getattr(week, name))
    if week.weeks_since_last_session is not None:
        whole("weeks_since_last_session", week.weeks_since_last_session)
    for name in ("prescribed_minutes", "achieved_minutes", "adherence"):
        amount(name, getattr(week, name))
    for name in ("mean_rpe", "target_rpe"):
        if getattr(week, name) is not None:
            amount(name, getattr(week, name))
    known = instrument_ids()
    for index, trajectory in enumerate(week.trajectories):
        if trajectory.instrument not in known:
            raise InvalidInput("is not a packaged instrument", field=f"trajectories[{index}].instrument")
        latest = trajectory.latest
        if latest is not None and latest.when < trajectory.baseline.when:
            raise InvalidInput("is earlier than the baseline", field=f"trajectories[{index}].latest.when")


def _series(trajectory: Trajectory) -> OutcomeSeries | None:
    if trajectory.latest is None:
        return None
    points = [
        (trajectory.baseline.when, trajectory.baseline.total),
        (trajectory.latest.when, trajectory.latest.total),
    ]
    return outcome_series(trajectory.instrument, points)


def _worse_by(series: OutcomeSeries) -> float | None:
    """Points moved toward the worse end of the scale since baseline (negative: better)."""
    direction = series.rules.direction
    if direction is None:
        return None
    change = series.points[-1].change
    return change if direction == "lower_is_better" else -change


def _is_worsening(worse: float | None, mcid: float) -> bool:
    """Worse than baseline by the instrument's MCID or more: the one worsening rule."""
    return worse is not None and worse >= mcid


def _referrals(week: ReviewWeek, rules: ReviewRules) -> list[Reason]:
    reasons: list[Reason] = []
    if week.safety_signal_open:
        text = "A safety signal is open: the clinician sees the patient now."
        reasons.append(Reason("safety_signal", text, rules.safety.source))
    for trajectory in week.trajectories:
        series = _series(trajectory)
        worse = None if series is None else _worse_by(series)
        rule = rules.worsening.get(trajectory.instrument)
        if rule is not None and _is_worsening(worse, rule.value):
            text = (
                f"{trajectory.instrument} is {worse:g} points worse than at baseline (MCID {rule.value:g})."
            )
            reasons.append(Reason("worsening", text, rule.cited.source))
        relapse = rules.relapse.get(trajectory.instrument)
        latest = trajectory.latest
        if (
            week.remitted_before
            and relapse is not None
            and latest is not None
            and latest.total >= relapse.value
        ):
            text = (
                f"After remission, {trajectory.instrument} is {latest.total:g} (relapse: {relapse.value:g})."
            )

            reasons.append(Reason("relapse", text, relapse.cited.source))
    return reasons


def _dose_rules(week: ReviewWeek, rules: ReviewRules) -> tuple[Action, Reason] | None:
    """Adverse events, detraining, missed weeks and RPE: these apply in any week."""
    if week.adverse_events:
        text = f"{week.adverse_events} adverse event(s) this week: step down."
        return Action.REGRESS, Reason("adverse_event", text, rules.adverse_event.source)
    off = rules.detraining_max_weeks_off
    if week.weeks_since_last_session is not None and week.weeks_since_last_session > off.value:
        text = f"{week.weeks_since_last_session} weeks since the last session (over {off.value:g})."
        return Action.RESTART_LOWER, Reason("detraining", text, off.cited.source)
    missed = rules.missed_weeks_regress_from
    if week.weeks_missed_in_a_row >= missed.value:
        text = f"{week.weeks_missed_in_a_row} week(s) missed in a row: resume one step lower."
        return Action.REGRESS, Reason("missed_weeks", text, missed.cited.source)
    rpe = rules.rpe_above_target_by
    if (
        week.mean_rpe is not None
        and week.target_rpe is not None
        and week.mean_rpe - week.target_rpe > rpe.value
    ):
        text = f"Mean RPE {week.mean_rpe:g} is over {rpe.value:g} above the target {week.target_rpe:g}: hold."
        return Action.HOLD, Reason("rpe_above_target", text, rpe.cited.source)
    return None


def _at_decision_point(
    week: ReviewWeek, rules: ReviewRules, series: OutcomeSeries | None
) -> tuple[Action, Reason]:
    points_source = rules.decision_points.cited.source
    n = week.weeks_since_start
    if series is None:
        return Action.HOLD, Reason(
            "not_rated", f"Decision point at week {n} but no rating since baseline.", points_source
        )
    point, outcome = series.points[-1], series.rules
    if point.remission and outcome.remission is not None:
        return Action.HOLD, Reason(
            "remission", f"In remission at week {n}: keep the dose.", outcome.remission.source
        )
    if point.response is None or outcome.response is None:
        text = f"Decision point at week {n}, but {series.instrument} has no response rule."
        return Action.HOLD, Reason("no_response_rule", text, points_source)
    if point.response:
        return Action.HOLD, Reason(
            "response", f"Responding at week {n}: keep the dose.", outcome.response.source
        )
    return _non_response(week, rules)


def _non_response(week: ReviewWeek, rules: ReviewRules) -> tuple[Action, Reason]:
    n, points_source = week.weeks_since_start, rules.decision_points.cited.source
    good = rules.good_adherence_from
    if week.adherence < good.value:
        text = f"No response at week {n} with {week.adherence:.0%} of the dose done: support adherence."
        return Action.ADD_SUPPORT, Reason("non_response_poor_adherence", text, good.cited.source)
    if week.at_max_step:
        text = f"No response at week {n} despite good adherence, at the top step: change the delivery."
        return Action.CHANGE_DELIVERY, Reason("non_response_at_max", text, points_source)
    text = f"No response at week {n} despite good adherence: progress to the protocol's next step."
    return Action.PROGRESS, Reason("non_response", text, points_source)


def _status(series: OutcomeSeries | None, week: ReviewWeek, rules: ReviewRules) -> TrajectoryStatus:
    if series is None:
        return TrajectoryStatus(None, None, None, None)
    point = series.points[-1]
    early = rules.early_improvement
    improvement = point.improvement_pct
    early_flag = None
    if week.weeks_since_start == early.week and improvement is not None:
        early_flag = improvement >= early.min_improvement_pct
    rule = rules.worsening.get(series.instrument)
    worse = _worse_by(series)
    worsening = None if rule is None or worse is None else _is_worsening(worse, rule.value)
    return TrajectoryStatus(early_flag, point.response, point.remission, worsening)


def propose(week: ReviewWeek, rules: ReviewRules | None = None) -> Proposal:
    """Propose the next step for one patient-week, with every reason and its source.

    Pure: the same week and rules give the same proposal, and nothing is changed or diagnosed —
    the proposal is for a clinician of the care team to approve, edit or reject. Safety first:
    an open safety signal, worsening by the MCID or more, or a relapse after remission refers the
    patient now, whatever else holds. Then, in any week: an adverse event regresses, more than the
    detraining limit of weeks off restarts lower, missed weeks regress, an RPE above target holds.
    Only at a decision point does the symptom score move the dose: non-response with good
    adherence progresses (or changes the delivery at the protocol's top step), with poor adherence
    adds support. Between decision points the dose holds.

    >>> from datetime import date
    >>> from stride.clinical.review import Rating, ReviewWeek, Trajectory, propose
    >>> phq9 = Trajectory("phq9", Rating(date(2026, 1, 5), 16), Rating(date(2026, 2, 2), 15))
    >>> week = ReviewWeek(4, (phq9,), 150, 150, 3, 3, adherence=1.0, weeks_since_last_session=0)
    >>> propose(week).action
    <Action.PROGRESS: 'progress'>

    Raises
    ------
    InvalidInput
        A count or amount that is negative or not a number, an unknown instrument, a latest rating
        before its baseline.
    """
    _check(week)
    rules = rules if rules is not None else review_rules()
    primary = _series(week.trajectories[0]) if week.trajectories else None
    status = _status(primary, week, rules)
    info: list[Reason] = []
    if status.early_improvement is not None:
        early = rules.early_improvement
        word = "" if status.early_improvement else "no "
        text = (
            f"{word}early improvement by week {early.week} (at least {early.min_improvement_pct:g} % better)."
        )
        info.append(
            Reason(
                "early_improvement" if status.early_improvement else "no_early_improvement",
                text.capitalize(),
                early.cited.source,
            )
        )
    referrals = _referrals(week, rules)
    if referrals:
        return Proposal(Action.REFER_NOW, (*referrals, *info), status)
    dose = _dose_rules(week, rules)
    if dose is not None:
        return Proposal(dose[0], (dose[1], *info), status)
    if week.weeks_since_start in rules.decision_points.weeks:
        action, reason = _at_decision_point(week, rules, primary)
        return Proposal(action, (reason, *info), status)
    text = f"Week {week.weeks_since_start} is between decision points: no dose change on one week's score."
    return Proposal(
        Action.HOLD,
        (Reason("between_decision_points", text, rules.decision_points.cited.source), *info),
        status,
    )
