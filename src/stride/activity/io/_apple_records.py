"""Heart-rate and step records of an Apple Health ``export.xml``, picked out of byte chunks.

The reader hands over pieces of the file that end at a line end (Apple writes every ``<Record …>``
start tag on one line, as the export tools rely on: get-based PR #183). One
compiled bytes regex finds the start tags of the two wanted types; every other record is passed
over by the regex engine without a Python step. The attributes of the found tags are then taken
in bulk: the tags are joined and each attribute is found with one ``findall``, because Apple's
attribute *order* varies between records (neiltron/apple-health-mcp, export.xml reference) and a
per-attribute search does not depend on it. Dates are converted with numpy, a whole chunk at a
time. Only when a chunk has a record that does not fit this fast path (a missing attribute, a date
that is not ``YYYY-MM-DD HH:MM:SS ±HHMM``, a value that is not a number) is that chunk's kind
taken record by record, to find and name the bad record's line.

Bad single records are skipped with a warning that names their lines, because one odd value that
a third-party app wrote should not reject a patient's whole multi-gigabyte history; more than
:data:`MAX_BAD_RECORDS` of them mean the file is damaged, and the reader refuses it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from stride.activity.model import F64, I64

MAX_BAD_RECORDS = 100
_BAD_SHOWN = 5  # bad records named in the warning

# Start tag of a heart-rate or step record. The closing quote after the type keeps out
# HeartRateVariabilitySDNN (whose name starts alike); RestingHeartRate and
# WalkingHeartRateAverage differ earlier in the name.
RECORD_TAG = re.compile(rb'<Record type="HKQuantityTypeIdentifier(HeartRate|StepCount)"([^>]*)>')
_START = re.compile(rb'startDate="([^"]{25})"')
_END = re.compile(rb'endDate="([^"]{25})"')
_VALUE = re.compile(rb'value="([^"]*)"')
_SOURCE = re.compile(rb'sourceName="([^"]*)"')
ATTRIBUTE = re.compile(rb'([A-Za-z_][-\w.:]*)="([^"]*)"')
_SEP = b"\x00"  # cannot occur inside a tag of a well-formed file

# Byte positions in "2020-01-01 08:00:00 +0100" (Apple's date format, always with an offset).
_DATE_LEN = 25
_DIGIT_POS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24])
_SEPARATORS = ((4, ord("-")), (7, ord("-")), (10, ord(" ")), (13, ord(":")), (16, ord(":")), (19, ord(" ")))
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
# No wearable recorded before 1900 or after 2200; the bounds also keep datetime arithmetic in range.
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2200
_MAX_OFFSET_H = 14  # UTC+14 (Line Islands) is the largest offset in use (IANA tz database)


def days_from_civil(year: I64, month: I64, day: I64) -> I64:
    """Days since 1970-01-01 of proleptic Gregorian dates, vectorised (H. Hinnant, "chrono-
    Compatible Low-Level Date Algorithms", ``days_from_civil``)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    result: I64 = era * 146097 + doe - 719468
    return result


def apple_dates_ms(raw: bytes) -> tuple[I64, NDArray[np.bool_]]:
    """UTC epoch ms of concatenated 25-byte Apple dates, and which of them were valid."""
    a = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _DATE_LEN)
    d = a.astype(np.int64) - ord("0")
    ok = ((d[:, _DIGIT_POS] >= 0) & (d[:, _DIGIT_POS] <= 9)).all(axis=1)
    for pos, char in _SEPARATORS:
        ok &= a[:, pos] == char
    ok &= (a[:, 20] == ord("+")) | (a[:, 20] == ord("-"))
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = d[:, 5] * 10 + d[:, 6]
    day = d[:, 8] * 10 + d[:, 9]
    hour, minute, second = (d[:, i] * 10 + d[:, i + 1] for i in (11, 14, 17))
    off_h, off_m = d[:, 21] * 10 + d[:, 22], d[:, 23] * 10 + d[:, 24]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (year >= _EARLIEST_YEAR) & (year < _LATEST_YEAR)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59) & (off_h <= _MAX_OFFSET_H) & (off_m <= 59)
    sign = np.where(a[:, 20] == ord("-"), -1, 1)
    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    seconds -= sign * (off_h * 3600 + off_m * 60)
    ms: I64 = seconds * 1000
    return ms, ok


