"""Reader of the Apple Health export (``export.xml``, or the ``export.zip`` the Health app shares).

Exports reach several gigabytes (1.1–4 GB reported by users of export tools), so the file is
streamed in :data:`CHUNK`-sized binary pieces in constant working memory, from inside the zip when
given one (never extracted to disk). No XML parser runs: the iOS 16 exports carry a broken inline
DTD and a stray ``\\x0b`` character that stop every conforming parser
(jameno/Simple-Apple-Health-XML-to-CSV#3), and a regex over bytes is ~3x faster than
``ElementTree.iterparse`` (``benchmarks/apple_health.py`` measures the two). Instead:

* each piece ends at a line end, and never inside a ``<Workout>`` element;
* heart-rate and step records are picked by :mod:`._apple_records`, workouts by
  :mod:`._apple_workouts`; everything else (most of the file) is skipped by the regex engine;
* the file must start with a ``<HealthData`` root within its first chunk and end with
  ``</HealthData>``; otherwise it is not an export or it is truncated, and the reader refuses it.

Output: one session per workout with the heart-rate readings of its interval as samples; the
metric series ``heart_rate`` (every reading, instantaneous) and ``steps`` (one value per record,
counted once across sources, see :func:`._apple_records.dedup_steps`). All times carry Apple's own
UTC offsets, so ``tz`` is not needed. Records that cannot be used are skipped with a warning
naming their lines, up to :data:`._apple_records.MAX_BAD_RECORDS`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, tzinfo
from pathlib import Path
from typing import IO, TypeVar

import numpy as np
from numpy.typing import NDArray

from stride.activity.io._apple_records import MAX_BAD_RECORDS, Records, dedup_steps, text
from stride.activity.io._apple_workouts import WORKOUT_END, Workouts, sessions
from stride.activity.io._zip import ZIP_ERRORS, zip_problem
from stride.activity.io.archive import ZIP_LIMITS, open_archive, open_member
from stride.activity.io.spec import FormatSpec, Limit, is_xml_with
from stride.activity.model import F64, I64, MetricSeries, ParsedFile, Progress
from stride.errors import UnreadableFile

CHUNK = 4 << 20
# A single element longer than this without a line end (or a Workout without its end tag) is no
# export Apple writes; refusing it keeps the memory bound whatever the file holds.
MAX_CARRY = 64 << 20
# export.xml inside a zip: twice the largest export reported (4 GB, §1.6); it is streamed, so the
# bound is on time, not memory.
MAX_EXPORT_BYTES = 8 << 30
_ROOT = b"<HealthData"
_ROOT_END = b"</HealthData>"
_WORKOUT_START = b"<Workout "
_T = TypeVar("_T", bound=np.generic)


def read(path: Path, *, tz: tzinfo = UTC, progress: Progress | None = None) -> ParsedFile:
    """Read an Apple Health ``export.xml`` or ``export.zip`` (``tz`` is unused: dates carry offsets)."""
    del tz
    with _open(path) as (stream, total, name):
        scan = _Scan(name)
        block = _read_block(stream, name, 0)
        done = len(block)
        carry = scan.start(block)
        while block:
            if progress is not None:
                progress(done, total)
            block = _read_block(stream, name, done)
            done += len(block)
            carry = scan.take(carry + block if carry else block, final=not block)
    if progress is not None:
        progress(done, total)
    return scan.result()


@contextmanager
def _open(path: Path) -> Iterator[tuple[IO[bytes], int, str]]:
    """The byte stream of ``export.xml``, its size, and its name for error locations."""
    try:
        if _starts_like_zip(path):
            with open_archive(path) as archive:
                info = _member(archive)
                with open_member(archive, info, max_bytes=MAX_EXPORT_BYTES) as member:
                    yield member, info.file_size, info.filename.rsplit("/", 1)[-1]
        else:
            with path.open("rb") as fh:
                yield fh, path.stat().st_size, path.name
    except ZIP_ERRORS as exc:
        raise UnreadableFile(zip_problem(exc), field="zip") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None


def _starts_like_zip(path: Path) -> bool:
    """A zip's local-file signature at byte 0 (not ``is_zipfile``, which also accepts any file with a
    central-directory signature near its end, as an XML file may hold by chance)."""
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def _member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    infos = [
        i for i in archive.infolist() if i.filename == "export.xml" or i.filename.endswith("/export.xml")
    ]
    if not infos:
        raise UnreadableFile("the zip archive holds no export.xml: not an Apple Health export", field="zip")
    # Apple's layout is apple_health_export/export.xml; prefer it over stray copies.
    infos.sort(key=lambda i: (i.filename != "apple_health_export/export.xml", i.filename))
    return infos[0]


def _read_block(stream: IO[bytes], name: str, done: int) -> bytes:
    try:
        return stream.read(CHUNK)
    except ZIP_ERRORS as exc:
        raise UnreadableFile(f"the zip archive is damaged ({exc})", field=f"{name} byte {done}") from None
    except OSError as exc:
        raise UnreadableFile(
            f"cannot read the file: {exc.strerror or exc}", field=f"{name} byte {done}"
        ) from None


class _Scan:
    """The state carried from one piece of the file to the next."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.line = 1  # line number of the first byte not yet taken
        self.tail = b""  # the last bytes taken, to check the closing tag
        self.records = Records()
        self.workouts = Workouts()

    def where(self, line: int) -> str:
        """The error location of ``line``."""
        return f"{self.name} line {line}"

    def start(self, block: bytes) -> bytes:
        """Check the first block for the ``<HealthData`` root; return what follows its start tag.

        The inline DTD before the root is never looked at (iOS 16 writes a broken one).
        """
        if not block:
            raise UnreadableFile("an empty file, not an Apple Health export", field=self.where(1))
        at = block.find(_ROOT)
        tag_end = block.find(b">", at) + 1 if at >= 0 else 0
        if tag_end == 0:
            raise UnreadableFile(
                "not an Apple Health export: no <HealthData> element at the start of the file",
                field=self.where(1),
            )
        self.line += block.count(b"\n", 0, tag_end)
        return block[tag_end:]

    def take(self, data: bytes, *, final: bool) -> bytes:
        """Process the complete lines of ``data``; return the rest, to be prefixed to the next block."""
        cut, has_workout = _safe_cut(data, final=final)
        if cut == 0:
            if len(data) > MAX_CARRY:
                raise UnreadableFile(
                    f"no line end (or no </Workout>) in {MAX_CARRY >> 20} MiB: not an export Apple wrote",
                    field=self.where(self.line),
                )
            return data
        piece = data[:cut] if cut < len(data) else data
        self.records.feed(piece, 0, self.line)
        if has_workout:
            self.workouts.feed(piece, 0, self.line)
        self._refuse_if_damaged()
        self.tail = (self.tail + piece[-64:])[-64:]
        self.line += piece.count(b"\n")
        return data[cut:]

    def _refuse_if_damaged(self) -> None:
        """Stop at once when too many records are bad: the file is damaged, not a few odd values."""
        rec = self.records
        if rec.n_bad > MAX_BAD_RECORDS:
            line, reason = rec.bad[0]
            raise UnreadableFile(
                f"more than {MAX_BAD_RECORDS} malformed records; the first: {reason}", field=self.where(line)
            )

    def result(self) -> ParsedFile:
        """Everything gathered, once the whole file has been taken; refused if it was truncated."""
        if not self.tail.rstrip().endswith(_ROOT_END):
            last_line = self.line - 1 if self.tail.endswith(b"\n") else self.line
            raise UnreadableFile(
                "the file ends without </HealthData>: it is truncated (an interrupted export or copy)",
                field=self.where(last_line),
            )
        rec, warnings = self.records, []
        if rec.n_bad:
            lines = ", ".join(str(line) for line, _ in rec.bad)
            more = ", …" if rec.n_bad > len(rec.bad) else ""
            warnings.append(
                f"{rec.n_bad} malformed heart-rate/step records skipped (lines {lines}{more}); the first: "
                f"{rec.bad[0][1]}"
            )
        warnings += [f"Workout skipped ({self.where(line)}): {reason}" for line, reason in self.workouts.bad]
        hr_time, hr_value = _sorted(_cat(rec.hr_time, np.int64), _cat(rec.hr_value, np.float64))
        steps, step_warning = _steps(rec)
        if step_warning:
            warnings.append(step_warning)
        hr = MetricSeries(metric="heart_rate", start_ms=hr_time, end_ms=hr_time.copy(), value=hr_value)
        return ParsedFile(
            format="apple_health",
            sessions=sessions(self.workouts.found, hr_time, hr_value),
            series=(hr, steps),
            warnings=tuple(warnings),
        )


