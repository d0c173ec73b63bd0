"""Zip archives (an Apple Health ``export.zip``, a Fitbit export) opened and read within bounds, so
that no archive can make the server inflate more than it was built for (a "zip bomb").

Limits, checked before anything is inflated:

* at most :data:`MAX_ENTRIES` entries, counted from the end-of-central-directory record before
  ``zipfile`` reads the central directory (whose objects would otherwise grow with the count);
* at most :data:`MAX_TOTAL_BYTES` uncompressed over all entries, as the central directory declares;
* for each entry read: the reader's own per-entry limit (``max_bytes``), a compressed size no
  larger than the archive itself, and an inflation ratio of at most :data:`MAX_RATIO` once an entry
  is over :data:`RATIO_FLOOR_BYTES`.

Declared sizes can lie, so entries are also bounded while they inflate: ``zipfile`` stops at the
declared size (and then fails the CRC check), and :func:`open_member` counts the bytes and stops at
the per-entry limit whatever the headers say. Entries are read as streams, never whole, except by
:func:`read_member` for entries small by limit (a Fitbit JSON file). Every refusal is
:class:`UnreadableFile` naming the entry and the limit.

The ratio: one Deflate stream inflates at most 1032-fold (zlib's technical details, "maximum
compression factor"), which only runs of one byte reach; the text exports Stride reads compress
5- to 20-fold (a TCX 15x, a Fitbit heart-rate day 20x). 100-fold leaves five times that margin and
refuses the classic bombs, whose ratios run from 1000 to millions (D. Fifield, "A better zip bomb",
USENIX WOOT 2019).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from stride.activity.io._zip import ZIP_ERRORS, ZIP_READ_ERRORS, zip_problem
from stride.activity.io.spec import Limit
from stride.errors import UnreadableFile

MAX_ENTRIES = 100_000  # a Fitbit export holds one file per metric and day: ~20 metrics x 10 years ≈ 73,000
MAX_TOTAL_BYTES = 16 << 30  # twice the largest Apple Health export reported (4 GB) plus its routes
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1 << 20  # small entries of repeated values may compress far better, harmlessly
ZIP_LIMITS = (
    Limit("zip entries", MAX_ENTRIES, "entries", "archive.MAX_ENTRIES"),
    Limit("zip, total uncompressed", MAX_TOTAL_BYTES, "bytes", "archive.MAX_TOTAL_BYTES"),
    Limit("zip, inflation of an entry over 1 MiB", MAX_RATIO, "fold", "archive.MAX_RATIO"),
)
"""The bounds on a zip archive, for the formats that come zipped (Fitbit and Apple Health exports)."""
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_TAIL = 22 + 0xFFFF
_OPEN_ERRORS: tuple[type[Exception], ...] = (
    *ZIP_ERRORS,
    ValueError,
)  # the end record and the longest archive comment


def _declared_entries(path: Path) -> int:
    """The entry count of the end-of-central-directory record (Zip64's when present); 0 if none is
    found (``zipfile`` then says the archive is damaged)."""
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - _TAIL - 20))
        tail = fh.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) < at + 22:
            return 0
        count = int(struct.unpack_from("<H", tail, at + 10)[0])
        locator = at - 20
        if locator >= 0 and tail[locator : locator + 4] == _EOCD64_LOCATOR:
            offset = int(struct.unpack_from("<Q", tail, locator + 8)[0])
            if offset + 56 <= size:
                fh.seek(offset)
                record = fh.read(56)
                if record[:4] == _EOCD64:
                    count = max(count, int(struct.unpack_from("<Q", record, 32)[0]))
        return count


def open_archive(path: Path) -> zipfile.ZipFile:
    """The zip archive at ``path``, refused unless its entry count and total size are within bounds."""
    try:
        count = _declared_entries(path)
        if count > MAX_ENTRIES:
            raise UnreadableFile(
                f"the zip archive holds {count:,} entries, more than the limit of {MAX_ENTRIES:,}",
                field="zip",
            )
        archive = zipfile.ZipFile(path)
    except _OPEN_ERRORS as exc:
        raise UnreadableFile(zip_problem(exc), field="zip") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=path.name) from None
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_TOTAL_BYTES:
        archive.close()
        raise UnreadableFile(
            f"the zip archive inflates to {total:,} bytes, more than the limit of {MAX_TOTAL_BYTES:,}",
            field="zip",
        )
    return archive


def check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, max_bytes: int) -> None:
    """Refuse an entry whose declared sizes are over ``max_bytes``, larger than the archive, or
    inflating more than :data:`MAX_RATIO`-fold."""
    if info.file_size > max_bytes:
        raise UnreadableFile(
            f"{info.file_size:,} bytes uncompressed, more than the limit of {max_bytes:,} for this file",
            field=info.filename,
        )
    archive_size = archive.fp.seek(0, 2) if archive.fp is not None else 0
    if info.compress_size > archive_size:
        raise UnreadableFile(
            f"the entry claims {info.compress_size:,} compressed bytes in an archive of {archive_size:,}: "
            "a damaged or forged zip archive",
            field=info.filename,
        )
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        raise UnreadableFile(
            f"the entry inflates {ratio:,.0f}-fold ({info.compress_size:,} to {info.file_size:,} bytes), "
            f"more than the limit of {MAX_RATIO}-fold: not an export a device wrote",
            field=info.filename,
        )


class _Bounded:
    """A member's stream that refuses to give more than ``limit`` bytes, whatever the headers say."""

    def __init__(self, stream: IO[bytes], name: str, limit: int) -> None:
        self.stream, self.name, self.limit, self.count = stream, name, limit, 0

    def read(self, size: int = -1) -> bytes:
        want = self.limit + 1 - self.count if size < 0 else min(size, self.limit + 1 - self.count)
        try:
            data = self.stream.read(max(want, 0))
        except ZIP_READ_ERRORS as exc:
            raise UnreadableFile(zip_problem(exc), field=self.name) from None
        self.count += len(data)
        if self.count > self.limit:
            raise UnreadableFile(
                f"inflates to more than the limit of {self.limit:,} bytes for this file", field=self.name
            )
        return data


@contextmanager
def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, max_bytes: int) -> Iterator[IO[bytes]]:
    """The entry's bytes as a stream, checked (:func:`check_entry`) and bounded while it inflates."""
    check_entry(archive, info, max_bytes=max_bytes)
    try:
        member = archive.open(info)
    except ZIP_READ_ERRORS as exc:
        raise UnreadableFile(zip_problem(exc), field=info.filename) from None
    with member:
        yield cast(IO[bytes], _Bounded(member, info.filename, min(max_bytes, info.file_size)))


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, max_bytes: int) -> bytes:
    """The whole entry, for entries small by their limit (checked and bounded as :func:`open_member`)."""
    with open_member(archive, info, max_bytes=max_bytes) as member:
        return member.read()
