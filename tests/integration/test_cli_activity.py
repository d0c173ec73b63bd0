"""``stride inspect`` and ``stride import``: the JSON contract external checks rely on, the exit
codes, and an import that says "already imported" the second time."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import fitdecode
import pytest
from benchmarks.input_files import write_gpx
from typer.testing import CliRunner

from stride.activity.io.formats import REGISTRY
from stride.cli.main import app
from stride.config import Settings
from stride.domain.patients import PatientDetails, Sex
from stride.services.context import Caller
from stride.services.registry import Services
from tests.samples import sample

runner = CliRunner()
SESSION_KEYS = {"start", "end", "sport", "duration_s", "distance_m", "avg_hr", "max_hr", "samples"}


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def inspect_json(path: Path) -> dict[str, Any]:
    code, out, err = invoke("inspect", str(path), "--json")
    assert code == 0, err
    payload: dict[str, Any] = json.loads(out)
    return payload


def assert_contract(payload: dict[str, Any]) -> None:
    assert set(payload) == {"format", "sessions", "warnings"}
    assert payload["format"] in {"fit", "tcx", "gpx", "fitbit", "apple_health", "csv", "omh"}
    assert all(isinstance(w, str) for w in payload["warnings"])
    for session in payload["sessions"]:
        assert set(session) == SESSION_KEYS
        start, end = datetime.fromisoformat(session["start"]), datetime.fromisoformat(session["end"])
        assert start.utcoffset() is not None
        assert end.utcoffset() is not None
        assert end >= start
        assert isinstance(session["sport"], str)
        assert isinstance(session["duration_s"], int | float)
        assert isinstance(session["samples"], int)
        for key in ("distance_m", "avg_hr", "max_hr"):
            assert session[key] is None or isinstance(session[key], int | float)


def fit_messages(path: Path, name: str) -> list[dict[str, Any]]:
    """The FIT messages ``name``, read with the decoding library directly (independent of Stride)."""
    found = []
    with fitdecode.FitReader(str(path)) as fit:
        for frame in fit:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == name:
                found.append({f.name: f.value for f in frame.fields})
    return found


@pytest.mark.parametrize(
    "name",
    [
        "garmin-fenix-5-run.fit",
        "garmin-fenix-5-walk.fit",
        "garmin-edge-500-activity.fit",
        "activity-small-fenix2-run.fit",
    ],
)
def test_fit_contract_summarises_the_records_as_the_decoder_reads_them(name: str) -> None:
    path = sample(f"fit/{name}")
    payload = inspect_json(path)
    assert_contract(payload)
    assert payload["format"] == "fit"
    assert len(payload["sessions"]) == len(fit_messages(path, "session")) == 1
    [got] = payload["sessions"]
    records = fit_messages(path, "record")
    first, last = records[0]["timestamp"], records[-1]["timestamp"]
    hr = [r["heart_rate"] for r in records if r.get("heart_rate") is not None]
    assert datetime.fromisoformat(got["start"]) == first
    assert datetime.fromisoformat(got["end"]) == last
    assert got["duration_s"] == (last - first).total_seconds()
    assert got["distance_m"] == pytest.approx(records[-1]["distance"], abs=0.01)
    assert got["avg_hr"] == pytest.approx(sum(hr) / len(hr), abs=1e-3)
    assert got["max_hr"] == max(hr)
    assert got["samples"] == len(records)


@pytest.mark.parametrize(
    ("relative", "fmt"),
    [
        ("tcx/cross-country-skiing_activity_1.tcx", "tcx"),
        ("gpx/cerknicko-jezero.gpx", "gpx"),
        ("gpx/track-with-empty-segment.gpx", "gpx"),
        ("fitbit/heart_rate-1995-06-24.json", "fitbit"),
        ("fitbit/steps-1995-06-23_Fitbit.json", "fitbit"),
    ],
)
def test_every_readable_sample_keeps_the_contract(relative: str, fmt: str) -> None:
    payload = inspect_json(sample(relative))
    assert_contract(payload)
    assert payload["format"] == fmt


@pytest.mark.parametrize(
    ("relative", "where"),
    [
        ("fit/invalid-activity-unexpected-eof.fit", "byte"),
        ("fit/invalid-activity-settings-corruptheader.fit", "byte"),
        ("fit/WorkoutRepeatSteps.fit", "file_id"),
        ("gpx/gpx_with_garmin_extension.gpx", "line"),  # one waypoint: a route, not a recording
        ("cwa/ax3_testfile.cwa", "byte"),  # research accelerometry: not an activity format here
    ],
)
def test_a_bad_file_exits_2_saying_what_and_where(relative: str, where: str) -> None:
    code, out, err = invoke("inspect", str(sample(relative)), "--json")
    assert code == 2
    error = json.loads(out)
    assert error["error"] == "unreadable_file"
    assert error["field"]
    assert where in error["field"]
    assert error["message"]
    assert "error:" in err


def test_inspect_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke("inspect", str(tmp_path / "nope.fit"))
    assert code == 2
    assert "nope.fit" in err


def test_import_twice_says_already_imported_and_adds_nothing(services: Services, settings: Settings) -> None:
    patient = services.patients.create(
        Caller.cli(),
        PatientDetails(
            given_name="Cli", family_name="Import", date_of_birth=datetime(1980, 1, 1).date(), sex=Sex.MALE
        ),
        team_id=None,
    )
    env = {
        "STRIDE_DATA_DIR": str(settings.data_dir),
        "STRIDE_DATABASE_URL": settings.resolved_database_url,
        "STRIDE_ENV": "test",
        "STRIDE_SECRET_KEY": "test-secret-key",
    }
    path = str(sample("fit/garmin-fenix-5-walk.fit"))
    code, out, err = invoke("import", path, "--patient", str(patient.id), "--json", env=env)
    assert code == 0, err
    first = json.loads(out)
    assert (first["status"], first["already_imported"], first["sessions"], first["format"]) == (
        "done",
        False,
        1,
        "fit",
    )
    code, out, _ = invoke("import", path, "--patient", str(patient.id), env=env)
    assert code == 0
    assert "Already imported" in out
    code, out, err = invoke(
        "import",
        str(sample("fit/invalid-activity-unexpected-eof.fit")),
        "--patient",
        str(patient.id),
        "--json",
        env=env,
    )
    assert code == 2
    assert json.loads(out)["status"] == "failed"
    assert "byte" in json.loads(out)["error"]


def test_import_for_an_unknown_patient_exits_2(settings: Settings) -> None:
    env = {
        "STRIDE_DATA_DIR": str(settings.data_dir),
        "STRIDE_DATABASE_URL": settings.resolved_database_url,
        "STRIDE_ENV": "test",
        "STRIDE_SECRET_KEY": "test-secret-key",
    }
    code, _, err = invoke("import", str(sample("fit/garmin-fenix-5-walk.fit")), "--patient", "99999", env=env)
    assert code == 2
    assert "patient" in err


@pytest.mark.parametrize(
    ("label", "hr", "said"),
    [
        ("Throwing", False, "MET values: dose unknown (no MET value for 'Throwing' and no heart rate)"),
        ("Throwing", True, "MET values: the intensity class of each minute"),
        ("Kayaking", False, "MET values: Kayaking, moderate effort (Compendium 18200)"),
        ("walking", False, "(Compendium 17190)"),
    ],
)
def test_inspect_says_what_prices_a_session_or_that_its_dose_is_unknown(
    tmp_path: Path, label: str, hr: bool, said: str
) -> None:
    path = tmp_path / "track.gpx"
    write_gpx(path, points=120)
    text = path.read_text().replace("<type>walking</type>", f"<type>{label}</type>")
    if not hr:
        text = re.sub(r"<extensions>.*?</extensions>", "", text)
    path.write_text(text)
    code, out, err = invoke("inspect", str(path))
    assert code == 0, err
    assert said in " ".join(out.split())


@pytest.mark.parametrize("command", ["import", "inspect"])
def test_the_help_names_every_format_the_readers_know(command: str) -> None:
    code, out, _ = invoke(command, "--help", env={"COLUMNS": "400"})
    assert code == 0
    text = " ".join(out.replace("│", " ").split())
    for spec in REGISTRY:
        assert spec.label in text, spec.name
        assert all(ext in text for ext in spec.extensions), spec.name
    assert "a Fitbit export folder" in text
    if command == "inspect":
        assert "one of " + ", ".join(spec.name for spec in REGISTRY) in text
