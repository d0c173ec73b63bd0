"""``stride screen``: the JSON contract, the exit codes, the policies and the input schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from typer.testing import CliRunner

from stride.cli.main import app
from stride.clinical.safety import screening_rules

runner = CliRunner()

EXAMPLE: dict[str, Any] = {
    "age": 52,
    "sex": "male",
    "currently_active": True,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "resting_bp": [134, 84],
    "parq": {"q1": False, "q2": False, "q3": False, "q4": False, "q5": False, "q6": False, "q7": False},
    "phq9_item9": 0,
    "cssrs_risk": "none",
    "medications": ["sertraline"],
    "conditions": [],
}
SCHEMA = json.loads(
    resources.files("stride.data").joinpath("schemas/screen.input.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema_rs.Draft202012Validator(SCHEMA)


def screen(tmp_path: Path, payload: object, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "input.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    result = runner.invoke(app, ["screen", "--input", str(path), *options])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def with_(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE, **changes}


def without(key: str) -> dict[str, Any]:
    return {k: v for k, v in EXAMPLE.items() if k != key}


def ok(tmp_path: Path, payload: dict[str, Any], *options: str) -> dict[str, Any]:
    code, out, err = screen(tmp_path, payload, "--json", *options)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    assert set(result) == {"decision", "reasons", "restrictions"}
    for reason in result["reasons"]:
        assert set(reason) == {"code", "text", "source"}
        assert all(isinstance(v, str) and v for v in reason.values())
    assert all(isinstance(code, str) for code in result["restrictions"])
    return result


# --- the contract ---------------------------------------------------------------------------------


def test_cleared(tmp_path: Path) -> None:
    result = ok(tmp_path, EXAMPLE)
    assert result["decision"] == "cleared"
    assert result["restrictions"] == []
    assert {r["code"] for r in result["reasons"]} == {"acsm_active_healthy", "parq_all_no"}


def test_beta_blocker_patient(tmp_path: Path) -> None:
    result = ok(tmp_path, with_(medications=["Bisoprolol", "sertraline"], conditions=["hypertension"]))
    assert result["decision"] == "cleared_with_restrictions"
    assert result["restrictions"] == ["intensity_by_rpe", "no_breath_holding"]
    assert "beta_blocker" in {r["code"] for r in result["reasons"]}


def test_deferral(tmp_path: Path) -> None:
    result = ok(tmp_path, with_(phq9_item9=1, cssrs_risk="moderate", medications=["esketamine"]))
    assert result["decision"] == "defer"
    assert [r["code"] for r in result["reasons"][:2]] == [
        "suicidal_ideation_phq9",
        "suicide_risk_cssrs_moderate",
    ]
    assert result["restrictions"] == ["no_session_on_dosing_days"]


@pytest.mark.parametrize(
    ("changes", "decision"),
    [
        ({"currently_active": False, "known_disease": ["cardiovascular"]}, "medical_clearance_required"),
        ({"symptoms": ["chest_pain"]}, "medical_clearance_required"),
        ({"known_disease": ["metabolic"], "desired_intensity": "vigorous"}, "medical_clearance_required"),
        ({"resting_bp": [180, 90]}, "defer"),
        ({"resting_bp": [179, 109]}, "cleared"),
        ({"conditions": ["psychosis"]}, "defer"),
        ({"cssrs_risk": "low"}, "cleared"),
        ({"parq": {}}, "cleared"),
        ({"parq": {"q6": True}}, "cleared_with_restrictions"),
    ],
)
def test_decisions(tmp_path: Path, changes: dict[str, Any], decision: str) -> None:
    assert ok(tmp_path, with_(**changes))["decision"] == decision


def test_policies(tmp_path: Path) -> None:
    high = with_(resting_bp=[190, 100], medications=["esketamine"])
    assert ok(tmp_path, high)["decision"] == "defer"
    relaxed = ok(
        tmp_path,
        high,
        "--bp-policy",
        "exercise_testing_200_110",
        "--dosing-day-policy",
        "no_vigorous_within_4h",
    )
    assert relaxed["decision"] == "cleared_with_restrictions"
    assert relaxed["restrictions"] == ["no_vigorous_within_4h_of_dose"]


@pytest.mark.parametrize(
    ("option", "field"), [("--bp-policy", "bp_policy"), ("--dosing-day-policy", "dosing_day_policy")]
)
def test_unknown_policy_exits_2(tmp_path: Path, option: str, field: str) -> None:
    code, out, _ = screen(tmp_path, EXAMPLE, "--json", option, "lenient")
    assert code == 2
    assert json.loads(out)["field"] == field


def test_human_output(tmp_path: Path) -> None:
    code, out, _ = screen(tmp_path, with_(medications=["metoprolol"]))
    assert code == 0
    assert out.startswith("Decision: cleared with restrictions")
    assert "- Metoprolol is a beta-blocker" in out
    assert "  source: Eston" in out
    assert "- intensity_by_rpe: Prescribe and monitor intensity by RPE" in out


def test_screen_is_listed_in_help() -> None:
    assert "screen" in runner.invoke(app, ["--help"]).stdout


# --- exit 2 naming the field, and the schema agrees ------------------------------------------

REJECTED = [
    (without("age"), "age"),
    (without("currently_active"), "currently_active"),
    (with_(age="52"), "age"),
    (with_(sex="M"), "sex"),
    (with_(known_disease=["heart"]), "known_disease[0]"),
    (with_(symptoms=["chest_pain", "dizziness_syncope", "nausea"]), "symptoms[2]"),
    (with_(desired_intensity="maximal"), "desired_intensity"),
    (with_(resting_bp=[120]), "resting_bp"),
    (with_(resting_bp=["high", 80]), "resting_bp[0]"),
    (with_(resting_bp=[120, 500]), "resting_bp[1]"),
    (with_(parq={"q3": "no"}), "parq.q3"),
    (with_(parq={"q0": False}), "parq.q0"),
    (with_(phq9_item9=5), "phq9_item9"),
    (with_(cssrs_risk="severe"), "cssrs_risk"),
    (with_(medications=[3]), "medications[0]"),
    (with_(conditions=["bad_knee"]), "conditions[0]"),
    (with_(extra=True), "extra"),
]


@pytest.mark.parametrize(("payload", "field"), REJECTED)
def test_invalid_input_exits_2_naming_the_field(tmp_path: Path, payload: dict[str, Any], field: str) -> None:
    code, out, err = screen(tmp_path, payload, "--json")
    assert code == 2
    error = json.loads(out)
    assert set(error) == {"error", "message", "field"}
    assert (error["error"], error["field"]) == ("invalid_input", field)
    assert field in err
    assert not VALIDATOR.is_valid(payload)


ACCEPTED = [
    EXAMPLE,
    with_(parq={}),
    with_(parq={"q2": True}),
    with_(resting_bp=None, phq9_item9=None, cssrs_risk=None, parq=None),
    without("medications") | {"conditions": ["knee_osteoarthritis", "mania"]},
    {
        k: EXAMPLE[k]
        for k in ("age", "sex", "currently_active", "known_disease", "symptoms", "desired_intensity")
    },
]


@pytest.mark.parametrize("payload", ACCEPTED)
def test_accepted_examples_match_the_schema(tmp_path: Path, payload: dict[str, Any]) -> None:
    ok(tmp_path, payload)
    assert VALIDATOR.is_valid(payload)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_non_json_or_non_object_exits_2(tmp_path: Path, content: str) -> None:
    code, out, _ = screen(tmp_path, content, "--json")
    assert code == 2
    assert json.loads(out)["field"] == "input"


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", "--input", str(tmp_path / "nope.json"), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["field"] == "input"


def test_schema_lists_the_codes_of_the_data() -> None:
    rules = screening_rules()
    props = SCHEMA["properties"]
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert props["known_disease"]["items"]["enum"] == list(rules.acsm.diseases)
    assert props["symptoms"]["items"]["enum"] == list(rules.acsm.symptoms)
    assert props["conditions"]["items"]["enum"] == list(rules.conditions)
    assert props["desired_intensity"]["enum"] == list(rules.intensities)
    assert props["cssrs_risk"]["enum"] == [*rules.cssrs_levels, None]
    assert list(props["parq"]["properties"]) == list(rules.parq.questions)
    bp = props["resting_bp"]["prefixItems"]
    assert (bp[0]["minimum"], bp[0]["maximum"]) == rules.blood_pressure.systolic_range
    assert (bp[1]["minimum"], bp[1]["maximum"]) == rules.blood_pressure.diastolic_range
    assert (props["age"]["minimum"], props["age"]["maximum"]) == rules.age_range
