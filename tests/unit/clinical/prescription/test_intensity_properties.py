"""Properties of the heart-rate zones (Hypothesis, explicit seeds): zones are ordered, contiguous and
non-empty, lie inside [resting, HRmax], and never rise with age; Karvonen targets are monotone in the
fraction and stay within [resting, HRmax]; any input is either zones or InvalidInput."""

from __future__ import annotations

import itertools

from hypothesis import assume, given, seed, settings
from hypothesis import strategies as st

from stride.clinical.prescription.intensity import ZONE_CLASSES, Zones, hr_zones, hrmax, karvonen
from stride.errors import InvalidInput

SETTINGS = settings(max_examples=300, database=None, deadline=None)
FORMULAS = st.sampled_from(["tanaka", "fox", "gellish"])
UPPER = st.sampled_from([None, 84, 89])
AGES = st.integers(18, 122)
RESTING = st.integers(25, 110)


def _valid(**kwargs: object) -> Zones | None:
    try:
        return hr_zones(**kwargs)  # type: ignore[arg-type]
    except InvalidInput:
        return None


@seed(20260423)
@SETTINGS
@given(age=AGES, resting=RESTING, formula=FORMULAS, upper=UPPER)
def test_zones_are_ordered_contiguous_and_inside_rest_to_max(
    age: int, resting: int, formula: str, upper: int | None
) -> None:
    zones = _valid(age=age, resting_hr=resting, formula=formula, vigorous_upper_pct=upper)
    assume(zones is not None)
    assert zones is not None
    bounds = [getattr(zones, name) for name in ZONE_CLASSES]
    for lo, hi in bounds:
        assert lo <= hi
    for (_, hi), (lo, _) in itertools.pairwise(bounds):
        assert lo == hi + 1
    assert resting <= bounds[0][0]
    assert bounds[-1][1] <= zones.hrmax


@seed(8675309)
@SETTINGS
@given(age=st.integers(18, 121), step=st.integers(1, 30), resting=st.integers(25, 90), formula=FORMULAS)
def test_zones_never_rise_with_age(age: int, step: int, resting: int, formula: str) -> None:
    younger = _valid(age=age, resting_hr=resting, formula=formula)
    older = _valid(age=min(age + step, 122), resting_hr=resting, formula=formula)
    assume(younger is not None and older is not None)
    assert younger is not None
    assert older is not None
    assert older.hrmax <= younger.hrmax
    for name in ZONE_CLASSES:
        assert getattr(older, name)[0] <= getattr(younger, name)[0]
        assert getattr(older, name)[1] <= getattr(younger, name)[1]


@seed(424242)
@SETTINGS
@given(age=AGES, formula=FORMULAS)
def test_hrmax_never_rises_with_age(age: int, formula: str) -> None:
    if age < 122:
        assert hrmax(age + 1, formula=formula) <= hrmax(age, formula=formula)


@seed(1999)
@SETTINGS
@given(
    top=st.integers(100, 240),
    resting=st.integers(25, 99),
    a=st.floats(0, 1, allow_nan=False),
    b=st.floats(0, 1, allow_nan=False),
)
def test_karvonen_is_monotone_and_bounded(top: int, resting: int, a: float, b: float) -> None:
    low, high = sorted((a, b))
    t_low = karvonen(hrmax=top, resting_hr=resting, fraction=low)
    t_high = karvonen(hrmax=top, resting_hr=resting, fraction=high)
    assert resting <= t_low <= t_high <= top


@seed(31337)
@SETTINGS
@given(
    age=st.integers(-10, 200),
    resting=st.integers(-10, 300),
    measured=st.none() | st.integers(-10, 400),
    formula=st.sampled_from(["tanaka", "fox", "gellish", "", "TANAKA"]),
    upper=st.sampled_from([None, 84, 89, 0, 100]),
    basis=st.sampled_from(["hrr", "hrmax", "x"]),
)
def test_any_input_gives_zones_or_invalid_input(
    age: int, resting: int, measured: int | None, formula: str, upper: int | None, basis: str
) -> None:
    try:
        zones = hr_zones(
            age=age,
            resting_hr=resting,
            hrmax=measured,
            formula=formula,
            vigorous_upper_pct=upper,
            basis=basis,
        )
    except InvalidInput as exc:
        assert exc.field in {"age", "resting_hr", "hrmax", "formula", "vigorous_upper_pct", "basis"}
        return
    assert zones.resting_hr < zones.hrmax
