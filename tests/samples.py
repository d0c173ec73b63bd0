"""Where the shared real device files live (``../shared/data/samples`` beside the checkout).

They are not copied into the repository (their licences are per file, see SOURCES.md there).
``STRIDE_SAMPLES_DIR`` overrides the place; a clone outside the workplace falls back to
``/work/shared``. In CI a missing folder fails the run; on a developer's
machine tests that need it skip, saying why.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A clean clone made elsewhere (CI clones into a temporary folder) still finds the workplace copy.
_CANDIDATES = [ROOT.parent / "shared" / "data" / "samples", Path("/work/shared/data/samples")]
SAMPLES_DIR = Path(
    os.environ.get("STRIDE_SAMPLES_DIR") or next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
)


def sample(relative: str) -> Path:
    """The shared sample file ``relative`` (e.g. ``"fit/garmin-fenix-5-run.fit"``)."""
    path = SAMPLES_DIR / relative
    if not path.exists():
        reason = f"sample file {path} is missing (set STRIDE_SAMPLES_DIR to ../shared/data/samples)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} (CI=true: this must run in CI)")
        pytest.skip(reason)
    return path
