"""review.toml is checked at load: a malformed file fails naming the file and the key."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stride.clinical.review import parse_review_rules, review_rules
from stride.data import load_toml
from stride.errors import ConfigurationError


def packaged() -> dict[str, Any]:
    return copy.deepcopy(load_toml("review", "stride.clinical.review.data"))


def test_the_packaged_rules_load_and_every_rule_cites_a_paper_or_says_it_is_a_stride_choice() -> None:
    rules = review_rules()
    assert rules.decision_points.weeks == (4, 6, 9, 12)
    cited = [
        rules.decision_points.cited,
        rules.early_improvement.cited,
        rules.detraining_max_weeks_off.cited,
        rules.missed_weeks_regress_from.cited,
        rules.good_adherence_from.cited,
        rules.rpe_above_target_by.cited,
        *(t.cited for t in rules.worsening.values()),
        *(t.cited for t in rules.relapse.values()),
    ]
    for entry in cited:
        assert ".md" not in entry.source  # a paper, not a path
        assert "reference section" not in entry.source.lower()
        if entry.status == "CHOICE":
            assert "Stride" in entry.source
        if entry.status == "UNSURE":
            assert entry.notes


def broken(edit: Any) -> str:
    data = packaged()
    edit(data)
    with pytest.raises(ConfigurationError) as caught:
        parse_review_rules(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["decision_points"].update(weeks=[4, 4, 9]), "review.toml: decision_points.weeks[1]"),
        (lambda d: d["decision_points"].pop("source"), "review.toml: decision_points.source"),
        (lambda d: d["early_improvement"].update(week=4), "review.toml: early_improvement.week"),
        (lambda d: d["early_improvement"].update(status="sure"), "review.toml: early_improvement.status"),
        (
            lambda d: d["worsening"]["phq9"].update(min_increase="5"),
            "review.toml: worsening.phq9.min_increase",
        ),
        (lambda d: d["worsening"].update(phq10=d["worsening"]["phq9"]), "review.toml: worsening.phq10"),
        (lambda d: d["adherence"].update(good_from=1.5), "review.toml: adherence.good_from"),
        (lambda d: d["detraining"].update(max_weks_off=4), "review.toml: detraining.max_weks_off"),
        (lambda d: d["missed_weeks"].update(regress_from=0), "review.toml: missed_weeks.regress_from"),
        (lambda d: d["relapse"]["qids_sr16"].update(source=" "), "review.toml: relapse.qids_sr16.source"),
        (lambda d: d.pop("rpe"), "review.toml: rpe"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_key(edit: Any, where: str) -> None:
    assert where in broken(edit)
