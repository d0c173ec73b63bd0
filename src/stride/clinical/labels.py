"""Human labels for the codes Stride stores (decisions, restrictions, units, modalities, bands).

One map for every page, report and plan text: a code is never shown as it is stored. A code not
listed here reads as its words (``cleared_with_restrictions`` -> "cleared with restrictions").
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    "min_per_week": "minutes a week",
    "kcal_per_kg_per_week": "kcal/kg a week",
    "kcal_per_kg": "kcal/kg",
    "steps_per_day": "steps a day",
    "minutes": "minutes",
    "hiit": "HIIT",
    "tai_chi_qigong": "tai chi / qigong",
    "ipaq_sf": "IPAQ short form",
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "mdd": "MDD",
    "trd": "TRD",
    "ect": "ECT",
    "ssri": "SSRI",
    "snri": "SNRI",
    "tca": "TCA",
    "maoi": "MAOI",
    "rpe": "RPE",
    "fit": "FIT",
    "tcx": "TCX",
    "gpx": "GPX",
    "csv": "CSV",
    "pilot_rct": "pilot randomised trial",
    "rct": "randomised trial",
    "meta_analysis": "meta-analysis",
    "network_meta_analysis": "network meta-analysis",
    # What a clinician decided when resolving a safety alert (AlertDecision).
    "reassessed_cssrs": "risk reassessed with a structured C-SSRS screen",
    "reassessed_clinical": "risk reassessed by clinical assessment",
    "safety_plan": "safety plan in place",
    "referred": "referred on (crisis team, psychiatry or emergency care)",
    "not_a_risk": "not a risk after all",
}


def label(code: object) -> str:
    """The words for ``code`` (an enum's value is used; ``None`` reads as a dash)."""
    if code is None:
        return "—"
    value = getattr(code, "value", code)
    text = str(value)
    return LABELS.get(text, text.replace("_", " "))
