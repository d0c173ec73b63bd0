"""Readers of activity files, one module per format, all yielding :class:`ParsedFile`.

Every reader is ``read(path, *, tz, progress) -> ParsedFile`` and raises
:class:`stride.errors.UnreadableFile` (and nothing else) on bad input, naming where the problem
is. ``detect`` picks the format from the content, not the file name. Adding a format is adding a
module here and a line in ``_READERS``.
"""

from __future__ import annotations

import importlib
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Protocol

from stride.activity.io._sessions import SPLIT_GAP_S, split_at_pauses
from stride.activity.io.archive import open_archive
from stride.activity.model import FORMATS, FileFormat, ParsedFile, Progress
from stride.errors import UnreadableFile


class Reader(Protocol):
    def __call__(self, path: Path, *, tz: tzinfo = ..., progress: Progress | None = ...) -> ParsedFile: ...


_READERS: dict[FileFormat, str] = {
    "fit": "stride.activity.io.fit",
    "tcx": "stride.activity.io.tcx",
    "gpx": "stride.activity.io.gpx",
    "fitbit": "stride.activity.io.fitbit",
    "apple_health": "stride.activity.io.apple_health",
    "csv": "stride.activity.io.csv_reader",
    "omh": "stride.activity.io.omh",
}


def reader(fmt: FileFormat) -> Reader:
    """The ``read`` function of format ``fmt``."""
    if fmt not in _READERS:
        raise UnreadableFile(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", field="format")
    module = importlib.import_module(_READERS[fmt])
    read: Reader = module.read
    return read


def _sniff_text(head: bytes) -> FileFormat | None:  # noqa: PLR0911  (one return per format)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<")):
        if b"<trainingcenterdatabase" in text:
            return "tcx"
        if b"<gpx" in text:
            return "gpx"
        if b"<healthdata" in text or b"<!doctype healthdata" in text:
            return "apple_health"
        return None
    if text.startswith(b"["):
        return "fitbit"
    if text.startswith(b"{"):
        return "omh"
    if b"," in text.split(b"\n", 1)[0]:
        return "csv"
    return None


def detect(path: Path) -> FileFormat:
    """The format of the file (or Fitbit export folder) at ``path``, judged by its content."""
    if path.is_dir():
        return "fitbit"
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=str(path.name)) from None
    if len(head) >= 12 and head[8:12] == b".FIT":
        return "fit"
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(path)
    found = _sniff_text(head)
    if found is None:
        raise UnreadableFile(
            "not a recognised activity file (FIT, TCX, GPX, Fitbit export, Apple Health export.xml, "
            "Stride CSV or Open mHealth JSON)",
            field="byte 0",
        )
    return found


def _detect_zip(path: Path) -> FileFormat:
    with open_archive(path) as archive:
        names = archive.namelist()
    if any(name.endswith("export.xml") for name in names):
        return "apple_health"
    if any(name.lower().endswith(".json") for name in names):
        return "fitbit"
    raise UnreadableFile(
        "a zip archive that is neither an Apple Health export (export.xml) nor a Fitbit export (JSON files)",
        field="zip",
    )


def read_any(
    path: Path,
    *,
    fmt: FileFormat | None = None,
    tz: tzinfo = UTC,
    progress: Progress | None = None,
    split_gap_s: float | None = None,
) -> ParsedFile:
    """Detect the format of ``path`` (unless ``fmt`` is given) and read it; a GPX or TCX recording
    is split into sessions only at pauses longer than ``split_gap_s`` (default 15 minutes)."""
    parsed = reader(fmt or detect(path))(path, tz=tz, progress=progress)
    return split_at_pauses(parsed, gap_s=SPLIT_GAP_S if split_gap_s is None else split_gap_s)
