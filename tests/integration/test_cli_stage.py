"""``stride stage``: the JSON contract, the exit codes, the rule options and the input schema."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stride.cli.main import app
from stride.clinical.trd import msm

runner = CliRunner()

EXAMPLE: dict[str, Any] = {
    "as_of": "2026-11-26",
    "episode_start": "2025-03-01",
    "severity": "severe_without_psychosis",
    "trials": [
        {"drug": "sertraline", "daily_dose_mg": 100, "weeks": 8, "improvement_pct": 15, "adherent": True},
        {"drug": "fluoxetine", "daily_dose_mg": 10, "weeks": 6, "improvement_pct": 0, "adherent": True},
        {"drug": "venlafaxine", "daily_dose_mg": 150, "weeks": 6, "improvement_pct": 30, "adherent": True},
        {"drug": "mirtazapine", "daily_dose_mg": 30, "weeks": 4, "improvement_pct": 10, "adherent": True},
    ],
    "augmentation": True,
    "ect": False,
}


def stage(tmp_path: Path, payload: object, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "input.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    result = runner.invoke(app, ["stage", "--input", str(path), *options])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def with_(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE, **changes}


def with_trial(index: int, **changes: Any) -> dict[str, Any]:
    trials = [dict(t) for t in EXAMPLE["trials"]]
    trials[index].update(changes)
    return with_(trials=trials)


def without(key: str) -> dict[str, Any]:
    return {k: v for k, v in EXAMPLE.items() if k != key}


# --- a tiny JSON Schema checker for the keywords the stage schema uses ------------------------

SCHEMA = json.loads(
    resources.files("stride.data").joinpath("schemas/stage.input.schema.json").read_text(encoding="utf-8")
)
_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "number": (int, float),
}


def schema_errors(value: Any, schema: dict[str, Any], at: str = "$") -> list[str]:
    if "$ref" in schema:
        return schema_errors(value, SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]], at)
    if "enum" in schema:
        return [] if value in schema["enum"] else [f"{at}: not in enum"]
    kind = schema.get("type")
    if kind and (not isinstance(value, _TYPES[kind]) or (kind == "number" and isinstance(value, bool))):
        return [f"{at}: not {kind}"]
    errors: list[str] = []
    if kind == "object":
        errors += [f"{at}.{k}: required" for k in schema.get("required", []) if k not in value]
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{at}.{key}: additional")
    if kind == "array":
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{at}[{i}]")
    if kind == "string":
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{at}: too short")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{at}: pattern")
    if kind == "number":
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{at}: below minimum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{at}: not above exclusiveMinimum")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{at}: above maximum")
    return errors


ACCEPTED = [
    EXAMPLE,
    with_(trials=[]),
    with_(ketamine=True, esketamine=True, psychotherapy=False),
    with_trial(0, start_date="2026-01-05"),
    with_trial(1, improvement_pct=-25.5, daily_dose_mg=12.5),
    with_(severity="subsyndromal", ect=True),
]

STRUCTURALLY_REJECTED = [
    (without("severity"), "severity"),
    (without("augmentation"), "augmentation"),
    (with_(severity="very severe"), "severity"),
    (with_(augmentation="yes"), "augmentation"),
    (with_(augmentaion=True), "augmentaion"),
    (with_(as_of="26/11/2026"), "as_of"),
    (with_(as_of="20261126"), "as_of"),
    (with_(trials={"drug": "sertraline"}), "trials"),
    (with_trial(1, daily_dose_mg=-10), "trials[1].daily_dose_mg"),
    (with_trial(1, daily_dose_mg="20"), "trials[1].daily_dose_mg"),
    (with_trial(0, weeks=True), "trials[0].weeks"),
    (with_trial(0, improvement_pct=120), "trials[0].improvement_pct"),
    (with_trial(2, adherent="yes"), "trials[2].adherent"),
    (with_trial(3, dose=10), "trials[3].dose"),
    (with_(trials=[{"drug": "sertraline"}]), "trials[0].daily_dose_mg"),
]


def test_schema_severities_are_the_msm_levels() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["properties"]["severity"]["enum"] == list(msm.severity_levels())


@pytest.mark.parametrize("payload", ACCEPTED)
def test_accepted_examples_match_the_schema(tmp_path: Path, payload: dict[str, Any]) -> None:
    code, out, err = stage(tmp_path, payload, "--json")
    assert code == 0, err
    assert "trd" in json.loads(out)
    assert schema_errors(payload, SCHEMA) == []


@pytest.mark.parametrize(("payload", "field"), STRUCTURALLY_REJECTED)
def test_rejected_examples_fail_the_schema_too(tmp_path: Path, payload: dict[str, Any], field: str) -> None:
    code, out, err = stage(tmp_path, payload, "--json")
    assert code == 2
    error = json.loads(out)
    assert error["field"] == field
    assert set(error) == {"error", "message", "field"}
    assert field in err
    assert schema_errors(payload, SCHEMA) != []


# --- the contract -------------------------------------------------------------------------------


def test_trd_case_with_msm_moderate(tmp_path: Path) -> None:
    code, out, _ = stage(tmp_path, EXAMPLE, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["trd"] is True
    assert result["adequate_failed_trials"] == 2
    assert [(t["adequate"], t["failed"]) for t in result["trials"]] == [
        (True, True),
        (False, True),
        (True, True),
        (False, True),
    ]
    assert all(t["reasons"] for t in result["trials"])
    assert result["trials"][1]["reasons"][0].startswith(
        "dose 10 mg below the minimum effective 20 mg for fluoxetine"
    )
    assert result["msm"] == {
        "score": 8,
        "band": "moderate",
        "items": {"duration": 2, "severity": 4, "antidepressants": 1, "augmentation": 1, "ect": 0},
        "item_details": result["msm"]["item_details"],
    }
    assert result["rules"]["min_weeks"] == 6
    assert result["rules"]["failure_threshold_pct"] == 50


def test_rule_options_change_the_verdicts(tmp_path: Path) -> None:
    # 4 weeks makes mirtazapine adequate; < 25 % makes venlafaxine (30 % better) not a failure.
    code, out, _ = stage(tmp_path, EXAMPLE, "--json", "--min-weeks", "4", "--failure-threshold", "25")
    assert code == 0
    result = json.loads(out)
    assert [t["counted"] for t in result["trials"]] == [True, False, False, True]
    assert (result["rules"]["min_weeks"], result["rules"]["failure_threshold_pct"]) == (4, 25)


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--min-weeks", "5", "min_weeks"),
        ("--failure-threshold", "40", "failure_threshold"),
        ("--min-weeks", "x", "min_weeks"),
    ],
)
def test_uncited_options_exit_2(tmp_path: Path, option: str, value: str, field: str) -> None:
    code, out, _ = stage(tmp_path, EXAMPLE, "--json", option, value)
    assert code == 2
    assert json.loads(out)["field"] == field


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        (with_trial(2, drug="venlafaxin"), "trials[2].drug", "did you mean venlafaxine"),
        (with_(episode_start="2027-01-01"), "episode_start", "after as_of"),
        (with_trial(0, start_date="2026-12-01"), "trials[0].start_date", "after as_of"),
        (with_trial(0, daily_dose_mg=0), "trials[0].daily_dose_mg", "more than 0"),
    ],
)
def test_clinical_validation_names_the_field(
    tmp_path: Path, payload: dict[str, Any], field: str, words: str
) -> None:
    code, out, err = stage(tmp_path, payload, "--json")
    assert code == 2
    error = json.loads(out)
    assert (error["error"], error["field"]) == ("invalid_input", field)
    assert words in error["message"]
    assert field in err


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_non_json_or_non_object_input_exits_2(tmp_path: Path, content: str) -> None:
    code, out, _ = stage(tmp_path, content, "--json")
    assert code == 2
    assert json.loads(out)["field"] == "input"


def test_missing_file_exits_2_naming_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stage", "--input", str(tmp_path / "nope.json"), "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)
    assert (error["error"], error["field"]) == ("bad_request", "input")
    assert "nope.json" in error["message"]
    assert "nope.json" in result.stderr


def test_human_output(tmp_path: Path) -> None:
    code, out, _ = stage(tmp_path, with_(esketamine=True))
    assert code == 0
    assert out.startswith("TRD: 2 adequate failed antidepressant trial(s), 2 needed")
    assert "Maudsley Staging Method: 8 (moderate)" in out
    assert "2. fluoxetine: not counted" in out
    assert "Also recorded (not scored): esketamine" in out


def test_stage_is_listed_in_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert "stage" in result.stdout
