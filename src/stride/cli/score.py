"""``stride score`` and ``stride instruments``: score a questionnaire without a database.

``stride score phq9 --answers "1,2,0,1,3,0,0,1,1" --json`` prints
``{"instrument", "total", "severity", "flags", "details"}``; ``stride score ipaq_sf --input FILE``
reads the IPAQ JSON (``stride/data/schemas/ipaq_sf.input.schema.json``). Any other instrument also
takes ``--input`` with a JSON object of item id → value. An empty slot in ``--answers`` ("1,,2")
is an unanswered item. Exit codes and the ``--json`` convention are those of ``stride.cli.output``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from stride.cli.output import run, stderr
from stride.clinical.measurement import (
    IPAQ_ID,
    Score,
    get_instrument,
    instrument_ids,
    score,
    score_ipaq,
    score_list,
)
from stride.clinical.safety import safety_concern
from stride.errors import BadRequest, InvalidInput

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
_console = Console(highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``score`` and ``instruments`` commands to ``app``."""
    app.command("score")(score_command)
    app.command("instruments")(instruments_command)


def score_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id (see `stride instruments`).")],
    answers: Annotated[
        str | None,
        typer.Option("--answers", help="Comma-separated answers in item order; empty = unanswered."),
    ] = None,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="JSON file (required for ipaq_sf).", dir_okay=False)
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score one questionnaire and print total, severity, flags and details."""

    def action() -> dict[str, Any]:
        return _payload(_score(instrument, answers, input_file))

    run(as_json, action, _print_score)


def instruments_command(as_json: JsonFlag = False) -> None:
    """List the instruments that `stride score` knows."""

    def action() -> list[dict[str, str]]:
        return [
            {"id": i.id, "name": i.name, "kind": i.kind}
            for i in (get_instrument(instrument_id) for instrument_id in instrument_ids())
        ]

    def human(rows: list[dict[str, str]]) -> None:
        table = Table(title="Instruments")
        for column in ("id", "name", "kind"):
            table.add_column(column)
        for row in rows:
            table.add_row(row["id"], row["name"], row["kind"])
        _console.print(table)

    run(as_json, action, human)


def _score(instrument_id: str, answers: str | None, input_file: Path | None) -> Score:
    instrument = get_instrument(instrument_id)
    if (answers is None) == (input_file is None):
        how = "--input FILE" if instrument.id == IPAQ_ID else "--answers a1,a2,... or --input FILE"
        raise InvalidInput(f"give exactly one of {how}", field="answers")
    if input_file is not None:
        data = _read_json(input_file)
        if instrument.id == IPAQ_ID:
            return score_ipaq(data)
        return score(instrument, data)
    if instrument.id == IPAQ_ID:
        raise InvalidInput("the IPAQ takes a JSON file: --input FILE", field="answers")
    assert answers is not None
    return score_list(instrument.id, _parse_answers(answers, [item.id for item in instrument.items]))


def _parse_answers(raw: str, item_ids: list[str]) -> list[int | None]:
    values: list[int | None] = []
    for position, entry in enumerate(raw.split(",")):
        token = entry.strip()
        if not token:
            values.append(None)
            continue
        try:
            values.append(int(token))
        except ValueError:
            field = item_ids[position] if position < len(item_ids) else "answers"
            raise InvalidInput(f"{token!r} is not a whole number", field=field) from None
    return values


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}", field="input") from None
    except UnicodeDecodeError:
        raise BadRequest(f"{path} is not UTF-8 text", field="input") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}", field="input") from None
    if not isinstance(data, dict):
        raise InvalidInput("the file must hold a JSON object", field="input")
    return data


def _plain(value: object) -> object:
    # Score.details holds read-only mappings; JSON wants dicts and lists.
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _payload(result: Score) -> dict[str, Any]:
    details = _plain(result.details)
    assert isinstance(details, dict)
    if result.missing:
        details["missing"] = list(result.missing)
    if not result.complete:
        details["complete"] = False
    concern = safety_concern(result)
    payload: dict[str, Any] = {
        "instrument": result.instrument,
        "total": result.total,
        "severity": result.severity,
        "flags": list(result.flags),
        "details": details,
    }
    if concern is not None:
        # Outside the five contract keys' meaning but inside the object: a consumer that reads
        # only those keys loses nothing, and one that shows the result can show the concern.
        details["safety_concern"] = {
            "code": concern.code,
            "severity": concern.severity,
            "reason": concern.reason,
        }
    return payload


def _print_score(payload: dict[str, Any]) -> None:
    total = "-" if payload["total"] is None else f"{payload['total']:g}"
    line = f"{payload['instrument']}: total {total}, severity {payload['severity'] or '-'}"
    if payload["flags"]:
        line += f", flags {', '.join(payload['flags'])}"
    typer.echo(line)
    details = payload["details"]
    if details.get("missing"):
        stderr.print(f"Unanswered: {', '.join(details['missing'])}")
    concern = details.get("safety_concern")
    if concern:
        stderr.print(f"[bold red]Safety concern ({concern['severity']}):[/] {concern['reason']}")
