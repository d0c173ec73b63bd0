"""The ``[evidence]`` table of a protocol file: its level, whether it is limited in TRD, the effect sizes
and the findings, each with its status and ``source``.

An effect size's estimate lies within its interval; evidence without an effect size must be marked
limited and give findings instead. A malformed table raises ``ConfigurationError`` naming the key.
"""

from __future__ import annotations

from typing import Any, cast, get_args

from stride.clinical import toml_reader as r
from stride.clinical.prescription.protocol_model import EffectSize, Evidence, EvidenceLevel, Finding

# The reliability tags a figure may carry (their words are in stride.clinical.reference).
_STATUS = ("VERIFIED", "SECONDARY", "UNSURE", "CHOICE")

_EFFECT_KEYS = (
    "comparison", "measure", "estimate", "lower", "upper", "interval", "favours_exercise", "status", "source",
)  # fmt: skip


def _effect(entry: object, at: r.At) -> EffectSize:
    e = r.table(entry, at, required=_EFFECT_KEYS, optional=("participants", "studies"))
    low, estimate, high = (r.number(e, k, at) for k in ("lower", "estimate", "upper"))
    if not low <= estimate <= high or low == high:
        raise at.key("estimate").fail("must lie within lower..upper")
    return EffectSize(
        comparison=r.text(e, "comparison", at),
        measure=r.text(e, "measure", at),
        estimate=estimate,
        lower=low,
        upper=high,
        interval=r.text(e, "interval", at),
        favours_exercise=cast(Any, r.choice(e, "favours_exercise", at, ("negative", "positive"))),
        participants=r.integer(e, "participants", at, minimum=1) if "participants" in e else None,
        studies=r.integer(e, "studies", at, minimum=1) if "studies" in e else None,
        status=r.choice(e, "status", at, _STATUS),
        source=r.text(e, "source", at),
    )


def _finding(entry: object, at: r.At) -> Finding:
    table = r.table(entry, at, required=("text", "status", "source"))
    return Finding(
        r.text(table, "text", at), r.choice(table, "status", at, _STATUS), r.text(table, "source", at)
    )


def parse_evidence(data: object, at: r.At) -> Evidence:
    """A protocol's ``[evidence]`` table (``at`` names it in errors)."""
    required = ("evidence_level", "limited_evidence_in_trd", "summary", "source")
    table = r.table(data, at, required=required, optional=("effects", "findings"))
    effects = tuple(
        _effect(entry, at.key("effects").key(i))
        for i, entry in enumerate(r.tables(table, "effects", at, allow_empty=True))
    )
    findings = tuple(
        _finding(entry, at.key("findings").key(i))
        for i, entry in enumerate(r.tables(table, "findings", at, allow_empty=True))
    )
    limited = r.boolean(table, "limited_evidence_in_trd", at)
    if not effects and not (limited and findings):
        raise at.key("effects").fail("without an effect size, the evidence must be limited and give findings")
    return Evidence(
        evidence_level=cast(EvidenceLevel, r.choice(table, "evidence_level", at, get_args(EvidenceLevel))),
        limited_evidence_in_trd=limited,
        summary=r.text(table, "summary", at),
        effects=effects,
        findings=findings,
        source=r.text(table, "source", at),
    )
