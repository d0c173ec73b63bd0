"""Activity files at the command line.

- ``stride inspect PATH [--json]`` parses a device file and prints what it holds, storing nothing.
  The ``--json`` shape is a contract (see :mod:`stride.activity.report`); a bad file exits 2 with a
  message saying what is wrong and where.
- ``stride import PATH --patient ID`` keeps the file and imports it for patient ``ID`` at once,
  with a progress bar; the same file twice says "already imported" and adds nothing.
- ``stride worker`` runs the background-job workers in the foreground (when the web server does
  not run them itself, ``STRIDE_JOBS_IN_PROCESS=false``).
- ``stride doctor`` finishes or removes what an interrupted import left behind.
"""

from __future__ import annotations

import os
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from stride.activity.dose import DOSE_UNKNOWN, met_basis
from stride.activity.io import formats, read_any
from stride.activity.model import DeviceSummary, ParsedFile
from stride.activity.report import inspect_report, series_report
from stride.cli.context import app_services
from stride.cli.output import console, emit_json, handled, run, stderr
from stride.domain.activity import ImportRecord
from stride.errors import InvalidInput
from stride.services.context import Caller
from stride.services.imports import ImportOutcome
from stride.services.registry import Services

# From the registry, so the help names every format the readers know (and only those).
_PATH_HELP = (
    f"A device file ({formats.labels()}; {formats.accept().replace(',', ' ')}) or "
    + " or ".join(f"a {spec.label} folder" for spec in formats.REGISTRY if spec.folder)
    + "; the format is detected from the content."
)
_NAMES = ", ".join(spec.name for spec in formats.REGISTRY)


def _zone(name: str | None) -> Any:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown timezone {name!r} (an IANA name such as Europe/London)", field="tz"
        ) from None


def _human_inspect(payload: dict[str, Any], series: list[dict[str, Any]]) -> None:
    console.print(f"Format: [bold]{payload['format']}[/]")
    console.print(f"Sessions: {len(payload['sessions'])}")
    for s in payload["sessions"]:
        distance = f"{s['distance_m'] / 1000:.2f} km" if s["distance_m"] is not None else "no distance"
        hr = f"HR avg {s['avg_hr']:.0f} / max {s['max_hr']:.0f}" if s["avg_hr"] is not None else "no HR"
        console.print(
            f"- {s['start']} → {s['end']}  {s['sport']}  {s['duration_s'] / 60:.1f} min  {distance}  {hr}  "
            f"{s['samples']} samples"
        )
    for m in series:
        total = f", total {m['total']:g}" if m["total"] is not None else ""
        console.print(f"Series {m['metric']}: {m['values']} values{total}")
    for warning in payload["warnings"]:
        stderr.print(f"[yellow]warning:[/] {warning}")


def inspect_command(
    path: Annotated[
        Path,
        typer.Argument(help=_PATH_HELP),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    fmt: Annotated[str | None, typer.Option("--format", help=f"Skip detection: one of {_NAMES}.")] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Timezone for local times without offset (Fitbit); default UTC."),
    ] = None,
    split_gap: Annotated[
        float | None,
        typer.Option(
            "--split-gap",
            help="Minutes: a GPX/TCX recording is split only at pauses longer than this (default "
            "STRIDE_SPLIT_GAP_MINUTES, 15).",
        ),
    ] = None,
) -> None:
    """Parse a device file and show its sessions, storing nothing."""
    with handled(as_json=as_json):
        if fmt is not None and fmt not in formats.BY_NAME:
            raise InvalidInput(f"unknown format {fmt!r}; known: {_NAMES}", field="format")
        gap_minutes = _split_gap(split_gap)
        chosen = None if fmt is None else formats.BY_NAME[fmt].name
        parsed = read_any(path, fmt=chosen, tz=_zone(tz), split_gap_s=gap_minutes * 60)
    payload = inspect_report(parsed)
    if as_json:
        emit_json(payload)
    else:
        _human_inspect(payload, [series_report(m) for m in parsed.series])
        _human_sessions(parsed)


def _human_sessions(parsed: ParsedFile) -> None:
    """How each session's dose would be priced, and the device's own summary where it gave one."""
    for index, session in enumerate(parsed.sessions, start=1):
        has_hr = bool(np.any(~np.isnan(session.samples.heart_rate)))
        basis = met_basis(session.sport, session.device_sport, heart_rate=has_hr)
        why = (
            f" (no MET value for {session.device_sport!r} and no heart rate)" if basis == DOSE_UNKNOWN else ""
        )
        console.print(f"  session {index}, MET values: {basis}{why}")
        if session.device_summary is not None:
            console.print(
                f"  session {index}, the device's lap summary: {_device_line(session.device_summary)}"
            )


