"""Psychiatric safety: whether a scored questionnaire raises a safety concern that must act at once.

A concern is a return value, never an exception (docs/architecture.md, rule 5). The rules are cited data in
``data/safety.toml``: PHQ-9 item 9 positive, or a C-SSRS screen of moderate or high risk.
Nothing else fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from stride.clinical import toml_reader as r
from stride.clinical.measurement import Score, get_instrument
from stride.clinical.measurement.instrument_model import Instrument, TriageRule
from stride.data import load_toml
from stride.errors import InvalidInput

_FILE = "safety"


@dataclass(frozen=True, slots=True)
class SafetyConcern:
    """A concern to act on now: ``severity`` is the urgency (``high`` before any session)."""

    code: str
    severity: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class SafetyRule:
    concern: SafetyConcern
    instrument: str
    flag: str | None
    severity_in: tuple[str, ...]

    def matches(self, score: Score) -> bool:
        if score.instrument != self.instrument:
            return False
        if self.flag is not None:
            return self.flag in score.flags
        # An incomplete screen whose answers already reach a level ("at least moderate") counts:
        # a blank must never hide a positive answer.
        return score.severity in self.severity_in or score.details.get("at_least") in self.severity_in


def safety_concern(score: Score) -> SafetyConcern | None:
    """The first safety rule the score meets, or ``None``.

    Parameters
    ----------
    score
        A score from :func:`stride.clinical.measurement.scoring.score` (complete or not: an item-9 flag on an
        incomplete PHQ-9 still fires).

    Returns
    -------
    SafetyConcern or None
        The concern with its code, urgency, reason and source.
    """
    return next((rule.concern for rule in safety_rules() if rule.matches(score)), None)


@cache
def safety_rules() -> tuple[SafetyRule, ...]:
    """The validated rules of ``safety.toml``, most urgent first."""
    at = r.At(f"{_FILE}.toml")
    data = r.table(load_toml(_FILE, "stride.clinical.safety.data"), at, required=("rules",))
    return tuple(_rule(entry, at.key("rules").key(i)) for i, entry in enumerate(r.tables(data, "rules", at)))


def _rule(entry: object, at: r.At) -> SafetyRule:
    common = ("code", "instrument", "severity", "reason", "source")
    table = r.table(entry, at, required=common, optional=("flag", "severity_in"))
    if ("flag" in table) == ("severity_in" in table):
        raise at.fail("a rule needs exactly one of flag or severity_in")
    try:
        instrument = get_instrument(r.text(table, "instrument", at))
    except InvalidInput as exc:
        raise at.key("instrument").fail(exc.message) from None
    flag = r.optional_text(table, "flag", at)
    if flag is not None and flag not in {f.code for f in instrument.flags}:
        raise at.key("flag").fail(f"{instrument.id} raises no flag {flag!r}")
    severity_in = r.strings(table, "severity_in", at) if "severity_in" in table else ()
    unknown = set(severity_in) - _severities(instrument)
    if unknown:
        raise at.key("severity_in").fail(f"{instrument.id} has no severity {sorted(unknown)}")
    concern = SafetyConcern(
        code=r.text(table, "code", at),
        severity=r.text(table, "severity", at),
        reason=r.text(table, "reason", at),
        source=r.text(table, "source", at),
    )
    return SafetyRule(concern=concern, instrument=instrument.id, flag=flag, severity_in=severity_in)


def _severities(instrument: Instrument) -> set[str]:
    labels = {band.label for band in instrument.bands}
    if isinstance(instrument.scoring, TriageRule):
        labels |= {level.label for level in instrument.scoring.levels} | {instrument.scoring.default}
    return labels
