"""One mapping from Stride errors to exit codes, and the ``--json`` output convention.

With ``--json``: machine-readable JSON on stdout, human messages on stderr.
Exit codes: 0 success, 2 invalid input (the message names the field), 1 any other error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from stride.errors import BadRequest, ConfigurationError, InvalidInput, StrideError

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2
_INVALID: tuple[type[StrideError], ...] = (InvalidInput, BadRequest, ConfigurationError)

# soft_wrap: a message is one line whatever the terminal width, so scripts can grep it.
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


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
        stderr.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(exit_code_for(exc)) from None


def run(as_json: bool, action: Callable[[], Any], human: Callable[[Any], None]) -> None:
    """Run ``action``; print its result as JSON or through ``human``."""
    with handled(as_json=as_json):
        result = action()
    if as_json:
        emit_json(result)
    else:
        human(result)
