"""Worked examples from official sources (HL7 US Core, C-CDA and SDC examples, LOINC), the
answers given as the examples give them: LOINC answer codes or the SDC code system's item weights.

One of them, the HL7 SDC PHQ-9 example, states a total its own answers do not add up to: we score
the answers, and the test documents the disagreement instead of trusting the stated total."""

from __future__ import annotations

from stride.clinical.measurement import Instrument, Score, get_instrument, score

PHQ9 = get_instrument("phq9")
# LOINC answer list LL358-3 (loinc.org) and item 10's answers as used in the HL7 examples.
NOT_AT_ALL, SEVERAL, MORE_THAN_HALF, NEARLY_EVERY = "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"


def by_loinc(instrument: Instrument, codes: list[str]) -> dict[str, int | None]:
    """Answers from LOINC answer codes, through the options' codes in the instrument file."""
    answers: dict[str, int | None] = {}
    for item, code in zip(instrument.items, codes, strict=False):
        matches = [option.value for option in item.options if option.loinc == code]
        assert len(matches) == 1, (item.id, code)
        answers[item.id] = matches[0]
    return answers


def test_hl7_us_core_phq9_example() -> None:
    """HL7 US Core ``input/examples-yaml/QuestionnaireResponse-phq-9-example.yml`` (commit 85bf4af;
    the same data as the us-behavioral-health-profiles ``phq-9-example-1.xml``): items 1-9 answered
    LA6570-1 x4, LA6569-3 x2, LA6570-1, LA6568-5 x2; item 10 LA6573-5; stated total (44261-6) 12."""
    codes = [MORE_THAN_HALF] * 4 + [SEVERAL] * 2 + [MORE_THAN_HALF, NOT_AT_ALL, NOT_AT_ALL, "LA6573-5"]
    result = score(PHQ9, by_loinc(PHQ9, codes))
    assert (result.total, result.severity, result.flags) == (12, "moderate", ())
    assert result.details["unscored"] == {"phq9_10": 1}


def test_hl7_c_cda_phq9_example() -> None:
    """HL7 C-CDA-Examples "Mental Status/Patient Health Questionnaire PHQ-9(C-CDAR2.1).xml"
    (commit ad5007a): item values 0, 1, 2, 0, 1, 3, 2, 3, 0 (LA codes alongside); item 10 "Not
    difficult at all"; stated total 12 (44261-6), interpretation "High" against range 0-4."""
    answers = {f"phq9_{n}": v for n, v in enumerate([0, 1, 2, 0, 1, 3, 2, 3, 0, 0], start=1)}
    result = score(PHQ9, answers)
    assert (result.total, result.severity, result.flags) == (12, "moderate", ())


# HL7 SDC IG, input/fsh/examples/questionnaireresponse-sdc-profile-example-PHQ9.fsh (commit 4032ec6):
# Q1-Q9 = Not-at-all, Not-at-all, Not-at-all, Several-days, More than half the days, Several-days,
# Nearly every day, More than half the days, Several-days; item weights 0/1/2/3 from
# input/fsh/codesystems/CodeSystemCSPHQ9.fsh. Its "H1/TS" total item says 13.
SDC_WEIGHTS = {"Not-at-all": 0, "Several-days": 1, "More than half the days": 2, "Nearly every day": 3}
SDC_ANSWERS = [
    "Not-at-all", "Not-at-all", "Not-at-all", "Several-days", "More than half the days", "Several-days",
    "Nearly every day", "More than half the days", "Several-days",
]  # fmt: skip
SDC_STATED_TOTAL = 13


def stated_total_disagrees(result: Score, stated: float) -> bool:
    """What a validator of incoming QuestionnaireResponses checks: recomputed vs stated total."""
    return result.total is not None and result.total != stated


def test_hl7_sdc_phq9_example_is_scored_from_its_answers_not_its_stated_total() -> None:
    """The SDC example's answers sum to 10 ("moderate"), not the 13 it states; item 9 is "Several
    days", so the suicidal-ideation flag must be raised (the example carries no such flag). Not a
    golden case: a negative test."""
    answers = {f"phq9_{n}": SDC_WEIGHTS[code] for n, code in enumerate(SDC_ANSWERS, start=1)}
    result = score(PHQ9, answers)
    assert result.total == 10
    assert result.severity == "moderate"
    assert result.flags == ("suicidal_ideation",)
    assert stated_total_disagrees(result, SDC_STATED_TOTAL)
    # The two golden examples above agree with their stated totals, so the check is not trivially true.
    golden = score(PHQ9, {f"phq9_{n}": v for n, v in enumerate([0, 1, 2, 0, 1, 3, 2, 3, 0], start=1)})
    assert not stated_total_disagrees(golden, 12)


def test_awell_score_who5_fixtures_as_a_cross_check() -> None:
    """awell-health/awell-score ``src/scores/who_5/__testdata__/who_5_responses.ts`` (an implementation: a
    cross check, not an official source): minimum 0/0 %, median (all 3) 15/60 %, maximum 25/100 %,
    "random" 4, 1, 0, 2, 3 = 10/40 %, below the cut-off of 13 / 50 %."""
    who5 = get_instrument("who5")
    cases = [([0] * 5, 0, 0), ([3] * 5, 15, 60), ([5] * 5, 25, 100), ([4, 1, 0, 2, 3], 10, 40)]
    for values, raw, percentage in cases:
        result = score(who5, {f"who5_{n}": v for n, v in enumerate(values, start=1)})
        assert (result.total, result.details["percentage"]) == (raw, percentage)
        assert ("low_wellbeing" in result.flags) is (raw < 13)
