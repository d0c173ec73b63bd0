"""Weekly heart-rate zone minutes of a cohort: Stride's :func:`~stride.activity.zones.weekly_zone_minutes`
(DuckDB on Parquet files) against idiomatic pandas (``merge`` + ``pd.cut`` + ``groupby().size()``) on
the same rows, in the same run; the two results must be equal.

The workload (the cohort-scale target the project set itself):
100 M minute rows, 10,000 patients x 10,000 minutes with a heart rate (about 10,000 patient-weeks),
generated deterministically with numpy and written once to Parquet in the temporary directory (cached
between runs). Targets: Stride >= 10x faster than pandas and <= 3 s on 2 cores at 100 M rows.

Stride's time includes reading the Parquet files; pandas' excludes it (its frame is read beforehand and
its read time printed separately), so the ratio is conservative. ``STRIDE_BENCH_ZONE_ROWS`` or
``--rows N`` selects a smaller run (the smoke test uses a few hundred thousand rows).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from stride.activity.zones import ZONES, hrr_bounds, weekly_zone_minutes

ROWS = 100_000_000
MINUTES_PER_PATIENT = 10_000
FILES = 16
SEED = 20260105
MONDAY_MS = 1_767_571_200_000  # 2026-01-05 00:00 UTC, a Monday
TARGET_RATIO = 10.0
TARGET_SECONDS = 3.0  # at ROWS rows on 2 cores
_VERSION = 1  # bump when the generator changes, so a stale cache is not reused


@dataclass(frozen=True, slots=True)
class Dataset:
    """The Parquet files of minute rows and the patients' heart-rate reference values."""

    files: tuple[Path, ...]
    patients: pa.Table
    rows: int


def _patients(count: int, rng: np.random.Generator) -> pa.Table:
    return pa.table(
        {
            "patient_id": pa.array(np.arange(count, dtype=np.int32)),
            "resting_hr": pa.array(rng.integers(50, 86, count, dtype=np.int16)),
            "hrmax": pa.array(rng.integers(160, 201, count, dtype=np.int16)),
        }
    )


def _rows(first: int, count: int, rng: np.random.Generator) -> pa.Table:
    """``count`` patients from ``first``: each 10,000 consecutive minutes from a random start in the
    week, heart rates around a per-patient level (whole beats, so zone edges are hit exactly)."""
    ids = np.repeat(np.arange(first, first + count, dtype=np.int32), MINUTES_PER_PATIENT)
    start_min = rng.integers(0, 7 * 1440, count, dtype=np.int64)
    minute = np.repeat(start_min, MINUTES_PER_PATIENT) + np.tile(np.arange(MINUTES_PER_PATIENT), count)
    level = np.repeat(rng.normal(105.0, 15.0, count), MINUTES_PER_PATIENT)
    hr = np.clip(np.rint(level + rng.normal(0.0, 25.0, len(ids))), 35, 215).astype(np.int16)
    return pa.table({"patient_id": ids, "time_ms": MONDAY_MS + minute * 60_000, "heart_rate": hr})


