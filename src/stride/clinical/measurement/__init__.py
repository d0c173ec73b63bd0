"""Measurement: the questionnaires and ratings, how each is scored, and the outcomes over time.

- ``instruments.py`` — the library of packaged instruments (``data/instruments/<id>.toml``), loaded
  through ``instrument_schema.py`` (and the scoring rules of ``instrument_rules.py``) into the frozen
  model of ``instrument_model.py``.
- ``scoring.py`` — ``score(instrument, answers)``; the C-SSRS triage (``cssrs.py``) and the IPAQ
  short form (``ipaq.py``) are its special rules; ``result.py`` holds the ``Score`` it returns.
- ``outcomes.py`` — change, response, remission and reliable change over repeated measures
  (``data/outcomes.toml``).
"""

from __future__ import annotations

from stride.clinical.measurement.instruments import Instrument, get_instrument, instrument_ids
from stride.clinical.measurement.ipaq import INSTRUMENT_ID as IPAQ_ID
from stride.clinical.measurement.outcomes import (
    Cutoff,
    OutcomePoint,
    OutcomeSeries,
    OutcomeStatus,
    outcome_rules,
    outcome_series,
)
from stride.clinical.measurement.result import Score
from stride.clinical.measurement.scoring import score, score_ipaq, score_list

__all__ = [
    "IPAQ_ID",
    "Cutoff",
    "Instrument",
    "OutcomePoint",
    "OutcomeSeries",
    "OutcomeStatus",
    "Score",
    "get_instrument",
    "instrument_ids",
    "outcome_rules",
    "outcome_series",
    "score",
    "score_ipaq",
    "score_list",
]
