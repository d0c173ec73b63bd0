"""``stride prescribe``: an individual exercise plan from a JSON file of screening answers and
preferences.

The input is described by ``stride/data/schemas/prescribe.input.schema.json``. Exit codes: 0 with a
plan; 2 when the screen does not clear the person (defer, or medical clearance required: the
screen's reasons are printed instead of a plan; with ``--json`` ``{"error": "not_cleared",
"decision", "reasons"}`` on stdout) and 2 for invalid input, naming the field. The rules are
:func:`stride.clinical.prescription.prescribe`'s; this command only reads, calls and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from stride.cli.output import EXIT_INVALID, emit_json, handled, read_json_input, stderr
from stride.clinical.prescription import (
    Refusal,
    parse_prescription_input,
    plan_to_dict,
    prescribe,
    refusal_to_dict,
)
from stride.clinical.safety import screening_rules


def _pair(value: list[int] | None) -> str:
    return "-" if value is None else f"{value[0]}-{value[1]}"


def _human_plan(plan: dict[str, Any]) -> None:
    typer.echo(f"Protocol: {plan['protocol_name']} ({plan['protocol']}), {len(plan['weeks'])} weeks")
    for week in plan["weeks"]:
        t = week["target"]
        typer.echo(
            f"Week {week['week']}: {t['sessions']} of {t['frequency']} sessions, {t['intensity']} "
            f"RPE {_pair(t['rpe_range'])}, volume {t['volume']:g} {t['volume_unit']}"
        )
        for s in week["sessions"]:
            hr = f"HR {_pair(s['hr_range_bpm'])} bpm" if s["hr_range_bpm"] else "HR by RPE only"
            typer.echo(f"  {s['day']}: {s['modality']} {s['minutes']} min, RPE {_pair(s['rpe_range'])}, {hr}")
    typer.echo("Rationale:")
    for item in plan["rationale"]:
        typer.echo(f"- {item['text']}")
        typer.echo(f"  source: {item['source']}")


def _human_refusal(payload: dict[str, Any]) -> None:
    typer.echo(f"Not cleared for exercise: {payload['decision'].replace('_', ' ')}. No plan.")
    for reason in payload["reasons"]:
        typer.echo(f"- {reason['text']}")
        typer.echo(f"  source: {reason['source']}")


def prescribe_command(
    input_file: Annotated[
        Path, typer.Option("--input", help="JSON file: screening answers and preferences.")
    ],
    bp_policy: Annotated[
        str | None,
        typer.Option("--bp-policy", help="Blood-pressure policy of the screen (see stride screen)."),
    ] = None,
    dosing_day_policy: Annotated[
        str | None,
        typer.Option(
            "--dosing-day-policy", help="Ketamine/esketamine dosing-day policy (see stride screen)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """Exercise prescription: screen, choose a protocol, and plan every week with its rationale."""
    with handled(as_json=as_json):
        rules = screening_rules(bp_policy=bp_policy, dosing_day_policy=dosing_day_policy)
        inp = parse_prescription_input(read_json_input(input_file), screening_rules=rules)
        result = prescribe(inp, screening=rules)
    if isinstance(result, Refusal):
        payload = refusal_to_dict(result)
        if as_json:
            emit_json(payload)
        else:
            _human_refusal(payload)
        stderr.print(f"[bold red]not cleared:[/] {result.decision.value}; no plan")
        raise typer.Exit(EXIT_INVALID)
    plan = plan_to_dict(result)
    if as_json:
        emit_json(plan)
    else:
        _human_plan(plan)


def register(app: typer.Typer) -> None:
    """Add ``stride prescribe`` to the root command."""
    app.command("prescribe")(prescribe_command)
