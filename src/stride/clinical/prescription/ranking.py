"""Which protocol: an explicit choice checked against the screen, or ``"recommend"``.

"recommend" ranks every protocol of the library that the screening restrictions and the delivery
setting allow by evidence x preference x restrictions (weights and sources in prescription.toml),
ties broken by the protocol id. A protocol that a restriction excludes (its own contraindication
note says ``exclude``, or the engine's rule for the restriction removes its modality or setting) is
never chosen; HIIT is a candidate only when the patient names it first.
"""

from __future__ import annotations

from dataclasses import dataclass

from stride.clinical.prescription.input import RECOMMEND, Preferences, PrescriptionInput
from stride.clinical.prescription.model import Rationale
from stride.clinical.prescription.protocol_model import Contraindication, Protocol
from stride.clinical.prescription.protocols import get_protocol, protocol_ids
from stride.clinical.prescription.rules import PrescriptionRules
from stride.clinical.safety import ScreeningDecision
from stride.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class RankedProtocol:
    """One protocol in the ranking: its score and the factors behind it, or why it is excluded.

    ``score = effect_g x trd_weight x preference_weight x restriction_weight`` (0 when excluded).
    """

    protocol: str
    score: float
    effect_g: float
    effect_source: str
    trd_weight: float
    preference_weight: float
    restriction_weight: float
    excluded: str | None


def contraindication(protocol: Protocol, code: str) -> Contraindication | None:
    """The protocol's note for restriction ``code``, if it has one."""
    return next((c for c in protocol.contraindications if c.restriction == code), None)


def delivery_setting(prefs: Preferences, decision: ScreeningDecision, rules: PrescriptionRules) -> str:
    """The setting the plan is delivered in: the preferred one, unless a restriction requires another."""
    for code in decision.restrictions:
        required = rules.restriction(code).require_setting
        if required is not None:
            return required
    return prefs.setting


def exclusion(
    protocol: Protocol,
    decision: ScreeningDecision,
    rules: PrescriptionRules,
    *,
    setting: str | None = None,
    prefs: Preferences | None = None,
) -> str | None:
    """Why ``protocol`` cannot be prescribed under ``decision`` (``None`` if it can).

    ``setting`` (the delivery setting) and ``prefs`` (for the preferred-first-only modalities such as
    HIIT) are checked only when given: an explicit choice by the clinician skips both.
    """
    for code in decision.restrictions:
        note = contraindication(protocol, code)
        if note is not None and note.action == "exclude":
            return f"excluded by the restriction {code}: {note.note}"
        rule = rules.restriction(code)
        banned = sorted(set(rule.exclude_modalities) & set(protocol.modalities))
        if banned:
            return f"excluded by the restriction {code}: no {', '.join(banned)}"
        if rule.require_setting is not None and rule.require_setting not in protocol.settings:
            return f"excluded by the restriction {code}: not offered as {rule.require_setting}"
    if prefs is not None:
        for modality in rules.ranking.preferred_first_only:
            if modality in protocol.modalities and prefs.modalities[:1] != (modality,):
                return f"{modality} is recommended only as the first preference (limited evidence in TRD)"
    if setting is not None and setting not in protocol.settings:
        return f"not offered in the setting {setting!r} ({', '.join(protocol.settings)})"
    return None


def _effect(protocol: Protocol, rules: PrescriptionRules) -> tuple[float, str]:
    ranking = rules.ranking
    for effect in protocol.evidence.effects:
        if effect.measure == ranking.measure:
            return abs(effect.estimate), effect.source
    for modality in protocol.modalities:
        if modality in ranking.modality_g:
            return ranking.modality_g[modality], f"{ranking.effect_source} (node of the modality {modality})"
    return ranking.no_effect_g, ranking.no_effect_source


def _preference(protocol: Protocol, prefs: Preferences, rules: PrescriptionRules) -> float:
    ranks = [prefs.modalities.index(m) for m in protocol.modalities if m in prefs.modalities]
    if not ranks:
        return rules.ranking.unpreferred_weight
    weights = rules.ranking.preference_weights
    return weights[min(*ranks, len(weights) - 1)]


def _scored(
    protocol: Protocol,
    decision: ScreeningDecision,
    prefs: Preferences,
    rules: PrescriptionRules,
    excluded: str | None,
) -> RankedProtocol:
    g, source = _effect(protocol, rules)
    trd = 1.0 if protocol.evidence.limited_evidence_in_trd else rules.ranking.trd_weight
    preference = _preference(protocol, prefs, rules)
    modified = [
        c for c in decision.restrictions if (n := contraindication(protocol, c)) and n.action == "modify"
    ]
    restriction = rules.ranking.modify_weight ** len(modified)
    score = 0.0 if excluded else g * trd * preference * restriction
    return RankedProtocol(protocol.id, score, g, source, trd, preference, restriction, excluded)


