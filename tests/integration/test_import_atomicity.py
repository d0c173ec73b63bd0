"""An import killed at any moment leaves the whole import or none of it.

A real ``stride import`` subprocess is killed with SIGKILL at spread-out moments of its run; after
each kill, ``doctor`` (what the server runs at start-up) must leave a consistent state: either the
import is done with every session, daily row and sample visible, or nothing of it is stored. Then
the import runs to the end once, and a second run adds nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from benchmarks.generators import write_apple_health_export
from sqlalchemy import create_engine, text

from stride.config import Settings
from stride.domain.patients import PatientDetails, Sex
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.db import normalise_url

STRIDE = Path(sys.executable).parent / "stride"
KILL_FRACTIONS = (0.15, 0.35, 0.55, 0.7, 0.8, 0.9, 0.97)


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "STRIDE_DATA_DIR": str(settings.data_dir),
        "STRIDE_DATABASE_URL": settings.resolved_database_url,
        "STRIDE_ENV": "test",
        "STRIDE_SECRET_KEY": "test-secret-key",
        "STRIDE_JOBS": "immediate",
    }


def _state(settings: Settings, patient_id: int) -> dict[str, object]:
    engine = create_engine(normalise_url(settings.resolved_database_url))
    try:
        with engine.connect() as conn:
            imports = conn.execute(
                text("SELECT id, status, sessions FROM activity_import WHERE patient_id = :p"),
                {"p": patient_id},
            ).all()
            sessions = conn.execute(
                text(
                    "SELECT count(*), coalesce(sum(sample_count), 0) FROM activity_session "
                    "WHERE patient_id = :p"
                ),
                {"p": patient_id},
            ).one()
            days = conn.execute(
                text("SELECT count(*) FROM daily_activity WHERE patient_id = :p"), {"p": patient_id}
            ).scalar_one()
    finally:
        engine.dispose()
    folder = settings.activity_dir / f"patient={patient_id}"
    visible = sorted(folder.glob("import-*.parquet")) if folder.is_dir() else []
    partial = sorted(folder.glob(".*.partial")) if folder.is_dir() else []
    samples = 0
    if any(p.name.endswith(".samples.parquet") for p in visible):
        files = [str(p) for p in visible if p.name.endswith(".samples.parquet")]
        with duckdb.connect() as con:
            samples = con.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchone()[0]  # type: ignore[index]
    return {
        "imports": [(status, n) for _, status, n in imports],
        "sessions": sessions[0],
        "sample_rows": int(sessions[1]),
        "days": days,
        "visible_files": len(visible),
        "partial_files": len(partial),
        "parquet_samples": samples,
    }


def _consistent(state: dict[str, object], complete: dict[str, object]) -> bool:
    nothing = {
        "sessions": 0,
        "sample_rows": 0,
        "days": 0,
        "visible_files": 0,
        "partial_files": 0,
        "parquet_samples": 0,
    }
    body = {k: v for k, v in state.items() if k != "imports"}
    if body == nothing:
        return all(status != "done" for status, _ in state["imports"])  # type: ignore[attr-defined]
    return state == complete


@pytest.fixture
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "export.xml"
    write_apple_health_export(path, days=60, seed=7)
    return path


def test_killed_import_leaves_all_or_nothing(services: Services, settings: Settings, export: Path) -> None:
    patient = services.patients.create(
        Caller.cli(),
        PatientDetails(
            given_name="Kill",
            family_name="Test",
            date_of_birth=date(1980, 1, 1),
            sex=Sex.FEMALE,
            timezone="Europe/London",
            resting_hr=60,
            weight_kg=70,
        ),
        team_id=None,
    )
    command = [str(STRIDE), "import", str(export), "--patient", str(patient.id), "--json"]
    env = _env(settings)

    # A reference run in a second data directory gives the complete state and the run's length.
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
    duration = time.monotonic() - started
    complete = _state(settings, patient.id)
    assert complete["sessions"] > 0
    assert complete["days"] > 0
    assert complete["parquet_samples"] > 0
    assert complete["parquet_samples"] == complete["sample_rows"]
    _wipe(settings, patient.id)

    outcomes = []
    for fraction in KILL_FRACTIONS:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        services.imports.doctor(requeue=False)
        state = _state(settings, patient.id)
        assert _consistent(state, complete), f"killed at {fraction:.0%} of the run: {state}"
        outcomes.append("complete" if state == complete else "nothing")
        if state == complete:
            _wipe(settings, patient.id)
    # The kills must have hit a run in progress, not only before it began or after it ended.
    assert "nothing" in outcomes

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stderr
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0
    assert '"already_imported": true' in again.stdout
    final = _state(settings, patient.id)
    assert {k: v for k, v in final.items() if k != "imports"} == {
        k: v for k, v in complete.items() if k != "imports"
    }


def _wipe(settings: Settings, patient_id: int) -> None:
    """Forget the patient's activity so that the next run starts from nothing (test set-up only;
    the product never deletes imported data)."""
    engine = create_engine(normalise_url(settings.resolved_database_url))
    with engine.begin() as conn:
        for table in ("daily_activity", "activity_week", "activity_session", "activity_import"):
            conn.execute(text(f"DELETE FROM {table} WHERE patient_id = :p"), {"p": patient_id})
    engine.dispose()
    folder = settings.activity_dir / f"patient={patient_id}"
    for path in folder.glob("*") if folder.is_dir() else []:
        path.unlink()
    for path in folder.glob(".*") if folder.is_dir() else []:
        path.unlink()
