"""Treatment-resistant depression: the definition (adequate trials, failure, TRD status) and the
staging (Maudsley Staging Method).

- ``definition.py`` — the adequacy of each antidepressant trial and the TRD status from them
  (``data/trd_rules.toml``, ``data/antidepressants.toml``); ``assess`` is the entry point.
- ``msm.py`` — the Maudsley Staging Method score and band, from the same episode
  (``data/trd_rules.toml [msm]``).
"""

from __future__ import annotations

from stride.clinical.trd.definition import (
    Antidepressant,
    TrdAssessment,
    TrdInput,
    TrdRules,
    Trial,
    TrialVerdict,
    antidepressants,
    assess,
    failure_threshold_options,
    find_antidepressant,
    min_weeks_options,
    trd_rules,
)
from stride.clinical.trd.msm import ScoreRow, msm_table, severity_levels

__all__ = [
    "Antidepressant",
    "ScoreRow",
    "TrdAssessment",
    "TrdInput",
    "TrdRules",
    "Trial",
    "TrialVerdict",
    "antidepressants",
    "assess",
    "failure_threshold_options",
    "find_antidepressant",
    "min_weeks_options",
    "msm_table",
    "severity_levels",
    "trd_rules",
]
