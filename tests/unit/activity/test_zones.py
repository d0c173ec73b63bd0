"""Intensity zones from heart rate, RPE and METs; sample weights; local days; weekly zone minutes of a
cohort with DuckDB. Expected values are worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from benchmarks import zone_minutes as bench

from stride.activity.zones import (
    ZONES,
    PatientHr,
    classify_hr,
    hrr_bounds,
    local_days,
    sample_weights_s,
    weekly_zone_minutes,
    zone_for_met,
    zone_for_rpe,
)
from stride.errors import InvalidInput

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
MONDAY_MS = int(MONDAY.timestamp()) * 1000
MIN = 60_000


def names(indices: np.ndarray) -> list[str]:
    return [ZONES[i] if i >= 0 else "none" for i in indices]


# --- classification -----------------------------------------------------------------------------


def test_the_issue_example_is_vigorous() -> None:
    # rest 60, HRmax 180: (150 - 60) / 120 = 62.5 % HRR -> vigorous
    assert names(classify_hr([150.0], resting_hr=60, hrmax=180)) == ["vigorous"]


@pytest.mark.parametrize(
    ("hr", "zone"),
    [
        # reserve 120 beats: 30 % = 96, 40 % = 108, 60 % = 132, 85 % = 162 (vigorous ends at 84 %)
        (50.0, "very_light"),  # below rest
        (95.0, "very_light"),  # 29.2 %
        (96.0, "light"),  # exactly 30 %
        (107.0, "light"),  # 39.2 %
        (107.9, "light"),
        (108.0, "moderate"),  # exactly 40 %
        (131.0, "moderate"),  # 59.2 %
        (132.0, "vigorous"),  # exactly 60 %
        (161.0, "vigorous"),  # 84.2 %: [60, 85) is vigorous
        (162.0, "near_maximal"),  # exactly 85 %
        (200.0, "near_maximal"),  # above HRmax
    ],
)
def test_zone_edges_are_exact_hrr_shares(hr: float, zone: str) -> None:
    assert names(classify_hr([hr], resting_hr=60, hrmax=180)) == [zone]


def test_the_89_percent_upper_bound_moves_near_maximal() -> None:
    # 90 % of 120 = 108 -> 168 bpm; 167 bpm = 89.2 % is vigorous with the 89 option
    assert hrr_bounds() == (30, 40, 60, 85)
    assert hrr_bounds(89) == (30, 40, 60, 90)
    got = classify_hr([162.0, 167.0, 168.0], resting_hr=60, hrmax=180, vigorous_upper_pct=89)
    assert names(got) == ["vigorous", "vigorous", "near_maximal"]


def test_missing_heart_rates_have_no_zone() -> None:
    assert classify_hr([float("nan"), 120.0], resting_hr=60, hrmax=180).tolist() == [-1, 2]


@pytest.mark.parametrize(
    ("rest", "top", "field"),
    [
        (60, 60, "resting_hr"),
        (70, 65, "resting_hr"),
        (60.5, 180, "resting_hr"),
        (True, 180, "resting_hr"),
        (60, 0, "hrmax"),
    ],
)
def test_implausible_reference_values_are_refused(rest: object, top: object, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        classify_hr([100.0], resting_hr=rest, hrmax=top)  # type: ignore[arg-type]
    assert err.value.field == field


def test_an_uncited_upper_bound_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        hrr_bounds(86)
    assert err.value.field == "vigorous_upper_pct"


@pytest.mark.parametrize(
    ("rpe", "zone"),
    [
        (6, "very_light"),
        (8, "very_light"),
        (9, "light"),
        (11, "light"),
        (12, "moderate"),
        (13, "moderate"),
        (14, "vigorous"),
        (17, "vigorous"),
        (18, "near_maximal"),
        (20, "near_maximal"),
    ],
)
def test_rpe_bands(rpe: int, zone: str) -> None:
    assert zone_for_rpe(rpe) == zone


@pytest.mark.parametrize("rpe", [5, 21, True, 12.5])
def test_rpe_off_the_scale_is_refused(rpe: object) -> None:
    with pytest.raises(InvalidInput) as err:
        zone_for_rpe(rpe)  # type: ignore[arg-type]
    assert err.value.field == "rpe"


@pytest.mark.parametrize(
    ("met", "zone"),
    [
        (1.5, "very_light"),
        (2.0, "light"),
        (2.9, "light"),
        (3.0, "moderate"),
        (5.9, "moderate"),
        (6.0, "vigorous"),
        (16.8, "vigorous"),
    ],
)
def test_met_classes(met: float, zone: str) -> None:
    assert zone_for_met(met) == zone


@pytest.mark.parametrize("met", [0.0, -1.0, float("nan")])
def test_impossible_mets_are_refused(met: float) -> None:
    with pytest.raises(InvalidInput):
        zone_for_met(met)


# --- sample weights --------------------------------------------------------------------------------


def test_each_sample_stands_for_the_time_to_the_next_capped() -> None:
    # 0 -> 10 s: 10 s; 10 -> 200 s: capped at 120 s (70 s of no data); 200 -> end 210 s: 10 s
    t = np.array([0, 10_000, 200_000])
    assert sample_weights_s(t, start_ms=0, end_ms=210_000, max_gap_s=120).tolist() == [10.0, 120.0, 10.0]


def test_weights_are_clipped_to_the_session() -> None:
    # session [5 s, 25 s): the sample at 0 covers 5-10 s, at 10 s covers 10-20, at 20 s covers 20-25,
    # at 30 s is after the end
    t = np.array([0, 10_000, 20_000, 30_000])
    assert sample_weights_s(t, start_ms=5_000, end_ms=25_000, max_gap_s=60).tolist() == [5.0, 10.0, 5.0, 0.0]


def test_the_last_sample_runs_to_the_end_at_most_the_cap() -> None:
    t = np.array([0])
    assert sample_weights_s(t, start_ms=0, end_ms=600_000, max_gap_s=60).tolist() == [60.0]


# --- local days ------------------------------------------------------------------------------------


def test_local_day_across_midnight_and_daylight_saving() -> None:
    # Berlin switches CET (+1) -> CEST (+2) at 2026-03-29 01:00 UTC.
    instants = [
        datetime(2026, 1, 4, 23, 30, tzinfo=UTC),  # 00:30 on 5 Jan in Berlin
        datetime(2026, 3, 28, 22, 59, tzinfo=UTC),  # 23:59 CET on 28 Mar
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # 00:00 CET on 29 Mar
        datetime(2026, 3, 29, 21, 59, tzinfo=UTC),  # 23:59 CEST on 29 Mar
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),  # 00:00 CEST on 30 Mar
    ]
    ms = [int(i.timestamp()) * 1000 for i in instants]
    expected = [date(2026, 1, 5), date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 29), date(2026, 3, 30)]
    assert local_days(ms, "Europe/Berlin").tolist() == [(d - date(1970, 1, 1)).days for d in expected]


@pytest.mark.parametrize(
    "tz", ["America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/St_Johns"]
)
def test_local_days_agree_with_zoneinfo(tz: str) -> None:
    rng = np.random.default_rng(20260105)
    ms = np.sort(rng.integers(1_735_689_600_000, 1_798_761_600_000, 2_000))  # 2025-2026
    expected = [
        (datetime.fromtimestamp(int(t) / 1000, UTC).astimezone(ZoneInfo(tz)).date() - date(1970, 1, 1)).days
        for t in ms
    ]
    assert local_days(ms, tz).tolist() == expected


def test_an_unknown_timezone_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        local_days([0], "Mars/Olympus")
    assert err.value.field == "tz"


# --- weekly zone minutes (DuckDB) ------------------------------------------------------------------


def hr_rows() -> pa.Table:
    """Patient 1 (rest 60, max 180, UTC): 30 min at 150 (vigorous) and 10 min at 100 (33 % HRR, light)
    on Monday 5 Jan, one NaN and one null minute, 5 min at 120 (50 %, moderate) on Sunday 11 Jan.
    Patient 2 (rest 50, max 190, Berlin): 3 min at 190 (100 %, near-maximal) from Sunday 11 Jan
    23:30 UTC, which is Monday 12 Jan 00:30 in Berlin, so the next week. Patient 3 is not listed."""
    t1 = [MONDAY_MS + i * MIN for i in range(40)] + [MONDAY_MS + 50 * MIN, MONDAY_MS + 51 * MIN]
    hr1: list[float | None] = [150.0] * 30 + [100.0] * 10 + [float("nan"), None]
    sunday = MONDAY_MS + 6 * 86_400_000 + 10 * 3_600_000
    t1 += [sunday + i * MIN for i in range(5)]
    hr1 += [120.0] * 5
    late = MONDAY_MS + 6 * 86_400_000 + 23 * 3_600_000 + 30 * MIN
    t2 = [late + i * MIN for i in range(3)]
    return pa.table(
        {
            "patient_id": [1] * len(t1) + [2] * 3 + [3],
            "time_ms": pa.array([*t1, *t2, MONDAY_MS], pa.int64()),
            "heart_rate": pa.array([*hr1, 190.0, 190.0, 190.0, 120.0], pa.float32()),
        }
    )


PATIENTS = [PatientHr(1, 60, 180), PatientHr(2, 50, 190, "Europe/Berlin")]
EXPECTED = [
    (1, date(2026, 1, 5), "light", 10),
    (1, date(2026, 1, 5), "moderate", 5),
    (1, date(2026, 1, 5), "vigorous", 30),
    (2, date(2026, 1, 12), "near_maximal", 3),
]


def as_tuples(table: pa.Table) -> list[tuple[object, ...]]:
    return [(r["patient_id"], r["week_start"], r["zone"], r["minutes"]) for r in table.to_pylist()]


def test_weekly_zone_minutes_by_hand() -> None:
    result = weekly_zone_minutes(hr_rows(), PATIENTS)
    assert result.column_names == ["patient_id", "week_start", "zone", "minutes"]
    assert as_tuples(result) == EXPECTED


def test_parquet_files_give_the_same_result(tmp_path: Path) -> None:
    rows = hr_rows()
    paths = []
    for i, chunk in enumerate((rows.slice(0, 20), rows.slice(20))):
        paths.append(tmp_path / f"part-{i}.parquet")
        pq.write_table(chunk, paths[-1])
    assert as_tuples(weekly_zone_minutes(paths, PATIENTS)) == EXPECTED


def test_hive_partitioned_files_supply_the_patient(tmp_path: Path) -> None:
    rows = hr_rows()
    for pid in (1, 2):
        folder = tmp_path / f"patient={pid}"
        folder.mkdir()
        mine = rows.filter(pa.compute.equal(rows["patient_id"], pid)).drop_columns(["patient_id"])
        pq.write_table(mine, folder / "import-1.samples.parquet")
    files = sorted(tmp_path.glob("patient=*/*.parquet"))
    assert as_tuples(weekly_zone_minutes(files, PATIENTS, patient_col="patient")) == EXPECTED


def test_a_timestamp_column_is_accepted() -> None:
    rows = hr_rows()
    stamped = rows.set_column(1, "time", rows["time_ms"].cast(pa.timestamp("ms", tz="UTC")))
    assert as_tuples(weekly_zone_minutes(stamped, PATIENTS, time_col="time")) == EXPECTED


def test_patients_may_come_as_an_arrow_table_and_the_upper_bound_is_honoured() -> None:
    # 189 bpm for patient 2 is (189 - 50) / 140 = 99.3 %; with rest 50 and max 190 and the 89 option
    # near-maximal starts at 90 % = 176 bpm; 175 bpm (89.3 %) stays vigorous.
    rows = pa.table({"patient_id": [2, 2], "time_ms": [MONDAY_MS, MONDAY_MS + MIN], "heart_rate": [175, 176]})
    table = pa.table({"patient_id": [2], "resting_hr": [50], "hrmax": [190]})
    got = as_tuples(weekly_zone_minutes(rows, table, vigorous_upper_pct=89))
    assert got == [(2, date(2026, 1, 5), "vigorous", 1), (2, date(2026, 1, 5), "near_maximal", 1)]


def test_cohort_and_session_classification_agree() -> None:
    rng = np.random.default_rng(7)
    hr = rng.integers(40, 210, 5_000).astype(np.float64)
    rows = pa.table(
        {"patient_id": [9] * len(hr), "time_ms": MONDAY_MS + np.arange(len(hr)) * MIN, "heart_rate": hr}
    )
    got = {r["zone"]: r["minutes"] for r in weekly_zone_minutes(rows, [PatientHr(9, 65, 185)]).to_pylist()}
    expected = np.bincount(classify_hr(hr, resting_hr=65, hrmax=185), minlength=len(ZONES))
    assert [got.get(z, 0) for z in ZONES] == expected.tolist()


@pytest.mark.parametrize(
    ("patients", "kwargs", "field"),
    [
        ([PatientHr(1, 180, 180)], {}, "patients"),
        ([PatientHr(1, 60, 180), PatientHr(1, 60, 180)], {}, "patients"),
        ([PatientHr(1, 60, 180, "Nowhere/Town")], {}, "tz"),
        ([PatientHr(1, 60, 180)], {"hr_col": "bpm"}, "rows"),
        ([PatientHr(1, 60, 180)], {"vigorous_upper_pct": 70}, "vigorous_upper_pct"),
    ],
)
def test_bad_cohort_input_is_refused(
    patients: list[PatientHr], kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        weekly_zone_minutes(hr_rows(), patients, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_benchmark_smoke_run_agrees_with_pandas(tmp_path: Path) -> None:
    # The benchmark's own generator and both paths, on 30 patients x 10,000 minutes.
    data = bench.write_dataset(tmp_path, 300_000)
    result = bench.run(300_000, data=data)
    assert result["equal"] is True
    assert result["rows"] == 300_000


def test_benchmark_weeks_start_on_monday(tmp_path: Path) -> None:
    data = bench.write_dataset(tmp_path, 20_000)
    weeks = weekly_zone_minutes(list(data.files), data.patients)["week_start"].to_pylist()
    assert {w.weekday() for w in weeks} == {0}
    assert min(weeks) == date(2026, 1, 5)
    assert max(weeks) <= date(2026, 1, 5) + timedelta(weeks=2)


def test_utc_by_another_name_is_still_counted_beside_other_zones() -> None:
    rows = pa.table({"patient_id": [1, 2], "time_ms": [MONDAY_MS, MONDAY_MS], "heart_rate": [150.0, 150.0]})
    patients = [PatientHr(1, 60, 180, "Etc/UTC"), PatientHr(2, 60, 180, "Europe/Paris")]
    assert [r["minutes"] for r in weekly_zone_minutes(rows, patients).to_pylist()] == [1, 1]