def write_dataset(directory: Path, rows: int, *, seed: int = SEED) -> Dataset:
    """Generate ``rows`` minute rows (rounded to whole patients) into ``directory`` as Parquet."""
    rng = np.random.default_rng(seed)
    patients_n = max(1, rows // MINUTES_PER_PATIENT)
    patients = _patients(patients_n, rng)
    bounds = np.linspace(0, patients_n, min(FILES, patients_n) + 1).astype(int)
    files = []
    for index, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        path = directory / f"part-{index:02d}.parquet"
        pq.write_table(_rows(int(lo), int(hi - lo), rng), path, row_group_size=1 << 20)
        files.append(path)
    pq.write_table(patients, directory / "patients.parquet")
    return Dataset(tuple(files), patients, patients_n * MINUTES_PER_PATIENT)


def cached_dataset(rows: int, *, seed: int = SEED) -> Dataset:
    """The dataset of ``rows`` rows in the temporary directory, generated on first use."""
    directory = Path(tempfile.gettempdir()) / f"stride-bench-zone-minutes-v{_VERSION}-{rows}-{seed}"
    if not (directory / "complete").exists():
        partial = directory.with_name(directory.name + f".partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        write_dataset(partial, rows, seed=seed)
        (partial / "complete").touch()
        shutil.rmtree(directory, ignore_errors=True)
        partial.rename(directory)
    files = tuple(sorted(directory.glob("part-*.parquet")))
    patients = pq.read_table(directory / "patients.parquet")
    return Dataset(files, patients, patients.num_rows * MINUTES_PER_PATIENT)


def stride_zone_minutes(data: Dataset) -> pa.Table:
    """Stride's path: DuckDB straight on the Parquet files."""
    return weekly_zone_minutes(list(data.files), data.patients)


def pandas_zone_minutes(frame: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """The idiomatic pandas baseline: merge the reference values, ``pd.cut`` the %HRR, group and count.

    %HRR is ``(hr - rest) x 100 / (HRmax - rest)``: whole numbers divided once, so a value on a zone
    edge is exact, as in Stride's integer comparison.
    """
    df = frame.merge(patients, on="patient_id")
    pct = (df["heart_rate"] - df["resting_hr"]) * 100 / (df["hrmax"] - df["resting_hr"])
    bins = [-np.inf, *hrr_bounds(), np.inf]
    df["zone"] = pd.cut(pct, bins=bins, right=False, labels=list(ZONES))
    df["week_start"] = pd.to_datetime(df["time_ms"], unit="ms").dt.to_period("W-SUN").dt.start_time
    counts = df.groupby(["patient_id", "week_start", "zone"], observed=True).size()
    return counts.rename("minutes").reset_index()


def same_result(stride: pa.Table, baseline: pd.DataFrame) -> bool:
    """Whether Stride's table and the pandas frame hold the same (patient, week, zone, minutes) rows."""
    ours = stride.to_pandas()
    ours["week_start"] = pd.to_datetime(ours["week_start"])
    theirs = baseline.assign(zone=baseline["zone"].astype(str), week_start=baseline["week_start"])
    keys = ["patient_id", "week_start", "zone"]
    ours = ours.astype({"patient_id": "int64", "minutes": "int64"}).sort_values(keys, ignore_index=True)
    theirs = theirs.astype({"patient_id": "int64", "minutes": "int64"}).sort_values(keys, ignore_index=True)
    theirs["week_start"] = theirs["week_start"].astype(ours["week_start"].dtype)
    return ours[[*keys, "minutes"]].equals(theirs[[*keys, "minutes"]])


def _best_of(runs: int, data: Dataset) -> tuple[float, pa.Table]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = stride_zone_minutes(data)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def run(rows: int, *, data: Dataset | None = None) -> dict[str, float | bool | int]:
    """Time both paths on ``rows`` rows and compare their results (``data`` overrides the cache)."""
    data = data or cached_dataset(rows)
    stride_s, stride = _best_of(3, data)
    start = time.perf_counter()
    frame = pq.read_table(list(data.files)).to_pandas()
    read_s = time.perf_counter() - start
    patients = data.patients.to_pandas()
    start = time.perf_counter()
    baseline = pandas_zone_minutes(frame, patients)
    pandas_s = time.perf_counter() - start
    del frame
    return {
        "rows": data.rows,
        "stride_s": stride_s,
        "pandas_s": pandas_s,
        "pandas_read_s": read_s,
        "ratio": pandas_s / stride_s,
        "equal": same_result(stride, baseline),
        "result_rows": stride.num_rows,
    }


def main(rows: int | None = None) -> None:
    rows = rows or int(os.environ.get("STRIDE_BENCH_ZONE_ROWS", ROWS))
    r = run(rows)
    if r["rows"] >= ROWS:
        ok = r["equal"] and r["ratio"] >= TARGET_RATIO and r["stride_s"] <= TARGET_SECONDS
        verdict = f"target >= {TARGET_RATIO:g}x and <= {TARGET_SECONDS:g} s  {'OK' if ok else 'MISSED'}"
    else:  # fixed costs weigh more on a small run; only the results are checked
        verdict = f"quick run (targets apply at {ROWS:,} rows)  {'OK' if r['equal'] else 'MISSED'}"
    print(
        f"weekly zone minutes: {r['rows']:,} minute rows -> {r['result_rows']:,} (patient, week, zone) rows, "
        f"{os.cpu_count()} cores (load {os.getloadavg()[0]:.1f})  "
        f"stride (DuckDB on Parquet, best of 3) {r['stride_s']:.2f} s  "
        f"pandas (merge + pd.cut + groupby, in memory) {r['pandas_s']:.2f} s "
        f"(+{r['pandas_read_s']:.2f} s to read)  ratio {r['ratio']:.1f}x  "
        f"results {'equal' if r['equal'] else 'DIFFER'}  {verdict}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help=f"minute rows (default {ROWS:,})")
    main(parser.parse_args().rows)
