"""Contraindications and condition codes, psychiatric safety (PHQ-9 item 9, C-SSRS, mania,
psychosis) and the medication notes (beta-blockers, ketamine/esketamine) of the screen (TRACE-RMD exclusions,
ACSM contraindications, RPE under beta-blockade, the esketamine label)."""

from __future__ import annotations

import pytest

from stride.clinical.safety import Decision, screen, screening_rules
from tests.unit.clinical.safety.test_screening import codes, make, run

# --- conditions -------------------------------------------------------------------------------

DEFER = {
    "recent_acute_cardiovascular_event",
    "unstable_angina",
    "uncontrolled_dysrhythmia",
    "severe_aortic_stenosis",
    "uncontrolled_heart_failure",
    "acute_pulmonary_embolism",
    "acute_myocarditis_pericarditis",
    "dissecting_aneurysm",
    "acute_systemic_infection",
    "mania",
    "psychosis",
}
CLEARANCE = {
    "uncontrolled_hypertension",
    "unstable_medical_illness",
    "severe_musculoskeletal_disorder",
    "neurological_impairment",
    "pregnancy",
}
RESTRICTED = {
    "hypertension": ("no_breath_holding",),
    "knee_osteoarthritis": ("low_impact",),
    "osteoporosis": ("spine_sparing",),
    "osteoporotic_vertebral_fracture": ("low_impact", "spine_sparing"),
}
ACSM_ONLY = {
    "coronary_artery_disease": "cardiovascular",
    "diabetes": "metabolic",
    "chronic_kidney_disease": "renal",
}


def test_every_documented_condition_is_tested_here() -> None:
    assert set(screening_rules().conditions) == DEFER | CLEARANCE | set(RESTRICTED) | set(ACSM_ONLY)


@pytest.mark.parametrize("condition", sorted(DEFER))
def test_contraindication_defers(condition: str) -> None:
    result = run(conditions=[condition])
    assert result.decision == Decision.DEFER
    assert result.reasons[0].code == f"condition_{condition}"
    assert result.reasons[0].source.strip()


@pytest.mark.parametrize("condition", sorted(CLEARANCE))
def test_condition_needs_medical_clearance(condition: str) -> None:
    assert run(conditions=[condition]).decision == Decision.MEDICAL_CLEARANCE_REQUIRED


@pytest.mark.parametrize(("condition", "restrictions"), sorted(RESTRICTED.items()))
def test_condition_adds_restrictions(condition: str, restrictions: tuple[str, ...]) -> None:
    result = run(conditions=[condition])
    assert result.decision == Decision.CLEARED_WITH_RESTRICTIONS
    assert result.restrictions == restrictions
    text = next(r.text for r in result.reasons if r.code == f"condition_{condition}")
    for code in restrictions:
        assert screening_rules().restrictions[code].text in text


@pytest.mark.parametrize(("condition", "disease"), sorted(ACSM_ONLY.items()))
def test_condition_counts_as_known_disease_in_acsm(condition: str, disease: str) -> None:
    by_condition = run(currently_active=False, conditions=[condition])
    by_disease = run(currently_active=False, known_disease=[disease])
    assert by_condition.decision == by_disease.decision == Decision.MEDICAL_CLEARANCE_REQUIRED
    assert by_condition.restrictions == by_disease.restrictions
    assert "acsm_inactive_disease" in codes(by_condition)


def test_acute_cardiac_event_is_also_cardiovascular_disease_for_acsm() -> None:
    result = run(conditions=["recent_acute_cardiovascular_event"])
    assert "acsm_active_disease" in codes(result)


def test_design_contraindications_are_covered() -> None:
    # The contraindications named in the literature on exercise in depression: acute cardiovascular event,
    # uncontrolled hypertension, severe musculoskeletal disorder, neurological impairment.
    for condition in (
        "recent_acute_cardiovascular_event",
        "uncontrolled_hypertension",
        "severe_musculoskeletal_disorder",
        "neurological_impairment",
    ):
        assert run(conditions=[condition]).decision.rank >= Decision.MEDICAL_CLEARANCE_REQUIRED.rank


# --- psychiatric safety -----------------------------------------------------------------------


