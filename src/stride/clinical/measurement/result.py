"""The result of scoring one completed (or partly completed) instrument."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """A scored response.

    Attributes
    ----------
    instrument
        The instrument id.
    total
        The total on the instrument's scale; ``None`` when the form cannot be scored (too many
        items missing, an excluded IPAQ case) or the instrument has no total (C-SSRS).
    severity
        The band or category label (``"moderately_severe"``, ``"high"``, ...), or ``None``.
    flags
        Clinical flags raised (``"suicidal_ideation"``, ``"positive_screen"``, ...). Item flags are
        raised even when the form is incomplete, because a safety answer stands on its own.
    details
        Rule-specific, JSON-ready extras (WHO-5 ``percentage``, QIDS ``domains``, IPAQ MET-minutes).
    complete
        Whether the answers were enough to score by the instrument's rules.
    missing
        Ids of the required items left unanswered (also when they were prorated).
    """

    instrument: str
    total: float | None
    severity: str | None
    flags: tuple[str, ...]
    details: Mapping[str, object]
    complete: bool
    missing: tuple[str, ...]