def text(raw: bytes) -> str:
    """An attribute value as text (entities such as ``&amp;`` resolved)."""
    return html.unescape(raw.decode("utf-8", "replace"))


@dataclass(slots=True)
class Records:
    """Heart-rate readings and step counts gathered chunk by chunk; bad records noted by line."""

    hr_time: list[I64] = field(default_factory=list)
    hr_value: list[F64] = field(default_factory=list)
    step_start: list[I64] = field(default_factory=list)
    step_end: list[I64] = field(default_factory=list)
    step_value: list[F64] = field(default_factory=list)
    step_source: list[NDArray[np.int32]] = field(default_factory=list)
    sources: dict[bytes, int] = field(default_factory=dict)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), the first few
    n_bad: int = 0

    def feed(self, piece: bytes, pos: int, first_line: int) -> None:
        """Take the records of ``piece[pos:]``; ``first_line`` is the line number of ``piece[0]``."""
        tags = RECORD_TAG.findall(piece, pos)
        if not tags:
            return
        hr = [attrs for kind, attrs in tags if kind == b"HeartRate"]
        steps = [attrs for kind, attrs in tags if kind == b"StepCount"]
        if hr and not self._fast_hr(hr):
            self._slow(piece, pos, first_line, b"HeartRate")
        if steps and not self._fast_steps(steps):
            self._slow(piece, pos, first_line, b"StepCount")

    def _fast_hr(self, tags: list[bytes]) -> bool:
        joined = _SEP.join(tags)
        starts, values = _START.findall(joined), _VALUE.findall(joined)
        if not len(starts) == len(values) == len(tags):
            return False
        ms, ok = apple_dates_ms(b"".join(starts))
        bpm = _numbers(values)
        if bpm is None or not ok.all() or not (np.isfinite(bpm) & (bpm > 0)).all():
            return False
        self.hr_time.append(ms)
        self.hr_value.append(bpm)
        return True

    def _fast_steps(self, tags: list[bytes]) -> bool:
        joined = _SEP.join(tags)
        starts, ends = _START.findall(joined), _END.findall(joined)
        values, names = _VALUE.findall(joined), _SOURCE.findall(joined)
        if not len(starts) == len(ends) == len(values) == len(names) == len(tags):
            return False
        start, ok_start = apple_dates_ms(b"".join(starts))
        end, ok_end = apple_dates_ms(b"".join(ends))
        count = _numbers(values)
        if count is None or not (ok_start & ok_end & (end >= start)).all():
            return False
        if not (np.isfinite(count) & (count >= 0)).all():
            return False
        codes = self.sources
        self._add_steps(
            start, end, count, np.array([codes.setdefault(n, len(codes)) for n in names], np.int32)
        )
        return True

    def _add_steps(self, start: I64, end: I64, count: F64, source: NDArray[np.int32]) -> None:
        self.step_start.append(start)
        self.step_end.append(end)
        self.step_value.append(count)
        self.step_source.append(source)

    def _slow(self, piece: bytes, pos: int, first_line: int, kind: bytes) -> None:
        """Record by record, to keep the good ones and name the lines of the bad ones."""
        good: list[dict[bytes, bytes]] = []
        for match in RECORD_TAG.finditer(piece, pos):
            if match.group(1) != kind:
                continue
            attrs = dict(ATTRIBUTE.findall(match.group(2)))
            problem = _check(attrs, kind)
            if problem is None:
                good.append(attrs)
                continue
            self.n_bad += 1
            if len(self.bad) < _BAD_SHOWN:  # counting lines costs a scan: only for those named
                self.bad.append((first_line + piece.count(b"\n", 0, match.start()), problem))
        if not good:
            return
        start, _ = apple_dates_ms(b"".join(a[b"startDate"] for a in good))
        value = np.array([float(a[b"value"]) for a in good])
        if kind == b"HeartRate":
            self.hr_time.append(start)
            self.hr_value.append(value)
        else:
            end, _ = apple_dates_ms(b"".join(a[b"endDate"] for a in good))
            codes = self.sources
            source = np.array([codes.setdefault(a[b"sourceName"], len(codes)) for a in good], np.int32)
            self._add_steps(start, end, value, source)


