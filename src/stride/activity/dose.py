"""The dose of one session: minutes per intensity zone, moderate and vigorous minutes, MET-minutes and
kcal/kg.

The method (``stride/data/dose.toml`` says why and cites the numbers):

1. ``hr``: heart-rate samples with the patient's resting HR and HRmax cover some of the session. Each
   sample stands for the time to the next one, at most ``max_gap_s``
   (:func:`~stride.activity.zones.sample_weights_s`), and is placed in its %HRR zone
   (:func:`~stride.activity.zones.classify_hr`).
2. ``rpe``: no heart rate, a Borg 6-20 rating; the session is in the class whose RPE band holds it.
3. ``met``: neither; the session is in the class whose absolute MET range holds the activity's
   default Compendium value (``mets.toml``).

The minutes heart rate does not cover take the fallback (the RPE class, else the MET class), so the
zone minutes add up to the duration and more minutes never give less dose; only an activity without
a MET value (``other``) and without an RPE leaves minutes ``unclassified``. MET-minutes price minutes
classified by heart rate or RPE at the activity's Compendium variant for that effort (``[hr_met]``)
and minutes of the MET class at its default value; kcal/kg = MET-hours x 1 kcal/kg/h.

An activity outside the normalised list (``other``) takes the Compendium values of the activity its
device names, when ``mets.toml`` ``[[named]]`` knows it (kayaking, paddling); else its minutes
classified by heart rate or RPE are priced at the lower MET bound of their ACSM class
(``intensity.toml``); else its MET-minutes and kcal/kg are unknown (``None``), never 0.
``met_source`` says which.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Literal

import numpy as np

from stride.activity.dose_rules import DoseRules, dose_rules
from stride.activity.mets import SportMets, named_mets, sport_mets
from stride.activity.model import F64, SPORTS, ParsedSession, Samples, Sport
from stride.activity.zones import (
    UNCLASSIFIED,
    ZONE_KEYS,
    ZONES,
    classify_hr,
    sample_weights_s,
    zone_for_met,
    zone_for_rpe,
)
from stride.clinical.prescription import intensity_rules, vigorous_upper
from stride.errors import InvalidInput

Method = Literal["hr", "rpe", "met"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SessionDose:
    """The dose of one session.

    ``minutes_by_zone`` has every key of :data:`~stride.activity.zones.ZONE_KEYS` (the ACSM classes and
    ``unclassified``); its values add up to ``duration_minutes``. ``moderate_minutes`` and
    ``vigorous_minutes`` follow WHO 2020 (near-maximal counts as vigorous) and
    ``moderate_equivalent_minutes`` is moderate + 2 x vigorous. ``minutes_in_target`` is the time
    within the plan's heart-rate range (``None`` unless the ``hr`` method had one). ``hr_coverage``
    is the share of the session covered by heart-rate data. ``met_minutes`` and ``kcal_per_kg`` are
    ``None`` when the dose is unknown (an activity without a MET value, no heart rate, no RPE);
    ``met_source`` names the values that priced them.
    """

    session_id: str
    start: datetime
    sport: Sport
    method: Method
    duration_minutes: float
    minutes_by_zone: Mapping[str, float]
    hr_coverage: float
    met_minutes: float | None
    kcal_per_kg: float | None
    moderate_minutes: float
    vigorous_minutes: float
    moderate_equivalent_minutes: float
    minutes_in_target: float | None
    met_source: str | None = None

    @property
    def dose_known(self) -> bool:
        """Whether the session's MET-minutes (and kcal/kg) are known."""
        return self.met_minutes is not None

    @property
    def mvpa_minutes(self) -> float:
        """Moderate-to-vigorous minutes: moderate + vigorous."""
        return self.moderate_minutes + self.vigorous_minutes


@dataclass(frozen=True, slots=True)
class _Split:
    """Minutes per zone of :data:`ZONES` by how they were classified: by effort (heart rate or RPE,
    priced at the effort's variant) or by the activity's MET class (priced at its default value)."""

    effort: F64
    met_class: F64
    unclassified: float


def _hr_minutes(
    samples: Samples,
    *,
    window_ms: tuple[int, int],
    heart: tuple[int, int, int | None],
    target: tuple[int, int] | None,
    max_gap_s: float,
) -> tuple[F64, float | None]:
    """Minutes per zone covered by heart-rate data, and the minutes within ``target``."""
    t, hr = samples.time_ms, samples.heart_rate
    if np.any(np.diff(t) < 0):
        order = np.argsort(t, kind="stable")
        t, hr = t[order], hr[order]
    rest, top, upper = heart
    zone = classify_hr(hr, resting_hr=rest, hrmax=top, vigorous_upper_pct=upper)
    weights = sample_weights_s(t, start_ms=window_ms[0], end_ms=window_ms[1], max_gap_s=max_gap_s)
    weight = np.where(zone >= 0, weights, 0.0)
    minutes = np.bincount(np.maximum(zone, 0), weights=weight, minlength=len(ZONES)) / 60.0
    in_target = None
    if target is not None:
        inside = (hr >= target[0]) & (hr < target[1] + 1)
        in_target = float(weight[inside].sum() / 60.0)
    return minutes, in_target


