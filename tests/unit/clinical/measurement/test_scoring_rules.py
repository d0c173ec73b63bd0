"""The special scoring rules: QIDS domain maxima, HAM-D per-item ranges, WHO-5 x 4, PHQ-9 item 10,
missing-item rules, input validation and the positional form (each instrument's published scoring)."""

from __future__ import annotations

import pytest

from stride.clinical.measurement import get_instrument, score, score_list
from stride.errors import InvalidInput

PHQ9 = get_instrument("phq9")


def phq9(*values: int | None) -> dict[str, int | None]:
    return {f"phq9_{n}": value for n, value in enumerate(values, start=1)}


# --- PHQ-9: item 10 and item 9 -----------------------------------------------------------------


def test_phq9_item_10_is_recorded_but_never_changes_the_total() -> None:
    base = [1, 1, 1, 1, 1, 1, 1, 1, 0]
    for difficulty in (None, 0, 3):
        result = score(PHQ9, phq9(*base, difficulty))
        assert (result.total, result.severity) == (8, "mild")
        assert result.details.get("unscored") == (None if difficulty is None else {"phq9_10": difficulty})
        assert result.missing == ()


@pytest.mark.parametrize(("item9", "flagged"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item_9_at_least_1_flags_suicidal_ideation(item9: int, flagged: bool) -> None:
    result = score(PHQ9, phq9(0, 0, 0, 0, 0, 0, 0, 0, item9))
    assert (result.flags == ("suicidal_ideation",)) is flagged
    assert result.severity == "minimal"  # the flag stands apart from the total


def test_phq9_item_9_flag_fires_even_when_the_form_is_incomplete() -> None:
    result = score(PHQ9, phq9(None, None, None, 2, None, None, None, None, 3))
    assert not result.complete
    assert result.total is None
    assert result.flags == ("suicidal_ideation",)


# --- Missing items -----------------------------------------------------------------------------


def test_phq9_one_missing_item_is_prorated_by_the_nhs_rule() -> None:
    """NHS Data Dictionary: substitute the mean of the answered items."""
    result = score(PHQ9, phq9(2, 2, 2, 2, 2, 2, 2, 2, None))
    assert (result.total, result.severity, result.complete) == (18, "moderately_severe", True)
    assert result.missing == ("phq9_9",)
    assert result.details["prorated"] is True
    assert result.details["answered"] == 8


def test_phq9_two_missing_items_are_prorated_and_rounded_half_up() -> None:
    # 7 answered summing 10: 10 / 7 x 9 = 12.86 -> 13.
    result = score(PHQ9, phq9(3, 3, 1, 1, 1, 1, None, None, 0))
    assert (result.total, result.severity) == (13, "moderate")
    assert result.missing == ("phq9_7", "phq9_8")
    # 8 answered summing 4: 4 / 8 x 9 = 4.5 -> 5 (half up), "mild" rather than "minimal".
    assert score(PHQ9, phq9(1, 1, 1, 1, 0, 0, 0, 0, None)).total == 5


def test_phq9_three_missing_items_make_the_form_incomplete() -> None:
    result = score(PHQ9, phq9(3, 3, 3, 3, 3, 3, None, None, None))
    assert (result.total, result.severity, result.complete) == (None, None, False)
    assert result.missing == ("phq9_7", "phq9_8", "phq9_9")
    assert result.details == {}


@pytest.mark.parametrize("instrument_id", ["phq8", "phq2", "gad7", "who5", "madrs", "hamd17", "borg_rpe"])
def test_without_a_documented_rule_one_missing_item_makes_the_form_incomplete(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    answers: dict[str, int | None] = {item.id: item.max for item in instrument.scored_items}
    last = instrument.scored_items[-1].id
    answers[last] = None
    result = score(instrument, answers)
    assert (result.total, result.severity, result.complete, result.missing) == (None, None, False, (last,))


def test_absent_keys_count_as_unanswered() -> None:
    result = score(get_instrument("gad7"), {"gad7_1": 1})
    assert result.missing == tuple(f"gad7_{n}" for n in range(2, 8))


# --- QIDS-SR16 ---------------------------------------------------------------------------------

QIDS = get_instrument("qids_sr16")


def qids(*values: int | None) -> dict[str, int | None]:
    return {f"qids_sr16_{n}": value for n, value in enumerate(values, start=1)}


def test_qids_takes_the_maximum_of_each_multi_item_domain() -> None:
    """Rush 2003: sleep max(1-4) + 5 + appetite/weight max(6-9) + 10..14 + psychomotor max(15-16)."""
    #            sleep        sad  appetite/weight  10 11 12 13 14 psychomotor
    result = score(QIDS, qids(1, 3, 0, 2, 1, 0, 2, 1, 0, 1, 1, 0, 1, 1, 2, 3))
    domains = result.details["domains"]
    assert isinstance(domains, dict)
    assert domains["sleep"] == 3
    assert domains["appetite_weight"] == 2
    assert domains["psychomotor"] == 3
    assert result.total == 3 + 1 + 2 + 1 + 1 + 0 + 1 + 1 + 3
    assert result.severity == "moderate"


def test_qids_all_items_at_3_gives_27_not_48() -> None:
    assert score(QIDS, qids(*[3] * 16)).total == 27


def test_qids_either_or_items_complete_the_appetite_domain_with_one_answer_each() -> None:
    result = score(QIDS, qids(1, 1, 1, 1, 1, None, 2, 0, None, 1, 1, 1, 1, 1, 1, 1))
    assert result.complete
    assert result.details["domains"]["appetite_weight"] == 2  # type: ignore[index]


def test_qids_missing_both_of_an_either_or_pair_is_incomplete() -> None:
    result = score(QIDS, qids(1, 1, 1, 1, 1, 1, 0, None, None, 1, 1, 1, 1, 1, 1, 1))
    assert (result.complete, result.total, result.missing) == (False, None, ("qids_sr16_8", "qids_sr16_9"))


def test_qids_a_missing_sleep_item_is_incomplete() -> None:
    result = score(QIDS, qids(1, None, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1))
    assert result.missing == ("qids_sr16_2",)


# --- HAM-D17 -----------------------------------------------------------------------------------

HAMD = get_instrument("hamd17")


@pytest.mark.parametrize(("item", "top"), [(1, 4), (3, 4), (15, 4), (4, 2), (16, 2), (17, 2)])
def test_hamd_per_item_ranges_are_enforced(item: int, top: int) -> None:
    answers: dict[str, int | None] = {f"hamd17_{n}": 0 for n in range(1, 18)}
    answers[f"hamd17_{item}"] = top
    assert score(HAMD, answers).total == top
    answers[f"hamd17_{item}"] = top + 1
    with pytest.raises(InvalidInput) as caught:
        score(HAMD, answers)
    assert caught.value.field == f"hamd17_{item}"
    assert f"0-{top}" in caught.value.message


def test_hamd_maximum_is_52() -> None:
    answers = {item.id: item.max for item in HAMD.items}
    assert (score(HAMD, answers).total, score(HAMD, answers).severity) == (52, "severe")


# --- WHO-5 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "percentage"), [(0, 0), (10, 40), (12, 48), (13, 52), (15, 60), (25, 100)])
def test_who5_percentage_is_raw_times_four(raw: int, percentage: int) -> None:
    values = [min(5, max(0, raw - 5 * i)) for i in range(5)]
    result = score(get_instrument("who5"), {f"who5_{n}": v for n, v in enumerate(values, start=1)})
    assert result.total == raw
    assert result.details["percentage"] == percentage


# --- Validation --------------------------------------------------------------------------------


def test_unknown_item_is_invalid_input_naming_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        score(PHQ9, {"phq9_11": 1})
    assert caught.value.field == "phq9_11"


@pytest.mark.parametrize("bad", [-1, 4, True, 1.0, "1", [1]])
def test_out_of_range_or_non_integer_answers_name_the_item(bad: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        score(PHQ9, {"phq9_3": bad})  # type: ignore[dict-item]
    assert caught.value.field == "phq9_3"


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(InvalidInput) as caught:
        score(PHQ9, [1, 2, 3])  # type: ignore[arg-type]
    assert caught.value.field == "answers"


def test_borg_rpe_refuses_ratings_outside_6_to_20() -> None:
    rpe = get_instrument("borg_rpe")
    for bad in (5, 21):
        with pytest.raises(InvalidInput):
            score(rpe, {"borg_rpe_1": bad})


# --- Positional form ---------------------------------------------------------------------------


def test_score_list_maps_positions_to_items() -> None:
    result = score_list("gad7", [3, 3, 3, 3, 3, 0, 0])
    assert (result.instrument, result.total, result.severity) == ("gad7", 15, "severe")


def test_score_list_phq9_accepts_9_or_10_values() -> None:
    assert score_list("phq9", [1] * 9).total == 9
    assert score_list("phq9", [1] * 9 + [3]).total == 9


@pytest.mark.parametrize("count", [0, 8, 11])
def test_score_list_wrong_count_says_how_many_are_expected(count: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        score_list("phq9", [0] * count)
    assert caught.value.field == "answers"
    assert "9 or 10" in caught.value.message
    assert f"got {count}" in caught.value.message


def test_score_list_exact_count_for_instruments_without_trailing_unscored_items() -> None:
    with pytest.raises(InvalidInput) as caught:
        score_list("cssrs_screen", [0] * 6)
    assert "expects 7 values" in caught.value.message


def test_score_list_unknown_instrument() -> None:
    with pytest.raises(InvalidInput) as caught:
        score_list("beck", [1])
    assert caught.value.field == "instrument"


def test_score_list_none_is_unanswered() -> None:
    assert score_list("phq9", [1, 1, 1, 1, 1, 1, 1, 1, None]).missing == ("phq9_9",)