def _numbers(values: list[bytes]) -> F64 | None:
    """The values as floats, or ``None`` if any is not a number."""
    try:
        result: F64 = np.array(values, dtype=np.bytes_).astype(np.float64)
    except ValueError:
        return None
    return result


def _check(attrs: dict[bytes, bytes], kind: bytes) -> str | None:
    """Why a single record cannot be used, or ``None``."""
    needed = (
        (b"startDate", b"value")
        if kind == b"HeartRate"
        else (b"startDate", b"endDate", b"value", b"sourceName")
    )
    for name in needed:
        if name not in attrs:
            return f"a {kind.decode()} record without {name.decode()}"
    for name in (b"startDate", b"endDate"):
        if name in attrs and (len(attrs[name]) != _DATE_LEN or not apple_dates_ms(attrs[name])[1][0]):
            return f"{name.decode()} {text(attrs[name])!r} is not a date like '2020-01-01 08:00:00 +0100'"
    try:
        value = float(attrs[b"value"])
    except ValueError:
        return f"value {text(attrs[b'value'])!r} is not a number"
    if not np.isfinite(value) or value < 0 or (kind == b"HeartRate" and value == 0):
        return f"value {text(attrs[b'value'])!r} is not a plausible {kind.decode()}"
    if (
        kind == b"StepCount"
        and apple_dates_ms(attrs[b"endDate"])[0][0] < apple_dates_ms(attrs[b"startDate"])[0][0]
    ):
        return "endDate is before startDate"
    return None


def dedup_steps(
    start: I64, end: I64, value: F64, source: NDArray[np.int32], names: list[str]
) -> tuple[NDArray[np.bool_], int]:
    """Which step records to keep so that steps are counted once, and how many sources there were.

    Rule: records are bucketed by the UTC clock hour of their start; in each hour only the records
    of the one source with the largest total are kept (a tie goes to the source whose name sorts
    first). The iPhone and the Apple Watch both count the same walk, and a naive sum double-counts.
    Apple's own Health app resolves the overlap by a user-ordered source priority list, which the
    export does not contain; the largest-count source per hour is the stand-in. Its known limit:
    within one hour, steps that only the losing source counted (phone in a bag while the watch charged
    for half the hour) are lost; hour buckets keep that loss small.
    """
    if len(start) == 0:
        return np.zeros(0, dtype=np.bool_), 0
    hour = start // 3_600_000
    n_sources = len(names)
    rank = np.argsort(np.argsort(np.array(names, dtype=object)))  # alphabetical rank per code
    key = hour * n_sources + source
    pairs, inverse = np.unique(key, return_inverse=True)
    totals = np.bincount(inverse, weights=value)
    pair_hour, pair_source = pairs // n_sources, pairs % n_sources
    order = np.lexsort((rank[pair_source], -totals, pair_hour))  # per hour: most steps, then name
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = pair_hour[order][1:] != pair_hour[order][:-1]
    winner = np.zeros(len(pairs), dtype=np.bool_)
    winner[order[first]] = True
    keep: NDArray[np.bool_] = winner[inverse]
    return keep, len(np.unique(source))
