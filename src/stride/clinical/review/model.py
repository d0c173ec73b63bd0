"""The frozen model of the weekly review: its rules (``data/review.toml``), the facts of one
patient-week and the proposal. No loading here (``schema.py`` parses, ``engine.py`` loads)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

# The reliability tags the other clinical data files use (the reference shows them in words).
Status = Literal["VERIFIED", "SECONDARY", "UNSURE", "CHOICE"]
STATUSES: tuple[Status, ...] = ("VERIFIED", "SECONDARY", "UNSURE", "CHOICE")


@dataclass(frozen=True, slots=True)
class Cited:
    """Where a rule comes from and how sure it is."""

    source: str
    status: Status
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionPoints:
    weeks: tuple[int, ...]
    cited: Cited


@dataclass(frozen=True, slots=True)
class EarlyImprovement:
    week: int
    min_improvement_pct: float
    cited: Cited


@dataclass(frozen=True, slots=True)
class Threshold:
    """One number and its source: weeks, points, a fraction, a total."""

    value: float
    cited: Cited


@dataclass(frozen=True, slots=True)
class ReviewRules:
    """Every rule of the weekly review; per-instrument rules are keyed by instrument id."""

    decision_points: DecisionPoints
    early_improvement: EarlyImprovement
    worsening: Mapping[str, Threshold]  # minimum increase in points, inclusive
    detraining_max_weeks_off: Threshold  # more weeks than this since the last session: restart lower
    missed_weeks_regress_from: Threshold  # this many weeks missed in a row or more: regress
    good_adherence_from: Threshold  # fraction of the prescribed dose, inclusive
    rpe_above_target_by: Threshold  # Borg points, exclusive
    relapse: Mapping[str, Threshold]  # minimum total after remission, inclusive
    safety: Cited  # an open safety signal refers now
    adverse_event: Cited  # an adverse event this week regresses


# --- the facts of one patient-week ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """One total score of an instrument on a date."""

    when: date
    total: float


@dataclass(frozen=True, slots=True)
class Trajectory:
    """An instrument's baseline and latest rating (``latest`` None: not rated since baseline)."""

    instrument: str
    baseline: Rating
    latest: Rating | None = None


@dataclass(frozen=True, slots=True)
class ReviewWeek:
    """What the review reads about one patient-week; the first trajectory is the primary one
    (non-response at a decision point is judged on it; worsening and relapse on every one).

    ``adherence`` is the achieved fraction of the prescribed dose (it may exceed 1);
    ``weeks_since_last_session`` is None when there has been no session yet.
    """

    weeks_since_start: int
    trajectories: tuple[Trajectory, ...]
    prescribed_minutes: float
    achieved_minutes: float
    prescribed_sessions: int
    achieved_sessions: int
    adherence: float
    weeks_missed_in_a_row: int = 0
    weeks_since_last_session: int | None = None
    mean_rpe: float | None = None
    target_rpe: float | None = None
    adverse_events: int = 0
    safety_signal_open: bool = False
    remitted_before: bool = False
    at_max_step: bool = False  # the protocol has no next step to progress to


# --- the proposal -----------------------------------------------------------------------------


class Action(StrEnum):
    """What the review proposes; a clinician approves, edits or rejects it."""

    PROGRESS = "progress"
    HOLD = "hold"
    REGRESS = "regress"
    RESTART_LOWER = "restart_lower"
    CHANGE_DELIVERY = "change_delivery"
    ADD_SUPPORT = "add_support"
    REFER_NOW = "refer_now"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: a stable code, plain words and the source of the rule."""

    code: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class TrajectoryStatus:
    """The primary trajectory at this week (None: not rated, or no rule for the instrument)."""

    early_improvement: bool | None
    response: bool | None
    remission: bool | None
    worsening: bool | None


@dataclass(frozen=True, slots=True)
class Proposal:
    action: Action
    reasons: tuple[Reason, ...]
    status: TrajectoryStatus
