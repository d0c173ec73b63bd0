"""The clinical reference page: every instrument, threshold and rule that Stride applies, each
with its source, generated from the package data itself (so it cannot drift from the code).

``stride reference`` prints it as Markdown; the web app serves it at ``/reference``; the copy in
``docs/clinical-rules.md`` is checked by a test to be current.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from stride.clinical.measurement import Cutoff, Instrument, get_instrument, instrument_ids, outcome_rules
from stride.clinical.prescription import get_protocol, intensity_rules, protocol_ids
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

# The reliability tags of the package data, in words a clinician reads.
STATUS_LABELS = {
    "VERIFIED": "verified",
    "SECONDARY": "secondary source",
    "UNSURE": "uncertain",
    "LOCAL": "local policy",
    "CHOICE": "Stride choice",
}
# An identifier (an item, band or rule code) inside prose: shown as code, never as a word.
_IDENTIFIER = re.compile(r"(?<![`\w/:-])((?:[a-z]\w*\.)*[a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![`\w/-])")


def _cell(value: object) -> str:
    if value is None or value == "":
        text = "—"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = STATUS_LABELS.get(str(value), str(value))
    return text.replace("|", "\\|").replace("\n", " ")


def _code_identifiers(line: str) -> str:
    """Mark identifiers in a line as code (outside existing code spans)."""
    parts = line.split("`")
    return "`".join(p if i % 2 else _IDENTIFIER.sub(r"`\1`", p) for i, p in enumerate(parts))


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


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
        out += _table(
            ("band", "from", "to", "source"), ((b.label, b.min, b.max, b.source) for b in ins.bands)
        )
    if ins.flags:
        out += _table(
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
    return _table(
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
    out += _table(
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
    out += _table(
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
    out += _table(
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
    out += _table(
        ("restriction", "meaning", "status", "source"),
        ((r.code, r.text, r.status, r.source) for r in rules.restrictions.values()),
    )
    out += _table(
        ("condition", "label", "status", "source"),
        ((c.code, c.label, c.status, c.source) for c in rules.conditions.values()),
    )
    out += [f"A screening is valid for {rules.validity.months} months — {rules.validity.source}", ""]
    return out


def _intensity() -> list[str]:
    rules = intensity_rules()
    out = ["## Exercise intensity", ""]
    out += _table(
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
    out += _table(
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
    out += _table(
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


# The activity sections read their files as data: the clinical layer does not import stride.activity,
# whose loaders validate these same files.


def _activity() -> list[str]:
    out = ["## Activity: METs, dose and adherence", ""]
    return out + _mets() + _dose() + _adherence() + _adverse_events() + _cardiac_warning()


def _mets() -> list[str]:
    mets = load_toml("mets")
    out = ["### MET values (2024 Adult Compendium)", ""]
    rows = [
        (sport, variant, v["code"], v["met"], v["description"], v["status"])
        for sport, entry in mets["sports"].items()
        for variant, v in entry["variants"].items()
    ]
    out += _table(("activity", "effort", "code", "MET", "description", "status"), rows)
    out += ["### Activities outside the list, named by the device", ""]
    named = [
        (n["id"], ", ".join(n["labels"]), variant, v["code"], v["met"], v["description"], v["status"])
        for n in mets.get("named", [])
        for variant, v in n["variants"].items()
    ]
    out += _table(("activity", "label words", "effort", "code", "MET", "description", "status"), named)
    classes = load_toml("intensity", "stride.clinical.prescription.data")["classes"]
    bounds = ", ".join(f"{c['label'].lower()} {c['met_from']:g}" for c in classes if "met_from" in c)
    out += [
        "Any other activity: "
        + " ".join(v["reason"] for v in mets.get("no_value", {}).values())
        + " Minutes classified by heart rate or RPE are priced at the lower MET bound of their ACSM"
        f" class ({bounds}; intensity.toml), a Stride choice that never overstates the dose. A week's"
        " totals leave the sessions of unknown dose out and say how many there were.",
        "",
    ]
    return out


def _dose() -> list[str]:
    dose = load_toml("dose")
    out = ["### Dose rules", ""]
    rules = [(k, v.get("status", ""), v["source"]) for k, v in dose.items() if isinstance(v, dict)]
    out += _table(("rule", "status", "source"), rules)
    out += _table(
        ("reference dose", "kcal/kg/week", "source"),
        ((d["label"], d["kcal_per_kg_per_week"], d["source"]) for d in dose["reference_doses"]),
    )
    return out


def _adherence() -> list[str]:
    adherence = load_toml("adherence")
    out = ["### Adherence categories", ""]
    out += _table(
        ("category", "ratio at least", "source"),
        ((c["label"], c["min_ratio"], c["source"]) for c in adherence["categories"]),
    )
    return [*out, f"Basis: {adherence['basis']['source']}", ""]


def _adverse_events() -> list[str]:
    out = ["### Adverse events that alert the care team at once", ""]
    out += _table(
        ("severity", "alert", "urgency", "source"),
        (
            (e["severity"], e["code"], e["alert_severity"], e["source"])
            for e in load_toml("adverse_events")["escalate"]
        ),
    )
    sign = load_toml("adverse_events")["warning_sign"]
    out += [
        f"Any cardiac warning sign ticked, whatever the severity: `{sign['code']}` — {sign['source']}",
        "",
    ]
    return out


def _cardiac_warning() -> list[str]:
    warning = load_toml("cardiac_warning")
    out = ["### Cardiac warning signs: stop exercising and seek care", ""]
    out += _table(
        ("sign", "shown as", "phrases that bring the guidance up"),
        ((s["code"], s["text"], ", ".join(s.get("phrases", ()))) for s in warning["symptom"]),
    )
    out += [f"Guidance: {warning['guidance']} Source: {warning['source']}", ""]
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
    out += _screening() + _intensity() + _protocols() + _activity() + _plausibility() + _dates()
    return "\n".join(_code_identifiers(line) for line in out).rstrip() + "\n"


def _safety_net() -> list[str]:
    out = [
        "## Safety net",
        "",
        "A response that meets one of these rules raises an alert to the care team at "
        "once, and the patient sees crisis guidance.",
        "",
    ]
    out += _table(
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
    return out + _table(
        ("field", "min", "max", "source"), ((k, v["min"], v["max"], v["source"]) for k, v in bounds.items())
    )


def _dates() -> list[str]:
    dates = load_toml("dates")
    out = ["## Plausible dates (forms, API, CLI, device files)", ""]
    return out + _table(
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
