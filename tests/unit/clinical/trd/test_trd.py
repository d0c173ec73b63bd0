"""TRD: adequacy of each trial (dose, duration, adherence), failure under both cited thresholds,
counting adequate failed trials, TRD status, the dose table and input validation."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from stride.clinical import trd
from stride.clinical.trd import TrdInput, Trial, assess, trd_rules
from stride.errors import InvalidInput

AS_OF = date(2026, 11, 26)
EPISODE = date(2025, 11, 1)  # 12 months and 25 days before AS_OF: sub-acute


def history(*trials: Trial, **kwargs: object) -> TrdInput:
    fields: dict[str, object] = {"as_of": AS_OF, "episode_start": EPISODE, "severity": "moderate"}
    fields.update(kwargs)
    return TrdInput(trials=trials, **fields)  # type: ignore[arg-type]


def trial(
    drug: str = "sertraline",
    dose: float = 100,
    weeks: float = 8,
    improvement: float = 10,
    *,
    adherent: bool = True,
    start: date | None = None,
) -> Trial:
    return Trial(
        drug=drug,
        daily_dose_mg=dose,
        weeks=weeks,
        adherent=adherent,
        improvement_pct=improvement,
        start_date=start,
    )


def one(t: Trial, **rules: float) -> trd.TrialVerdict:
    return assess(history(t), rules=trd_rules(**rules)).trials[0]


# --- rules and data ---------------------------------------------------------------------------


def test_default_rules_are_the_documented_ones() -> None:
    rules = trd_rules()
    assert (rules.min_weeks, rules.failure_threshold_pct, rules.min_failed_trials) == (6, 50, 2)
    assert rules.require_adherence
    assert rules.count_distinct_drugs
    assert "MGH-ATRQ" in rules.min_weeks_source
    assert "Depress Anxiety 2021" in rules.failure_source
    assert "EU-PEARL" in rules.min_failed_source
    assert trd.min_weeks_options() == (4, 6)
    assert trd.failure_threshold_options() == (25, 50)


def test_eu_pearl_options_carry_their_source() -> None:
    rules = trd_rules(min_weeks=4, failure_threshold_pct=25)
    assert (rules.min_weeks, rules.failure_threshold_pct) == (4, 25)
    assert rules.min_weeks_source.startswith("EU-PEARL")
    assert rules.failure_source.startswith("EU-PEARL")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"min_weeks": 5}, "min_weeks"), ({"failure_threshold_pct": 33}, "failure_threshold")],
)
def test_uncited_options_are_refused(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        trd_rules(**kwargs)
    assert caught.value.field == field
    assert "cited" in caught.value.message


def test_dose_table_covers_the_common_antidepressants_with_sources() -> None:
    table = trd.antidepressants()
    classes = {drug.drug_class for drug in table.values()}
    assert {"ssri", "snri", "tca", "maoi"} <= classes
    for name in ("mirtazapine", "bupropion", "vortioxetine", "agomelatine", "trazodone", "fluoxetine"):
        assert name in table
    for drug in table.values():
        assert drug.min_effective_mg > 0
        assert drug.source
        assert drug.status in {"VERIFIED", "SECONDARY", "UNSURE"}
    assert table["fluoxetine"].min_effective_mg == 20
    assert table["lofepramine"].min_effective_mg == 140


def test_lookup_ignores_case_and_accepts_aliases() -> None:
    assert trd.find_antidepressant("  Sertraline ").name == "sertraline"
    assert trd.find_antidepressant("Dothiepin").name == "dosulepin"


def test_unknown_drug_names_the_field_and_suggests_close_names() -> None:
    inp = history(trial(), trial("citalopram", 20), trial("fluoxetin", 20))
    with pytest.raises(InvalidInput) as caught:
        assess(inp)
    assert caught.value.field == "trials[2].drug"
    assert "did you mean fluoxetine" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        trd.find_antidepressant("aspirin")
    assert "generic name" in caught.value.message


# --- adequacy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("dose", "adequate"), [(19.9, False), (20, True), (40, True)])
def test_dose_below_and_at_the_minimum(dose: float, adequate: bool) -> None:
    verdict = one(trial("fluoxetine", dose))
    assert verdict.adequate is adequate
    word = "meets" if adequate else "below"
    assert verdict.reasons[0].startswith(
        f"dose {dose:g} mg {word} the minimum effective 20 mg for fluoxetine ("
    )


def test_reason_reads_as_documented() -> None:
    verdict = one(trial("fluoxetine", 10))
    assert verdict.reasons[0] == (
        "dose 10 mg below the minimum effective 20 mg for fluoxetine"
        " (Maudsley 14th ed. minimum effective doses)"
    )


@pytest.mark.parametrize(
    ("min_weeks", "weeks", "adequate"),
    [(4, 3.9, False), (4, 4, True), (6, 5.9, False), (6, 6, True), (6, 4, False)],
)
def test_duration_below_and_at_the_minimum(min_weeks: float, weeks: float, adequate: bool) -> None:
    verdict = one(trial(weeks=weeks), min_weeks=min_weeks)
    assert verdict.adequate is adequate
    assert f"the minimum {min_weeks:g} weeks" in verdict.reasons[1]


def test_non_adherent_trial_is_not_adequate() -> None:
    verdict = one(trial(adherent=False, improvement=0))
    assert (verdict.adequate, verdict.failed, verdict.counted) == (False, True, False)
    assert verdict.reasons[2].startswith("not taken as prescribed")
    assert verdict.reasons[-1] == "does not count toward TRD: not adequate"


@pytest.mark.parametrize(
    ("threshold", "improvement", "failed"),
    [(50, 49.9, True), (50, 50, False), (50, 30, True), (25, 24.9, True), (25, 25, False), (25, 30, False)],
)
def test_failure_under_both_thresholds(threshold: float, improvement: float, failed: bool) -> None:
    verdict = one(trial(improvement=improvement), failure_threshold_pct=threshold)
    assert verdict.failed is failed
    assert verdict.counted is failed  # the trial is adequate, so it counts exactly when it failed
    assert f"the {threshold:g} % failure threshold" in verdict.reasons[3]


def test_worsening_is_a_failure() -> None:
    assert one(trial(improvement=-40)).failed is True


# --- counting and status ----------------------------------------------------------------------

FAILED = (trial("sertraline"), trial("venlafaxine", 150), trial("mirtazapine", 30), trial("duloxetine", 60))


@pytest.mark.parametrize(
    ("n", "is_trd", "msm_item"), [(0, False, 1), (1, False, 1), (2, True, 1), (3, True, 2)]
)
def test_count_of_adequate_failed_trials(n: int, is_trd: bool, msm_item: int) -> None:
    result = assess(history(*FAILED[:n]))
    assert result.adequate_failed_trials == n
    assert result.trd is is_trd
    assert result.msm.item_scores()["antidepressants"] == msm_item
    assert result.reasons[0].startswith("TRD:" if is_trd else "not TRD:")


def test_inadequate_or_responding_trials_do_not_count() -> None:
    result = assess(
        history(
            trial("sertraline"),
            trial("citalopram", 10),  # dose too low
            trial("escitalopram", 10, weeks=3),  # too short
            trial("paroxetine", 20, improvement=70),  # responded
        )
    )
    assert [t.counted for t in result.trials] == [True, False, False, False]
    assert result.trials[3].reasons[-1] == "does not count toward TRD: not failed"
    assert result.trd is False


def test_a_repeated_drug_counts_once() -> None:
    result = assess(history(trial("sertraline"), trial("Sertraline", 150)))
    assert [t.counted for t in result.trials] == [True, False]
    assert result.trials[1].adequate
    assert result.trials[1].failed
    assert "already counted" in result.trials[1].reasons[-1]
    assert result.adequate_failed_trials == 1


def test_msm_uses_the_input_and_the_count() -> None:
    result = assess(history(*FAILED[:2], severity="severe_with_psychosis", augmentation=True, ect=True))
    assert result.msm.item_scores() == {
        "duration": 2,
        "severity": 5,
        "antidepressants": 1,
        "augmentation": 1,
        "ect": 1,
    }
    assert (result.msm.score, result.msm.band) == (10, "moderate")


def test_ketamine_esketamine_and_psychotherapy_are_recorded_not_scored() -> None:
    plain = assess(history(*FAILED[:2]))
    recorded = assess(history(*FAILED[:2], ketamine=True, esketamine=True, psychotherapy=True))
    assert recorded.recorded_treatments == ("ketamine", "esketamine", "psychotherapy")
    assert plain.recorded_treatments == ()
    assert recorded.msm == plain.msm
    assert recorded.trd == plain.trd


def test_datetimes_are_read_as_their_dates() -> None:
    result = assess(
        history(trial(), as_of=datetime(2026, 11, 26, 9, 30), episode_start=datetime(2025, 11, 1, 8))
    )
    assert result.msm.item_scores()["duration"] == 2


def test_published_atrq_example_and_where_the_dose_table_differs() -> None:
    """Desseilles, Fava et al., Current Psychiatry 2012;11(3) 'Personalizing depression treatment: 2
    clinical tools', case of Mr B (SECONDARY). By the MGH-ATRQ: sertraline 100 mg x 3 months, 0 %:
    failed; citalopram 20 mg x 1 month: too short; venlafaxine 75 mg x 7 weeks, 30 %: dose too low;
    duloxetine 90 mg, 80 %: response; duloxetine + aripiprazole: failed (augmentation). 2 failures.

    Stride records augmentation as a flag, not a trial, and its dose table (Maudsley minimum
    effective doses) accepts venlafaxine 75 mg, which the ATRQ does not; so the two failures
    Stride counts are sertraline and venlafaxine. TRD status is the same.
    """
    result = assess(
        history(
            trial("sertraline", 100, weeks=13, improvement=0),
            trial("citalopram", 20, weeks=4.3, improvement=0),
            trial("venlafaxine", 75, weeks=7, improvement=30),
            trial("duloxetine", 90, weeks=104, improvement=80),
            as_of=date(2026, 1, 1),
            episode_start=date(2022, 6, 1),
            augmentation=True,
        )
    )
    sertraline, citalopram, venlafaxine, duloxetine = result.trials
    assert sertraline.counted
    assert not citalopram.adequate
    assert "4.3 weeks below the minimum 6 weeks" in citalopram.reasons[1]
    assert venlafaxine.adequate
    assert venlafaxine.counted
    assert duloxetine.adequate
    assert not duloxetine.failed
    assert (result.adequate_failed_trials, result.trd) == (2, True)
    # Under EU-PEARL (4 weeks, < 25 %) citalopram becomes adequate and failed, and venlafaxine
    # (30 % better) is no longer a failure.
    eu = assess(
        history(
            trial("sertraline", 100, weeks=13, improvement=0),
            trial("citalopram", 20, weeks=4.3, improvement=0),
            trial("venlafaxine", 75, weeks=7, improvement=30),
        ),
        rules=trd_rules(min_weeks=4, failure_threshold_pct=25),
    )
    assert [t.counted for t in eu.trials] == [True, True, False]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (trial(dose=-10), "trials[0].daily_dose_mg"),
        (trial(dose=0), "trials[0].daily_dose_mg"),
        (trial(dose=math.nan), "trials[0].daily_dose_mg"),
        (trial(weeks=-1), "trials[0].weeks"),
        (trial(improvement=101), "trials[0].improvement_pct"),
        (trial(improvement=math.inf), "trials[0].improvement_pct"),
        (Trial("sertraline", True, 8, True, 0), "trials[0].daily_dose_mg"),
        (Trial("sertraline", 100, 8, 1, 0), "trials[0].adherent"),  # type: ignore[arg-type]
        (Trial(None, 100, 8, True, 0), "trials[0].drug"),  # type: ignore[arg-type]
        (trial(start=date(2026, 12, 1)), "trials[0].start_date"),
        (trial(weeks=10, start=date(2026, 10, 1)), "trials[0].weeks"),
    ],
)
def test_invalid_trials_name_the_field(bad: Trial, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        assess(history(bad))
    assert caught.value.field == field


def test_start_date_consistent_with_weeks_is_accepted() -> None:
    assert assess(history(trial(weeks=8, start=date(2026, 10, 1)))).trials[0].adequate


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"episode_start": date(2026, 12, 1)}, "episode_start"),
        ({"severity": "very bad"}, "severity"),
        ({"severity": 3}, "severity"),
        ({"as_of": "2026-11-26"}, "as_of"),
        ({"augmentation": "yes"}, "augmentation"),
        ({"esketamine": None}, "esketamine"),
    ],
)
def test_invalid_episode_fields_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        assess(history(trial(), **kwargs))
    assert caught.value.field == field


def test_a_trial_that_is_not_a_trial_is_refused() -> None:
    inp = TrdInput(as_of=AS_OF, episode_start=EPISODE, severity="mild", trials=({"drug": "x"},))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as caught:
        assess(inp)
    assert caught.value.field == "trials[0]"
