"""The clinical reference as Markdown: the instruments, the safety net, outcomes, TRD and the MSM,
the screening, intensity and the protocol library, then the activity rules
(:mod:`.activity`), the weekly review (:mod:`.review`), the plausibility bounds and the plausible
dates."""

from __future__ import annotations

from collections.abc import Sequence

from stride.clinical.measurement import Cutoff, Instrument, get_instrument, instrument_ids, outcome_rules
from stride.clinical.prescription import get_protocol, intensity_rules, protocol_ids
from stride.clinical.reference.activity import activity_sections
from stride.clinical.reference.markdown import code_identifiers, table
from stride.clinical.reference.review import review_section
from stride.clinical.safety import safety_rules, screening_rules
from stride.clinical.trd import (
    ScoreRow,
    antidepressants,
    failure_threshold_options,
    min_weeks_options,
    msm_table,
    trd_rules,
)
from stride.data import load_toml


def _instrument(ins: Instrument) -> list[str]:
    out = [f"### {ins.name} (`{ins.id}`)", ""]
    out.append(
        f"{ins.kind.replace('_', ' ')}; recall: {ins.recall_period or '—'}; "
        f"{len(ins.items)} items ({len(ins.scored_items)} scored)"
        + ("." if ins.min_total is None else f"; total {ins.min_total}–{ins.max_total}.")
    )
    out.append("")
    out.append(f"- Scoring: `{type(ins.scoring).__name__}` — {ins.scoring.source}")
    out.append(
        f"- Missing items: {ins.missing.rule} (at most {ins.missing.max_missing}) — {ins.missing.source}"
    )
    verbatim = (
        "item wording shown" if ins.licence.verbatim_allowed else "item labels only (wording not reproduced)"
    )
    out.append(f"- Licence: {ins.licence.name}; {verbatim}. {ins.licence.note}")
    if ins.loinc:
        out.append("- LOINC: " + ", ".join(f"{k} {v}" for k, v in ins.loinc.items()))
    out.append(f"- Source: {ins.source}")
    out.append("")
    if ins.bands:
        out += table(("band", "from", "to", "source"), ((b.label, b.min, b.max, b.source) for b in ins.bands))
    if ins.flags:
        out += table(
            ("flag", "on", "min", "max", "source"),
            ((f.code, f.on, f.min, f.max, f.source) for f in ins.flags),
        )
    if ins.notes:
        out += [f"Notes: {ins.notes}", ""]
    return out


def _cutoff(c: Cutoff | None) -> str:
    return "—" if c is None else f"{c.op} {c.value:g} ({c.source})"


def _outcomes() -> list[str]:
    rows = []
    for iid in instrument_ids():
        r = outcome_rules(iid)
        if r.direction is None:
            continue
        rows.append(
            (
                iid,
                r.direction,
                f"≥ {r.response.min_improvement_pct:g} % ({r.response.source})" if r.response else "—",
                f"≥ {r.partial_response.min_improvement_pct:g} % ({r.partial_response.source})"
                if r.partial_response
                else "—",
                _cutoff(r.remission),
                f"≥ {r.reliable_change.min_change:g} points ({r.reliable_change.source})"
                if r.reliable_change
                else "—",
                _cutoff(r.caseness),
            )
        )
    return table(
        (
            "instrument",
            "direction",
            "response",
            "partial response",
            "remission",
            "reliable change",
            "caseness",
        ),
        rows,
    )


def _rows(rows: Sequence[ScoreRow], unit: str) -> str:
    return "; ".join(
        f"{r.label} ({r.low}–{'' if r.high is None else r.high} {unit}) = {r.score}" for r in rows
    )


def _trd() -> list[str]:
    rules = trd_rules()
    out = ["## TRD status", ""]
    out += table(
        ("rule", "value", "source"),
        (
            (
                "minimum duration of an adequate trial",
                f"{rules.min_weeks:g} weeks (options: "
                + ", ".join(f"{w:g}" for w in min_weeks_options())
                + ")",
                rules.min_weeks_source,
            ),
            (
                "failure: improvement below",
                f"{rules.failure_threshold_pct:g} % (options: "
                + ", ".join(f"{t:g}" for t in failure_threshold_options())
                + ")",
                rules.failure_source,
            ),
            ("TRD: adequate failed trials at least", rules.min_failed_trials, rules.min_failed_source),
            ("trial must be taken as prescribed", rules.require_adherence, rules.adherence_source),
        ),
    )
    out += ["### Minimum effective daily doses", ""]
    out += table(
        ("drug", "class", "mg/day", "status", "source"),
        (
            (d.name, d.drug_class, f"{d.min_effective_mg:g}", d.status, d.source)
            for d in sorted(antidepressants().values(), key=lambda d: (d.drug_class, d.name))
        ),
    )
    return out


