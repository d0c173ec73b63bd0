"""What every command that needs the application builds first: the settings and the services.

Its own module, below :mod:`stride.cli.main` and the sub-apps, so that a sub-app (``stride import``)
uses the same start-up as ``main``'s own commands without importing ``main``, which registers it.
"""

from __future__ import annotations

from stride.cli.output import handled
from stride.config import Settings, load_settings
from stride.services.registry import Services


def app_settings(as_json: bool = False) -> Settings:
    """The validated settings; a bad ``STRIDE_*`` variable exits 2 naming it."""
    with handled(as_json=as_json):
        return load_settings()
    raise AssertionError("unreachable")  # pragma: no cover


def app_services(as_json: bool = False, *, migrate: bool = True) -> Services:
    """The services on the configured database, migrated to the newest schema unless ``migrate`` is false."""
    settings = app_settings(as_json)
    # A driver the configuration needs but the installation lacks exits 2 with what to install.
    with handled(as_json=as_json):
        built = Services.build(settings)
        if migrate:
            built.migrate()
        return built
    raise AssertionError("unreachable")  # pragma: no cover
