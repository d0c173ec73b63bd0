"""``stride stage``: TRD status and Maudsley stage from a JSON treatment history.

The input is described by ``stride/data/schemas/stage.input.schema.json``. Structural problems
(missing or unknown field, wrong type, unreadable file) are reported here, naming the field;
clinical validation (unknown drug, dates out of order) comes from :func:`stride.clinical.trd.assess`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from stride.cli.output import read_json_input, run
from stride.clinical.trd import TrdAssessment, TrdInput, Trial, assess, trd_rules
from stride.domain.dates import check_event_date
from stride.errors import InvalidInput

_TOP_REQUIRED = ("as_of", "episode_start", "severity", "trials", "augmentation", "ect")
_TOP_OPTIONAL = ("ketamine", "esketamine", "psychotherapy")
_TRIAL_REQUIRED = ("drug", "daily_dose_mg", "weeks", "improvement_pct", "adherent")
_TRIAL_OPTIONAL = ("start_date",)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # the schema's pattern; fromisoformat alone also takes 20260101


def _fields(
    obj: object, *, at: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> Mapping[str, Any]:
    prefix = f"{at}." if at else ""
    if not isinstance(obj, dict):
        raise InvalidInput("must be a JSON object", field=at or "input")
    for key in required:
        if key not in obj:
            raise InvalidInput("is required", field=prefix + key)
    # Unknown keys are refused: a misspelt optional flag ("augmentaion") would otherwise be
    # silently dropped and understate the stage.
    for key in obj:
        if key not in required and key not in optional:
            raise InvalidInput("is not a known field", field=prefix + str(key))
    return obj


def _date(value: object, *, field: str, today: date | None = None) -> date:
    """An ISO date; with ``today``, also within the plausible range (``as_of``). The episode and
    trial dates get only the earliest bound here: :func:`assess` refuses them after ``as_of``."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise InvalidInput(f"{value!r} is not a date YYYY-MM-DD", field=field)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date YYYY-MM-DD", field=field) from None
    return check_event_date(day, today=day if today is None else today, field=field)


def _number(value: object, *, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("must be a number", field=field)
    return float(value)


def _flag(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("must be true or false", field=field)
    return value


def _trial(obj: object, *, at: str) -> Trial:
    raw = _fields(obj, at=at, required=_TRIAL_REQUIRED, optional=_TRIAL_OPTIONAL)
    if not isinstance(raw["drug"], str):
        raise InvalidInput("must be a drug name", field=f"{at}.drug")
    start = raw.get("start_date")
    return Trial(
        drug=raw["drug"],
        daily_dose_mg=_number(raw["daily_dose_mg"], field=f"{at}.daily_dose_mg"),
        weeks=_number(raw["weeks"], field=f"{at}.weeks"),
        adherent=_flag(raw["adherent"], field=f"{at}.adherent"),
        improvement_pct=_number(raw["improvement_pct"], field=f"{at}.improvement_pct"),
        start_date=None if start is None else _date(start, field=f"{at}.start_date"),
    )


def parse_stage_input(data: object, *, today: date) -> TrdInput:
    """Turn the decoded JSON of a ``stride stage`` input into a :class:`TrdInput`, naming any bad field.

    Every date must be plausible as of ``today`` (``stride.domain.dates``): a year 9999 is refused."""
    raw = _fields(data, at="", required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    if not isinstance(raw["trials"], list):
        raise InvalidInput("must be a list of trials", field="trials")
    if not isinstance(raw["severity"], str):
        raise InvalidInput("must be a severity category", field="severity")
    return TrdInput(
        as_of=_date(raw["as_of"], field="as_of", today=today),
        episode_start=_date(raw["episode_start"], field="episode_start"),
        severity=raw["severity"],
        trials=tuple(_trial(t, at=f"trials[{i}]") for i, t in enumerate(raw["trials"])),
        augmentation=_flag(raw["augmentation"], field="augmentation"),
        ect=_flag(raw["ect"], field="ect"),
        ketamine=_flag(raw.get("ketamine", False), field="ketamine"),
        esketamine=_flag(raw.get("esketamine", False), field="esketamine"),
        psychotherapy=_flag(raw.get("psychotherapy", False), field="psychotherapy"),
    )


def _option(value: str | None, *, field: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a number", field=field) from None


def _num(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def to_json(result: TrdAssessment) -> dict[str, Any]:
    """The ``--json`` payload of ``stride stage``."""
    rules = result.rules
    return {
        "trd": result.trd,
        "adequate_failed_trials": result.adequate_failed_trials,
        "trials": [
            {
                "drug": t.drug,
                "drug_class": t.drug_class,
                "adequate": t.adequate,
                "failed": t.failed,
                "counted": t.counted,
                "reasons": list(t.reasons),
            }
            for t in result.trials
        ],
        "msm": {
            "score": result.msm.score,
            "band": result.msm.band,
            "items": result.msm.item_scores(),
            "item_details": {i.name: {"category": i.category, "source": i.source} for i in result.msm.items},
        },
        "rules": {
            "min_weeks": _num(rules.min_weeks),
            "min_weeks_source": rules.min_weeks_source,
            "failure_threshold_pct": _num(rules.failure_threshold_pct),
            "failure_source": rules.failure_source,
            "min_failed_trials": rules.min_failed_trials,
            "min_failed_source": rules.min_failed_source,
        },
        "reasons": list(result.reasons),
        "recorded_treatments": list(result.recorded_treatments),
    }


def _human(payload: dict[str, Any]) -> None:
    typer.echo(payload["reasons"][0])
    msm = payload["msm"]
    items = ", ".join(f"{name} {score}" for name, score in msm["items"].items())
    typer.echo(f"Maudsley Staging Method: {msm['score']} ({msm['band']}); {items}")
    for number, trial in enumerate(payload["trials"], start=1):
        verdict = "counted" if trial["counted"] else "not counted"
        typer.echo(f"{number}. {trial['drug']}: {verdict}")
        for reason in trial["reasons"]:
            typer.echo(f"   - {reason}")
    if payload["recorded_treatments"]:
        typer.echo("Also recorded (not scored): " + ", ".join(payload["recorded_treatments"]))


def stage(
    input_file: Annotated[Path, typer.Option("--input", help="JSON file with the treatment history.")],
    min_weeks: Annotated[
        str | None, typer.Option("--min-weeks", help="Minimum trial weeks: 4 (EU-PEARL) or 6 (default).")
    ] = None,
    failure_threshold: Annotated[
        str | None,
        typer.Option(
            "--failure-threshold", help="Failed below this % improvement: 25 (EU-PEARL) or 50 (default)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """TRD status (adequate failed antidepressant trials) and Maudsley stage from a JSON history."""

    def action() -> dict[str, Any]:
        rules = trd_rules(
            min_weeks=_option(min_weeks, field="min_weeks"),
            failure_threshold_pct=_option(failure_threshold, field="failure_threshold"),
        )
        today = datetime.now(UTC).date()  # the shell's clock: the dates' plausible range
        return to_json(assess(parse_stage_input(read_json_input(input_file), today=today), rules=rules))

    run(as_json, action, _human)


def register(app: typer.Typer) -> None:
    """Add ``stride stage`` to the root command."""
    app.command("stage")(stage)