@pytest.mark.parametrize(("item9", "defer"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9(item9: int, defer: bool) -> None:
    result = run(phq9_item9=item9, cssrs_risk=None)
    assert (result.decision == Decision.DEFER) is defer
    assert ("suicidal_ideation_phq9" in codes(result)) is defer


@pytest.mark.parametrize(
    ("risk", "defer"), [("none", False), ("low", False), ("moderate", True), ("high", True)]
)
def test_cssrs(risk: str, defer: bool) -> None:
    result = run(cssrs_risk=risk, phq9_item9=None)
    assert (result.decision == Decision.DEFER) is defer
    assert (f"suicide_risk_cssrs_{risk}" in codes(result)) is defer


def test_suicidality_reasons_say_a_clinician_must_review() -> None:
    result = run(phq9_item9=1, cssrs_risk="moderate")
    assert result.decision == Decision.DEFER
    assert {"suicidal_ideation_phq9", "suicide_risk_cssrs_moderate"} <= codes(result)
    for reason in result.reasons[:2]:
        assert "clinician" in reason.text
        assert "stabilised" in reason.text


def test_suicidality_not_screened_is_incomplete_and_never_clears() -> None:
    result = run(phq9_item9=None, cssrs_risk=None)
    assert result.decision == Decision.DEFER
    assert result.reasons[0].code == "suicidality_not_screened"
    assert "incomplete" in result.reasons[0].text.lower()


@pytest.mark.parametrize(("item9", "cssrs"), [(0, None), (None, "low"), (None, "none")])
def test_either_instrument_screens_suicidality(item9: int | None, cssrs: str | None) -> None:
    result = run(phq9_item9=item9, cssrs_risk=cssrs)
    assert "suicidality_not_screened" not in codes(result)
    assert result.decision == Decision.CLEARED


@pytest.mark.parametrize("condition", ["mania", "psychosis"])
def test_mania_and_psychosis_defer(condition: str) -> None:
    result = run(conditions=[condition], desired_intensity="light")
    assert result.decision == Decision.DEFER
    assert "stabilisation first" in result.reasons[0].source


# --- medications ------------------------------------------------------------------------------

BETA_BLOCKERS = [
    "metoprolol",
    "bisoprolol",
    "atenolol",
    "propranolol",
    "carvedilol",
    "nebivolol",
    "labetalol",
    "nadolol",
    "sotalol",
    "acebutolol",
    "pindolol",
    "timolol",
    "betaxolol",
    "celiprolol",
    "oxprenolol",
    "esmolol",
]


@pytest.mark.parametrize("drug", BETA_BLOCKERS)
def test_every_beta_blocker_means_intensity_by_rpe(drug: str) -> None:
    for name in (drug, drug.upper(), drug.capitalize(), f"  {drug} 50 mg "):
        result = run(medications=[name])
        assert result.intensity_by_rpe_only
        assert result.restrictions == ("intensity_by_rpe",)
        assert result.decision == Decision.CLEARED_WITH_RESTRICTIONS
        reason = next(r for r in result.reasons if r.code == "beta_blocker")
        assert "RPE" in reason.text
        assert "Eston" in reason.source


@pytest.mark.parametrize(
    "name", ["Metoprolol succinate", "bisoprolol/hydrochlorothiazide", "Propranolol-HCl"]
)
def test_beta_blocker_salts_and_combinations(name: str) -> None:
    assert run(medications=[name]).intensity_by_rpe_only


@pytest.mark.parametrize("name", ["sertraline", "amlodipine", "metformin", "metoprololx", "lithium"])
def test_other_medicines_add_nothing(name: str) -> None:
    result = run(medications=[name])
    assert result.decision == Decision.CLEARED
    assert result.restrictions == ()
    assert not result.intensity_by_rpe_only


@pytest.mark.parametrize("drug", ["verapamil", "diltiazem", "ivabradine"])
def test_other_heart_rate_lowering_drugs_are_flagged_unsure(drug: str) -> None:
    result = run(medications=[drug])
    assert result.intensity_by_rpe_only
    assert "uncertain" in next(r.source for r in result.reasons if r.code == "heart_rate_lowering")


@pytest.mark.parametrize("name", ["esketamine", "Esketamine", "KETAMINE", "Spravato"])
def test_esketamine_and_ketamine_no_session_on_dosing_days(name: str) -> None:
    result = run(medications=[name])
    assert result.no_session_on_dosing_days
    assert "no_session_on_dosing_days" in result.restrictions
    assert result.decision == Decision.CLEARED_WITH_RESTRICTIONS
    reason = next(r for r in result.reasons if r.code == "ketamine_dosing_day")
    assert "local policy" in reason.text.lower()
    assert "local policy" in reason.source.lower()
    rule = screening_rules().restrictions["no_session_on_dosing_days"]
    assert rule.status == "LOCAL"


def test_dosing_day_policy_is_configurable() -> None:
    rules = screening_rules(dosing_day_policy="no_vigorous_within_4h")
    result = screen(make(medications=["esketamine"]), rules=rules)
    assert not result.no_session_on_dosing_days
    assert result.restrictions == ("no_vigorous_within_4h_of_dose",)
    assert "4 hours" in result.reasons[0].text


def test_beta_blocker_and_esketamine_together() -> None:
    result = run(medications=["esketamine", "propranolol"])
    assert result.intensity_by_rpe_only
    assert result.no_session_on_dosing_days
    assert result.restrictions == ("intensity_by_rpe", "no_session_on_dosing_days")
