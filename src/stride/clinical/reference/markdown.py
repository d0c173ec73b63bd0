"""The Markdown of the clinical reference: table cells in a clinician's words, tables, and
identifiers shown as code."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# The reliability tags of the package data, in words a clinician reads.
STATUS_LABELS = {
    "VERIFIED": "verified",
    "SECONDARY": "secondary source",
    "UNSURE": "uncertain",
    "LOCAL": "local policy",
    "CHOICE": "Stride choice",
}
# An identifier (an item, band or rule code) inside prose: shown as code, never as a word.
_IDENTIFIER = re.compile(r"(?<![`\w/:-])((?:[a-z]\w*\.)*[a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![`\w/-])")


def cell(value: object) -> str:
    if value is None or value == "":
        text = "—"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = STATUS_LABELS.get(str(value), str(value))
    return text.replace("|", "\\|").replace("\n", " ")


def code_identifiers(line: str) -> str:
    """Mark identifiers in a line as code (outside existing code spans)."""
    parts = line.split("`")
    return "`".join(p if i % 2 else _IDENTIFIER.sub(r"`\1`", p) for i, p in enumerate(parts))


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]
