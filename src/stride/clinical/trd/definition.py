"""Treatment-resistant depression: adequacy of antidepressant trials, TRD status and MSM stage.

A trial is *adequate* when it ran at least the minimum number of weeks, at or above the drug's
minimum effective dose (``data/antidepressants.toml``), taken as prescribed. It *failed* when
the improvement was below the failure threshold. TRD is at least two adequate failed trials. Every
threshold is cited data (``data/trd_rules.toml``); the selectable ones are in
:class:`TrdRules`. :func:`assess` is pure: the date of the assessment comes in as ``as_of``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from types import MappingProxyType
from typing import Any

from stride.clinical.trd import msm
from stride.data import load_toml
from stride.errors import ConfigurationError, InvalidInput


@dataclass(frozen=True, slots=True)
class Antidepressant:
    """One row of the dose table."""

    name: str
    drug_class: str
    min_effective_mg: float
    source: str
    status: str


@dataclass(frozen=True, slots=True)
class Trial:
    """One antidepressant trial in the current episode, as reported."""

    drug: str
    daily_dose_mg: float
    weeks: float
    adherent: bool
    improvement_pct: float  # symptom reduction from the start of the trial; negative = worse
    start_date: date | None = None


@dataclass(frozen=True, slots=True)
class TrdInput:
    """Everything the TRD assessment needs.

    ``augmentation`` and ``ect`` are scored by the MSM. ``ketamine``, ``esketamine`` and
    ``psychotherapy`` are recorded for the clinician's view only: no cited rule scores them.
    """

    as_of: date
    episode_start: date
    severity: str
    trials: tuple[Trial, ...] = ()
    augmentation: bool = False
    ect: bool = False
    ketamine: bool = False
    esketamine: bool = False
    psychotherapy: bool = False


@dataclass(frozen=True, slots=True)
class TrdRules:
    """The selectable rules, each with its source. Build with :func:`trd_rules`."""

    min_weeks: float
    min_weeks_source: str
    failure_threshold_pct: float
    failure_source: str
    min_failed_trials: int
    min_failed_source: str
    require_adherence: bool
    adherence_source: str
    count_distinct_drugs: bool
    distinct_source: str


@dataclass(frozen=True, slots=True)
class TrialVerdict:
    """The verdict on one trial, and why.

    ``failed`` is the outcome alone (improvement below the failure threshold), whatever the
    adequacy; ``counted`` is adequate and failed and, with ``count_distinct_drugs``, the first such
    trial of its drug. Only counted trials make TRD.
    """

    drug: str
    drug_class: str
    adequate: bool
    failed: bool
    counted: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrdAssessment:
    """TRD status, the per-trial verdicts, the MSM stage and the rules that produced them."""

    trd: bool
    adequate_failed_trials: int
    trials: tuple[TrialVerdict, ...]
    msm: msm.MsmScore
    rules: TrdRules
    reasons: tuple[str, ...]
    recorded_treatments: tuple[str, ...] = ()


# --- package data -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _DoseTable:
    drugs: Mapping[str, Antidepressant]
    aliases: Mapping[str, str]


@cache
def _dose_table() -> _DoseTable:
    drugs: dict[str, Antidepressant] = {}
    aliases: dict[str, str] = {}
    for name, entry in load_toml("antidepressants", "stride.clinical.trd.data")["drugs"].items():
        mg = float(entry["min_effective_mg"])
        if not (
            mg > 0 and entry.get("source") and entry.get("status") in {"VERIFIED", "SECONDARY", "UNSURE"}
        ):
            raise ConfigurationError(f"antidepressants.toml: {name} needs a positive dose, source and status")
        drugs[name] = Antidepressant(
            name, str(entry["class"]), mg, str(entry["source"]), str(entry["status"])
        )
        aliases.update({str(alias): name for alias in entry.get("aliases", [])})
    return _DoseTable(MappingProxyType(drugs), MappingProxyType(aliases))


def antidepressants() -> Mapping[str, Antidepressant]:
    """The dose table, by generic name."""
    return _dose_table().drugs


def find_antidepressant(name: str, *, field: str = "drug") -> Antidepressant:
    """Look a drug up by generic name (case-insensitive, aliases allowed).

    Raises
    ------
    InvalidInput
        Unknown name; the message suggests close names from the table.
    """
    table = _dose_table()
    key = " ".join(name.lower().split())
    key = table.aliases.get(key, key)
    if key in table.drugs:
        return table.drugs[key]
    close = difflib.get_close_matches(key, [*table.drugs, *table.aliases], n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; use the generic name"
    raise InvalidInput(f"unknown antidepressant {name!r}{hint}", field=field)


def _option(section: Mapping[str, Any], key: str, value: float | None, *, field: str) -> tuple[float, str]:
    chosen = section["default"] if value is None else value
    for option in section["options"]:
        if math.isclose(float(option[key]), float(chosen)):
            return float(option[key]), f"{option['name']}: {option['source']}"
    allowed = ", ".join(f"{option[key]} ({option['name']})" for option in section["options"])
    raise InvalidInput(f"{chosen:g} is not a cited option; choose {allowed}", field=field)


def min_weeks_options() -> tuple[float, ...]:
    """The cited minimum trial durations (weeks)."""
    return tuple(
        float(o["weeks"])
        for o in load_toml("trd_rules", "stride.clinical.trd.data")["adequacy"]["min_weeks"]["options"]
    )


def failure_threshold_options() -> tuple[float, ...]:
    """The cited failure thresholds (% improvement below which a trial failed)."""
    return tuple(
        float(o["pct"])
        for o in load_toml("trd_rules", "stride.clinical.trd.data")["failure"]["threshold_pct"]["options"]
    )


def trd_rules(*, min_weeks: float | None = None, failure_threshold_pct: float | None = None) -> TrdRules:
    """The packaged rules, with the minimum duration and failure threshold chosen among the cited options.

    Raises
    ------
    InvalidInput
        A value that is not one of the cited options (field ``min_weeks`` or ``failure_threshold``).
    """
    raw = load_toml("trd_rules", "stride.clinical.trd.data")
    weeks, weeks_source = _option(raw["adequacy"]["min_weeks"], "weeks", min_weeks, field="min_weeks")
    pct, pct_source = _option(
        raw["failure"]["threshold_pct"], "pct", failure_threshold_pct, field="failure_threshold"
    )
    return TrdRules(
        min_weeks=weeks,
        min_weeks_source=weeks_source,
        failure_threshold_pct=pct,
        failure_source=pct_source,
        min_failed_trials=int(raw["trd"]["min_failed_trials"]),
        min_failed_source=str(raw["trd"]["source"]),
        require_adherence=bool(raw["adequacy"]["adherence"]["required"]),
        adherence_source=str(raw["adequacy"]["adherence"]["source"]),
        count_distinct_drugs=bool(raw["trd"]["count_distinct_drugs"]),
        distinct_source=str(raw["trd"]["count_distinct_drugs_source"]),
    )


# --- validation -------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:g}"


def _short(source: str) -> str:
    # Reasons cite the first reference only; the full source stays in the data and in TrdRules.
    return source.split(";", maxsplit=1)[0].split(": ", maxsplit=1)[0].strip()


def _check_date(value: object, *, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise InvalidInput("must be a date", field=field)


def _check_number(value: object, *, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("must be a finite number", field=field)
    return float(value)


def _check_bool(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("must be true or false", field=field)
    return value


def _checked_trial(trial: Trial, *, index: int, as_of: date) -> tuple[Antidepressant, Trial]:
    at = f"trials[{index}]"
    if not isinstance(trial.drug, str):
        raise InvalidInput("must be a drug name", field=f"{at}.drug")
    drug = find_antidepressant(trial.drug, field=f"{at}.drug")
    dose = _check_number(trial.daily_dose_mg, field=f"{at}.daily_dose_mg")
    if dose <= 0:
        raise InvalidInput("must be more than 0 mg", field=f"{at}.daily_dose_mg")
    weeks = _check_number(trial.weeks, field=f"{at}.weeks")
    if weeks < 0:
        raise InvalidInput("must not be negative", field=f"{at}.weeks")
    improvement = _check_number(trial.improvement_pct, field=f"{at}.improvement_pct")
    if improvement > 100:
        raise InvalidInput("cannot improve by more than 100 %", field=f"{at}.improvement_pct")
    adherent = _check_bool(trial.adherent, field=f"{at}.adherent")
    start = None if trial.start_date is None else _check_date(trial.start_date, field=f"{at}.start_date")
    if start is not None and start > as_of:
        raise InvalidInput(f"start date {start} is after as_of {as_of}", field=f"{at}.start_date")
    if start is not None and weeks * 7 > (as_of - start).days:
        raise InvalidInput(f"{_fmt(weeks)} weeks is longer than the time since {start}", field=f"{at}.weeks")
    return drug, Trial(drug.name, dose, weeks, adherent, improvement, start)


# --- rules ------------------------------------------------------------------------------------


def _adequacy(drug: Antidepressant, trial: Trial, rules: TrdRules) -> tuple[bool, list[str]]:
    dose_ok = trial.daily_dose_mg >= drug.min_effective_mg
    weeks_ok = trial.weeks >= rules.min_weeks
    adherence_ok = trial.adherent or not rules.require_adherence
    dose_word = "meets" if dose_ok else "below"
    weeks_word = "meets" if weeks_ok else "below"
    reasons = [
        f"dose {_fmt(trial.daily_dose_mg)} mg {dose_word} the minimum effective "
        f"{_fmt(drug.min_effective_mg)} mg for {drug.name} ({_short(drug.source)})",
        f"{_fmt(trial.weeks)} weeks {weeks_word} the minimum {_fmt(rules.min_weeks)} weeks "
        f"({_short(rules.min_weeks_source)})",
        "taken as prescribed"
        if trial.adherent
        else f"not taken as prescribed ({_short(rules.adherence_source)})",
    ]
    return dose_ok and weeks_ok and adherence_ok, reasons


def _verdict(drug: Antidepressant, trial: Trial, rules: TrdRules, counted_drugs: set[str]) -> TrialVerdict:
    adequate, reasons = _adequacy(drug, trial, rules)
    failed = trial.improvement_pct < rules.failure_threshold_pct
    threshold = (
        f"the {_fmt(rules.failure_threshold_pct)} % failure threshold ({_short(rules.failure_source)})"
    )
    pct = _fmt(trial.improvement_pct)
    reasons.append(
        f"improvement {pct} % below {threshold}" if failed else f"improvement {pct} % not below {threshold}"
    )
    repeat = rules.count_distinct_drugs and drug.name in counted_drugs
    counted = adequate and failed and not repeat
    if counted:
        reasons.append("adequate and failed: counts toward TRD")
        counted_drugs.add(drug.name)
    elif adequate and failed:
        reasons.append(f"{drug.name} already counted once ({_short(rules.distinct_source)})")
    else:
        reasons.append("does not count toward TRD: " + ("not adequate" if not adequate else "not failed"))
    return TrialVerdict(drug.name, drug.drug_class, adequate, failed, counted, tuple(reasons))


def _check_input(inp: TrdInput) -> tuple[date, date]:
    as_of = _check_date(inp.as_of, field="as_of")
    episode_start = _check_date(inp.episode_start, field="episode_start")
    if not isinstance(inp.severity, str):
        raise InvalidInput("must be a severity category", field="severity")
    for name in ("augmentation", "ect", "ketamine", "esketamine", "psychotherapy"):
        _check_bool(getattr(inp, name), field=name)
    if not isinstance(inp.trials, tuple | list):
        raise InvalidInput("must be a list of trials", field="trials")
    return as_of, episode_start


def assess(inp: TrdInput, *, rules: TrdRules | None = None) -> TrdAssessment:
    """Judge each trial, count adequate failed trials, decide TRD status and score the MSM.

    Parameters
    ----------
    inp
        The episode and its treatment history.
    rules
        Minimum weeks, failure threshold and TRD count; default :func:`trd_rules` ().

    Returns
    -------
    TrdAssessment
        ``trd`` is true when the count of adequate failed trials (one per drug by default) reaches
        ``rules.min_failed_trials``. The MSM counts the same failures as failed medications.

    Raises
    ------
    InvalidInput
        Naming the field: an unknown drug (with close names), a non-positive dose, negative weeks,
        improvement above 100 %, dates out of order, an unknown severity or a wrongly typed value.
    """
    rules = rules or trd_rules()
    as_of, episode_start = _check_input(inp)
    counted_drugs: set[str] = set()
    verdicts = []
    for index, raw in enumerate(inp.trials):
        if not isinstance(raw, Trial):
            raise InvalidInput("must be a trial", field=f"trials[{index}]")
        drug, trial = _checked_trial(raw, index=index, as_of=as_of)
        verdicts.append(_verdict(drug, trial, rules, counted_drugs))
    count = sum(v.counted for v in verdicts)
    stage = msm.stage(
        episode_start=episode_start,
        as_of=as_of,
        severity=inp.severity,
        failed_antidepressants=count,
        augmentation=inp.augmentation,
        ect=inp.ect,
    )
    trd = count >= rules.min_failed_trials
    summary = (
        f"{'TRD' if trd else 'not TRD'}: {count} adequate failed antidepressant trial(s), "
        f"{rules.min_failed_trials} needed ({_short(rules.min_failed_source)})"
    )
    recorded = tuple(n for n in ("ketamine", "esketamine", "psychotherapy") if getattr(inp, n))
    return TrdAssessment(trd, count, tuple(verdicts), stage, rules, (summary,), recorded)