def _split_gap(minutes: float | None) -> float:
    if minutes is None:
        return float(os.environ.get("STRIDE_SPLIT_GAP_MINUTES") or 15.0)
    if not 0 < minutes <= 24 * 60:
        raise InvalidInput(
            f"--split-gap must be above 0 and at most 1440 minutes, not {minutes:g}", field="split-gap"
        )
    return minutes


def _device_line(summary: DeviceSummary) -> str:
    parts = [
        "no duration" if summary.duration_s is None else f"{summary.duration_s / 60:.1f} min",
        "no distance" if summary.distance_m is None else f"{summary.distance_m / 1000:.2f} km",
        "no HR" if summary.avg_hr is None else f"HR avg {summary.avg_hr:.0f}",
    ]
    if summary.max_hr is not None:
        parts.append(f"max {summary.max_hr:.0f}")
    return "  ".join(parts)


def import_command(
    path: Annotated[Path, typer.Argument(help=_PATH_HELP)],
    patient: Annotated[int, typer.Option("--patient", help="The patient's id (as in /patients/ID).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """Import a device file for a patient now (as the operator; audited as 'system')."""
    services = app_services(as_json)
    caller = Caller.cli()
    with handled(as_json=as_json):
        outcome = services.imports.submit_path(caller, patient, path, enqueue=False)
        if not outcome.already_imported:
            _run_with_bar(services, outcome.record.id, name=path.name, quiet=as_json)
        done = services.imports.status(caller, outcome.record.id)
    payload = {
        "import_id": done.id,
        "already_imported": outcome.already_imported,
        "status": done.status.value,
        "format": done.format,
        "sessions": done.sessions,
        "warnings": list(done.warnings),
        "error": done.error,
    }
    if as_json:
        emit_json(payload)
    else:
        _human_import(outcome, done)
    if done.error:
        raise typer.Exit(2)


def _run_with_bar(services: Services, import_id: int, *, name: str, quiet: bool) -> None:
    """Run the import now, with a progress bar on stderr (none under ``--json``)."""
    with Progress(
        TextColumn("[bold]Importing[/] {task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=quiet,
    ) as bar:
        task = bar.add_task(name, total=1.0)
        services.imports.run(import_id, progress=lambda share: bar.update(task, completed=share))
        bar.update(task, completed=1.0)


def _human_import(outcome: ImportOutcome, done: ImportRecord) -> None:
    if outcome.already_imported:
        where = f" as session {outcome.session_id}" if outcome.session_id is not None else ""
        console.print(
            f"Already imported on {done.created_at:%Y-%m-%d}{where} (import {done.id}); nothing added."
        )
    elif done.error:
        stderr.print(f"[bold red]error:[/] {done.error}")
    else:
        console.print(f"Imported {done.sessions} session(s) from {done.format} file (import {done.id}).")
        for warning in done.warnings:
            stderr.print(f"[yellow]warning:[/] {warning}")


def worker_command() -> None:
    """Run background-job workers in the foreground until Ctrl+C."""
    services = app_services()
    if services.jobs.immediate:
        stderr.print("[bold red]error:[/] STRIDE_JOBS=immediate has no queue to work on")
        raise typer.Exit(2)
    # Other consumers may be importing right now: only imports silent past the lease are re-queued.
    services.imports.doctor(others_may_be_running=True)
    console.print(f"Stride worker on the {services.deps.settings.jobs} queue; Ctrl+C stops.")
    services.jobs.run_consumer()


def doctor_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """Finish or remove what interrupted imports left; re-queue imports whose job was lost.
    Run it with no worker importing (the server stopped, or at start-up)."""
    services = app_services(as_json)

    def human(result: dict[str, int]) -> None:
        for key, value in result.items():
            console.print(f"{key.replace('_', ' ')}: {value}")

    run(as_json, services.imports.doctor, human)


def register(app: typer.Typer) -> None:
    app.command("inspect")(inspect_command)
    app.command("import")(import_command)
    app.command("worker")(worker_command)
    app.command("doctor")(doctor_command)
