"""Intensity zones: the ACSM classes applied to heart-rate samples, RPE ratings and METs, and the
time each heart-rate sample stands for.

A heart rate is placed by its exact share of the heart-rate reserve (Karvonen): class ``k`` holds
``from_k <= 100 x (hr - rest) / (HRmax - rest) < from_(k+1)`` with the class bounds of
``stride/clinical/prescription/data/intensity.toml`` (30, 40, 60 and the vigorous upper bound + 1,
i.e. the sources' 30-39, 40-59, 60-84 read as half-open ranges). The comparison is done as
``100 x (hr - rest)`` against ``from_k x (HRmax - rest)``, so whole-beat heart rates are placed
without rounding error.
Below rest is very light.

:func:`weekly_zone_minutes` applies the same rule to minute-level heart-rate rows of a whole cohort
with DuckDB, over an Arrow table or Parquet files.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike, NDArray

from stride.activity.model import F64, I64
from stride.clinical.prescription import CLASS_IDS, intensity_rules, vigorous_upper
from stride.errors import InvalidInput

ZONES: tuple[str, ...] = CLASS_IDS  # very_light, light, moderate, vigorous, near_maximal
UNCLASSIFIED = "unclassified"
ZONE_KEYS: tuple[str, ...] = (*ZONES, UNCLASSIFIED)


def hrr_bounds(vigorous_upper_pct: int | None = None) -> tuple[int, int, int, int]:
    """The lower bounds in % HRR of light, moderate, vigorous and near-maximal: ``(30, 40, 60, 85)``."""
    classes = intensity_rules().classes
    light, moderate, vigorous = (c.hrr_from for c in classes[1:4])
    return light, moderate, vigorous, vigorous_upper(vigorous_upper_pct) + 1


def check_heart_rates(resting_hr: object, hrmax: object) -> tuple[int, int]:
    """``(resting_hr, hrmax)`` as whole beats with rest below HRmax; ``InvalidInput`` naming the field."""
    for name, value in (("resting_hr", resting_hr), ("hrmax", hrmax)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidInput(f"must be a positive whole number of beats, got {value!r}", field=name)
    assert isinstance(resting_hr, int)
    assert isinstance(hrmax, int)
    if resting_hr >= hrmax:
        raise InvalidInput(f"{resting_hr} bpm must be below HRmax ({hrmax} bpm)", field="resting_hr")
    return resting_hr, hrmax


def classify_hr(
    hr: ArrayLike, *, resting_hr: int, hrmax: int, vigorous_upper_pct: int | None = None
) -> NDArray[np.int8]:
    """The zone of each heart rate, as an index into :data:`ZONES` (``-1`` where the value is ``NaN``).

    Parameters
    ----------
    hr
        Heart rates in beats per minute.
    resting_hr, hrmax
        The patient's resting heart rate and HRmax (measured or estimated), whole beats.
    vigorous_upper_pct
        The vigorous upper bound in % HRR (84, the default, or 89; ``intensity.toml``).

    Examples
    --------
    Rest 60, HRmax 180: 150 bpm is 62.5 % HRR, vigorous (index 3).

    >>> classify_hr([150.0, 100.0, float("nan")], resting_hr=60, hrmax=180).tolist()
    [3, 1, -1]
    """
    rest, top = check_heart_rates(resting_hr, hrmax)
    values = np.asarray(hr, dtype=np.float64)
    edges = np.asarray(hrr_bounds(vigorous_upper_pct), dtype=np.float64) * (top - rest)
    zone = np.searchsorted(edges, 100.0 * (values - rest), side="right").astype(np.int8)
    zone[np.isnan(values)] = -1
    return zone


def zone_for_rpe(rpe: int) -> str:
    """The ACSM class whose Borg RPE (6-20) band holds ``rpe`` (13 -> ``moderate``)."""
    if isinstance(rpe, bool) or not isinstance(rpe, int):
        raise InvalidInput(f"must be a whole number on the Borg 6-20 scale, got {rpe!r}", field="rpe")
    for cls in intensity_rules().classes:
        if cls.rpe[0] <= rpe <= cls.rpe[1]:
            return cls.id
    raise InvalidInput(f"{rpe} is outside the Borg 6-20 scale", field="rpe")


def zone_for_met(met: float) -> str:
    """The ACSM class whose absolute MET range holds ``met`` (3.8 -> ``moderate``, 7.0 -> ``vigorous``).

    The bounds are ``intensity.toml``'s (light 2.0-2.9, moderate 3.0-5.9, vigorous >= 6.0); below the
    lowest bound is very light.
    """
    if not math.isfinite(met) or met <= 0:
        raise InvalidInput(f"must be a positive number of METs, got {met!r}", field="met")
    found = ZONES[0]
    for cls in intensity_rules().classes:
        if cls.met_from is not None and met >= cls.met_from:
            found = cls.id
    return found


def sample_weights_s(time_ms: I64, *, start_ms: int, end_ms: int, max_gap_s: float) -> F64:
    """The seconds of the session each sample stands for: the time to the next sample (the last one:
    to ``end_ms``), at most ``max_gap_s``, within ``[start_ms, end_ms)``. The rest of a longer step
    (the device paused, the strap lost contact) is no data. ``time_ms`` must be sorted.

    Extending a session (a later ``end_ms``, samples appended after it) never lowers a weight.

    Examples
    --------
    Samples at 0, 10 and 200 s of a 210-s session with a 120-s cap: 70 s of the long step are no data.

    >>> sample_weights_s(np.array([0, 10_000, 200_000]), start_ms=0, end_ms=210_000, max_gap_s=120).tolist()
    [10.0, 120.0, 10.0]
    """
    t = np.asarray(time_ms, dtype=np.int64)
    nxt = np.append(t[1:], np.int64(max(end_ms, int(t[-1]) if len(t) else end_ms)))
    stop = np.minimum(nxt, t + np.int64(round(max_gap_s * 1000)))
    covered = np.clip(stop, start_ms, end_ms) - np.clip(t, start_ms, end_ms)
    return np.asarray(np.maximum(covered, 0), dtype=np.float64) / 1000.0


# --- weekly zone minutes of a cohort (DuckDB) ------------------------------------------------------

_DAY_MS = 86_400_000
_UTC_NAMES = frozenset({"UTC", "Etc/UTC"})


@dataclass(frozen=True, slots=True)
class PatientHr:
    """A patient's heart-rate reference values and timezone (IANA name) for :func:`weekly_zone_minutes`."""

    patient_id: int | str
    resting_hr: int
    hrmax: int
    tz: str = "UTC"


