"""Properties of scoring over every instrument (Hypothesis, derandomized: the same examples on every
run): totals stay in range, raising a scored answer never lowers the total (nor the C-SSRS level),
and arbitrary input raises nothing but InvalidInput."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stride.clinical.measurement import (
    Instrument,
    get_instrument,
    instrument_ids,
    score,
    score_ipaq,
    score_list,
)
from stride.clinical.measurement.instrument_model import Item, TriageRule
from stride.errors import InvalidInput

ALL = instrument_ids()
WITH_TOTAL = [i for i in ALL if get_instrument(i).max_total is not None]
SETTINGS = settings(max_examples=150, derandomize=True, database=None, deadline=None)


def _value(item: Item) -> st.SearchStrategy[int]:
    if item.options:
        return st.sampled_from([option.value for option in item.options])
    return st.integers(item.min, item.max)


@st.composite
def valid_answers(draw: st.DrawFn, instrument: Instrument, *, allow_missing: bool) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for item in instrument.items:
        missing = allow_missing and draw(st.integers(0, 5)) == 5
        answers[item.id] = None if missing else draw(_value(item))
    # Contradicting the C-SSRS recency question is refused by design; keep the form consistent.
    if answers.get("cssrs_screen_q6") == 0:
        answers["cssrs_screen_q6_past_3_months"] = 0
    return answers


@pytest.mark.parametrize("instrument_id", WITH_TOTAL)
@SETTINGS
@given(data=st.data())
def test_totals_stay_within_the_instruments_range(instrument_id: str, data: st.DataObject) -> None:
    instrument = get_instrument(instrument_id)
    result = score(instrument, data.draw(valid_answers(instrument, allow_missing=True)))
    if result.total is None:
        assert not result.complete
        assert result.severity is None
        assert result.missing
    else:
        assert instrument.min_total is not None
        assert instrument.max_total is not None
        assert instrument.min_total <= result.total <= instrument.max_total
        assert result.severity in {band.label for band in instrument.bands}


@pytest.mark.parametrize("instrument_id", ALL)
@SETTINGS
@given(data=st.data())
def test_raising_any_scored_answer_never_lowers_the_total(instrument_id: str, data: st.DataObject) -> None:
    instrument = get_instrument(instrument_id)
    answers = data.draw(valid_answers(instrument, allow_missing=False))
    item = data.draw(st.sampled_from(instrument.scored_items))
    current = answers[item.id]
    assert current is not None
    higher = data.draw(_value(item).filter(lambda v: v > current)) if current < item.max else current
    raised = {**answers, item.id: higher}
    if item.id == "cssrs_screen_q6_past_3_months":
        assume(answers["cssrs_screen_q6"] == 1)
    before, after = score(instrument, answers), score(instrument, raised)
    if isinstance(instrument.scoring, TriageRule):
        order = [level.label for level in instrument.scoring.levels] + [instrument.scoring.default]
        assert order.index(str(after.severity)) <= order.index(str(before.severity))
    elif before.total is not None and after.total is not None:  # an IPAQ case may become excluded
        assert after.total >= before.total


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@pytest.mark.parametrize("instrument_id", ALL)
@SETTINGS
@given(data=st.data())
def test_arbitrary_answers_raise_nothing_but_invalid_input(instrument_id: str, data: st.DataObject) -> None:
    instrument = get_instrument(instrument_id)
    keys = st.one_of(
        st.sampled_from([item.id for item in instrument.items]), st.text(max_size=8), st.integers()
    )
    answers: Any = data.draw(st.one_of(st.dictionaries(keys, _junk, max_size=8), _junk))
    try:
        result = score(instrument, answers)
    except InvalidInput as exc:
        assert exc.field
    else:
        assert result.instrument == instrument_id


@pytest.mark.parametrize("instrument_id", ALL)
@SETTINGS
@given(values=st.one_of(st.lists(st.one_of(st.integers(-2, 30), st.none()), max_size=18), _junk))
def test_arbitrary_positional_answers_raise_nothing_but_invalid_input(
    instrument_id: str, values: Any
) -> None:
    try:
        score_list(instrument_id, values)
    except InvalidInput as exc:
        assert exc.field


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 2000), st.floats(), st.text(max_size=4)),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.sampled_from(["vigorous", "moderate", "walking", "days", "minutes_per_day", "x"]), children
        ),
    ),
    max_leaves=12,
)


@SETTINGS
@given(_json)
def test_arbitrary_ipaq_json_raises_nothing_but_invalid_input(data: Any) -> None:
    try:
        score_ipaq(data)
    except InvalidInput as exc:
        assert exc.field
