"""FIT import: Stride's ``fit.read`` on the largest shared sample FIT file, against a baseline that
calls fitdecode directly in the same run, decodes every frame with the same settings (checksum
checked, no value post-processing) and collects the record fields Stride keeps into lists: the
minimum work any importer must do.

The difference is the price of Stride's own work (session assignment, arrays, summaries); the
target is at most 20 % overhead, so that importing a year of a patient's watch files is bound by
the decoder, not by Stride. fitdecode with its default settings (which also turns every date_time
field into a ``datetime``) is printed for context. Each timing repeats the read until it takes
over a second, and the best of three interleaved rounds is kept, so that a busy machine does not
decide the ratio.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import fitdecode
from tests.samples import SAMPLES_DIR

from stride.activity.io import fit

TARGET_OVERHEAD = 0.20
ROUNDS = 3
MIN_SECONDS = 1.0
_KEPT = (
    "timestamp",
    "heart_rate",
    "distance",
    "position_lat",
    "position_long",
    "enhanced_altitude",
    "altitude",
)


def _largest_fit() -> Path | None:
    files = [p for p in (SAMPLES_DIR / "fit").glob("*.fit") if not p.name.startswith("invalid-")]
    return max(files, key=lambda p: p.stat().st_size, default=None)


def _baseline(path: Path, *, processor: bool = False) -> int:
    columns: dict[str, list[object]] = {name: [] for name in _KEPT}
    options = {} if processor else {"processor": None}
    with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE, **options) as reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                for field_data in frame.fields:
                    column = columns.get(field_data.name)
                    if column is not None:
                        column.append(field_data.value)
    return len(columns["timestamp"])


def _stride(path: Path) -> int:
    return sum(len(s.samples) for s in fit.read(path).sessions)


def _timed(work: Callable[[], int], repeats: int) -> tuple[float, int]:
    start = time.perf_counter()
    count = 0
    for _ in range(repeats):
        count = work()
    return time.perf_counter() - start, count


def main() -> None:
    path = _largest_fit()
    if path is None:
        print(f"fit import: skipped, no sample FIT files in {SAMPLES_DIR} (set STRIDE_SAMPLES_DIR)")
        return
    once, _ = _timed(lambda: _stride(path), 1)
    repeats = max(1, math.ceil(MIN_SECONDS / max(once, 1e-3)))
    stride_times, baseline_times = [], []
    for _ in range(ROUNDS):
        seconds, stride_count = _timed(lambda: _stride(path), repeats)
        stride_times.append(seconds)
        seconds, baseline_count = _timed(lambda: _baseline(path), repeats)
        baseline_times.append(seconds)
    default_seconds, _ = _timed(lambda: _baseline(path, processor=True), repeats)

    assert stride_count == baseline_count > 0, (stride_count, baseline_count)
    stride, baseline = min(stride_times), min(baseline_times)
    ratio = stride / baseline
    overhead = ratio - 1
    print(
        f"fit import: {path.name} ({path.stat().st_size / 1024:,.0f} KiB, {baseline_count:,} records) "
        f"x{repeats}  stride {stride:.3f} s ({baseline_count * repeats / stride:,.0f} records/s)  "
        f"baseline (fitdecode, records into lists) {baseline:.3f} s  ratio {ratio:.2f}x  "
        f"overhead {overhead:+.1%}  target <= {TARGET_OVERHEAD:.0%}  "
        f"{'OK' if overhead <= TARGET_OVERHEAD else 'SLOWER THAN TARGET'}  "
        f"(fitdecode with its default datetime processing: {default_seconds:.3f} s)"
    )


if __name__ == "__main__":
    main()
