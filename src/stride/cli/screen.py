"""``stride screen``: the pre-exercise safety screen from a JSON file of answers.

The input is described by ``stride/data/schemas/screen.input.schema.json``; every problem (missing
or unknown field, wrong type, unknown code, unreadable file) exits 2 naming the field. The rules
are :func:`stride.clinical.safety.screening.screen`'s; this command only reads, calls and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from stride.cli.output import read_json_input, run
from stride.clinical.safety import (
    ScreeningDecision,
    parse_screening_input,
    screen,
    screening_rules,
)


def to_json(result: ScreeningDecision) -> dict[str, Any]:
    """The ``--json`` payload of ``stride screen``: the decision, the reasons, the restriction codes."""
    return {
        "decision": result.decision.value,
        "reasons": [{"code": r.code, "text": r.text, "source": r.source} for r in result.reasons],
        "restrictions": list(result.restrictions),
    }


def _human(payload: dict[str, Any], *, texts: dict[str, str]) -> None:
    typer.echo(f"Decision: {payload['decision'].replace('_', ' ')}")
    for reason in payload["reasons"]:
        typer.echo(f"- {reason['text']}")
        typer.echo(f"  source: {reason['source']}")
    if payload["restrictions"]:
        typer.echo("Restrictions:")
        for code in payload["restrictions"]:
            typer.echo(f"- {code}: {texts[code]}")


def screen_command(
    input_file: Annotated[Path, typer.Option("--input", help="JSON file with the screening answers.")],
    bp_policy: Annotated[
        str | None,
        typer.Option(
            "--bp-policy",
            help="Blood-pressure policy: no_session_180_110 (default) or exercise_testing_200_110.",
        ),
    ] = None,
    dosing_day_policy: Annotated[
        str | None,
        typer.Option(
            "--dosing-day-policy",
            help="Ketamine/esketamine: no_session_on_dosing_days (default) or no_vigorous_within_4h.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """Pre-exercise safety screen: ACSM, PAR-Q+, blood pressure, conditions, suicidality, medications."""
    texts: dict[str, str] = {}

    def action() -> dict[str, Any]:
        rules = screening_rules(bp_policy=bp_policy, dosing_day_policy=dosing_day_policy)
        texts.update({code: r.text for code, r in rules.restrictions.items()})
        return to_json(screen(parse_screening_input(read_json_input(input_file), rules=rules), rules=rules))

    run(as_json, action, lambda payload: _human(payload, texts=texts))


def register(app: typer.Typer) -> None:
    """Add ``stride screen`` to the root command."""
    app.command("screen")(screen_command)
