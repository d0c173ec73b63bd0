"""One mapping from Stride errors to exit codes, and the ``--json`` output convention.

With ``--json``: machine-readable JSON on stdout, human messages on stderr.
Exit codes: 0 success, 2 invalid input (the message names the field), 1 any other error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from stride.errors import BadRequest, ConfigurationError, InvalidInput, StrideError

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2
_INVALID: tuple[type[StrideError], ...] = (InvalidInput, BadRequest, ConfigurationError)

# soft_wrap: a message is one line whatever the terminal width, so scripts can grep it.
stderr = Console(stderr=True, highlight=False, soft_wrap=True)
console = Console(highlight=False, soft_wrap=True)


def exit_code_for(exc: StrideError) -> int:
    return EXIT_INVALID if isinstance(exc, _INVALID) else EXIT_ERROR


def emit_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, default=str))


@contextmanager
def handled(*, as_json: bool) -> Iterator[None]:
    """Turn a :class:`StrideError` into its message (and JSON error object) and exit code."""
    try:
        yield
    except StrideError as exc:
        if as_json:
            emit_json({"error": exc.code, "message": exc.message, "field": exc.field})
        # Escaped: a message may hold brackets (stride[postgres], a list) that are not markup.
        stderr.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(exit_code_for(exc)) from None


def run(as_json: bool, action: Callable[[], Any], human: Callable[[Any], None]) -> None:
    """Run ``action``; print its result as JSON or through ``human``."""
    with handled(as_json=as_json):
        result = action()
    if as_json:
        emit_json(result)
    else:
        human(result)


def read_json_input(path: Path) -> Any:
    """The JSON document in ``path`` (a command's ``--input``).

    Raises
    ------
    BadRequest
        Field ``input``: the file cannot be read or is not JSON (the message says which and where).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest(f"cannot read {path}: {exc}", field="input") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{path} is not JSON: {exc}", field="input") from None
