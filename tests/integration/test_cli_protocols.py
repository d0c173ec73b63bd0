"""``stride protocol list|show|cert``: JSON contracts, the CERT report in both formats, and exit 2
naming the protocol or the format. No database is needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from stride.cli.main import app
from stride.clinical.prescription import protocol_ids

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["protocol", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_list_json() -> None:
    code, out, err = invoke("list", "--json")
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    assert [r["id"] for r in rows] == protocol_ids()
    hiit = next(r for r in rows if r["id"] == "hiit")
    assert hiit["limited_evidence_in_trd"] is True
    assert "hiit" in hiit["modalities"]
    assert set(hiit) == {
        "id", "name", "modalities", "settings", "duration_weeks", "supervision", "evidence_level",
        "limited_evidence_in_trd",
    }  # fmt: skip


def test_list_human() -> None:
    code, out, _ = invoke("list")
    assert code == 0
    assert all(pid in out for pid in protocol_ids())
    assert "limited evidence in TRD" in out


def test_show_json() -> None:
    code, out, err = invoke("show", "tread_aerobic_dose", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["id"] == "tread_aerobic_dose"
    assert payload["volume_unit"] == "kcal_per_kg_per_week"
    assert [d["volume"] for d in payload["doses"]] == [16.0, 4.0]
    assert len(payload["cert"]) == 19
    assert len(payload["weekly_targets"]) == payload["duration_weeks"] == 12
    assert payload["weekly_targets_deconditioned"][0]["start_level"] is True
    assert payload["phases"][0]["sources"]["volume"]


def test_show_human() -> None:
    code, out, _ = invoke("show", "hiit")
    assert code == 0
    assert "max_intensity_moderate: exclude" in out
    assert "weeks 1-2" in out


def test_cert_markdown_and_html(tmp_path: Path) -> None:
    code, out, _ = invoke("cert", "smile_aerobic")
    assert code == 0
    assert out.startswith("# CERT report:")
    assert "### 16b." in out
    code, out, _ = invoke("cert", "smile_aerobic", "--format", "html")
    assert code == 0
    assert out.startswith("<!DOCTYPE html>")
    assert 'id="cert-7a"' in out
    assert "<script" not in out
    target = tmp_path / "cert.html"
    code, _, err = invoke("cert", "yoga", "--format", "html", "--output", str(target))
    assert code == 0
    assert "Wrote" in err
    assert target.read_text(encoding="utf-8").count("<dt ") == 19


def test_unknown_protocol_exits_2_naming_it() -> None:
    for args in (["show", "crossfit", "--json"], ["cert", "crossfit"]):
        code, out, err = invoke(*args)
        assert code == 2
        assert "protocol" in err
        assert "crossfit" in err
    code, out, _ = invoke("show", "crossfit", "--json")
    assert json.loads(out)["field"] == "protocol"


def test_unknown_format_exits_2_naming_it() -> None:
    code, _, err = invoke("cert", "yoga", "--format", "pdf")
    assert code == 2
    assert "format" in err