def _one_zone(zone: str | None, minutes: float) -> F64:
    out = np.zeros(len(ZONES))
    if zone is not None:
        out[ZONES.index(zone)] = minutes
    return out


def _fallback(minutes: float, *, rpe: int | None, mets: SportMets | None) -> _Split:
    """``minutes`` in the RPE class, else the activity's MET class, else unclassified."""
    none = np.zeros(len(ZONES))
    if rpe is not None:
        return _Split(_one_zone(zone_for_rpe(rpe), minutes), none, 0.0)
    if mets is not None:
        return _Split(none, _one_zone(zone_for_met(mets.default_entry.met), minutes), 0.0)
    return _Split(none, none, minutes)


def _met(mets: SportMets | None, effort: str | None) -> float:
    if mets is None:
        return 0.0
    return (mets.default_entry if effort is None else mets.for_effort(effort)).met


def _met_minutes(split: _Split, mets: SportMets, rules: DoseRules) -> float:
    """Effort minutes at their variant's METs (or the default), MET-class minutes at the default."""
    by_zone = rules.hr_met_mode == "by_zone"
    price = np.array([_met(mets, rules.zone_efforts[z] if by_zone else None) for z in ZONES])
    default = _met(mets, None)
    if rules.energy_basis == "net":  # energy above rest: (MET - 1), never below 0
        price, default = np.maximum(price - 1.0, 0.0), max(default - 1.0, 0.0)
    return float(price @ split.effort + default * split.met_class.sum())


@cache
def _class_mets() -> F64:
    """The lower MET bound of each ACSM class of :data:`ZONES` (``intensity.toml`` ``met_from``); a
    class without one (near-maximal) takes the bound of the class below it."""
    bounds = {c.id: c.met_from for c in intensity_rules().classes}
    out, last = [], 1.0
    for zone in ZONES:
        last = bounds.get(zone) or last
        out.append(last)
    return np.array(out, dtype=np.float64)


CLASS_SOURCE = "the intensity class of each minute (heart rate or effort)"
DOSE_UNKNOWN = "dose unknown"


def met_basis(sport: Sport, device_sport: str | None, *, heart_rate: bool) -> str:
    """What will price a recorded session's MET-minutes, said before any patient is known (``stride
    inspect``): the activity's Compendium entry, else the heart-rate class of each minute (which
    needs the patient's resting heart rate and HRmax), else :data:`DOSE_UNKNOWN`."""
    mets = sport_mets(sport) or (named_mets(device_sport) if sport == "other" else None)
    if mets is not None:
        entry = mets.default_entry
        return f"{entry.description} (Compendium {entry.code})"
    return CLASS_SOURCE if heart_rate else DOSE_UNKNOWN


def _priced(split: _Split, mets: SportMets | None, rules: DoseRules) -> tuple[float | None, str | None]:
    """MET-minutes and what priced them: the activity's Compendium values; without any, the lower
    MET bound of the class of each minute heart rate or RPE classified; without those, unknown."""
    if mets is not None:
        entry = mets.default_entry
        return _met_minutes(split, mets, rules), f"{entry.description} (Compendium {entry.code})"
    if float(split.effort.sum()) <= 0:
        return None, None
    price = _class_mets()
    if rules.energy_basis == "net":
        price = np.maximum(price - 1.0, 0.0)
    return float(price @ split.effort), CLASS_SOURCE


def _check(start: datetime, duration_s: float, sport: str, target: tuple[int, int] | None) -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("must be a timezone-aware date and time", field="start")
    if not math.isfinite(duration_s) or duration_s < 0:
        raise InvalidInput(f"must be a number of seconds >= 0, got {duration_s!r}", field="duration_s")
    if sport not in SPORTS:
        raise InvalidInput(f"unknown sport {sport!r}; known: {', '.join(SPORTS)}", field="sport")
    if target is not None and not (len(target) == 2 and 0 < target[0] <= target[1]):
        raise InvalidInput("must be a (low, high) pair of beats per minute", field="target_hr")


