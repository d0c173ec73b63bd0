"""Stride: exercise as an adjunct treatment of treatment-resistant depression.

The package is layered (see docs/architecture.md): ``stride.domain`` and ``stride.clinical`` are pure,
``stride.store`` persists, ``stride.services`` holds the use cases (access checks and audit),
and ``stride.web`` / ``stride.cli`` are thin shells over the services.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stride")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