def _safe_cut(data: bytes, *, final: bool) -> tuple[int, bool]:
    """Where to end the piece (after the last line end, but before a ``<Workout`` still open), and
    whether the piece holds a ``<Workout`` at all (most pieces do not: one backward search says)."""
    if final:
        return len(data), data.find(_WORKOUT_START) >= 0
    cut = data.rfind(b"\n") + 1
    open_at = data.rfind(_WORKOUT_START, 0, cut)
    if open_at >= 0 and data.find(WORKOUT_END, open_at, cut) < 0:
        tag_end = data.find(b">", open_at, cut)
        if tag_end < 0 or data[tag_end - 1 : tag_end] != b"/":  # not a self-closing <Workout …/>
            cut = data.rfind(b"\n", 0, open_at) + 1
            return cut, data.rfind(_WORKOUT_START, 0, cut) >= 0
    return cut, open_at >= 0


def _cat(parts: list[NDArray[_T]], dtype: type[_T]) -> NDArray[_T]:
    """The chunks' arrays as one; the chunks are let go at once, to keep the peak memory low."""
    result: NDArray[_T] = np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
    parts.clear()
    return result


def _sorted(time: I64, value: F64) -> tuple[I64, F64]:
    """In time order (Apple writes each type's records in date order, so usually already sorted)."""
    if np.all(time[1:] >= time[:-1]):
        return time, value
    order = np.argsort(time, kind="stable")
    return time[order], value[order]


