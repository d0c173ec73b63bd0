"""The weekly review: what one patient-week's symptom trajectory, dose, adherence, RPE and events
propose — progress, hold, regress, restart lower, change delivery, add support or refer now —
each proposal with its reasons and their sources, for a clinician to approve, edit or reject.

- ``data/review.toml`` — every rule as cited data (decision points, early improvement, worsening,
  detraining, missed weeks, adherence, RPE, relapse), parsed by ``schema.py`` into the frozen model
  of ``model.py``.
- ``engine.py`` — ``propose(week)`` and the loader ``review_rules()``.
"""

from __future__ import annotations

from stride.clinical.review.engine import propose, review_rules
from stride.clinical.review.model import (
    Action,
    Proposal,
    Rating,
    Reason,
    ReviewRules,
    ReviewWeek,
    Trajectory,
    TrajectoryStatus,
)
from stride.clinical.review.schema import parse as parse_review_rules

__all__ = [
    "Action",
    "Proposal",
    "Rating",
    "Reason",
    "ReviewRules",
    "ReviewWeek",
    "Trajectory",
    "TrajectoryStatus",
    "parse_review_rules",
    "propose",
    "review_rules",
]
