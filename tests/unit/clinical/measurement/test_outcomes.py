"""Outcomes over repeated measures: boundaries of response, partial response, remission, reliable
change and recovery as cited in outcomes.toml; direction from data; instruments without rules."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from stride.clinical.measurement.outcomes import (
    ChangeRule,
    Cutoff,
    OutcomeRules,
    OutcomeStatus,
    PctRule,
    outcome_rules,
    outcome_series,
)
from stride.errors import InvalidInput

D0 = date(2026, 1, 5)


def series(instrument: str, *totals: float, **kwargs: object):  # type: ignore[no-untyped-def]
    points = [(D0 + timedelta(weeks=2 * i), total) for i, total in enumerate(totals)]
    return outcome_series(instrument, points, **kwargs)  # type: ignore[arg-type]


def last(instrument: str, baseline: float, total: float):  # type: ignore[no-untyped-def]
    return series(instrument, baseline, total).points[-1]


# --- packaged rules ---------------------------------------------------------------------------


def test_every_packaged_rule_has_a_source() -> None:
    for instrument in ("phq9", "gad7", "hamd17", "madrs", "qids_sr16", "who5"):
        rules = outcome_rules(instrument)
        assert rules.direction is not None
        present: list[object] = [r for r in (rules.response, rules.partial_response, rules.remission) if r]
        present += [r for r in (rules.reliable_change, rules.caseness) if r]
        assert present
        assert all(getattr(rule, "source", None) for rule in present)


def test_ids_ignore_case_and_punctuation() -> None:
    assert outcome_rules("PHQ-9") == outcome_rules("phq9")
    assert outcome_rules("QIDS-SR16").remission == outcome_rules("qids_sr16").remission


# --- response and partial response ------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "total", "response", "partial"),
    [
        (20, 10, True, False),  # exactly 50 %: a response
        (20, 11, False, True),  # 45 %
        (20, 15, False, True),  # exactly 25 %: partial response
        (20, 16, False, False),  # 20 %
        (20, 25, False, False),  # worse
        (27, 13.5, True, False),  # exactly 50 % with a fractional total
    ],
)
def test_response_and_partial_response_boundaries(
    baseline: float, total: float, response: bool, partial: bool
) -> None:
    point = last("hamd17", baseline, total)
    assert (point.response, point.partial_response) == (response, partial)


def test_change_and_percent_change() -> None:
    point = last("phq9", 20, 8)
    assert point.change == -12
    assert point.pct_change == -60
    assert point.improvement_pct == 60


def test_zero_baseline_has_no_percentages() -> None:
    point = last("phq9", 0, 3)
    assert (point.pct_change, point.improvement_pct, point.response, point.partial_response) == (
        None,
        None,
        None,
        None,
    )
    assert point.change == 3
    assert point.reliable_deterioration is False
    assert point.remission is True


# --- remission thresholds, inclusive or exclusive as cited -------------------------------------


@pytest.mark.parametrize(
    ("instrument", "in_remission", "not_in_remission"),
    [
        ("phq9", 4, 5),  # < 5
        ("gad7", 4, 5),  # < 5
        ("hamd17", 7, 8),  # <= 7
        ("madrs", 9, 10),  # < 10
        ("qids_sr16", 5, 6),  # <= 5
    ],
)
def test_remission_thresholds(instrument: str, in_remission: float, not_in_remission: float) -> None:
    assert last(instrument, 20, in_remission).remission is True
    assert last(instrument, 20, not_in_remission).remission is False


# --- reliable change and recovery (NHS Talking Therapies) --------------------------------------


@pytest.mark.parametrize(
    ("instrument", "threshold"),
    [("phq9", 6), ("gad7", 4)],
)
def test_reliable_change_exactly_at_the_threshold(instrument: str, threshold: float) -> None:
    assert last(instrument, 15, 15 - threshold).reliable_improvement is True
    assert last(instrument, 15, 15 - threshold + 1).reliable_improvement is False
    assert last(instrument, 10, 10 + threshold).reliable_deterioration is True
    assert last(instrument, 10, 10 + threshold - 1).reliable_deterioration is False
    assert last(instrument, 10, 10 + threshold).reliable_improvement is False


@pytest.mark.parametrize(
    ("instrument", "case", "below"),
    [("phq9", 10, 9), ("gad7", 8, 7)],
)
def test_recovery_is_leaving_caseness(instrument: str, case: float, below: float) -> None:
    recovered = last(instrument, case, below)
    assert (recovered.caseness, recovered.recovery) == (False, True)
    still = last(instrument, case + 5, case)
    assert (still.caseness, still.recovery) == (True, False)
    never_a_case = last(instrument, below, below - 1)
    assert never_a_case.recovery is None  # not applicable: NHS TT counts recovery only for cases


# --- direction from data -----------------------------------------------------------------------


def test_who5_higher_is_better_from_data() -> None:
    rules = outcome_rules("who5")
    assert rules.direction == "higher_is_better"
    point = last("who5", 8, 14)
    assert point.improvement_pct == 75
    assert point.pct_change == 75
    assert (point.caseness, point.recovery) == (False, True)  # raw < 13 is poor well-being
    assert last("who5", 8, 12).recovery is False
    assert last("who5", 13, 20).recovery is None
    assert (point.response, point.remission, point.reliable_improvement) == (None, None, None)


def test_a_higher_is_better_rule_set_mirrors_the_symptom_scale() -> None:
    rules = OutcomeRules(
        instrument="wellbeing",
        direction="higher_is_better",
        response=PctRule(50, "test"),
        partial_response=PctRule(25, "test"),
        remission=Cutoff(">=", 20, "test"),
        reliable_change=ChangeRule(4, "test"),
        caseness=Cutoff("<", 13, "test"),
    )
    points = series("wellbeing", 10, 15, 12, 6, 20, rules=rules).points
    assert [p.response for p in points] == [False, True, False, False, True]
    assert [p.partial_response for p in points] == [False, False, False, False, False]
    assert points[2].improvement_pct == 20
    assert [p.reliable_improvement for p in points] == [False, True, False, False, True]
    assert [p.reliable_deterioration for p in points] == [False, False, False, True, False]
    assert [p.remission for p in points] == [False, False, False, False, True]
    assert [p.recovery for p in points] == [False, True, False, False, True]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"direction": "lower_is_better", "remission": Cutoff(">", 5, "s")}, "rules.remission"),
        ({"direction": "higher_is_better", "caseness": Cutoff(">=", 10, "s")}, "rules.caseness"),
        ({"direction": "lower_is_better", "partial_response": PctRule(25, "s")}, "rules.partial_response"),
        (
            {
                "direction": "lower_is_better",
                "response": PctRule(50, "s"),
                "partial_response": PctRule(60, "s"),
            },
            "rules.partial_response",
        ),
        ({"direction": "lower_is_better", "reliable_change": ChangeRule(0, "s")}, "rules.reliable_change"),
        ({"direction": "lower_is_better", "response": PctRule(0, "s")}, "rules.response"),
        ({"direction": "sideways"}, "rules.direction"),
        ({"response": PctRule(50, "s")}, "rules.direction"),
    ],
)
def test_inconsistent_rules_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        OutcomeRules(instrument="x", **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


# --- instruments without rules -----------------------------------------------------------------


def test_an_instrument_without_rules_gets_change_only() -> None:
    result = series("borg_rpe", 12, 15)
    point = result.points[-1]
    assert (point.change, point.pct_change) == (3, 25)
    others = (
        point.improvement_pct,
        point.response,
        point.partial_response,
        point.remission,
        point.reliable_improvement,
        point.reliable_deterioration,
        point.caseness,
        point.recovery,
    )
    assert others == (None,) * 8
    assert result.summary.current_status is OutcomeStatus.NOT_RATED


# --- summary and baselines ----------------------------------------------------------------------


def test_summary_first_response_first_remission_and_status() -> None:
    result = series("phq9", 18, 14, 9, 12, 4)
    assert result.summary.first_response == D0 + timedelta(weeks=4)
    assert result.summary.first_remission == D0 + timedelta(weeks=8)
    assert result.summary.current_status is OutcomeStatus.REMISSION
    assert result.summary.current is result.points[-1]
    assert result.baseline.total == 18


@pytest.mark.parametrize(
    ("totals", "status"),
    [
        ((20,), OutcomeStatus.BASELINE),
        ((20, 9), OutcomeStatus.RESPONSE),
        ((20, 14), OutcomeStatus.PARTIAL_RESPONSE),
        ((20, 18), OutcomeStatus.NO_RESPONSE),
        ((20, 3), OutcomeStatus.REMISSION),
    ],
)
def test_current_status(totals: tuple[float, ...], status: OutcomeStatus) -> None:
    assert series("phq9", *totals).summary.current_status is status


def test_remission_only_instrument_status() -> None:
    assert series("gad7", 12, 9).summary.current_status is OutcomeStatus.NOT_IN_REMISSION
    assert series("gad7", 12, 3).summary.current_status is OutcomeStatus.REMISSION


def test_a_given_baseline() -> None:
    result = series("phq9", 6, 20, 10, 4, baseline_index=1)
    assert result.baseline.total == 20
    assert [p.change for p in result.points] == [-14, 0, -10, -16]
    # the point before the baseline is not a "first" anything, even in remission-like range
    assert result.summary.first_response == D0 + timedelta(weeks=4)
    assert result.summary.first_remission == D0 + timedelta(weeks=6)


def test_mixed_dates_and_datetimes_order() -> None:
    points = [
        (date(2026, 1, 1), 20.0),
        (datetime(2026, 1, 1, 9, tzinfo=UTC), 15.0),
        (datetime(2026, 1, 8, 9), 10.0),
    ]
    assert outcome_series("phq9", points).summary.first_response == datetime(2026, 1, 8, 9)


@pytest.mark.parametrize(
    ("points", "kwargs", "field"),
    [
        ([], {}, "points"),
        ([(D0, 10), (D0 - timedelta(days=1), 8)], {}, "points[1].when"),
        ([(D0, math.nan)], {}, "points[0].total"),
        ([(D0, True)], {}, "points[0].total"),
        ([("2026-01-01", 10)], {}, "points[0].when"),
        ([(D0,)], {}, "points[0]"),
        ([(D0, 10)], {"baseline_index": 1}, "baseline_index"),
        ([(D0, 10)], {"baseline_index": -1}, "baseline_index"),
    ],
)
def test_invalid_series_name_the_field(points: list[object], kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        outcome_series("phq9", points, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
