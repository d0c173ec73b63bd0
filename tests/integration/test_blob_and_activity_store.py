"""The file stores: content-addressed blobs (written whole or not at all, one copy per content)
and the two-phase Parquet activity store (staged files invisible until published)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from stride.activity.model import MetricSeries, ParsedSession, Samples
from stride.store.activity_store import ActivityStore, samples_table, series_table
from stride.store.blobs import BlobStore


def test_a_blob_is_addressed_by_its_sha256_and_kept_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"FIT" * 100_000
    sha, size = store.put_stream(io.BytesIO(data))
    assert (sha, size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert store.path(sha).read_bytes() == data
    assert store.put_stream(io.BytesIO(data)) == (sha, size)
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [store.path(sha)]
    assert not os.access(store.path(sha), os.W_OK) or os.geteuid() == 0  # read-only once stored


def test_an_oversized_stream_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(OverflowError):
        store.put_stream(io.BytesIO(b"x" * 5000), limit=4096)
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_a_folder_gives_the_same_digest_whatever_its_file_times(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "sub").mkdir(parents=True)
    (folder / "steps-2020-01-01.json").write_text("[]")
    (folder / "sub" / "heart_rate-2020-01-01.json").write_text("[]")
    store = BlobStore(tmp_path / "blobs")
    first = store.put_tree(folder)
    os.utime(folder / "steps-2020-01-01.json", (0, 0))
    assert store.put_tree(folder) == first


def test_only_old_temporary_files_are_cleaned(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    (tmp_path / "blobs" / "tmp").mkdir(parents=True)
    old, fresh = tmp_path / "blobs" / "tmp" / "old", tmp_path / "blobs" / "tmp" / "fresh"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert store.clean_temporary() == 1
    assert not old.exists()
    assert fresh.exists()


def _session(n: int) -> ParsedSession:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    t = int(start.timestamp() * 1000) + np.arange(n, dtype=np.int64) * 1000
    return ParsedSession(
        start=start,
        end=start,
        sport="running",
        device_sport="running",
        duration_s=float(n),
        distance_m=None,
        avg_hr=None,
        max_hr=None,
        calories_kcal=None,
        samples=Samples.of(t, heart_rate=np.full(n, 140.0)),
    )


def test_staged_samples_are_invisible_until_published(tmp_path: Path) -> None:
    store = ActivityStore(tmp_path / "activity")
    series = MetricSeries(
        metric="steps",
        start_ms=np.array([0, 60_000], dtype=np.int64),
        end_ms=np.array([60_000, 120_000], dtype=np.int64),
        value=np.array([10.0, 20.0]),
    )
    part = store.stage(
        patient_id=3, import_id=9, samples=samples_table([(41, _session(5))]), series=series_table((series,))
    )
    assert store.session_samples(3, 41).num_rows == 0
    store.publish(part)
    got = store.session_samples(3, 41)
    assert got.column("heart_rate").to_pylist() == [140.0] * 5
    steps = store.series(3, "steps", start_ms=0, end_ms=10**12)
    assert steps.column("value").to_pylist() == [10.0, 20.0]
    assert set(steps.column("import_id").to_pylist()) == {9}


def test_recover_publishes_done_imports_and_removes_the_rest(tmp_path: Path) -> None:
    store = ActivityStore(tmp_path / "activity")
    done = store.stage(
        patient_id=1, import_id=1, samples=samples_table([(1, _session(3))]), series=series_table(())
    )
    undone = store.stage(
        patient_id=1, import_id=2, samples=samples_table([(2, _session(3))]), series=series_table(())
    )
    assert store.recover(lambda i: i == 1) == (1, 1)
    assert store.session_samples(1, 1).num_rows == 3
    assert store.session_samples(1, 2).num_rows == 0
    assert all(not p.exists() for p in undone.files)
    assert done.files  # staged files existed
    assert store.orphans({1}) == []
    assert [p.name for p in store.orphans(set())] == ["import-1.samples.parquet"]
