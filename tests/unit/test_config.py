"""Settings: defaults, the kept secret, production's requirements."""

from __future__ import annotations

from pathlib import Path

import pytest

from stride.config import load_settings
from stride.errors import ConfigurationError


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/stride.sqlite3"
    assert not settings.secure_cookies


def test_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path).secret
    assert len(first) >= 48
    assert load_settings(data_dir=tmp_path).secret == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="STRIDE_SECRET_KEY"):
        load_settings(data_dir=tmp_path, env="production")
    settings = load_settings(data_dir=tmp_path, env="production", secret_key="s" * 40)
    assert settings.secure_cookies


def test_invalid_setting_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDE_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ConfigurationError) as err:
        load_settings(data_dir=tmp_path)
    assert err.value.field == "STRIDE_SESSION_IDLE_MINUTES"


def test_the_older_login_max_failures_name_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIDE_LOGIN_FREE_ATTEMPTS", raising=False)
    monkeypatch.setenv("STRIDE_LOGIN_MAX_FAILURES", "7")
    assert load_settings(data_dir=tmp_path).login_free_attempts == 7
    monkeypatch.setenv("STRIDE_LOGIN_FREE_ATTEMPTS", "3")
    assert load_settings(data_dir=tmp_path).login_free_attempts == 3