def _steps(rec: Records) -> tuple[MetricSeries, str | None]:
    """The step series counted once across sources, and a warning saying what was dropped."""
    start, end = _cat(rec.step_start, np.int64), _cat(rec.step_end, np.int64)
    value, source = _cat(rec.step_value, np.float64), _cat(rec.step_source, np.int32)
    names = [text(raw) for raw in sorted(rec.sources, key=rec.sources.__getitem__)]
    keep, n_sources = dedup_steps(start, end, value, source, names)
    warning = None
    if n_sources > 1:
        dropped = float(value[~keep].sum())
        warning = (
            f"steps recorded by {n_sources} sources ({', '.join(sorted(names))}): counted once, keeping in "
            f"each clock hour only the source with the most steps ({dropped:,.0f} of {value.sum():,.0f} "
            "steps dropped as duplicates)"
        )
    order = np.argsort(start[keep], kind="stable")
    series = MetricSeries(
        metric="steps", start_ms=start[keep][order], end_ms=end[keep][order], value=value[keep][order]
    )
    return series, warning


def sniff(head: bytes) -> bool:
    return is_xml_with(head, b"<healthdata", b"<!doctype healthdata")


SPEC = FormatSpec(
    name="apple_health",
    label="Apple Health export",
    phrase="an Apple Health export",
    extensions=(".zip", ".xml"),
    media_types=("application/zip", "application/xml"),
    sniff=sniff,
    read=read,
    limits=(
        Limit("export.xml size", MAX_EXPORT_BYTES, "bytes", "apple_health.MAX_EXPORT_BYTES"),
        Limit("one element without a line end", MAX_CARRY, "bytes", "apple_health.MAX_CARRY"),
        Limit(
            "malformed records",
            MAX_BAD_RECORDS,
            "records",
            "_apple_records.MAX_BAD_RECORDS",
        ),
        *ZIP_LIMITS,
    ),
)
