"""The activity part of the clinical reference: MET values, dose rules, adherence categories, the
adverse events that alert the care team and the cardiac warning signs."""

from __future__ import annotations

from stride.clinical.reference.markdown import table
from stride.data import load_toml

# The activity sections read their files as data: the clinical layer does not import stride.activity,
# whose loaders validate these same files.


def activity_sections() -> list[str]:
    """METs, dose, adherence, adverse events and cardiac warning signs."""
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
    out += table(("activity", "effort", "code", "MET", "description", "status"), rows)
    out += ["### Activities outside the list, named by the device", ""]
    named = [
        (n["id"], ", ".join(n["labels"]), variant, v["code"], v["met"], v["description"], v["status"])
        for n in mets.get("named", [])
        for variant, v in n["variants"].items()
    ]
    out += table(("activity", "label words", "effort", "code", "MET", "description", "status"), named)
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
    out += table(("rule", "status", "source"), rules)
    out += table(
        ("reference dose", "kcal/kg/week", "source"),
        ((d["label"], d["kcal_per_kg_per_week"], d["source"]) for d in dose["reference_doses"]),
    )
    return out


def _adherence() -> list[str]:
    adherence = load_toml("adherence")
    out = ["### Adherence categories", ""]
    out += table(
        ("category", "ratio at least", "source"),
        ((c["label"], c["min_ratio"], c["source"]) for c in adherence["categories"]),
    )
    return [*out, f"Basis: {adherence['basis']['source']}", ""]


def _adverse_events() -> list[str]:
    out = ["### Adverse events that alert the care team at once", ""]
    out += table(
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
    out += table(
        ("sign", "shown as", "phrases that bring the guidance up"),
        ((s["code"], s["text"], ", ".join(s.get("phrases", ()))) for s in warning["symptom"]),
    )
    out += [f"Guidance: {warning['guidance']} Source: {warning['source']}", ""]
    return out
