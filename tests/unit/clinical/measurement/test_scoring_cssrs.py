"""C-SSRS screener triage by the highest positive answer and its recency:
high = Q4 or Q5, or behaviour in the past 3 months (Columbia triage guideline); moderate = Q3, or
lifetime behaviour only; low = Q1/Q2 only; none = all no (our documented choice)."""

from __future__ import annotations

import pytest

from stride.clinical.measurement import get_instrument, score, score_list
from stride.errors import InvalidInput

CSSRS = get_instrument("cssrs_screen")
NAMES = ["q1", "q2", "q3", "q4", "q5", "q6", "q6_past_3_months"]


def answers(**given: int | None) -> dict[str, int | None]:
    return {f"cssrs_screen_{name}": value for name, value in given.items()}


@pytest.mark.parametrize(
    ("values", "level"),
    [
        ([0, 0, 0, 0, 0, 0, 0], "none"),
        ([1, 0, 0, 0, 0, 0, 0], "low"),
        ([0, 1, 0, 0, 0, 0, 0], "low"),
        ([1, 1, 0, 0, 0, 0, 0], "low"),
        ([1, 1, 1, 0, 0, 0, 0], "moderate"),
        ([1, 1, 1, 1, 0, 0, 0], "high"),
        ([1, 1, 0, 1, 0, 0, 0], "high"),
        ([1, 1, 1, 1, 1, 0, 0], "high"),
        ([1, 1, 0, 0, 1, 0, 0], "high"),
        ([0, 0, 0, 0, 0, 1, 0], "moderate"),  # behaviour, lifetime only
        ([0, 0, 0, 0, 0, 1, 1], "high"),  # behaviour in the past 3 months
        ([1, 1, 1, 0, 0, 1, 0], "moderate"),
        ([1, 0, 0, 0, 0, 1, 1], "high"),
    ],
)
def test_triage_by_highest_positive_answer_and_recency(values: list[int], level: str) -> None:
    result = score_list("cssrs_screen", values)
    assert (result.severity, result.total, result.complete) == (level, None, True)
    assert result.details["positive"] == [
        f"cssrs_screen_{n}" for n, v in zip(NAMES, values, strict=True) if v
    ]


def test_skip_logic_q2_no_leaves_q3_to_q5_unasked_and_complete() -> None:
    result = score(CSSRS, answers(q1=1, q2=0, q6=0))
    assert (result.severity, result.complete, result.missing) == ("low", True, ())


def test_q6_no_leaves_the_recency_question_unasked() -> None:
    assert score(CSSRS, answers(q1=0, q2=0, q6=0)).severity == "none"


def test_a_yes_recorded_although_skipped_is_counted_and_reported() -> None:
    # The HL7 BHP example records Q3-Q5 with Q2 = No; a "yes" there is the safer reading.
    result = score_list("cssrs_screen", [0, 0, 0, 1, 0, 0, 0])
    assert result.severity == "high"
    assert result.details["answered_although_skipped"] == ["cssrs_screen_q4"]


def test_recent_behaviour_without_lifetime_behaviour_is_contradictory() -> None:
    with pytest.raises(InvalidInput) as caught:
        score_list("cssrs_screen", [0, 0, 0, 0, 0, 0, 1])
    assert caught.value.field == "cssrs_screen_q6_past_3_months"


def test_q2_yes_requires_q3_to_q5() -> None:
    result = score(CSSRS, answers(q1=1, q2=1, q6=0))
    assert result.complete is False
    assert result.missing == ("cssrs_screen_q3", "cssrs_screen_q4", "cssrs_screen_q5")
    # Q4/Q5 could still make it high: the level is unknown, but at least low.
    assert result.severity is None
    assert result.details["at_least"] == "low"


def test_a_high_answer_fixes_the_level_even_when_others_are_missing() -> None:
    result = score(CSSRS, answers(q2=1, q3=None, q4=1, q5=None, q6=None))
    assert result.complete is False
    assert result.severity == "high"


def test_lifetime_behaviour_with_unknown_recency_is_at_least_moderate() -> None:
    result = score(CSSRS, answers(q1=0, q2=0, q6=1))
    assert result.missing == ("cssrs_screen_q6_past_3_months",)
    assert (result.severity, result.details["at_least"]) == (None, "moderate")


def test_answers_are_yes_no_only() -> None:
    with pytest.raises(InvalidInput) as caught:
        score_list("cssrs_screen", [2, 0, 0, 0, 0, 0, 0])
    assert caught.value.field == "cssrs_screen_q1"


def test_hl7_bhp_all_no_example_is_none_here_not_low() -> None:
    """HL7 us-behavioral-health-profiles C-SSRS-example-1 (commit 7ad613c): all seven answers No,
    coded "Low" (LA9194-7) there. Our documented choice is "none" (rula: "No risk reported"), so
    that all-no stays distinguishable from ideation-only (Q1/Q2) answers."""
    assert score_list("cssrs_screen", [0] * 7).severity == "none"