def rank_protocols(
    inp: PrescriptionInput, decision: ScreeningDecision, *, rules: PrescriptionRules, by_setting: bool = True
) -> tuple[RankedProtocol, ...]:
    """Rank every protocol of the library for ``inp`` under ``decision``.

    Parameters
    ----------
    inp
        The input: its preferences (ranked modalities, setting) weigh in.
    decision
        The screening decision: its restrictions exclude protocols or count as modifications.
    rules
        The engine's rules (weights and sources in prescription.toml).
    by_setting
        ``False`` ignores the delivery setting (used when no protocol is offered in it).

    Returns
    -------
    tuple[RankedProtocol, ...]
        The allowed protocols first, by score (highest first, ties by id), then the excluded ones by
        id, each with the reason it cannot be chosen.
    """
    setting = delivery_setting(inp.preferences, decision, rules) if by_setting else None
    ranked = []
    for protocol_id in protocol_ids():
        protocol = get_protocol(protocol_id)
        why = exclusion(protocol, decision, rules, setting=setting, prefs=inp.preferences)
        ranked.append(_scored(protocol, decision, inp.preferences, rules, why))
    return tuple(sorted(ranked, key=lambda p: (p.excluded is not None, -p.score, p.protocol)))


def _explain(ranked: tuple[RankedProtocol, ...], rules: PrescriptionRules) -> list[Rationale]:
    allowed = [p for p in ranked if p.excluded is None]
    lines = "; ".join(
        f"{i}. {p.protocol} {p.score:.3f} = g {p.effect_g:.2f} x TRD evidence {p.trd_weight:g} "
        f"x preference {p.preference_weight:g} x restrictions {p.restriction_weight:.2f}"
        for i, p in enumerate(allowed, start=1)
    )
    ranking = rules.ranking
    sources = "; ".join(
        (allowed[0].effect_source, ranking.trd_source, ranking.preference_source, ranking.modify_source)
    )
    out = [
        Rationale(
            f"Protocol recommended: {allowed[0].protocol}, the highest score of evidence x preference x "
            f"restrictions among the {len(allowed)} protocols allowed (ties broken by id). Ranking: {lines}.",
            sources,
        )
    ]
    excluded = [p for p in ranked if p.excluded is not None]
    if excluded:
        text = "; ".join(f"{p.protocol}: {p.excluded}" for p in excluded)
        hiit = any("first preference" in (p.excluded or "") for p in excluded)
        source = "protocols/*.toml [[contraindications]]; prescription.toml [restrictions]"
        out.append(Rationale(f"Not allowed: {text}.", f"{source}; {ranking.hiit_source}" if hiit else source))
    return out


def choose_protocol(
    inp: PrescriptionInput, decision: ScreeningDecision, *, rules: PrescriptionRules
) -> tuple[Protocol, tuple[Rationale, ...]]:
    """The protocol of the plan, and why.

    Raises
    ------
    InvalidInput
        Naming ``protocol``: an unknown id, a protocol the screening restrictions exclude, or (never
        with the packaged library) no protocol allowed at all.
    """
    if inp.protocol != RECOMMEND:
        return _explicit(inp, decision, rules)
    ranked = rank_protocols(inp, decision, rules=rules)
    notes: list[Rationale] = []
    if ranked[0].excluded is not None:
        setting = delivery_setting(inp.preferences, decision, rules)
        ranked = rank_protocols(inp, decision, rules=rules, by_setting=False)
        notes.append(
            Rationale(
                f"No protocol allowed by the restrictions is offered in the setting {setting!r}: "
                "the ranking covers every setting, and the clinician should agree where it is delivered.",
                "each protocol's settings; the Stride clinical loop: prescription (supervised, group, home)",
            )
        )
    if ranked[0].excluded is not None:
        raise InvalidInput(
            "no protocol of the library is allowed by the screening restrictions", field="protocol"
        )
    return get_protocol(ranked[0].protocol), (*notes, *_explain(ranked, rules))


def _explicit(
    inp: PrescriptionInput, decision: ScreeningDecision, rules: PrescriptionRules
) -> tuple[Protocol, tuple[Rationale, ...]]:
    protocol = get_protocol(inp.protocol)
    why = exclusion(protocol, decision, rules)
    if why is not None:
        raise InvalidInput(f"{protocol.id} cannot be prescribed: {why}", field="protocol")
    notes = [Rationale(f"Protocol chosen by the clinician: {protocol.name}.", protocol.source)]
    setting = delivery_setting(inp.preferences, decision, rules)
    if setting not in protocol.settings:
        notes.append(
            Rationale(
                f"{protocol.id} is not described for the setting {setting!r} (its settings: "
                f"{', '.join(protocol.settings)}); deliver it as the protocol describes.",
                protocol.supervision_source,
            )
        )
    return protocol, tuple(notes)
