"""``stride score`` and ``stride instruments``: the CLI contract (JSON keys, severity labels, flags),
exit codes (0 ok, 2 invalid input naming the item or field) and ``--json`` errors on stdout.
No database is needed: scoring is pure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stride.cli.main import app

runner = CliRunner()
CONTRACT_KEYS = {"instrument", "total", "severity", "flags", "details"}


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def score_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke("score", *args, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == CONTRACT_KEYS
    return payload  # type: ignore[no-any-return]


def test_phq9_moderate_without_flags() -> None:
    payload = score_json("phq9", "--answers", "2,2,2,2,1,1,2,0,0")
    assert payload == {"instrument": "phq9", "total": 12, "severity": "moderate", "flags": [], "details": {}}


def test_phq9_item_9_positive_flags_and_reports_the_safety_concern() -> None:
    payload = score_json("phq9", "--answers", "1,1,0,1,0,0,1,0,2,1")
    assert (payload["total"], payload["severity"], payload["flags"]) == (6, "mild", ["suicidal_ideation"])
    assert payload["details"]["unscored"] == {"phq9_10": 1}
    assert payload["details"]["safety_concern"]["code"] == "suicidal_ideation"


@pytest.mark.parametrize(
    ("instrument", "answers", "total", "severity"),
    [
        ("phq9", "3,3,3,3,3,2,2,0,0", 19, "moderately_severe"),
        ("phq8", "3,3,3,3,3,3,1,1", 20, "severe"),
        ("phq2", "1,1", 2, "negative"),
        ("gad7", "1,1,1,1,1,0,0", 5, "mild"),
        ("qids_sr16", "3,0,0,0,3,0,3,0,0,3,3,0,3,3,0,0", 21, "very_severe"),
        ("hamd17", "2,2,0,1,1,1,2,1,1,2,2,1,1,0,1,0,0", 18, "moderate"),
        ("madrs", "4,4,3,3,3,3,3,3,3,1", 30, "moderate"),
        ("borg_rpe", "13", 13, "moderate"),
        ("borg_cr10", "5", 5, "vigorous"),
    ],
)
def test_totals_and_severity_labels(instrument: str, answers: str, total: int, severity: str) -> None:
    payload = score_json(instrument, "--answers", answers)
    assert (payload["instrument"], payload["total"], payload["severity"]) == (instrument, total, severity)


def test_phq2_positive_screen() -> None:
    payload = score_json("phq2", "--answers", "2,1")
    assert (payload["severity"], payload["flags"]) == ("positive", ["positive_screen"])


def test_who5_raw_total_percentage_and_low_wellbeing() -> None:
    payload = score_json("who5", "--answers", "3,2,2,3,2")
    assert payload == {
        "instrument": "who5",
        "total": 12,
        "severity": "poor",
        "flags": ["low_wellbeing"],
        "details": {"percentage": 48},
    }


@pytest.mark.parametrize(
    ("answers", "severity"),
    [
        ("0,0,0,0,0,0,0", "none"),
        ("1,1,0,0,0,0,0", "low"),
        ("1,1,1,0,0,0,0", "moderate"),
        ("0,0,0,0,0,1,0", "moderate"),
        ("1,1,1,1,0,0,0", "high"),
        ("0,0,0,0,0,1,1", "high"),
    ],
)
def test_cssrs_screen_triage(answers: str, severity: str) -> None:
    payload = score_json("cssrs_screen", "--answers", answers)
    assert (payload["total"], payload["severity"], payload["flags"]) == (None, severity, [])


def test_ipaq_from_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "ipaq.json"
    path.write_text(
        json.dumps(
            {
                "vigorous": {"days": 3, "minutes_per_day": 30},
                "moderate": {"days": 2, "minutes_per_day": 45},
                "walking": {"days": 5, "minutes_per_day": 20},
            }
        )
    )
    payload = score_json("ipaq_sf", "--input", str(path))
    assert (payload["total"], payload["severity"]) == (1410.0, "moderate")
    assert payload["details"]["met_minutes"] == {"vigorous": 720.0, "moderate": 360.0, "walking": 330.0}


def test_other_instruments_take_a_json_object_of_item_ids(tmp_path: Path) -> None:
    path = tmp_path / "gad7.json"
    path.write_text(json.dumps({f"gad7_{n}": 2 for n in range(1, 8)}))
    assert score_json("gad7", "--input", str(path))["total"] == 14


def test_an_empty_slot_is_unanswered_and_prorated_for_the_phq9() -> None:
    payload = score_json("phq9", "--answers", "2,2,2,2,2,2,2,2,")
    assert (payload["total"], payload["details"]["missing"]) == (18, ["phq9_9"])
    assert payload["details"]["prorated"] is True


def test_an_incomplete_form_has_null_total_and_says_so() -> None:
    payload = score_json("gad7", "--answers", "1,1,1,,1,1,1")
    assert (payload["total"], payload["severity"]) == (None, None)
    assert payload["details"]["complete"] is False
    assert payload["details"]["missing"] == ["gad7_4"]


def test_human_output_goes_to_stdout_and_the_safety_warning_to_stderr() -> None:
    code, out, err = invoke("score", "phq9", "--answers", "0,0,0,0,0,0,0,0,3")
    assert code == 0
    assert "phq9: total 3, severity minimal, flags suicidal_ideation" in out
    assert "Safety concern" in err


# --- Invalid input: exit 2, the field named, JSON error object on stdout -----------------------


def error_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke("score", *args, "--json")
    assert code == 2, (out, err)
    payload = json.loads(out)
    assert set(payload) == {"error", "message", "field"}
    assert payload["field"] in err
    return payload  # type: ignore[no-any-return]


def test_out_of_range_answer_names_the_item() -> None:
    payload = error_json("phq9", "--answers", "1,1,1,1,1,1,1,1,4")
    assert (payload["error"], payload["field"]) == ("invalid_input", "phq9_9")


def test_hamd_item_ranges_are_enforced_on_the_cli() -> None:
    assert error_json("hamd17", "--answers", "0,0,0,3,0,0,0,0,0,0,0,0,0,0,0,0,0")["field"] == "hamd17_4"


def test_wrong_number_of_answers_says_how_many() -> None:
    payload = error_json("phq9", "--answers", "1,1,1")
    assert payload["field"] == "answers"
    assert "9 or 10" in payload["message"]


def test_non_numeric_answer_names_its_item() -> None:
    assert error_json("gad7", "--answers", "1,x,1,1,1,1,1")["field"] == "gad7_2"


def test_negative_answer_is_refused() -> None:
    assert error_json("gad7", "--answers=-1,1,1,1,1,1,1")["field"] == "gad7_1"


def test_unknown_instrument_names_the_field() -> None:
    assert error_json("beck", "--answers", "1")["field"] == "instrument"


def test_cssrs_contradictory_recency_names_the_item() -> None:
    assert (
        error_json("cssrs_screen", "--answers", "0,0,0,0,0,0,1")["field"] == "cssrs_screen_q6_past_3_months"
    )


def test_ipaq_errors_name_the_json_field(tmp_path: Path) -> None:
    path = tmp_path / "ipaq.json"
    path.write_text(json.dumps({"vigorous": {"days": 9}, "moderate": {"days": 0}, "walking": {"days": 0}}))
    assert error_json("ipaq_sf", "--input", str(path))["field"] == "vigorous.days"


def test_ipaq_needs_a_file() -> None:
    assert error_json("ipaq_sf", "--answers", "1,2,3")["field"] == "answers"


def test_neither_answers_nor_input() -> None:
    assert error_json("phq9")["field"] == "answers"


def test_unreadable_or_malformed_files_name_the_input(tmp_path: Path) -> None:
    assert error_json("ipaq_sf", "--input", str(tmp_path / "absent.json"))["field"] == "input"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    payload = error_json("ipaq_sf", "--input", str(bad))
    assert (payload["error"], payload["field"]) == ("bad_request", "input")
    bad.write_text("[1, 2]")
    assert error_json("ipaq_sf", "--input", str(bad))["field"] == "input"


def test_human_error_message_on_stderr_without_json() -> None:
    code, out, err = invoke("score", "phq9", "--answers", "1,1,1,1,1,1,1,1,9")
    assert code == 2
    assert out == ""
    assert "phq9_9" in err


# --- stride instruments ------------------------------------------------------------------------


def test_instruments_lists_ids_names_and_kinds() -> None:
    code, out, _ = invoke("instruments", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [row["id"] for row in rows] == sorted(
        [
            "phq9",
            "phq8",
            "phq2",
            "gad7",
            "qids_sr16",
            "hamd17",
            "madrs",
            "who5",
            "cssrs_screen",
            "ipaq_sf",
            "borg_rpe",
            "borg_cr10",
        ]
    )
    by_id = {row["id"]: row for row in rows}
    assert by_id["phq9"] == {"id": "phq9", "name": "PHQ-9", "kind": "self_report"}
    assert by_id["hamd17"]["kind"] == "clinician_rated"
    assert by_id["ipaq_sf"]["kind"] == "activity"
    assert by_id["borg_rpe"]["kind"] == "rating_scale"


def test_instruments_human_table() -> None:
    code, out, _ = invoke("instruments")
    assert code == 0
    assert "cssrs_screen" in out


def test_help_lists_score_and_instruments() -> None:
    out = runner.invoke(app, ["--help"]).stdout
    assert "score" in out
    assert "instruments" in out
