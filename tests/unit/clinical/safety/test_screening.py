"""The pre-exercise screen: every row of the ACSM table x desired intensity, the PAR-Q+ rules,
resting blood pressure at each boundary, and the most-restrictive combination (ACSM 2015, Riebe et
al.; PAR-Q+). The builders at the top are shared by the other screening tests."""

from __future__ import annotations

from typing import Any

import pytest

from stride.clinical.safety import (
    Decision,
    ScreeningDecision,
    ScreeningInput,
    parse_screening_input,
    screen,
    screening_rules,
)

ALL_NO = {f"q{i}": False for i in range(1, 8)}

# Active, healthy, 30 years old, normal blood pressure, PAR-Q+ all no, no suicidality: every
# component clears it, so a test sees only the effect of what it changes.
NEUTRAL: dict[str, Any] = {
    "age": 30,
    "sex": "female",
    "currently_active": True,
    "known_disease": [],
    "symptoms": [],
    "desired_intensity": "moderate",
    "resting_bp": [118, 76],
    "parq": ALL_NO,
    "phq9_item9": 0,
    "cssrs_risk": "none",
    "medications": [],
    "conditions": [],
}


def data(**changes: Any) -> dict[str, Any]:
    """The neutral answers with ``changes`` applied."""
    return {**NEUTRAL, **changes}


def make(**changes: Any) -> ScreeningInput:
    """A validated input: the neutral answers with ``changes`` applied."""
    return parse_screening_input(data(**changes))


def run(**changes: Any) -> ScreeningDecision:
    """Screen the neutral answers with ``changes`` applied."""
    return screen(make(**changes))


def codes(decision: ScreeningDecision) -> set[str]:
    """The reason codes of a decision."""
    return {reason.code for reason in decision.reasons}


def test_neutral_input_is_cleared_without_restrictions() -> None:
    result = run()
    assert (result.decision, result.restrictions, result.max_intensity) == (Decision.CLEARED, (), None)
    assert codes(result) == {"acsm_active_healthy", "parq_all_no"}
    assert not result.intensity_by_rpe_only
    assert not result.no_session_on_dosing_days


# --- ACSM 2015: the 6 rows of the table x desired intensity -----------------------------------

C, CWR, MCR = "cleared", "cleared_with_restrictions", "medical_clearance_required"
RESTART = ("max_intensity_moderate", "progress_gradually")
ALL = ("light", "moderate", "vigorous")
# (currently active, group) -> desired intensity -> (decision, restrictions, reason code).
# Written from the ACSM 2015 decision table (Riebe et al., MSSE 2015), not from the data file.
ACSM_TABLE: dict[tuple[bool, str], dict[str, tuple[str, tuple[str, ...], str]]] = {
    (False, "none"): {
        "light": (C, (), "acsm_inactive_healthy"),
        "moderate": (C, (), "acsm_inactive_healthy"),
        "vigorous": (CWR, ("progress_gradually",), "acsm_inactive_healthy"),
    },
    (False, "disease"): dict.fromkeys(ALL, (MCR, RESTART, "acsm_inactive_disease")),
    (False, "symptoms"): dict.fromkeys(ALL, (MCR, RESTART, "acsm_inactive_symptoms")),
    (True, "none"): dict.fromkeys(ALL, (C, (), "acsm_active_healthy")),
    (True, "disease"): {
        "light": (CWR, ("max_intensity_moderate",), "acsm_active_disease"),
        "moderate": (CWR, ("max_intensity_moderate",), "acsm_active_disease"),
        "vigorous": (MCR, ("max_intensity_moderate",), "acsm_active_disease"),
    },
    (True, "symptoms"): dict.fromkeys(ALL, (MCR, RESTART, "acsm_active_symptoms")),
}
GROUP_INPUT = {
    "none": {"known_disease": [], "symptoms": []},
    "disease": {"known_disease": ["cardiovascular"], "symptoms": []},
    "symptoms": {"known_disease": [], "symptoms": ["chest_pain"]},
}
CELLS = [(active, group, i) for (active, group), row in ACSM_TABLE.items() for i in row]


@pytest.mark.parametrize(("active", "group", "intensity"), CELLS)
def test_acsm_cell(active: bool, group: str, intensity: str) -> None:
    decision, restrictions, code = ACSM_TABLE[(active, group)][intensity]
    result = run(currently_active=active, desired_intensity=intensity, **GROUP_INPUT[group])
    assert result.decision == decision
    assert result.restrictions == restrictions
    assert result.max_intensity == ("moderate" if "max_intensity_moderate" in restrictions else None)
    assert code in codes(result)
    acsm = next(r for r in result.reasons if r.code == code)
    assert f"Desired intensity: {intensity}." in acsm.text
    assert "Riebe" in acsm.source