def _tz(name: str) -> tzinfo:
    if name in _UTC_NAMES:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown timezone {name!r}", field="tz") from None


def _offset_ms(zone: tzinfo, at_ms: int) -> int:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=at_ms)
    offset = moment.astimezone(zone).utcoffset()
    return 0 if offset is None else offset // timedelta(milliseconds=1)


def _switch_ms(zone: tzinfo, lo: int, hi: int) -> int:
    """The first instant in ``(lo, hi]`` with ``hi``'s offset (one change between them)."""
    after = _offset_ms(zone, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if _offset_ms(zone, mid) == after else (mid, hi)
    return hi


def _zone_days(zone: tzinfo, first_day: int, last_day: int) -> list[tuple[int, int, int, int]]:
    """Per UTC day: ``(day, offset, switch_ms, offset_after)``; at most one change per day (tzdata)."""
    days = []
    for day in range(first_day, last_day + 1):
        lo, hi = day * _DAY_MS, (day + 1) * _DAY_MS - 1
        start, end = _offset_ms(zone, lo), _offset_ms(zone, hi)
        days.append((day, start, hi + 1 if start == end else _switch_ms(zone, lo, hi), end))
    return days


def timezone(tz: str | tzinfo) -> tzinfo:
    """``tz`` as a ``tzinfo``: an IANA name (``Europe/Berlin``, ``UTC``) or a ``tzinfo`` as is."""
    return tz if isinstance(tz, tzinfo) else _tz(tz)


def local_days(time_ms: ArrayLike, tz: str | tzinfo) -> I64:
    """The local calendar day in ``tz`` of each UTC epoch-millisecond instant, as days since 1970-01-01.

    Vectorised: the timezone's offset is looked up once per UTC day (with the instant of a change of
    offset within that day), not per value.

    Examples
    --------
    23:30 UTC on 2026-01-04 is already 2026-01-05 in Berlin (day 20458).

    >>> local_days([1_767_569_400_000], "Europe/Berlin").tolist()
    [20458]
    """
    t = np.asarray(time_ms, dtype=np.int64)
    if t.size == 0:
        return np.empty(0, dtype=np.int64)
    utc_day = t // _DAY_MS
    first = int(utc_day.min())
    table = np.asarray(_zone_days(timezone(tz), first, int(utc_day.max())), dtype=np.int64)
    row = table[utc_day - first]
    offset = np.where(t >= row[:, 2], row[:, 3], row[:, 1])
    return np.asarray((t + offset) // _DAY_MS, dtype=np.int64)


def _patients(patients: pa.Table | Sequence[PatientHr], upper: int | None) -> pa.Table:
    """The patients as an Arrow table with the class edges in units of ``100 x (hr - rest)``."""
    table = (
        patients
        if isinstance(patients, pa.Table)
        else pa.table(
            {
                "patient_id": [p.patient_id for p in patients],
                "resting_hr": [p.resting_hr for p in patients],
                "hrmax": [p.hrmax for p in patients],
                "tz": [p.tz for p in patients],
            }
        )
    )
    for name in ("patient_id", "resting_hr", "hrmax"):
        if name not in table.column_names:
            raise InvalidInput(f"the patients table has no column {name!r}", field="patients")
    rest = np.asarray(table["resting_hr"].to_numpy(zero_copy_only=False), dtype=np.int64)
    top = np.asarray(table["hrmax"].to_numpy(zero_copy_only=False), dtype=np.int64)
    if len(rest) and (rest.min() <= 0 or np.any(rest >= top)):
        raise InvalidInput("every resting_hr must be positive and below its hrmax", field="patients")
    if len(set(table["patient_id"].to_pylist())) != table.num_rows:
        raise InvalidInput("a patient is listed twice", field="patients")
    tz = table["tz"].to_pylist() if "tz" in table.column_names else ["UTC"] * table.num_rows
    tz = ["UTC" if name in _UTC_NAMES else name for name in tz]
    columns = {"patient_id": table["patient_id"], "rest": pa.array(rest), "tz": pa.array(tz, pa.string())}
    for i, pct in enumerate(hrr_bounds(upper), start=1):
        columns[f"e{i}"] = pa.array(pct * (top - rest))
    return pa.table(columns)


def _ident(name: str, columns: Sequence[str]) -> str:
    if name not in columns:
        raise InvalidInput(f"the heart-rate rows have no column {name!r}", field="rows")
    return '"' + name.replace('"', '""') + '"'


def _offsets(con: duckdb.DuckDBPyConnection, pats: pa.Table, time_expr: str) -> pa.Table | None:
    """``None`` when every patient is on UTC, else a table of each timezone's offset per UTC day."""
    names = sorted(set(pats["tz"].to_pylist()) - _UTC_NAMES)
    if not names:
        return None
    # time_expr is built from a column name checked against the relation's columns and quoted.
    span = f"SELECT min({time_expr}), max({time_expr}) FROM hr_rows"  # noqa: S608
    lo, hi = con.sql(span).fetchall()[0]
    first, last = (0, 0) if lo is None else (int(lo) // _DAY_MS, int(hi) // _DAY_MS)
    rows = [(name, *day) for name in [*names, "UTC"] for day in _zone_days(_tz(name), first, last)]
    return pa.table(
        {
            key: [row[i] for row in rows]
            for i, key in enumerate(("tz", "day", "off_ms", "switch_ms", "after_ms"))
        }
    )


def _query(pcol: str, time_expr: str, hcol: str, *, float_hr: bool, by_zone_day: bool) -> str:
    keep = f"{hcol} IS NOT NULL" + (f" AND NOT isnan({hcol})" if float_hr else "")
    offset = "CASE WHEN r.t >= z.switch_ms THEN z.after_ms ELSE z.off_ms END" if by_zone_day else "0"
    join = "JOIN tz_days z ON z.tz = p.tz AND z.day = r.t // 86400000" if by_zone_day else ""
    # Only quoted column names checked against the relation (_ident) are interpolated; no values.
    return f"""
        WITH r AS (SELECT {pcol} AS pid, {time_expr} AS t, {hcol} AS hr FROM hr_rows WHERE {keep}),
        j AS (
            SELECT r.pid, (r.t + {offset}) // 86400000 AS d, 100 * (r.hr - p.rest) AS x,
                   p.e1, p.e2, p.e3, p.e4
            FROM r JOIN pats p ON r.pid = p.patient_id {join}
        ),
        daily AS (
            SELECT pid, d,
                   CASE WHEN x < e1 THEN 0 WHEN x < e2 THEN 1 WHEN x < e3 THEN 2 WHEN x < e4 THEN 3 ELSE 4 END
                       AS zone,
                   count(*) AS n
            FROM j GROUP BY ALL
        )
        SELECT pid, d - (d + 3) % 7 AS wd, zone, sum(n) AS minutes
        FROM daily GROUP BY ALL ORDER BY pid, wd, zone
    """  # noqa: S608


def weekly_zone_minutes(
    rows: pa.Table | Sequence[str | os.PathLike[str]],
    patients: pa.Table | Sequence[PatientHr],
    *,
    vigorous_upper_pct: int | None = None,
    patient_col: str = "patient_id",
    time_col: str = "time_ms",
    hr_col: str = "heart_rate",
    threads: int | None = None,
) -> pa.Table:
    """Minutes per patient, week and intensity zone from minute-level heart-rate rows.

    Each row is one minute with a heart rate; it is placed in its zone by the patient's %HRR (as
    :func:`classify_hr`) and in the Monday-aligned week of its start in the patient's timezone.

    Parameters
    ----------
    rows
        An Arrow table, or Parquet files (hive-partitioned paths such as ``patient=7/…`` are read
        with their partition columns), with the columns named by ``patient_col``, ``time_col`` (UTC
        epoch milliseconds as an integer, or a timestamp; from 1970 on) and ``hr_col`` (beats per
        minute; null and NaN rows are skipped).
    patients
        ``patient_id``, ``resting_hr``, ``hrmax`` (whole beats) and optionally ``tz`` (an IANA
        timezone, default UTC), as an Arrow table or :class:`PatientHr` records. Rows of patients not
        listed are ignored.
    vigorous_upper_pct
        The vigorous upper bound in % HRR (84, the default, or 89).
    threads
        DuckDB worker threads (default: all cores).

    Returns
    -------
    pyarrow.Table
        ``patient_id``, ``week_start`` (date32, the local Monday), ``zone`` (a name of :data:`ZONES`)
        and ``minutes`` (int64), ordered by patient, week and zone; zones without minutes are absent.

    Raises
    ------
    InvalidInput
        Naming ``rows`` (a missing column), ``patients`` (a missing column, a resting HR not below
        HRmax, a patient listed twice), ``tz`` or ``vigorous_upper_pct``.
    """
    pats = _patients(patients, vigorous_upper_pct)
    con = duckdb.connect(":memory:")
    try:
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        rel = (
            con.from_arrow(rows)
            if isinstance(rows, pa.Table)
            else con.read_parquet([os.fspath(p) for p in rows], hive_partitioning=True)
        )
        rel.create_view("hr_rows")
        types = dict(zip(rel.columns, (str(t) for t in rel.types), strict=True))
        pcol, hcol, tcol = (_ident(c, rel.columns) for c in (patient_col, hr_col, time_col))
        time_expr = f"epoch_ms({tcol})" if types[time_col].startswith("TIMESTAMP") else tcol
        con.register("pats", pats)
        offsets = _offsets(con, pats, time_expr)
        if offsets is not None:
            con.register("tz_days", offsets)
        float_hr = types[hr_col] in ("FLOAT", "DOUBLE")
        sql = _query(pcol, time_expr, hcol, float_hr=float_hr, by_zone_day=offsets is not None)
        result = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    return _named(result, pats.schema.field("patient_id").type)


def _named(result: pa.Table, id_type: pa.DataType) -> pa.Table:
    zone_names = np.asarray(ZONES, dtype=object)[result["zone"].to_numpy()]
    return pa.table(
        {
            "patient_id": result["pid"].cast(id_type),
            "week_start": result["wd"].cast(pa.int32()).cast(pa.date32()),
            "zone": pa.array(zone_names, pa.string()),
            "minutes": result["minutes"].cast(pa.int64()),
        }
    )
