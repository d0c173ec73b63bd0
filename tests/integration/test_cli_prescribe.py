"""``stride prescribe``: the JSON contract, exit 2 on refusal and on invalid input, and the input schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from typer.testing import CliRunner

from stride.cli.main import app
from stride.clinical.prescription.input import OPTIONAL, REQUIRED
from stride.clinical.safety.screening_input import OPTIONAL as SCREEN_OPTIONAL
from stride.clinical.safety.screening_input import REQUIRED as SCREEN_REQUIRED

runner = CliRunner()

EXAMPLE: dict[str, Any] = {
    "age": 52,
    "sex": "female",
    "currently_active": False,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "resting_bp": [132, 84],
    "parq": {"q1": True, "q2": False, "q3": False, "q4": True, "q5": True, "q6": True, "q7": False},
    "phq9_item9": 0,
    "cssrs_risk": "none",
    "medications": ["bisoprolol", "sertraline"],
    "conditions": ["hypertension", "knee_osteoarthritis"],
    "resting_hr": 68,
    "hrmax": None,
    "weight_kg": 74,
    "preferences": {
        "modalities": ["walking"],
        "setting": "home",
        "days": ["mon", "wed", "fri"],
        "minutes": 40,
    },
    "protocol": "recommend",
    "current_activity": {"ipaq_category": "low"},
}
SCHEMA = json.loads(
    resources.files("stride.data").joinpath("schemas/prescribe.input.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema_rs.Draft202012Validator(SCHEMA)


def prescribe(tmp_path: Path, payload: object, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "input.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    result = runner.invoke(app, ["prescribe", "--input", str(path), *options])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def with_(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE, **changes}


def ok(tmp_path: Path, payload: dict[str, Any]) -> dict[str, Any]:
    code, out, err = prescribe(tmp_path, payload, "--json")
    assert code == 0, err
    plan: dict[str, Any] = json.loads(out)
    assert isinstance(plan["protocol"], str)
    assert plan["rationale"]
    for item in plan["rationale"]:
        assert set(item) == {"text", "source"}
        assert all(isinstance(v, str) and v for v in item.values())
    for week in plan["weeks"]:
        assert isinstance(week["week"], int)
        assert isinstance(week["target"], dict)
        for s in week["sessions"]:
            assert {"day", "modality", "minutes", "hr_range_bpm", "rpe_range"} <= set(s)
            assert isinstance(s["day"], str)
            assert isinstance(s["modality"], str)
            assert isinstance(s["minutes"], int | float)
            assert s["hr_range_bpm"] is None or (
                len(s["hr_range_bpm"]) == 2 and s["hr_range_bpm"][0] <= s["hr_range_bpm"][1]
            )
            assert len(s["rpe_range"]) == 2
    return plan


def test_the_example_plan(tmp_path: Path) -> None:
    plan = ok(tmp_path, EXAMPLE)
    assert plan["protocol"] == "home_walking"
    assert len(plan["weeks"]) == 12
    assert [s["day"] for s in plan["weeks"][0]["sessions"]] == ["mon", "wed", "fri"]
    # Bisoprolol: intensity by RPE only, in every session of every week.
    assert all(s["hr_range_bpm"] is None for w in plan["weeks"] for s in w["sessions"])
    assert plan["weeks"][0]["sessions"][0]["rpe_range"] == [9, 11]


def test_heart_rate_ranges_without_a_beta_blocker(tmp_path: Path) -> None:
    plan = ok(tmp_path, with_(medications=["sertraline"], protocol="yoga"))
    assert all(s["hr_range_bpm"] is not None for w in plan["weeks"] for s in w["sessions"])


def test_a_plan_runs_for_the_protocols_own_length_unless_weeks_are_given(tmp_path: Path) -> None:
    """SMILE ran 16 weeks: a plan from it is not cut to 12 when no length is asked for."""
    smile = with_(medications=["sertraline"], protocol="smile_aerobic")
    assert len(ok(tmp_path, smile)["weeks"]) == 16
    assert len(ok(tmp_path, {**smile, "weeks": None})["weeks"]) == 16
    assert len(ok(tmp_path, {**smile, "weeks": 10})["weeks"]) == 10
    assert len(ok(tmp_path, with_(medications=["sertraline"], protocol="yoga"))["weeks"]) == 12


def test_the_same_input_gives_the_same_output(tmp_path: Path) -> None:
    assert ok(tmp_path, EXAMPLE) == ok(tmp_path, dict(reversed(list(EXAMPLE.items()))))


@pytest.mark.parametrize(
    ("changes", "decision"),
    [
        ({"phq9_item9": 1}, "defer"),
        ({"known_disease": ["cardiovascular"]}, "medical_clearance_required"),
    ],
)
def test_not_cleared_exits_2_with_the_reasons(tmp_path: Path, changes: dict[str, Any], decision: str) -> None:
    code, out, _ = prescribe(tmp_path, with_(**changes), "--json")
    assert code == 2
    payload = json.loads(out)
    assert payload["error"] == "not_cleared"
    assert payload["decision"] == decision
    assert payload["reasons"]
    assert all(set(r) == {"code", "text", "source"} for r in payload["reasons"])
    assert "weeks" not in payload


def test_not_cleared_human_output(tmp_path: Path) -> None:
    code, out, _ = prescribe(tmp_path, with_(phq9_item9=2))
    assert code == 2
    assert "Not cleared for exercise: defer" in out
    assert "PHQ-9 item 9" in out


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in EXAMPLE.items() if k != "resting_hr"}, "resting_hr"),
        (with_(preferences={**EXAMPLE["preferences"], "days": ["someday"]}), "preferences.days[0]"),
        (with_(weeks=4), "weeks"),
        (with_(protocol="zumba"), "protocol"),
        (with_(protocol="hiit"), "protocol"),  # knee osteoarthritis: low impact, no HIIT
        (with_(shoe_size=40), "shoe_size"),
        ("{not json", "input"),
    ],
)
def test_invalid_input_exits_2_naming_the_field(tmp_path: Path, payload: object, field: str) -> None:
    code, out, err = prescribe(tmp_path, payload, "--json")
    assert code == 2
    assert json.loads(out)["field"] == field
    assert field in err


def test_human_output(tmp_path: Path) -> None:
    code, out, _ = prescribe(tmp_path, EXAMPLE)
    assert code == 0
    assert "Protocol: Home walking programme" in out
    assert "HR by RPE only" in out
    assert "Rationale:" in out


def test_the_example_matches_the_schema() -> None:
    assert VALIDATOR.is_valid(EXAMPLE)
    assert not VALIDATOR.is_valid(with_(weeks=4))
    assert not VALIDATOR.is_valid(with_(preferences={**EXAMPLE["preferences"], "setting": "beach"}))


def test_the_schema_lists_every_field_the_parser_accepts() -> None:
    assert set(SCHEMA["properties"]) == {*SCREEN_REQUIRED, *SCREEN_OPTIONAL, *REQUIRED, *OPTIONAL}
    assert set(SCHEMA["required"]) == {*SCREEN_REQUIRED, *REQUIRED}