def _msm() -> list[str]:
    msm = msm_table()
    out = ["## Maudsley Staging Method", "", f"Source: {msm.source}", ""]
    out += table(
        ("item", "scoring"),
        (
            ("duration", _rows(msm.duration, "months")),
            ("severity", "; ".join(f"{k.replace('_', ' ')} = {v}" for k, v in msm.severity.items())),
            ("antidepressants failed", _rows(msm.antidepressants, "drugs")),
            ("augmentation", f"not used = {msm.augmentation[0]}, used = {msm.augmentation[1]}"),
            ("ECT", f"not used = {msm.ect[0]}, used = {msm.ect[1]}"),
            ("bands", "; ".join(f"{r.label} {r.low}–{r.high}" for r in msm.bands)),
        ),
    )
    return out


def _screening() -> list[str]:
    rules = screening_rules()
    out = [
        "## Exercise safety screening",
        "",
        f"ACSM 2015 pre-participation algorithm — {rules.acsm.source}",
        "",
    ]
    out += table(
        ("restriction", "meaning", "status", "source"),
        ((r.code, r.text, r.status, r.source) for r in rules.restrictions.values()),
    )
    out += table(
        ("condition", "label", "status", "source"),
        ((c.code, c.label, c.status, c.source) for c in rules.conditions.values()),
    )
    out += [f"A screening is valid for {rules.validity.months} months — {rules.validity.source}", ""]
    return out


def _intensity() -> list[str]:
    rules = intensity_rules()
    out = ["## Exercise intensity", ""]
    out += table(
        ("class", "%HRR from", "%HRmax from", "RPE 6-20", "CR10", "talk test", "source"),
        (
            (
                c.label,
                c.hrr_from,
                c.hrmax_from,
                f"{c.rpe[0]}-{c.rpe[1]}",
                f"{c.cr10[0]}-{c.cr10[1]}",
                c.talk_test,
                c.source,
            )
            for c in rules.classes
        ),
    )
    out += table(
        ("HRmax formula", "equation", "source"),
        ((f.name, f"{f.intercept} - {float(f.slope):g} x age", f.source) for f in rules.formulas),
    )
    return out


def _protocols() -> list[str]:
    out = [
        "## Protocol library",
        "",
        "Each protocol's full CERT report: `stride protocol cert ID` or /protocols.",
        "",
    ]
    out += table(
        ("protocol", "weeks", "modalities", "evidence", "limited in TRD", "progression", "source"),
        (
            (
                p.name,
                p.duration_weeks,
                ", ".join(p.modalities),
                p.evidence.evidence_level,
                p.evidence.limited_evidence_in_trd,
                p.progression.description,
                p.source,
            )
            for p in (get_protocol(i) for i in protocol_ids())
        ),
    )
    return out


def rules_markdown() -> str:
    """The whole reference as Markdown (deterministic: same package data, same text)."""
    out = [
        "# Stride clinical rules and their sources",
        "",
        "Generated from Stride's package data (`src/stride/data/` and the `data/` folder of each package in "
        "`src/stride/clinical/`) by `stride reference`. Stride supports clinical decisions; it does not "
        "diagnose.",
        "",
        "## Instruments",
        "",
    ]
    for iid in instrument_ids():
        out += _instrument(get_instrument(iid))
    out += _safety_net()
    out += ["## Outcomes over repeated measures", "", *_outcomes(), *_trd(), *_msm()]
    out += _screening() + _intensity() + _protocols() + activity_sections() + review_section()
    out += _plausibility() + _dates()
    return "\n".join(code_identifiers(line) for line in out).rstrip() + "\n"


def _safety_net() -> list[str]:
    out = [
        "## Safety net",
        "",
        "A response that meets one of these rules raises an alert to the care team at "
        "once, and the patient sees crisis guidance.",
        "",
    ]
    out += table(
        ("instrument", "when", "concern", "urgency", "source"),
        (
            (
                r.instrument,
                r.flag or "severity in " + ", ".join(r.severity_in),
                r.concern.code,
                r.concern.severity,
                r.concern.source,
            )
            for r in safety_rules()
        ),
    )
    crisis = load_toml("crisis")
    return [*out, f"Default crisis guidance (per-site override): {crisis['phone']} — {crisis['source']}", ""]


def _plausibility() -> list[str]:
    bounds = load_toml("plausibility")
    out = ["## Data-entry plausibility bounds (patient record)", ""]
    return out + table(
        ("field", "min", "max", "source"), ((k, v["min"], v["max"], v["source"]) for k, v in bounds.items())
    )


def _dates() -> list[str]:
    dates = load_toml("dates")
    out = ["## Plausible dates (forms, API, CLI, device files)", ""]
    return out + table(
        ("dates", "earliest", "latest", "source"),
        (
            (
                k,
                v["earliest"],
                f"today + {v['future_days']} day(s)" if "future_days" in v else "today",
                v["source"],
            )
            for k, v in dates.items()
        ),
    )
