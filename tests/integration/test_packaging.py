"""The installation as `make run` makes it: the embedded default needs neither the PostgreSQL nor the
Redis driver (they are the extras ``stride[postgres]`` and ``stride[redis]``), and a configuration that
needs a missing one exits 2 saying what to install."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "bin" / "uv"


@pytest.fixture(scope="module")
def runtime_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not UV.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{UV} is missing: `make test` bootstraps it")
        pytest.skip(f"{UV} is missing: run `make install-dev` first")
    venv = tmp_path_factory.mktemp("runtime") / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    # As `make install` does it (the same lock, no dev group, no extras), from uv's cache.
    subprocess.run(
        [str(UV), "sync", "--frozen", "--no-default-groups", "--quiet"], cwd=ROOT, env=env, check=True
    )
    return venv


def stride(venv: Path, tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STRIDE_")}
    return subprocess.run(
        [str(venv / "bin" / "stride"), *args],
        cwd=tmp,
        env={**clean, "STRIDE_DATA_DIR": str(tmp / "data"), "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_embedded_default_installs_and_runs_without_either_driver(
    runtime_venv: Path, tmp_path: Path
) -> None:
    python = str(runtime_venv / "bin" / "python")
    probe = "import importlib.util as u; print(u.find_spec('psycopg'), u.find_spec('redis'))"
    assert subprocess.run(
        [python, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split() == [
        "None",
        "None",
    ]
    done = stride(runtime_venv, tmp_path, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data").is_dir()


@pytest.mark.parametrize(
    ("env", "extra"),
    [
        ({"STRIDE_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres"}, "stride[postgres]"),
        ({"STRIDE_JOBS": "redis"}, "stride[redis]"),
    ],
)
def test_a_configuration_needing_a_missing_driver_says_what_to_install(
    runtime_venv: Path, tmp_path: Path, env: dict[str, str], extra: str
) -> None:
    done = stride(runtime_venv, tmp_path, "db", "upgrade", **env)
    assert done.returncode == 2, done.stderr
    assert f"pip install '{extra}'" in done.stderr
    assert "Traceback" not in done.stderr
