"""The command line: exit codes (0 ok, 2 invalid input naming the field, 1 other), --json on stdout,
and ``stride audit verify`` catching tampering on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from stride.cli.main import app
from stride.store import migrate
from stride.store.db import make_engine

runner = CliRunner()


def invoke(url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {
        "STRIDE_DATABASE_URL": url,
        "STRIDE_DATA_DIR": str(tmp_path / "data"),
        "STRIDE_SECRET_KEY": "k" * 40,
        "STRIDE_ENV": "test",
    }
    result = runner.invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_the_commands_and_version_prints() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "user", "demo", "audit", "token"):
        assert command in result.stdout
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0
    assert version.stdout.startswith("stride ")


def test_db_upgrade_and_downgrade(database_url: str, tmp_path: Path) -> None:
    code, out, _ = invoke(database_url, tmp_path, "db", "upgrade", "--json")
    assert code == 0
    assert json.loads(out)["current"] is True
    code, out, _ = invoke(database_url, tmp_path, "db", "downgrade", "--json")
    assert code == 0
    assert json.loads(out)["current"] not in (None, migrate.head_revision())
    assert invoke(database_url, tmp_path, "db", "upgrade")[0] == 0


def test_user_create_json_and_invalid_input(database_url: str, tmp_path: Path) -> None:
    code, out, err = invoke(
        database_url,
        tmp_path,
        "user",
        "create",
        "--username",
        "Dr.New",
        "--role",
        "clinician",
        "--password",
        "a long passphrase",
        "--display-name",
        "Dr New",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    assert (created["username"], created["role"]) == ("dr.new", "clinician")

    code, out, err = invoke(
        database_url,
        tmp_path,
        "user",
        "create",
        "--username",
        "x2",
        "--role",
        "nurse",
        "--password",
        "a long passphrase",
        "--json",
    )
    assert code == 2
    assert json.loads(out)["field"] == "role"
    assert "role" in err

    code, out, _ = invoke(
        database_url,
        tmp_path,
        "user",
        "create",
        "--username",
        "dr.new",
        "--role",
        "clinician",
        "--password",
        "a long passphrase",
        "--json",
    )
    assert code == 1
    assert json.loads(out)["error"] == "conflict"

    code, _, err = invoke(
        database_url, tmp_path, "user", "create", "--username", "x3", "--role", "admin", "--password", "short"
    )
    assert code == 2
    assert "password" in err


def test_demo_seed_then_token(database_url: str, tmp_path: Path) -> None:
    code, out, _ = invoke(database_url, tmp_path, "demo", "seed", "--json")
    assert code == 0
    seeded = json.loads(out)
    assert seeded["seeded"] is True
    assert {x["role"] for x in seeded["logins"]} == {"admin", "clinician", "researcher", "patient"}
    assert json.loads(invoke(database_url, tmp_path, "demo", "seed", "--json")[1])["seeded"] is False
    code, out, _ = invoke(database_url, tmp_path, "token", "create", "--username", "admin", "--json")
    assert code == 0
    assert json.loads(out)["token"].startswith("stride_")


def _drop_append_only_triggers(conn, dialect: str) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with database access would do first."""
    if dialect == "postgresql":
        conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
    else:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_audit_verify_detects_tampering_and_names_the_entry(
    demo_database_url: str, tmp_path: Path, tamper: str
) -> None:
    code, out, _ = invoke(demo_database_url, tmp_path, "audit", "verify", "--json")
    assert code == 0
    verdict = json.loads(out)
    assert verdict["ok"] is True
    assert verdict["checked"] > 20

    engine = make_engine(demo_database_url)
    with engine.begin() as conn:
        _drop_append_only_triggers(conn, engine.dialect.name)
        if tamper == "edit":
            conn.execute(text("UPDATE audit_log SET patient_id = 99 WHERE seq = 7"))
        else:
            conn.execute(text("DELETE FROM audit_log WHERE seq = 7"))
    engine.dispose()

    code, out, _ = invoke(demo_database_url, tmp_path, "audit", "verify", "--json")
    assert code == 1
    verdict = json.loads(out)
    assert verdict["ok"] is False
    assert verdict["first_bad_seq"] == (7 if tamper == "edit" else 8)
    code, _, err = invoke(demo_database_url, tmp_path, "audit", "verify")
    assert code == 1
    assert "entry 7" in err or "entry 8" in err
