"""``stride reference``: the clinical rules and their sources, as Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stride.cli.output import stderr
from stride.clinical.reference import rules_markdown


def register(app: typer.Typer) -> None:
    @app.command("reference")
    def reference(
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    ) -> None:
        """Print every instrument, threshold and rule with its source (Markdown)."""
        text = rules_markdown()
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            stderr.print(f"Wrote {output}")
