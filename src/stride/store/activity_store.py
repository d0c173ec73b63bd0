"""The activity store: per-sample series as Parquet files, one pair per import, partitioned by
patient (``patient=<id>/import-<id>.samples.parquet`` and ``….series.parquet``), read with DuckDB.

Writes are two-phase so an import is all or nothing (docs/decisions/0007): :meth:`stage` writes the
files under hidden ``.partial`` names before the database transaction commits; :meth:`publish`
renames them into place after it has. A crash before the commit leaves only ``.partial`` files,
which no query reads and :meth:`recover` removes; a crash between the commit and the rename leaves
``.partial`` files of an import the database calls done, which :meth:`recover` publishes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from stride.activity.model import MetricSeries, ParsedSession

SAMPLE_SCHEMA = pa.schema(
    [
        ("session_id", pa.int64()),
        ("time_ms", pa.int64()),
        ("heart_rate", pa.float32()),
        ("distance_m", pa.float64()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("altitude_m", pa.float32()),
    ]
)
SERIES_SCHEMA = pa.schema(
    [("metric", pa.string()), ("start_ms", pa.int64()), ("end_ms", pa.int64()), ("value", pa.float64())]
)
# Parquet dictionary encoding only where values repeat: a dictionary of a column of distinct floats
# (time, distance, positions) is built whole before the writer gives up on it, ~70 MB for a
# 150,000-point track, for no gain in size (the file is smaller without it).
_DICTIONARY_COLUMNS = {"samples": ["session_id", "heart_rate"], "series": ["metric"]}
_PARTIAL = re.compile(r"^\.import-(\d+)\.(samples|series)\.parquet\.partial$")


@dataclass(frozen=True, slots=True)
class StagedPart:
    patient_id: int
    import_id: int
    files: tuple[Path, ...]  # the .partial files written


def _column(values: np.ndarray, kind: pa.DataType, *, nulls: bool = True) -> pa.Array:
    """An Arrow column over ``values``' own buffer (no copy), ``NaN`` as null unless ``nulls`` is
    false.

    Built from buffers because ``pa.array`` imports pandas on its first call (~60 MB resident and a
    second in the import job, for a conversion that needs none of it).
    """
    values = np.ascontiguousarray(values, dtype=kind.to_pandas_dtype())
    validity = None
    if nulls and values.dtype.kind == "f" and bool(np.isnan(values).any()):
        validity = pa.py_buffer(np.packbits(~np.isnan(values), bitorder="little"))
    return pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(values)])


def samples_table(sessions: list[tuple[int, ParsedSession]]) -> pa.Table:
    """One Arrow table of the samples of ``(session_id, session)`` pairs."""
    columns: dict[str, list[np.ndarray]] = {name: [] for name in SAMPLE_SCHEMA.names}
    for session_id, parsed in sessions:
        s = parsed.samples
        columns["session_id"].append(np.full(len(s), session_id, dtype=np.int64))
        columns["time_ms"].append(s.time_ms)
        columns["heart_rate"].append(s.heart_rate.astype(np.float32))
        columns["distance_m"].append(s.distance_m)
        columns["latitude"].append(s.latitude)
        columns["longitude"].append(s.longitude)
        columns["altitude_m"].append(s.altitude_m.astype(np.float32))
    arrays = [
        _column(np.concatenate(columns[f.name]) if columns[f.name] else np.empty(0), f.type)
        for f in SAMPLE_SCHEMA
    ]
    return pa.Table.from_arrays(arrays, schema=SAMPLE_SCHEMA)


def _repeated_text(text: str, n: int) -> pa.Array:
    """A string column of ``n`` times ``text``, from buffers (see :func:`_column`)."""
    raw = text.encode()
    offsets = np.arange(n + 1, dtype=np.int32) * len(raw)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw * n)])


def series_table(series: tuple[MetricSeries, ...]) -> pa.Table:
    """One Arrow table of the metric series (empty, with its schema, when there are none)."""
    columns = [
        pa.concat_arrays([_repeated_text(m.metric, len(m)) for m in series])
        if series
        else _repeated_text("", 0),
        _column(np.concatenate([m.start_ms for m in series]) if series else np.empty(0), pa.int64()),
        _column(np.concatenate([m.end_ms for m in series]) if series else np.empty(0), pa.int64()),
        _column(
            np.concatenate([m.value for m in series]) if series else np.empty(0), pa.float64(), nulls=False
        ),
    ]
    return pa.Table.from_arrays(columns, schema=SERIES_SCHEMA)


class ActivityStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, patient_id: int) -> Path:
        return self.root / f"patient={patient_id}"

    def _final(self, patient_id: int, import_id: int, kind: str) -> Path:
        return self._folder(patient_id) / f"import-{import_id}.{kind}.parquet"

    def _partial(self, patient_id: int, import_id: int, kind: str) -> Path:
        return self._folder(patient_id) / f".import-{import_id}.{kind}.parquet.partial"

    def stage(self, *, patient_id: int, import_id: int, samples: pa.Table, series: pa.Table) -> StagedPart:
        """Write the import's tables under hidden names, flushed to disk; nothing reads them yet."""
        folder = self._folder(patient_id)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for kind, table in (("samples", samples), ("series", series)):
            if table.num_rows == 0:
                continue
            path = self._partial(patient_id, import_id, kind)
            pq.write_table(table, path, compression="zstd", use_dictionary=_DICTIONARY_COLUMNS[kind])
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
            written.append(path)
        return StagedPart(patient_id=patient_id, import_id=import_id, files=tuple(written))

    def publish(self, part: StagedPart) -> None:
        """Make a staged import visible (after its database rows are committed)."""
        for path in part.files:
            kind = _PARTIAL.match(path.name)
            assert kind is not None
            os.replace(path, self._final(part.patient_id, part.import_id, kind.group(2)))

    def discard(self, part: StagedPart) -> None:
        for path in part.files:
            path.unlink(missing_ok=True)

    def recover(self, is_done: Callable[[int], bool]) -> tuple[int, int]:
        """Finish or undo interrupted imports; returns ``(published, removed)`` file counts."""
        published = removed = 0
        if not self.root.is_dir():
            return 0, 0
        for folder in self.root.glob("patient=*"):
            for path in folder.glob(".import-*.parquet.partial"):
                found = _PARTIAL.match(path.name)
                if found is None:
                    continue
                if is_done(int(found.group(1))):
                    os.replace(path, folder / f"import-{found.group(1)}.{found.group(2)}.parquet")
                    published += 1
                else:
                    path.unlink(missing_ok=True)
                    removed += 1
        return published, removed

    def orphans(self, known_imports: set[int]) -> list[Path]:
        """Published files whose import the database does not know (e.g. restored from a backup)."""
        found: list[Path] = []
        for path in self.root.glob("patient=*/import-*.parquet"):
            match = re.match(r"import-(\d+)\.", path.name)
            if match and int(match.group(1)) not in known_imports:
                found.append(path)
        return found

    def _files(self, patient_id: int, kind: str) -> list[str]:
        return sorted(str(p) for p in self._folder(patient_id).glob(f"import-*.{kind}.parquet"))

    def session_samples(self, patient_id: int, session_id: int) -> pa.Table:
        """The samples of one session, in time order (empty when it has none)."""
        files = self._files(patient_id, "samples")
        if not files:
            return SAMPLE_SCHEMA.empty_table()
        with duckdb.connect() as con:
            return con.sql(
                "SELECT * FROM read_parquet(?) WHERE session_id = ? ORDER BY time_ms",
                params=[files, session_id],
            ).to_arrow_table()

    def series(self, patient_id: int, metric: str, *, start_ms: int, end_ms: int) -> pa.Table:
        """Values of ``metric`` starting in ``[start_ms, end_ms)`` from every import of the patient,
        with the import they came from (so the caller can de-duplicate sources)."""
        files = self._files(patient_id, "series")
        if not files:
            return pa.table({"import_id": pa.array([], pa.int64()), **{f.name: [] for f in SERIES_SCHEMA}})
        with duckdb.connect() as con:
            return con.sql(
                "SELECT CAST(regexp_extract(filename, 'import-(\\d+)\\.', 1) AS BIGINT) AS import_id, "
                "metric, start_ms, end_ms, value FROM read_parquet(?, filename = true) "
                "WHERE metric = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms",
                params=[files, metric, start_ms, end_ms],
            ).to_arrow_table()

    def sample_files(self, patient_id: int) -> list[str]:
        """The published sample files of a patient (for vectorised queries over them)."""
        return self._files(patient_id, "samples")
