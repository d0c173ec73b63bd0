"""Readers of activity files, one module per format, all yielding :class:`ParsedFile`.

Every reader is ``read(path, *, tz, progress) -> ParsedFile`` and raises
:class:`stride.errors.UnreadableFile` (and nothing else) on bad input, naming where the problem
is. ``detect`` picks the format from the content, not the file name. Each reader module declares
its format's :class:`~stride.activity.io.spec.FormatSpec`, listed once in
:data:`stride.activity.io.formats.REGISTRY`.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path

from stride.activity.io._sessions import SPLIT_GAP_S, split_at_pauses
from stride.activity.io.archive import open_archive
from stride.activity.io.formats import BY_NAME, REGISTRY, labels
from stride.activity.io.spec import Reader
from stride.activity.model import FORMATS, FileFormat, ParsedFile, Progress
from stride.errors import UnreadableFile

__all__ = ["Reader", "detect", "read_any", "reader"]


def reader(fmt: FileFormat) -> Reader:
    """The ``read`` function of format ``fmt``."""
    if fmt not in BY_NAME:
        raise UnreadableFile(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", field="format")
    return BY_NAME[fmt].read


def detect(path: Path) -> FileFormat:
    """The format of the file (or export folder) at ``path``, judged by its content.

    A folder is the format that reads folders (Fitbit); a zip archive is decided by its members
    (``_detect_zip``); any other file by the first 4,096 bytes, asking each format's sniffer in
    registry order.
    """
    if path.is_dir():
        return next(spec.name for spec in REGISTRY if spec.folder)
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}", field=str(path.name)) from None
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(path)
    for spec in REGISTRY:
        if spec.sniff(head):
            return spec.name
    raise UnreadableFile(f"not a recognised activity file ({labels()})", field="byte 0")


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