def test_the_data_table_is_the_reference_table() -> None:
    rows = screening_rules().acsm.rows
    assert len(rows) == 6
    for row in rows:
        for intensity, outcome in row.by_intensity.items():
            decision, restrictions, code = ACSM_TABLE[(row.active, row.group)][intensity]
            assert (outcome.decision.value, outcome.restrictions, row.code) == (decision, restrictions, code)


@pytest.mark.parametrize("symptom", sorted(screening_rules().acsm.symptoms))
@pytest.mark.parametrize("active", [False, True])
def test_every_sign_or_symptom_needs_clearance_regardless_of_disease(symptom: str, active: bool) -> None:
    for disease in ([], ["metabolic"]):
        result = run(currently_active=active, symptoms=[symptom], known_disease=disease)
        assert result.decision == Decision.MEDICAL_CLEARANCE_REQUIRED
        assert ("acsm_active_symptoms" if active else "acsm_inactive_symptoms") in codes(result)


@pytest.mark.parametrize("disease", ["cardiovascular", "metabolic", "renal"])
def test_every_known_disease_counts(disease: str) -> None:
    assert (
        run(currently_active=False, known_disease=[disease]).decision == Decision.MEDICAL_CLEARANCE_REQUIRED
    )
    assert run(currently_active=True, known_disease=[disease], desired_intensity="vigorous").decision == MCR
    assert run(currently_active=True, known_disease=[disease]).decision == CWR


def test_acsm_reason_names_the_symptoms_and_diseases() -> None:
    result = run(symptoms=["ankle_edema"], known_disease=["renal"])
    text = next(r.text for r in result.reasons if r.code == "acsm_active_symptoms")
    assert "ankle oedema" in text
    assert "renal disease" in text


# --- PAR-Q+ -----------------------------------------------------------------------------------


def test_parq_all_no_clears() -> None:
    result = run()
    assert "parq_all_no" in codes(result)
    assert result.decision == Decision.CLEARED


@pytest.mark.parametrize("question", [f"q{i}" for i in range(1, 8)])
def test_any_parq_yes_asks_for_the_follow_up(question: str) -> None:
    result = run(parq={**ALL_NO, question: True})
    assert f"parq_{question}" in codes(result)
    assert "parq_follow_up" in result.restrictions
    assert "parq_all_no" not in codes(result)
    assert result.decision != Decision.CLEARED


@pytest.mark.parametrize("question", ["q1", "q4", "q5", "q6"])
def test_parq_yes_alone_is_cleared_with_restrictions(question: str) -> None:
    result = run(parq={**ALL_NO, question: True})
    assert result.decision == Decision.CLEARED_WITH_RESTRICTIONS
    assert result.restrictions == ("parq_follow_up",)


def test_parq_q7_means_supervised_only() -> None:
    assert run(parq={**ALL_NO, "q7": True}).restrictions == ("parq_follow_up", "supervised_only")


@pytest.mark.parametrize(("question", "symptom"), [("q2", "chest"), ("q3", "dizziness")])
def test_parq_chest_pain_and_dizziness_count_as_acsm_signs(question: str, symptom: str) -> None:
    result = run(parq={**ALL_NO, question: True})
    assert result.decision == Decision.MEDICAL_CLEARANCE_REQUIRED
    acsm = next(r for r in result.reasons if r.code == "acsm_active_symptoms")
    assert symptom in acsm.text


@pytest.mark.parametrize("parq", [{}, None])
def test_parq_not_given_is_said_and_changes_nothing(parq: dict[str, bool] | None) -> None:
    result = run(parq=parq)
    assert "parq_not_given" in codes(result)
    assert result.decision == Decision.CLEARED


def test_parq_partly_answered_names_the_questions_left() -> None:
    result = run(parq={"q1": False, "q2": False})
    reason = next(r for r in result.reasons if r.code == "parq_incomplete")
    assert "q3, q4, q5, q6, q7" in reason.text
    assert result.decision == Decision.CLEARED
    assert "parq_follow_up" in run(parq={"q6": True}).restrictions


@pytest.mark.parametrize(
    ("age", "active", "intensity", "fires"),
    [
        (46, False, "vigorous", True),
        (45, False, "vigorous", False),
        (46, True, "vigorous", False),
        (46, False, "moderate", False),
        (80, False, "vigorous", True),
    ],
)
def test_parq_over_45_and_vigorous(age: int, active: bool, intensity: str, fires: bool) -> None:
    result = run(age=age, currently_active=active, desired_intensity=intensity)
    assert ("exercise_professional_before_vigorous" in result.restrictions) is fires
    assert ("parq_age_vigorous" in codes(result)) is fires


# --- resting blood pressure -------------------------------------------------------------------

