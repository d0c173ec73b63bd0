"""Properties of the TRD assessment and the MSM (Hypothesis, explicit seeds, no example database)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from stride.clinical import trd
from stride.clinical.trd import TrdInput, Trial, assess, msm
from stride.errors import InvalidInput

SETTINGS = settings(max_examples=300, deadline=None, database=None)
DRUGS = sorted(trd.antidepressants())
LEVELS = msm.severity_levels()

episode_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def episodes(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(episode_dates)
    as_of = start + timedelta(days=draw(st.integers(min_value=0, max_value=20 * 365)))
    return start, as_of


@st.composite
def valid_trials(draw: st.DrawFn) -> Trial:
    drug = draw(st.sampled_from(DRUGS))
    minimum = trd.antidepressants()[drug].min_effective_mg
    return Trial(
        drug=drug,
        daily_dose_mg=draw(st.floats(min_value=minimum / 4, max_value=minimum * 4)),
        weeks=draw(st.floats(min_value=0, max_value=52)),
        adherent=draw(st.booleans()),
        improvement_pct=draw(st.floats(min_value=-200, max_value=100)),
    )


@st.composite
def valid_inputs(draw: st.DrawFn) -> TrdInput:
    start, as_of = draw(episodes())
    return TrdInput(
        as_of=as_of,
        episode_start=start,
        severity=draw(st.sampled_from(LEVELS)),
        trials=tuple(draw(st.lists(valid_trials(), max_size=12))),
        augmentation=draw(st.booleans()),
        ect=draw(st.booleans()),
    )


def expected_band(total: int) -> str:
    return next(band.label for band in msm.msm_table().bands if band.low <= total <= (band.high or total))


@seed(20261126)
@SETTINGS
@given(
    dates=episodes(),
    severity=st.sampled_from(LEVELS),
    failed=st.integers(min_value=0, max_value=60),
    augmentation=st.booleans(),
    ect=st.booleans(),
)
def test_msm_total_is_3_to_15_and_the_band_matches(
    dates: tuple[date, date], severity: str, failed: int, augmentation: bool, ect: bool
) -> None:
    start, as_of = dates
    result = msm.stage(
        episode_start=start,
        as_of=as_of,
        severity=severity,
        failed_antidepressants=failed,
        augmentation=augmentation,
        ect=ect,
    )
    assert 3 <= result.score <= 15
    assert result.score == sum(result.item_scores().values())
    assert result.band == expected_band(result.score)
    assert result.band == ("mild" if result.score <= 6 else "moderate" if result.score <= 10 else "severe")


@seed(4242)
@SETTINGS
@given(inp=valid_inputs(), drug=st.sampled_from(DRUGS), extra_weeks=st.floats(min_value=0, max_value=40))
def test_adding_an_adequate_failed_trial_never_lowers_the_count_or_the_stage(
    inp: TrdInput, drug: str, extra_weeks: float
) -> None:
    rules = trd.trd_rules()
    before = assess(inp, rules=rules)
    added = Trial(
        drug=drug,
        daily_dose_mg=trd.antidepressants()[drug].min_effective_mg,
        weeks=rules.min_weeks + extra_weeks,
        adherent=True,
        improvement_pct=rules.failure_threshold_pct - 1,
    )
    after = assess(dataclasses.replace(inp, trials=(*inp.trials, added)), rules=rules)
    assert after.trials[-1].adequate
    assert after.trials[-1].failed
    assert after.adequate_failed_trials >= before.adequate_failed_trials
    assert after.msm.score >= before.msm.score
    assert after.trd >= before.trd
    already = {t.drug for t in before.trials if t.counted}
    assert after.adequate_failed_trials == before.adequate_failed_trials + (drug not in already)


anything: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(),
)


def mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # Mostly well-formed values, so that the property also reaches a successful assessment often.
    return st.one_of(valid, valid, valid, anything)


numbers = mostly(st.floats(min_value=0, max_value=100))


@st.composite
def wild_trials(draw: st.DrawFn) -> object:
    if draw(st.integers(0, 20)) == 0:
        return draw(anything)  # not a Trial at all
    return Trial(
        drug=draw(st.one_of(mostly(st.sampled_from(DRUGS)), st.text(max_size=12))),
        daily_dose_mg=draw(numbers),
        weeks=draw(numbers),
        adherent=draw(mostly(st.booleans())),
        improvement_pct=draw(numbers),
        start_date=draw(st.one_of(mostly(st.none()), st.dates())),
    )


@seed(7)
@SETTINGS
@given(
    as_of=mostly(st.dates(min_value=date(2030, 1, 1))),
    start=mostly(st.dates(max_value=date(2029, 12, 31))),
    severity=mostly(st.sampled_from(LEVELS)),
    trials=st.lists(wild_trials(), max_size=5),
    flags=st.lists(mostly(st.booleans()), min_size=5, max_size=5),
)
def test_assess_raises_nothing_but_invalid_input(
    as_of: object, start: object, severity: object, trials: list[object], flags: list[object]
) -> None:
    inp = TrdInput(
        as_of=as_of,  # type: ignore[arg-type]
        episode_start=start,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        trials=tuple(trials),  # type: ignore[arg-type]
        augmentation=flags[0],  # type: ignore[arg-type]
        ect=flags[1],  # type: ignore[arg-type]
        ketamine=flags[2],  # type: ignore[arg-type]
        esketamine=flags[3],  # type: ignore[arg-type]
        psychotherapy=flags[4],  # type: ignore[arg-type]
    )
    try:
        result = assess(inp)
    except InvalidInput as exc:
        assert exc.field  # every refusal names its field
    else:
        assert 3 <= result.msm.score <= 15
        assert result.trd == (result.adequate_failed_trials >= result.rules.min_failed_trials)
