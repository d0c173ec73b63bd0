"""``stride hr-zones``: the JSON contract (HRmax and light/moderate/vigorous zones by %HRR, whole
beats), the options, and exit 2 naming the option for invalid input. No database is needed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from stride.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["hr-zones", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def zones_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke(*args, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"hrmax", "zones"}
    assert set(payload["zones"]) == {"light", "moderate", "vigorous"}
    return payload  # type: ignore[no-any-return]


def test_the_contract_age_45_rest_70() -> None:
    assert zones_json("--age", "45", "--resting-hr", "70") == {
        "hrmax": 177,
        "zones": {"light": [102, 112], "moderate": [113, 133], "vigorous": [134, 160]},
    }


def test_values_are_whole_beats_contiguous_and_inside_rest_to_max() -> None:
    payload = zones_json("--age", "60", "--resting-hr", "65")
    zones = [payload["zones"][name] for name in ("light", "moderate", "vigorous")]
    assert all(isinstance(v, int) for zone in zones for v in zone)
    assert payload["hrmax"] == 166  # 208 - 42
    assert zones[0][1] + 1 == zones[1][0]
    assert zones[1][1] + 1 == zones[2][0]
    assert zones[0][0] >= 65
    assert zones[2][1] <= 166


@pytest.mark.parametrize(("formula", "expected"), [("tanaka", 177), ("fox", 175), ("gellish", 176)])
def test_formulas(formula: str, expected: int) -> None:
    assert zones_json("--age", "45", "--resting-hr", "70", "--formula", formula)["hrmax"] == expected


def test_measured_hrmax_overrides() -> None:
    payload = zones_json("--age", "45", "--resting-hr", "60", "--hrmax", "180")
    assert payload == {
        "hrmax": 180,
        "zones": {"light": [96, 107], "moderate": [108, 131], "vigorous": [132, 161]},
    }


def test_vigorous_upper_bound_option() -> None:
    payload = zones_json("--age", "45", "--resting-hr", "70", "--vigorous-upper", "89")
    assert payload["zones"]["vigorous"] == [134, 165]


def test_human_output() -> None:
    code, out, _ = invoke("--age", "45", "--resting-hr", "70")
    assert code == 0
    assert "HRmax 177 bpm" in out
    assert "102-112 bpm" in out
    assert "RPE 12-13" in out


@pytest.mark.parametrize(
    ("args", "field", "option"),
    [
        (["--age", "5", "--resting-hr", "70"], "age", "--age"),
        (["--age", "150", "--resting-hr", "70"], "age", "--age"),
        (["--age", "45", "--resting-hr", "177"], "resting_hr", "--resting-hr"),
        (["--age", "45", "--resting-hr", "200"], "resting_hr", "--resting-hr"),
        (["--age", "45", "--resting-hr", "70", "--hrmax", "65"], "resting_hr", "--resting-hr"),
        (["--age", "45", "--resting-hr", "70", "--formula", "astrand"], "formula", "--formula"),
        (["--age", "45", "--resting-hr", "70", "--hrmax", "400"], "hrmax", "--hrmax"),
        (
            ["--age", "45", "--resting-hr", "70", "--vigorous-upper", "95"],
            "vigorous_upper_pct",
            "--vigorous-upper",
        ),
    ],
)
def test_invalid_input_exits_2_naming_the_option(args: list[str], field: str, option: str) -> None:
    code, out, err = invoke(*args, "--json")
    assert code == 2
    payload = json.loads(out)
    assert payload["error"] == "invalid_input"
    assert payload["field"] == field
    assert option in payload["message"]
    assert option in err


def test_a_non_number_is_a_usage_error() -> None:
    code, _, err = invoke("--age", "forty", "--resting-hr", "70")
    assert code == 2
    assert "--age" in err
