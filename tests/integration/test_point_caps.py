"""Every format that records points has a documented cap on them per file (``MAX_POINTS``, 150,000)
and refuses a file over it with "the file has more than N points (the limit for one file)", located
at the first point over it: ``stride inspect`` and ``stride import`` exit 2, an upload's import
fails saying so and nothing is stored. The cap is lowered for the test, on real device files (FIT,
TCX) and crafted ones (GPX, CSV, Open mHealth); a file exactly at the cap is read whole."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from benchmarks.input_files import write_gpx, write_tcx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stride.activity.io import _fit_decode, csv_reader, gpx, omh, read_any, tcx
from stride.cli.main import app
from stride.services.context import Caller
from stride.services.registry import Services
from tests.samples import sample

runner = CliRunner()
REFUSAL = "the file has more than {cap:,} points (the limit for one file)"


def _csv(tmp_path: Path, rows: int) -> Path:
    lines = ["time,heart_rate"] + [
        f"2024-06-01T09:{i // 60:02d}:{i % 60:02d}+00:00,{100 + i}" for i in range(rows)
    ]
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _omh(tmp_path: Path, points: int) -> Path:
    def point(i: int) -> dict[str, object]:
        return {
            "header": {"schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"}},
            "body": {
                "heart_rate": {"value": 100 + i, "unit": "beats/min"},
                "effective_time_frame": {"date_time": f"2024-06-01T09:00:{i:02d}Z"},
            },
        }

    path = tmp_path / "points.json"
    path.write_text(json.dumps({"data_points": [point(i) for i in range(points)]}))
    return path


def _gpx(tmp_path: Path, points: int) -> Path:
    write_gpx(path := tmp_path / "track.gpx", points=points)
    return path


def _tcx(tmp_path: Path, points: int) -> Path:
    write_tcx(path := tmp_path / "activity.tcx", points=points)
    return path


# (module whose cap is lowered, file maker given the point count or a real file, where the refusal points)
CASES: dict[str, tuple[ModuleType, object, str]] = {
    "fit": (_fit_decode, "fit/garmin-fenix-5-run.fit", "byte "),  # the cap stops the decoding
    "tcx": (tcx, "tcx/cross-country-skiing_activity_1.tcx", "element Trackpoint"),
    "gpx": (gpx, _gpx, "element trkpt"),
    "csv": (csv_reader, _csv, "line 12"),
    "omh": (omh, _omh, "item 10"),
}


def _file(tmp_path: Path, fmt: str, points: int) -> Path:
    made = CASES[fmt][1]
    return sample(made) if isinstance(made, str) else made(tmp_path, points)  # type: ignore[operator]


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_stride_inspect_refuses_a_file_over_the_point_cap_with_exit_2(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, _, where = CASES[fmt]
    monkeypatch.setattr(module, "MAX_POINTS", 10)
    result = runner.invoke(app, ["inspect", str(_file(tmp_path, fmt, 11)), "--json"])
    assert result.exit_code == 2, result.stdout
    error = json.loads(result.stdout)
    assert error["error"] == "unreadable_file"
    assert REFUSAL.format(cap=10) in error["message"]
    assert where in error["field"]


@pytest.mark.parametrize(
    ("module", "make"),
    [(csv_reader, _csv), (omh, _omh), (gpx, _gpx), (tcx, _tcx)],
    ids=["csv", "omh", "gpx", "tcx"],
)
def test_a_file_at_the_point_cap_is_read_whole(
    module: ModuleType, make: Callable[[Path, int], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "MAX_POINTS", 10)
    parsed = read_any(make(tmp_path, 10))
    assert sum(len(s.samples) for s in parsed.sessions) + sum(len(m) for m in parsed.series) == 10


def test_an_upload_over_the_point_cap_fails_saying_so_and_stores_nothing(
    demo: Services, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tcx, "MAX_POINTS", 10)
    token = demo.auth.create_api_token(Caller.cli(), username="patient4", name="caps-test")
    headers = {"Authorization": f"Bearer {token}"}
    pid = client.get("/api/v1/me", headers=headers).json()["patient_id"]
    before = client.get(f"/api/v1/patients/{pid}/sessions", headers=headers).json()
    answer = client.post(
        f"/api/v1/patients/{pid}/imports",
        files={"file": ("long.tcx", _tcx(tmp_path, 11).read_bytes(), "application/octet-stream")},
        headers=headers,
    )
    assert answer.status_code == 202, answer.text
    done = client.get(f"/api/v1/imports/{answer.json()['id']}", headers=headers).json()
    assert done["status"] == "failed"
    assert REFUSAL.format(cap=10) in done["error"]
    assert client.get(f"/api/v1/patients/{pid}/sessions", headers=headers).json() == before