# (systolic, diastolic) -> reason codes that fire under the default policy (>= 180/110 no session)
# and under the exercise-testing policy (> 200/110 only).
BP_CASES = [
    ((179, 109), set(), set()),
    ((180, 109), {"bp_no_session"}, set()),
    ((181, 80), {"bp_no_session"}, set()),
    ((150, 110), {"bp_no_session"}, set()),
    ((200, 100), {"bp_no_session"}, set()),
    ((201, 100), {"bp_no_session", "bp_severe_hypertension"}, {"bp_severe_hypertension"}),
    ((160, 111), {"bp_no_session", "bp_severe_hypertension"}, {"bp_severe_hypertension"}),
    ((199, 109), {"bp_no_session"}, set()),
    ((120, 80), set(), set()),
]


@pytest.mark.parametrize(("bp", "default", "testing"), BP_CASES)
def test_blood_pressure_boundaries(bp: tuple[int, int], default: set[str], testing: set[str]) -> None:
    inp = make(resting_bp=list(bp))
    for rules, expected in (
        (screening_rules(), default),
        (screening_rules(bp_policy="exercise_testing_200_110"), testing),
    ):
        result = screen(inp, rules=rules)
        assert {c for c in codes(result) if c.startswith("bp_")} == expected
        assert result.decision == (Decision.DEFER if expected else Decision.CLEARED)
        for reason in result.reasons:
            if reason.code in expected:
                assert f"Measured {bp[0]}/{bp[1]} mmHg." in reason.text


def test_every_bp_threshold_just_below_at_and_above() -> None:
    for policy in ("no_session_180_110", "exercise_testing_200_110"):
        rules = screening_rules(bp_policy=policy)
        for rule in rules.blood_pressure.rules:
            inclusive = rule.comparison == "at_least"
            for delta, fires in ((-1, False), (0, inclusive), (1, True)):
                assert rule.fires(rule.systolic + delta, 60) is fires
                assert rule.fires(100, rule.diastolic + delta) is fires


def test_blood_pressure_not_measured_is_said_and_changes_nothing() -> None:
    result = run(resting_bp=None)
    assert "bp_not_measured" in codes(result)
    assert result.decision == Decision.CLEARED


def test_unknown_bp_policy_names_the_option() -> None:
    from stride.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        screening_rules(bp_policy="140_90")
    assert err.value.field == "bp_policy"


# --- the most restrictive component wins ------------------------------------------------------


def test_most_restrictive_combination() -> None:
    result = run(
        conditions=["knee_osteoarthritis", "uncontrolled_hypertension"],
        medications=["atenolol"],
        phq9_item9=2,
    )
    assert result.decision == Decision.DEFER
    assert result.reasons[0].code == "suicidal_ideation_phq9"
    assert [r.code for r in result.reasons[:3]] == [
        "suicidal_ideation_phq9",
        "condition_uncontrolled_hypertension",
        "condition_knee_osteoarthritis",
    ]
    assert set(result.restrictions) == {"intensity_by_rpe", "low_impact", "no_breath_holding"}


@pytest.mark.parametrize(
    ("changes", "decision"),
    [
        ({}, Decision.CLEARED),
        ({"conditions": ["knee_osteoarthritis"]}, Decision.CLEARED_WITH_RESTRICTIONS),
        ({"conditions": ["knee_osteoarthritis", "pregnancy"]}, Decision.MEDICAL_CLEARANCE_REQUIRED),
        ({"conditions": ["pregnancy"], "resting_bp": [185, 90]}, Decision.DEFER),
        ({"symptoms": ["palpitations"], "cssrs_risk": "high"}, Decision.DEFER),
        ({"medications": ["nebivolol"], "known_disease": ["renal"]}, Decision.CLEARED_WITH_RESTRICTIONS),
    ],
)
def test_decision_is_the_most_restrictive(changes: dict[str, Any], decision: Decision) -> None:
    assert run(**changes).decision == decision


def test_decision_order() -> None:
    assert [d.value for d in sorted(Decision, key=lambda d: d.rank)] == [
        "cleared",
        "cleared_with_restrictions",
        "medical_clearance_required",
        "defer",
    ]


def test_restrictions_follow_the_data_order_and_are_not_repeated() -> None:
    result = run(
        medications=["metoprolol", "Bisoprolol"],
        conditions=["osteoporotic_vertebral_fracture", "knee_osteoarthritis"],
        currently_active=False,
        known_disease=["metabolic"],
    )
    order = list(screening_rules().restrictions)
    assert list(result.restrictions) == sorted(result.restrictions, key=order.index)
    assert len(set(result.restrictions)) == len(result.restrictions)
    assert [r.code for r in result.reasons].count("beta_blocker") == 2
