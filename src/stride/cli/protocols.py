"""``stride protocol list|show|cert``: the standard, CERT-complete protocol library.

``list`` and ``show`` print JSON with ``--json``; ``cert`` prints the filled-in CERT checklist as
Markdown or HTML. An unknown protocol id or format exits 2 naming it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from stride.cli.output import handled, run, stderr
from stride.clinical.prescription import Protocol, cert_report, get_protocol, protocol_ids, weekly_targets

protocol_app = typer.Typer(
    help="The standard exercise protocols (FITT-VP, evidence, CERT).", no_args_is_help=True
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
IdArgument = Annotated[
    str, typer.Argument(help="Protocol id (see `stride protocol list`).", show_default=False)
]


def summary_json(protocol: Protocol) -> dict[str, Any]:
    """One row of ``stride protocol list --json``."""
    return {
        "id": protocol.id,
        "name": protocol.name,
        "modalities": list(protocol.modalities),
        "settings": list(protocol.settings),
        "duration_weeks": protocol.duration_weeks,
        "supervision": protocol.supervision,
        "evidence_level": protocol.evidence.evidence_level,
        "limited_evidence_in_trd": protocol.evidence.limited_evidence_in_trd,
    }


def protocol_json(protocol: Protocol) -> dict[str, Any]:
    """The ``stride protocol show --json`` payload: the whole protocol and its week-by-week targets."""
    return {
        **dataclasses.asdict(protocol),
        "weekly_targets": [dataclasses.asdict(w) for w in weekly_targets(protocol)],
        "weekly_targets_deconditioned": [
            dataclasses.asdict(w) for w in weekly_targets(protocol, deconditioned=True)
        ],
    }


def _human_list(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        flag = "  [limited evidence in TRD]" if row["limited_evidence_in_trd"] else ""
        modalities = ", ".join(row["modalities"])
        typer.echo(f"{row['id']:<24} {row['duration_weeks']:>2} wk  {modalities:<28} {row['name']}{flag}")


def _human_show(payload: dict[str, Any]) -> None:
    p = get_protocol(payload["id"])
    typer.echo(f"{p.name} ({p.id})\n{p.summary}\n")
    typer.echo(f"Modalities: {', '.join(p.modalities)}; settings: {', '.join(p.settings)}; {p.supervision}.")
    ev = p.evidence
    limited = ", limited in TRD" if ev.limited_evidence_in_trd else ""
    typer.echo(f"Evidence ({ev.evidence_level}{limited}): {ev.summary}")
    for e in ev.effects:
        typer.echo(f"  {e.measure} {e.estimate:g} ({e.interval} {e.lower:g} to {e.upper:g}): {e.comparison}")
    pr = p.progression
    unit = "%" if pr.unit == "percent" else p.volume_unit
    typer.echo(f"\nPhases ({p.volume_unit}; {pr.rule}, at most +{pr.max_weekly_increase:g} {unit} a week):")
    for ph in p.phases:
        typer.echo(
            f"  weeks {ph.first_week}-{ph.last_week} {ph.name}: {ph.frequency} x {ph.minutes} min, "
            f"{'/'.join(ph.intensity)} (RPE {ph.rpe[0]}-{ph.rpe[1]}), volume {ph.volume:g}; {ph.type}"
        )
    for c in p.contraindications:
        typer.echo(f"  if {c.restriction}: {c.action} - {c.note}")
    typer.echo(f"\nNotes:\n{p.notes.strip()}")


@protocol_app.command("list")
def list_command(as_json: JsonFlag = False) -> None:
    """List the protocols."""
    run(as_json, lambda: [summary_json(get_protocol(pid)) for pid in protocol_ids()], _human_list)


@protocol_app.command("show")
def show_command(protocol_id: IdArgument, as_json: JsonFlag = False) -> None:
    """Show one protocol: FITT-VP phases, progression, evidence, contraindications, notes."""
    run(as_json, lambda: protocol_json(get_protocol(protocol_id)), _human_show)


@protocol_app.command("cert")
def cert_command(
    protocol_id: IdArgument,
    fmt: Annotated[str, typer.Option("--format", help="markdown (default) or html.")] = "markdown",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Print the protocol's filled-in CERT checklist (all 19 items)."""
    with handled(as_json=False):
        text = cert_report(get_protocol(protocol_id), fmt=fmt)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        stderr.print(f"Wrote {output}")


def register(app: typer.Typer) -> None:
    """Add ``stride protocol`` to the root command."""
    app.add_typer(protocol_app, name="protocol")