def session_dose(
    *,
    session_id: str,
    start: datetime,
    duration_s: float,
    sport: Sport,
    samples: Samples | None = None,
    rpe: int | None = None,
    resting_hr: int | None = None,
    hrmax: int | None = None,
    target_hr: tuple[int, int] | None = None,
    use_hr: bool = True,
    vigorous_upper_pct: int | None = None,
    rules: DoseRules | None = None,
    device_sport: str | None = None,
) -> SessionDose:
    """The dose of one session (see the module docstring for the method).

    Parameters
    ----------
    session_id
        The session's identifier, carried into the result (weekly and adherence functions use it to
        skip duplicates).
    start, duration_s
        Timezone-aware start and the elapsed duration in seconds.
    sport
        The normalised activity type; its Compendium METs price the minutes.
    samples
        Heart-rate samples (``NaN`` where missing); used with ``resting_hr`` and ``hrmax``.
    rpe
        Borg 6-20 session rating: classifies the session without heart rate, and the minutes heart
        rate does not cover.
    resting_hr, hrmax
        The patient's resting heart rate and HRmax in whole beats.
    target_hr
        The plan's heart-rate range (inclusive whole beats) for ``minutes_in_target``.
    use_hr
        ``False`` skips heart rate (a beta-blocked patient, whose intensity is prescribed by RPE).
    vigorous_upper_pct
        The vigorous upper bound in % HRR (84, the default, or 89).
    rules
        The dose rules (default: ``dose.toml``).
    device_sport
        The device's own label for the activity: for an ``other`` session, the Compendium entry
        of the activity it names (``mets.toml`` ``[[named]]``).

    Returns
    -------
    SessionDose

    Raises
    ------
    InvalidInput
        Naming ``start``, ``duration_s``, ``sport``, ``rpe``, ``resting_hr``, ``hrmax``, ``target_hr``
        or ``vigorous_upper_pct``.

    Examples
    --------
    30 minutes at 150 bpm with rest 60 and HRmax 180 (62.5 % HRR): 30 vigorous minutes, 60
    moderate-equivalent minutes.

    >>> start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    >>> t0 = int(start.timestamp()) * 1000
    >>> s = Samples.of(np.arange(t0, t0 + 1_800_000, 1000), heart_rate=np.full(1800, 150.0))
    >>> d = session_dose(session_id="a", start=start, duration_s=1800, sport="running", samples=s,
    ...                  resting_hr=60, hrmax=180)
    >>> d.method, d.vigorous_minutes, d.moderate_equivalent_minutes
    ('hr', 30.0, 60.0)
    """
    rules = rules or dose_rules()
    _check(start, duration_s, sport, target_hr)
    vigorous_upper(vigorous_upper_pct)
    duration = duration_s / 60.0
    covered, in_target = np.zeros(len(ZONES)), None
    if use_hr and samples is not None and len(samples) and resting_hr is not None and hrmax is not None:
        start_ms = (start - _EPOCH) // timedelta(milliseconds=1)
        window = (start_ms, start_ms + math.floor(duration_s * 1000))
        heart = (resting_hr, hrmax, vigorous_upper_pct)
        covered, in_target = _hr_minutes(
            samples, window_ms=window, heart=heart, target=target_hr, max_gap_s=rules.max_gap_s
        )
    hr_minutes = float(covered.sum())
    method: Method = "hr" if hr_minutes > 0 else "rpe" if rpe is not None else "met"
    mets = sport_mets(sport) or (named_mets(device_sport) if sport == "other" else None)
    rest = _fallback(max(duration - hr_minutes, 0.0), rpe=rpe, mets=mets)
    split = _Split(rest.effort + covered, rest.met_class, rest.unclassified)
    coverage = min(hr_minutes / duration, 1.0) if duration > 0 else 0.0
    target = in_target if method == "hr" else None
    return _result(session_id, start, sport, method, duration, split, (coverage, target), rules, mets)


def _result(
    session_id: str,
    start: datetime,
    sport: Sport,
    method: Method,
    duration: float,
    split: _Split,
    hr: tuple[float, float | None],
    rules: DoseRules,
    mets: SportMets | None,
) -> SessionDose:
    zones = split.effort + split.met_class
    by_zone = dict(zip(ZONES, (float(m) for m in zones), strict=True)) | {UNCLASSIFIED: split.unclassified}
    met_minutes, met_source = _priced(split, mets, rules)
    moderate = sum(by_zone[c] for c in rules.moderate_classes)
    vigorous = sum(by_zone[c] for c in rules.vigorous_classes)
    return SessionDose(
        session_id=session_id,
        start=start,
        sport=sport,
        method=method,
        duration_minutes=duration,
        minutes_by_zone=MappingProxyType({k: by_zone[k] for k in ZONE_KEYS}),
        hr_coverage=hr[0],
        met_minutes=met_minutes,
        kcal_per_kg=None if met_minutes is None else met_minutes / 60.0 * rules.kcal_per_kg_per_met_hour,
        moderate_minutes=moderate,
        vigorous_minutes=vigorous,
        moderate_equivalent_minutes=moderate + rules.vigorous_weight * vigorous,
        minutes_in_target=hr[1],
        met_source=met_source,
    )


def parsed_session_dose(
    session: ParsedSession,
    *,
    session_id: str,
    rpe: int | None = None,
    resting_hr: int | None = None,
    hrmax: int | None = None,
    target_hr: tuple[int, int] | None = None,
    use_hr: bool = True,
    vigorous_upper_pct: int | None = None,
    rules: DoseRules | None = None,
) -> SessionDose:
    """:func:`session_dose` of a session as a reader yields it (start, duration, sport, samples)."""
    return session_dose(
        session_id=session_id,
        start=session.start,
        duration_s=session.duration_s,
        sport=session.sport,
        samples=session.samples,
        rpe=rpe,
        resting_hr=resting_hr,
        hrmax=hrmax,
        target_hr=target_hr,
        use_hr=use_hr,
        vigorous_upper_pct=vigorous_upper_pct,
        rules=rules,
        device_sport=session.device_sport,
    )
