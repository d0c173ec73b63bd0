"""Settings: one validated object, built once at start-up and passed down.

Read from ``STRIDE_*`` environment variables (and a ``.env`` file if present). Building the
settings has one side effect, on purpose: in a non-production environment with no
``STRIDE_SECRET_KEY``, a key is generated once and kept in the data directory, so sessions survive
a restart without anyone having to invent a secret for a demo.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from stride.errors import ConfigurationError

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    """Every knob of a Stride deployment (see the configuration table in the README)."""

    model_config = SettingsConfigDict(env_prefix="STRIDE_", env_file=".env", extra="ignore")

    env: Environment = "development"
    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "var")
    database_url: str | None = None
    secret_key: SecretStr | None = None
    site_name: str = "Stride"
    # Crisis guidance for every site without its own (package default: the UK's, data/crisis.toml).
    crisis_text: str | None = Field(default=None, min_length=10, max_length=2000)
    crisis_phone: str | None = Field(default=None, min_length=3, max_length=200)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=24 * 14)
    # The log-in throttle (stride.domain.throttle): free failed attempts per key, then delays that
    # double from 1 s up to the cap; failures older than the window no longer count.
    # STRIDE_LOGIN_MAX_FAILURES is the older name of the per (account, client) number, still read.
    login_free_attempts: int = Field(
        default=5,
        ge=1,
        le=100,
        validation_alias=AliasChoices(
            "login_free_attempts", "STRIDE_LOGIN_FREE_ATTEMPTS", "STRIDE_LOGIN_MAX_FAILURES"
        ),
    )
    login_account_free_attempts: int = Field(default=20, ge=1, le=10_000)
    login_client_free_attempts: int = Field(default=50, ge=1, le=100_000)
    login_max_delay_seconds: int = Field(default=900, ge=1, le=24 * 3600)
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Security-log rows (refusals, failed log-ins) last seen longer ago than this are deleted.
    security_log_days: int = Field(default=90, ge=1, le=3650)
    # NIST SP 800-63B §5.1.1.2: at least 8 characters; we ask for more because staff accounts
    # reach health data. Length, not composition rules, per the same guideline.
    password_min_length: int = Field(default=12, ge=8, le=128)
    cookie_secure: bool | None = None
    root_path: str = ""
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: a comma list of
    # addresses or CIDR networks. Empty trusts none, not even a loopback client (anyone on the host
    # could otherwise forge their address in the audit and security logs and dodge the log-in
    # throttle). STRIDE_FORWARDED_ALLOW_IPS is the older name, still read.
    trusted_proxies: str = ""
    forwarded_allow_ips: str = ""
    # Background jobs (imports of device files) run on Huey: its SQLite storage in the data
    # directory by default, Redis in production, or "immediate" (run at once, in the caller).
    jobs: Literal["sqlite", "redis", "immediate"] = "sqlite"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # The web server runs the job workers in its own process (threads) unless a separate
    # `stride worker` does; set false when running workers apart.
    jobs_in_process: bool = True
    job_workers: int = Field(default=1, ge=1, le=32)
    # The Huey queue's name: on a Redis shared by several deployments, each needs its own.
    jobs_queue: str = Field(default="stride", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    # An import whose job has written no progress for this long is taken for lost when a
    # `stride worker` starts beside others (they may be importing): only then is it queued again.
    import_lease_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    # Web server processes of `stride serve` (uvicorn workers). One by default on every backend:
    # a second process helps only when there are cores to spare, and on SQLite every request
    # still waits for the one write lock (each read is audited). See docs/deployment.md.
    web_workers: int = Field(default=1, ge=1, le=64)
    # The largest request body an upload may send, in MB (a 2 GB Apple Health export is normal).
    # STRIDE_UPLOAD_MAX_MB is the deprecated earlier name, still read when the new one is unset.
    max_upload_mb: int = Field(
        default=4096,
        ge=1,
        le=65536,
        validation_alias=AliasChoices("max_upload_mb", "STRIDE_MAX_UPLOAD_MB", "STRIDE_UPLOAD_MAX_MB"),
    )
    # One GPX track or TCX activity is one session unless the recording paused for longer.
    split_gap_minutes: float = Field(default=15.0, gt=0, le=24 * 60)

    @field_validator("trusted_proxies", "forwarded_allow_ips")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in _split(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or CIDR network") from None
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        """The proxies of STRIDE_TRUSTED_PROXIES and STRIDE_FORWARDED_ALLOW_IPS together."""
        parts = [*_split(self.trusted_proxies), *_split(self.forwarded_allow_ips)]
        return tuple(ipaddress.ip_network(p, strict=False) for p in parts)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def activity_dir(self) -> Path:
        return self.data_dir / "activity"

    @model_validator(mode="after")
    def _production_needs_secret(self) -> Settings:
        if self.env == "production" and self.secret_key is None:
            raise ValueError("STRIDE_SECRET_KEY is required when STRIDE_ENV=production")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL; the embedded SQLite file in the data directory by default."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'stride.sqlite3').as_posix()}"

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` in production unless explicitly turned off."""
        return self.env == "production" if self.cookie_secure is None else self.cookie_secure

    @property
    def secret(self) -> str:
        """The secret key; :func:`load_settings` guarantees there is one."""
        if self.secret_key is None:
            raise ConfigurationError("no secret key; build settings with load_settings()")
        return self.secret_key.get_secret_value()


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def load_settings(**overrides: object) -> Settings:
    """Build and complete the settings: create the data directory, find or make the secret key.

    Raises
    ------
    ConfigurationError
        When a setting is invalid; the message names the variable.
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "STRIDE_" + "_".join(str(p) for p in first["loc"]).upper()
        raise ConfigurationError(first["msg"], field=name) from exc
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.secret_key is None:
        settings.secret_key = SecretStr(_kept_secret(settings.data_dir / "secret_key"))
    return settings


def _kept_secret(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key
