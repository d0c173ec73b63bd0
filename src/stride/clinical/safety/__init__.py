"""Safety: whether exercise may start, and whether an answer must act at once.

- ``screening.py`` — the pre-exercise screen (ACSM pre-participation, PAR-Q+, blood pressure,
  conditions, psychiatric safety, medication notes): ``screen(inp) -> ScreeningDecision``. Its input
  is parsed by ``screening_input.py``; its rules are the model of ``screening_model.py``, loaded by
  ``screening_data.py`` (``data/screening.toml``) with the condition and medication catalogues of
  ``screening_catalogue.py`` (``data/conditions.toml``, ``data/medications.toml``).
- ``concerns.py`` — the psychiatric safety net on a scored questionnaire (PHQ-9 item 9, C-SSRS):
  ``safety_concern(score)``, rules in ``data/safety.toml``.
"""

from __future__ import annotations

from stride.clinical.safety.concerns import SafetyConcern, SafetyRule, safety_concern, safety_rules
from stride.clinical.safety.screening import (
    Decision,
    Reason,
    ScreeningDecision,
    ScreeningInput,
    ScreeningRules,
    expires_on,
    needs_rescreen,
    parse_screening_input,
    screen,
    screening_rules,
)

__all__ = [
    "Decision",
    "Reason",
    "SafetyConcern",
    "SafetyRule",
    "ScreeningDecision",
    "ScreeningInput",
    "ScreeningRules",
    "expires_on",
    "needs_rescreen",
    "parse_screening_input",
    "safety_concern",
    "safety_rules",
    "screen",
    "screening_rules",
]
