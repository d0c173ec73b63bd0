"""Safety concerns: PHQ-9 item 9 >= 1, or a C-SSRS screen of moderate or high risk; nothing else
(stride/clinical/safety/data/safety.toml; the PHQ-9 item-9 practice and the Columbia triage guideline)."""

from __future__ import annotations

import pytest

from stride.clinical.measurement import Score, get_instrument, instrument_ids, score, score_list
from stride.clinical.safety import safety_concern


def test_phq9_item_9_positive_raises_a_high_concern() -> None:
    concern = safety_concern(score_list("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    assert concern is not None
    assert (concern.code, concern.severity) == ("suicidal_ideation", "high")
    assert "item 9" in concern.reason
    assert "calcipedia" in concern.source


def test_phq9_item_9_zero_raises_nothing_even_when_severe() -> None:
    assert safety_concern(score_list("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])) is None


def test_phq9_item_9_on_an_incomplete_form_still_raises() -> None:
    result = score(get_instrument("phq9"), {"phq9_9": 2})
    assert not result.complete
    concern = safety_concern(result)
    assert concern is not None
    assert concern.code == "suicidal_ideation"


@pytest.mark.parametrize(
    ("values", "code", "severity"),
    [
        ([1, 1, 1, 1, 0, 0, 0], "suicide_risk_high", "high"),
        ([0, 0, 0, 0, 0, 1, 1], "suicide_risk_high", "high"),
        ([1, 1, 1, 0, 0, 0, 0], "suicide_risk_moderate", "moderate"),
        ([0, 0, 0, 0, 0, 1, 0], "suicide_risk_moderate", "moderate"),
    ],
)
def test_cssrs_moderate_or_high_raises(values: list[int], code: str, severity: str) -> None:
    concern = safety_concern(score_list("cssrs_screen", values))
    assert concern is not None
    assert (concern.code, concern.severity) == (code, severity)


@pytest.mark.parametrize("values", [[0] * 7, [1, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0]])
def test_cssrs_none_or_low_raises_nothing(values: list[int]) -> None:
    assert safety_concern(score_list("cssrs_screen", values)) is None


def test_incomplete_cssrs_that_is_at_least_moderate_raises_the_moderate_concern() -> None:
    result = score(
        get_instrument("cssrs_screen"), {"cssrs_screen_q1": 0, "cssrs_screen_q2": 0, "cssrs_screen_q6": 1}
    )
    assert result.severity is None
    concern = safety_concern(result)
    assert concern is not None
    assert concern.code == "suicide_risk_moderate"


def test_nothing_else_fires_even_at_every_instruments_maximum() -> None:
    """QIDS item 12, HAM-D item 3 and MADRS item 10 have no sourced threshold: no concern."""
    for instrument_id in instrument_ids():
        if instrument_id in {"phq9", "cssrs_screen", "ipaq_sf"}:
            continue
        instrument = get_instrument(instrument_id)
        result = score(instrument, {item.id: item.max for item in instrument.items})
        assert safety_concern(result) is None, instrument_id


def test_a_score_of_another_instrument_with_the_same_flag_name_does_not_fire() -> None:
    fake = Score("gad7", 21, "severe", ("suicidal_ideation",), {}, True, ())
    assert safety_concern(fake) is None
