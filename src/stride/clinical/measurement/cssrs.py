"""C-SSRS screener triage: the risk level is set by the highest positive answer and its recency.

There is no total score (Columbia's method; a count of "yes" answers is not it). The levels, the
items that reach each one and their sources are data in ``instruments/cssrs_screen.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from stride.clinical.measurement.instrument_model import TriageRule


def triage(
    rule: TriageRule, values: Mapping[str, int | None], missing: Sequence[str]
) -> tuple[str | None, dict[str, object]]:
    """The triage level and the positive items behind it.

    Parameters
    ----------
    rule
        The instrument's triage rule (levels ordered from highest to lowest).
    values
        Validated answers, item id → value or ``None``.
    missing
        Required items left unanswered.

    Returns
    -------
    tuple
        ``(level, details)``. ``level`` is ``None`` only when an unanswered item could still raise
        the level; when the answers given already reach the highest level any missing item could
        reach, the level is certain and is returned even for an incomplete form, so a "yes" to a
        high-risk item is never hidden behind a blank elsewhere. When the level is uncertain but a
        positive answer already reaches some level, ``details["at_least"]`` names it.
    """
    positive = [item_id for item_id, value in values.items() if value == rule.positive_value]
    reached = next(
        (rank for rank, level in enumerate(rule.levels) if any(i in positive for i in level.any_positive)),
        len(rule.levels),
    )
    could_raise = any(item_id in level.any_positive for level in rule.levels[:reached] for item_id in missing)
    if could_raise:
        floor = {"at_least": rule.levels[reached].label} if reached < len(rule.levels) else {}
        return None, {"positive": positive, **floor}
    label = rule.levels[reached].label if reached < len(rule.levels) else rule.default
    return label, {"positive": positive}
