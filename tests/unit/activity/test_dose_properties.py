"""Properties of the session dose: zone minutes partition the duration, and more minutes never give less
dose (in any zone, in MET-minutes, kcal/kg or moderate-equivalent minutes). Seeds are explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from stride.activity.dose import SessionDose, session_dose
from stride.activity.model import SPORTS, Samples
from stride.activity.zones import ZONE_KEYS

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
T0 = int(START.timestamp()) * 1000
TOTALS = ("met_minutes", "kcal_per_kg", "moderate_minutes", "vigorous_minutes", "moderate_equivalent_minutes")


@dataclass(frozen=True)
class Case:
    sport: str
    duration_s: int
    offsets_s: list[int]  # sample times relative to the start, any order, may fall outside
    hr: list[float]
    rpe: int | None
    rest: int
    top: int
    use_hr: bool

    def dose(
        self, *, duration_s: int | None = None, extra: tuple[list[int], list[float]] = ([], [])
    ) -> SessionDose:
        offsets, hr = self.offsets_s + extra[0], self.hr + extra[1]
        samples = Samples.of(
            T0 + np.asarray(offsets, dtype=np.int64) * 1000, heart_rate=np.asarray(hr, dtype=float)
        )
        return session_dose(
            session_id="p",
            start=START,
            duration_s=self.duration_s if duration_s is None else duration_s,
            sport=self.sport,  # type: ignore[arg-type]
            samples=samples,
            rpe=self.rpe,
            resting_hr=self.rest,
            hrmax=self.top,
            use_hr=self.use_hr,
        )


heart_rates = st.one_of(st.floats(30, 230), st.just(float("nan")))


@st.composite
def cases(draw: Any) -> Case:
    # Samples 0-150 s apart (around the 60-s cap) from up to 5 min before the start, so that sessions
    # often end between two samples, just after one, or long after the last.
    n = draw(st.integers(0, 60))
    gaps = draw(st.lists(st.integers(0, 150), min_size=n, max_size=n))
    first = draw(st.integers(-300, 300))
    rest = draw(st.integers(40, 90))
    return Case(
        sport=draw(st.sampled_from(SPORTS)),
        duration_s=draw(st.integers(0, 3600)),
        offsets_s=[first + int(x) for x in np.cumsum(gaps)],
        hr=draw(st.lists(heart_rates, min_size=n, max_size=n)),
        rpe=draw(st.one_of(st.none(), st.integers(6, 20))),
        rest=rest,
        top=draw(st.integers(rest + 20, 230)),
        use_hr=draw(st.booleans()),
    )


def assert_not_less(more: SessionDose, less: SessionDose) -> None:
    for zone in ZONE_KEYS:
        assert more.minutes_by_zone[zone] >= less.minutes_by_zone[zone] - 1e-9, zone
    for name in TOTALS:
        if getattr(less, name) is None:  # an unknown dose: anything more is no less
            continue
        assert getattr(more, name) is not None, name  # a known dose stays known with more minutes
        assert getattr(more, name) >= getattr(less, name) - 1e-9, name


@seed(20260105)
@settings(max_examples=300, deadline=None)
@given(cases())
def test_zone_minutes_partition_the_duration(case: Case) -> None:
    d = case.dose()
    assert sum(d.minutes_by_zone.values()) == pytest.approx(d.duration_minutes, abs=1e-9)
    assert all(v >= 0 for v in d.minutes_by_zone.values())
    assert 0.0 <= d.hr_coverage <= 1.0
    assert d.moderate_equivalent_minutes == pytest.approx(d.moderate_minutes + 2 * d.vigorous_minutes)
    if d.met_minutes is None:  # an activity without a MET value, no heart rate, no RPE
        assert d.kcal_per_kg is None
        assert d.minutes_by_zone["unclassified"] == pytest.approx(d.duration_minutes, abs=1e-9)
    else:
        assert d.kcal_per_kg == pytest.approx(d.met_minutes / 60)


@seed(20260106)
@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(0, 600))
def test_a_longer_session_never_has_less_dose(case: Case, extra_s: int) -> None:
    assert_not_less(case.dose(duration_s=case.duration_s + extra_s), case.dose())


@seed(20260107)
@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(1, 900), st.lists(st.tuples(st.integers(0, 900), heart_rates), max_size=40))
def test_more_recorded_minutes_never_give_less_dose(
    case: Case, extra_s: int, more: list[tuple[int, float]]
) -> None:
    # samples appended after the old end, the session extended to cover them
    offsets = [case.duration_s + o % extra_s for o, _ in more]
    hr = [h for _, h in more]
    longer = case.dose(duration_s=case.duration_s + extra_s, extra=(offsets, hr))
    assert_not_less(longer, case.dose())
