"""Sessions recorded twice are flagged once, the richer record kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from stride.activity.dose import session_dose
from stride.activity.overlap import (
    Duplicate,
    OverlapRules,
    SessionSpan,
    find_duplicates,
    overlap_rules,
    parse_overlap,
)
from stride.activity.weekly import week_dose
from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput

T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def span(
    sid: str, start_min: float, end_min: float, *, source: str = "fit", hr: bool = False, manual: bool = False
) -> SessionSpan:
    return SessionSpan(
        sid, T + timedelta(minutes=start_min), T + timedelta(minutes=end_min), source, hr, manual=manual
    )


def test_heart_rate_samples_beat_a_manual_log() -> None:
    fit = span("fit", 0, 60, hr=True)
    log = span("log", 5, 60, source="manual", manual=True)  # 55 of 55 min overlap
    result = find_duplicates([log, fit])
    assert result.kept == ("fit",)
    assert result.duplicates == (Duplicate("log", "fit", 1.0),)
    assert result.duplicate_ids == frozenset({"log"})


def test_a_device_summary_beats_a_manual_log_even_when_shorter() -> None:
    summary = span("apple", 10, 40, source="apple_health")
    log = span("log", 0, 60, source="manual", manual=True)  # overlap 30 min = 100 % of the shorter
    assert find_duplicates([log, summary]).duplicates == (Duplicate("log", "apple", 1.0),)


def test_equal_richness_keeps_the_longer_then_the_smaller_id() -> None:
    a = span("b-fitbit", 0, 50, source="fitbit")
    b = span("a-apple", 2, 45, source="apple_health")
    assert find_duplicates([a, b]).kept == ("b-fitbit",)
    c = span("z", 0, 30)
    d = span("y", 0, 30)
    assert find_duplicates([c, d]).kept == ("y",)


def test_two_real_sessions_inside_one_long_recording_both_survive() -> None:
    # a 2-h summary holds two FIT sessions of 50 min: it is the duplicate, of the one it overlaps most
    long = span("summary", 0, 120, source="apple_health")
    first = span("fit-1", 5, 55, hr=True)
    second = span("fit-2", 60, 110, hr=True)
    result = find_duplicates([long, first, second])
    assert result.kept == ("fit-1", "fit-2")
    assert result.duplicates == (Duplicate("summary", "fit-1", 1.0),)


@pytest.mark.parametrize(
    ("b_start", "duplicate"),
    [(30, True), (31, False), (60, False)],  # overlap 30 of 60 min = 50 %; 29 min = 48 %; touching = 0
)
def test_the_overlap_threshold_is_half_the_shorter_session(b_start: int, duplicate: bool) -> None:
    a = span("a", 0, 60, hr=True)
    b = span("b", b_start, b_start + 60)
    assert (find_duplicates([a, b]).duplicate_ids == {"b"}) is duplicate


def test_the_threshold_is_configurable() -> None:
    a = span("a", 0, 60, hr=True)
    b = span("b", 40, 100)  # 20 of 60 min = 33 %
    assert find_duplicates([a, b]).duplicate_ids == frozenset()
    loose = OverlapRules(min_fraction=0.3, richness=overlap_rules().richness, source="test")
    assert find_duplicates([a, b], rules=loose).duplicate_ids == {"b"}


def test_a_log_without_duration_inside_a_session_is_a_duplicate() -> None:
    session = span("fit", 0, 30, hr=True)
    inside = span("log-1", 10, 10, source="manual", manual=True)
    outside = span("log-2", 45, 45, source="manual", manual=True)
    assert find_duplicates([session, inside, outside]).duplicate_ids == {"log-1"}


def test_overlapping_records_of_the_same_source_are_flagged_too() -> None:
    assert find_duplicates([span("a", 0, 30), span("b", 1, 31)]).duplicate_ids == {"b"}


def test_a_dropped_duplicate_is_not_counted_in_the_week() -> None:
    fit = span("fit", 0, 30, hr=True)
    log = span("log", 0, 30, source="manual", manual=True)
    doses = [
        session_dose(session_id=s.id, start=s.start, duration_s=1800, sport="walking", rpe=13)
        for s in (fit, log)
    ]
    result = find_duplicates([fit, log])
    week = week_dose(date(2026, 1, 5), doses, tz="UTC", duplicates=result.duplicate_ids)
    assert week.session_ids == ("fit",)
    assert week.moderate_minutes == 30.0


@pytest.mark.parametrize(
    ("spans", "field"),
    [
        ([span("a", 0, 10), span("a", 20, 30)], "sessions"),
        ([SessionSpan("n", datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 10), "fit", False)], "start"),
        ([span("r", 30, 10)], "end"),
    ],
)
def test_bad_input_is_refused(spans: list[SessionSpan], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        find_duplicates(spans)
    assert err.value.field == field


def test_the_rules_come_from_the_dose_file() -> None:
    rules = overlap_rules()
    assert rules.min_fraction == 0.5
    assert rules.richness == ("samples", "summary", "manual")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("min_fraction", 0, "min_fraction"), ("richness", ["samples", "manual"], "richness")],
)
def test_a_malformed_overlap_table_names_the_key(key: str, value: object, message: str) -> None:
    raw = dict(load_toml("dose"))
    raw["overlap"] = dict(raw["overlap"]) | {key: value}
    with pytest.raises(ConfigurationError, match=message):
        parse_overlap(raw)


def test_no_sessions_no_duplicates() -> None:
    result = find_duplicates([])
    assert result.kept == ()
    assert result.duplicates == ()
