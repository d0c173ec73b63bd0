"""The standard protocol library: loading each protocol, its week-by-week targets and CERT report.

Every protocol is one declarative file, ``data/protocols/<id>.toml``, validated at load by
:mod:`stride.clinical.prescription.protocol_schema` against the library rules in
``protocol_library.toml`` into the model of :mod:`stride.clinical.prescription.protocol_model`:
FITT-VP phases, the progression rule and its maximum weekly increase, a start level for
deconditioned people, strength exercises, warm-up and cool-down, adherence support, contraindication
notes keyed by screening restriction codes, the evidence (``limited_evidence_in_trd``) and every
CERT item. Every parameter has a ``source``; where a source leaves one open, the file's ``notes``
state the choice and why.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache
from importlib import resources

from stride.clinical.prescription.protocol_library import render_cert
from stride.clinical.prescription.protocol_model import Phase, Protocol, WeekTarget
from stride.clinical.prescription.protocol_schema import parse_protocol
from stride.data import load_toml
from stride.errors import InvalidInput

# Protocol and WeekTarget are what get_protocol and weekly_targets return; callers take them from here.
__all__ = [
    "DATA",
    "PROTOCOL_DIR",
    "RESOLUTION",
    "Protocol",
    "WeekTarget",
    "cert_report",
    "get_protocol",
    "protocol_ids",
    "weekly_targets",
]

PROTOCOL_DIR = "protocols"
# The protocol files live beside this code, in the prescription package's data folder.
DATA = "stride.clinical.prescription.data"
# Week-by-week volumes are rounded down to these steps, so a rounded target never exceeds the rule.
RESOLUTION: dict[str, Fraction] = {
    "min_per_week": Fraction(1),
    "kcal_per_kg_per_week": Fraction(1, 10),
    "steps_per_day": Fraction(100),
}


# --- loading ------------------------------------------------------------------------------------


@cache
def _ids() -> tuple[str, ...]:
    folder = resources.files(DATA).joinpath(PROTOCOL_DIR)
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")))


def protocol_ids() -> list[str]:
    """The ids of every packaged protocol, sorted (a fresh list)."""
    return list(_ids())


def get_protocol(protocol_id: str) -> Protocol:
    """The validated protocol ``protocol_id`` (cached).

    Raises
    ------
    InvalidInput
        For an unknown id, with ``field="protocol"``.
    ConfigurationError
        If the packaged file is malformed (naming the file and the key).
    """
    if not isinstance(protocol_id, str) or protocol_id not in _ids():
        raise InvalidInput(f"unknown protocol {protocol_id!r}; known: {', '.join(_ids())}", field="protocol")
    return _load(protocol_id)


@cache
def _load(protocol_id: str) -> Protocol:
    file = f"{PROTOCOL_DIR}/{protocol_id}"
    return parse_protocol(load_toml(file, DATA), file=f"{file}.toml")


# --- week-by-week targets -------------------------------------------------------------------------


def weekly_targets(protocol: Protocol, *, deconditioned: bool = False) -> tuple[WeekTarget, ...]:
    """The targets of every week of ``protocol``, by its progression rule.

    Parameters
    ----------
    protocol
        A loaded protocol.
    deconditioned
        Start at the protocol's start level and ramp up by ``progression.step`` per week until the
        standard schedule is reached (the rest of the schedule is then followed, still never
        increasing by more than the step).

    Returns
    -------
    tuple[WeekTarget, ...]
        One target per week; volume never rises by more than ``progression.max_weekly_increase``.
    """
    rule, unit = protocol.progression, RESOLUTION[protocol.volume_unit]
    out: list[WeekTarget] = []
    behind = deconditioned
    for week in range(1, protocol.duration_weeks + 1):
        phase = protocol.phase_for_week(week)
        scheduled = Fraction(repr(phase.volume))
        if not out:
            volume = Fraction(repr(protocol.start_level.volume)) if deconditioned else scheduled
        elif rule.rule == "stepwise_by_phase" and not deconditioned:
            volume = scheduled
        else:
            grown = rule.allowed(Fraction(repr(out[-1].volume)), increase=rule.step)
            volume = min(scheduled, math.floor(grown / unit) * unit)
        behind = behind and volume < scheduled
        out.append(_week(protocol, week, phase, volume, start_level=behind))
    return tuple(out)


def _week(protocol: Protocol, week: int, phase: Phase, volume: Fraction, *, start_level: bool) -> WeekTarget:
    start = protocol.start_level
    if start_level and week == 1:
        return WeekTarget(
            week, phase.id, start.frequency, start.minutes, start.intensity, start.rpe, start.volume, True
        )
    # Sessions follow the phase (so its volume is reachable); minutes shrink with the ramped volume.
    minutes = math.floor(phase.minutes * volume / Fraction(repr(phase.volume)))
    if protocol.volume_unit == "min_per_week":
        volume = Fraction(phase.frequency * minutes)  # whole sessions of whole minutes
    easy = start if start_level else phase  # below the schedule, a deconditioned person stays easier
    return WeekTarget(
        week=week,
        phase=phase.id,
        frequency=phase.frequency,
        minutes=minutes,
        intensity=easy.intensity,
        rpe=easy.rpe,
        volume=float(volume),
        start_level=start_level,
    )


# --- the CERT report --------------------------------------------------------------------------------


def cert_report(protocol: Protocol, *, fmt: str = "markdown") -> str:
    """The filled-in CERT checklist of ``protocol`` (all 19 items, by category) as ``markdown`` or
    ``html`` (a standalone document, every text escaped, no scripts or inline styles); any other
    ``fmt`` raises ``InvalidInput`` naming ``format``."""
    return render_cert(protocol, fmt=fmt)
