"""What Stride knows about one device format, declared once beside its reader.

Each reader module ends with ``SPEC = FormatSpec(...)``; :mod:`stride.activity.io.formats` lists
them, and the upload page, the API, the CLI help, the fuzz tests and the documentation check all
read that list, so adding a format is one module (and its tests), not five edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Literal, Protocol

from stride.activity.model import FileFormat, ParsedFile, Progress


class Reader(Protocol):
    def __call__(self, path: Path, *, tz: tzinfo = ..., progress: Progress | None = ...) -> ParsedFile: ...


class Sniffer(Protocol):
    def __call__(self, head: bytes) -> bool: ...


Unit = Literal["points", "bytes", "entries", "records", "fold"]


@dataclass(frozen=True, slots=True)
class Limit:
    """A bound a reader enforces: ``value`` is the reader's own constant, never a copy of it."""

    what: str
    value: int
    unit: Unit
    where: str
    """The constant that holds it, under ``stride.activity.io`` (``_sessions.MAX_POINTS``)."""

    @property
    def shown(self) -> str:
        """The value as the documentation writes it: ``150,000``, ``16 MiB``, ``100-fold``."""
        if self.unit == "fold":
            return f"{self.value:,}-fold"
        if self.unit == "bytes":
            for shift, suffix in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
                if self.value >= 1 << shift and self.value % (1 << shift) == 0:
                    return f"{self.value >> shift:,} {suffix}"
        return f"{self.value:,}"

    @property
    def text(self) -> str:
        """``track points: 150,000``, as the upload page, the API and the docs list it."""
        return f"{self.what}: {self.shown}"


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One device format: how it is named, recognised and read, and what bounds its reader.

    ``sniff`` judges the first 4,096 bytes of a file (:func:`stride.activity.io.detect` asks the
    formats in the registry's order; zip archives and folders are decided there, by their
    members). ``samples`` are real files in the shared sample folder (``fit/garmin-fenix-5-run.fit``)
    that the tests read and mutate.
    """

    name: FileFormat
    label: str
    """Short, for lists: "FIT", "Apple Health export"."""
    phrase: str
    """As a sentence says where a session came from: "a FIT file", "an Apple Health export"."""
    extensions: tuple[str, ...]
    media_types: tuple[str, ...]
    sniff: Sniffer
    read: Reader
    limits: tuple[Limit, ...] = ()
    samples: tuple[str, ...] = ()
    folder: bool = False
    """Whether an unzipped export folder of this format is read too (CLI only; browsers send files)."""


def text_head(head: bytes) -> bytes:
    """The start of a text file, without a byte-order mark and leading blanks, lower-cased."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def is_xml_with(head: bytes, *markers: bytes) -> bool:
    """Whether ``head`` is XML (or markup) containing one of ``markers`` (lower-case)."""
    text = text_head(head)
    return text.startswith(b"<") and any(marker in text for marker in markers)
