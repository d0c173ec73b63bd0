"""The exercise plan and the refusal: frozen dataclasses, and the plan's JSON form.

A :class:`Plan` holds the chosen protocol, one :class:`PlanWeek` per week (its sessions and its
target), the progression rules, the adherence support, the restrictions applied and the rationale
of every choice, each with its source. :func:`plan_to_dict` gives the JSON-ready form (the
``stride prescribe --json`` contract) and :func:`plan_from_dict` reads it back, so a stored plan can
be rendered again: ``plan_from_dict(plan_to_dict(plan)) == plan``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from stride.clinical.safety import Decision, Reason
from stride.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rationale:
    """Why the engine chose something, and the source that says so."""

    text: str
    source: str


@dataclass(frozen=True, slots=True)
class StrengthSet:
    """One resistance exercise of a session: sets, reps per set, load by RPE (6-20) and reps in reserve."""

    name: str
    sets: int
    reps: tuple[int, int]
    load_rpe: tuple[int, int]
    rir: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PlanSession:
    """One session. ``minutes`` is the main part (warm-up and cool-down come on top). ``intensity``
    names the ACSM classes the session claims, lowest first, joined by ``-`` (``light-moderate``);
    ``hr_range_bpm`` lies within their Karvonen zones and is ``None`` when intensity is set by RPE
    only; ``rpe_range`` (Borg 6-20) lies within their RPE range; ``talk_test`` is that of the
    hardest class claimed."""

    day: str
    modality: str
    minutes: int
    intensity: str
    hr_range_bpm: tuple[int, int] | None
    rpe_range: tuple[int, int]
    talk_test: str
    warm_up: str
    cool_down: str
    strength: tuple[StrengthSet, ...]
    notes: tuple[str, ...]

    @property
    def classes(self) -> tuple[str, ...]:
        """The intensity classes claimed, lowest first."""
        return tuple(self.intensity.split("-"))


@dataclass(frozen=True, slots=True)
class PlanTarget:
    """A week's target. ``frequency``, ``minutes_per_session`` and ``volume`` are the protocol's (after
    the start-level ramp); ``sessions`` and ``planned_minutes_per_week`` are what fits on the
    patient's days. ``energy_kcal_per_week`` is the volume times the patient's weight when the
    protocol is dosed in kcal/kg/week, else ``None``."""

    phase: str
    frequency: int
    sessions: int
    minutes_per_session: int
    minutes_per_week: int
    planned_minutes_per_week: int
    intensity: str
    rpe_range: tuple[int, int]
    volume: float
    volume_unit: str
    energy_kcal_per_week: float | None
    start_level: bool

    def describe(self) -> str:
        """One line for people: sessions, minutes, intensity and volume of the week."""
        sessions = (
            f"{self.sessions} of {self.frequency}" if self.sessions < self.frequency else f"{self.sessions}"
        )
        energy = f" ({self.energy_kcal_per_week:g} kcal)" if self.energy_kcal_per_week is not None else ""
        start = ", start level" if self.start_level else ""
        return (
            f"{sessions} sessions x {self.minutes_per_session} min, {self.intensity} "
            f"(RPE {self.rpe_range[0]}-{self.rpe_range[1]}), {self.volume:g} "
            f"{self.volume_unit.replace('_', ' ')}{energy}{start}"
        )


@dataclass(frozen=True, slots=True)
class PlanWeek:
    """One week of the plan; ``starts_on`` only labels it (from the input's ``start_date``)."""

    week: int
    starts_on: date | None
    sessions: tuple[PlanSession, ...]
    target: PlanTarget


@dataclass(frozen=True, slots=True)
class AdherenceItem:
    """An adherence strategy of the plan (from the protocol, or added by tailoring)."""

    strategy: str
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class AppliedRestriction:
    """A screening restriction and what it did to the plan (``exclude`` never appears in a plan)."""

    code: str
    action: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Plan:
    """An individual exercise prescription (FITT-VP, week by week), every choice with its source."""

    protocol_id: str
    protocol_name: str
    decision: str
    deconditioned: bool
    weeks: tuple[PlanWeek, ...]
    progression: tuple[Rationale, ...]
    adherence: tuple[AdherenceItem, ...]
    restrictions: tuple[AppliedRestriction, ...]
    rationale: tuple[Rationale, ...]


@dataclass(frozen=True, slots=True)
class Refusal:
    """No plan: the screen did not clear the person (defer, or medical clearance required)."""

    decision: Decision
    reasons: tuple[Reason, ...]


PrescriptionResult = Plan | Refusal


# --- to JSON ----------------------------------------------------------------------------------------


def _pair(value: tuple[int, int] | None) -> list[int] | None:
    return None if value is None else [value[0], value[1]]


def _session_to_dict(s: PlanSession) -> dict[str, Any]:
    return {
        "day": s.day,
        "modality": s.modality,
        "minutes": s.minutes,
        "intensity": s.intensity,
        "hr_range_bpm": _pair(s.hr_range_bpm),
        "rpe_range": _pair(s.rpe_range),
        "talk_test": s.talk_test,
        "warm_up": s.warm_up,
        "cool_down": s.cool_down,
        "strength": [
            {
                "name": x.name,
                "sets": x.sets,
                "reps": _pair(x.reps),
                "load_rpe": _pair(x.load_rpe),
                "rir": _pair(x.rir),
            }
            for x in s.strength
        ],
        "notes": list(s.notes),
    }


def _target_to_dict(t: PlanTarget) -> dict[str, Any]:
    return {
        "phase": t.phase,
        "frequency": t.frequency,
        "sessions": t.sessions,
        "minutes_per_session": t.minutes_per_session,
        "minutes_per_week": t.minutes_per_week,
        "planned_minutes_per_week": t.planned_minutes_per_week,
        "intensity": t.intensity,
        "rpe_range": _pair(t.rpe_range),
        "volume": t.volume,
        "volume_unit": t.volume_unit,
        "energy_kcal_per_week": t.energy_kcal_per_week,
        "start_level": t.start_level,
    }


def _texts(items: Sequence[Rationale]) -> list[dict[str, str]]:
    return [{"text": x.text, "source": x.source} for x in items]


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The JSON-ready form of ``plan`` (the ``stride prescribe --json`` contract).

    Returns
    -------
    dict
        ``protocol``, ``protocol_name``, ``decision``, ``deconditioned``, ``weeks`` (each with
        ``week``, ``starts_on``, ``sessions`` and ``target``), ``progression``, ``adherence``,
        ``restrictions`` and ``rationale`` (``[{"text", "source"}]``); pairs are ``[lo, hi]`` lists.
    """
    return {
        "protocol": plan.protocol_id,
        "protocol_name": plan.protocol_name,
        "decision": plan.decision,
        "deconditioned": plan.deconditioned,
        "weeks": [
            {
                "week": w.week,
                "starts_on": None if w.starts_on is None else w.starts_on.isoformat(),
                "sessions": [_session_to_dict(s) for s in w.sessions],
                "target": _target_to_dict(w.target),
            }
            for w in plan.weeks
        ],
        "progression": _texts(plan.progression),
        "adherence": [
            {"strategy": a.strategy, "description": a.description, "source": a.source} for a in plan.adherence
        ],
        "restrictions": [
            {"code": x.code, "action": x.action, "text": x.text, "source": x.source}
            for x in plan.restrictions
        ],
        "rationale": _texts(plan.rationale),
    }


# --- from JSON --------------------------------------------------------------------------------------


class _Reader:
    """Typed access to a decoded plan, naming the path of a missing or mistyped value."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise InvalidInput("must be an object", field=path or "plan")
        self.data: Mapping[str, Any] = data
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def value(self, key: str, kinds: tuple[type, ...], what: str) -> Any:
        if key not in self.data:
            raise InvalidInput("is required", field=self.at(key))
        value = self.data[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise InvalidInput(f"must be {what}", field=self.at(key))
        return value

    def text(self, key: str) -> str:
        value: str = self.value(key, (str,), "a string")
        return value

    def whole(self, key: str) -> int:
        value: int = self.value(key, (int,), "a whole number")
        return value

    def number(self, key: str, *, nullable: bool = False) -> float | None:
        if nullable and self.data.get(key, 0) is None:
            return None
        return float(self.value(key, (int, float), "a number"))

    def flag(self, key: str) -> bool:
        value: bool = self.value(key, (bool,), "true or false")
        return value

    def pair(self, key: str) -> tuple[int, int]:
        value = self.value(key, (list,), "a [low, high] pair of whole numbers")
        if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise InvalidInput("must be a [low, high] pair of whole numbers", field=self.at(key))
        return value[0], value[1]

    def optional_pair(self, key: str) -> tuple[int, int] | None:
        return None if self.data.get(key, 0) is None else self.pair(key)

    def items(self, key: str, build: Callable[[_Reader], T]) -> tuple[T, ...]:
        values: list[object] = self.value(key, (list,), "a list")
        return tuple(build(_Reader(v, f"{self.at(key)}[{i}]")) for i, v in enumerate(values))

    def child(self, key: str) -> _Reader:
        return _Reader(self.value(key, (dict,), "an object"), self.at(key))


def _strings(r: _Reader, key: str) -> tuple[str, ...]:
    values: list[object] = r.value(key, (list,), "a list of strings")
    if not all(isinstance(v, str) for v in values):
        raise InvalidInput("must be a list of strings", field=r.at(key))
    return tuple(str(v) for v in values)


def _strength(r: _Reader) -> StrengthSet:
    return StrengthSet(r.text("name"), r.whole("sets"), r.pair("reps"), r.pair("load_rpe"), r.pair("rir"))


def _session(r: _Reader) -> PlanSession:
    return PlanSession(
        day=r.text("day"),
        modality=r.text("modality"),
        minutes=r.whole("minutes"),
        intensity=r.text("intensity"),
        hr_range_bpm=r.optional_pair("hr_range_bpm"),
        rpe_range=r.pair("rpe_range"),
        talk_test=r.text("talk_test"),
        warm_up=r.text("warm_up"),
        cool_down=r.text("cool_down"),
        strength=r.items("strength", _strength),
        notes=_strings(r, "notes"),
    )


def _target(r: _Reader) -> PlanTarget:
    volume = r.number("volume")
    assert volume is not None
    return PlanTarget(
        phase=r.text("phase"),
        frequency=r.whole("frequency"),
        sessions=r.whole("sessions"),
        minutes_per_session=r.whole("minutes_per_session"),
        minutes_per_week=r.whole("minutes_per_week"),
        planned_minutes_per_week=r.whole("planned_minutes_per_week"),
        intensity=r.text("intensity"),
        rpe_range=r.pair("rpe_range"),
        volume=volume,
        volume_unit=r.text("volume_unit"),
        energy_kcal_per_week=r.number("energy_kcal_per_week", nullable=True),
        start_level=r.flag("start_level"),
    )


def _week(r: _Reader) -> PlanWeek:
    starts_on = None
    if r.data.get("starts_on") is not None:
        try:
            starts_on = date.fromisoformat(r.text("starts_on"))
        except ValueError:
            raise InvalidInput("must be a date YYYY-MM-DD", field=r.at("starts_on")) from None
    return PlanWeek(r.whole("week"), starts_on, r.items("sessions", _session), _target(r.child("target")))


def _rationale(r: _Reader) -> Rationale:
    return Rationale(r.text("text"), r.text("source"))


def _adherence(r: _Reader) -> AdherenceItem:
    return AdherenceItem(r.text("strategy"), r.text("description"), r.text("source"))


def _restriction(r: _Reader) -> AppliedRestriction:
    return AppliedRestriction(r.text("code"), r.text("action"), r.text("text"), r.text("source"))


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """Read a plan back from its :func:`plan_to_dict` form (e.g. as stored by the service layer).

    Raises
    ------
    InvalidInput
        Naming the path of a missing or mistyped value (``weeks[3].sessions[0].rpe_range``).
    """
    r = _Reader(data, "")
    return Plan(
        protocol_id=r.text("protocol"),
        protocol_name=r.text("protocol_name"),
        decision=r.text("decision"),
        deconditioned=r.flag("deconditioned"),
        weeks=r.items("weeks", _week),
        progression=r.items("progression", _rationale),
        adherence=r.items("adherence", _adherence),
        restrictions=r.items("restrictions", _restriction),
        rationale=r.items("rationale", _rationale),
    )


def refusal_to_dict(refusal: Refusal) -> dict[str, Any]:
    """The JSON form of a refusal: ``{"error": "not_cleared", "decision", "reasons": [...]}``."""
    return {
        "error": "not_cleared",
        "decision": refusal.decision.value,
        "reasons": [{"code": x.code, "text": x.text, "source": x.source} for x in refusal.reasons],
    }
