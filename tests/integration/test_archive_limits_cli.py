"""A zip bomb through the real shells: ``stride inspect`` exits 2 naming the entry and the limit, and
an upload of it through the API ends as a failed import saying the same, storing no session."""

from __future__ import annotations

import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stride.cli.main import app
from stride.services.context import Caller
from stride.services.registry import Services

MEMBER = "apple_health_export/export.xml"


def bomb_zip(path: Path) -> Path:
    """An Apple Health export.zip whose export.xml is 16 MB of blanks (inflating ~1000-fold)."""
    xml = b'<?xml version="1.0"?>\n<HealthData locale="en_GB">\n' + b" " * (16 << 20) + b"</HealthData>\n"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr(MEMBER, xml)
    return path


def test_stride_inspect_refuses_a_zip_bomb_with_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["inspect", str(bomb_zip(tmp_path / "export.zip"))])
    assert result.exit_code == 2, result.output
    assert MEMBER in result.stderr
    assert "more than the limit of 100-fold" in result.stderr


def test_an_uploaded_zip_bomb_fails_naming_the_entry(
    tmp_path: Path, client: TestClient, demo: Services
) -> None:
    [found] = demo.patients.search(Caller.cli(), text="DEMO-0004").items
    token = demo.auth.create_api_token(Caller.cli(), username="patient4", name="bomb-test")
    path = bomb_zip(tmp_path / "export.zip")
    with path.open("rb") as fh:
        sent = client.post(
            f"/api/v1/patients/{found.id}/imports",
            files={"file": ("export.zip", fh, "application/zip")},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert body["status"] == "failed"
    assert MEMBER in body["error"]
    assert "100-fold" in body["error"]
    assert body["sessions"] == 0
