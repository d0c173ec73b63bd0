"""Cardiac warning signs (pure): the list comes from cited data, ticked codes are checked, and the
phrases people write for a sign are found as whole words."""

from __future__ import annotations

import pytest

from stride.domain.activity import escalation_for
from stride.domain.warning_signs import cardiac_warning, check_warning_signs, signs_mentioned
from stride.errors import InvalidInput


def test_the_four_acsm_signs_are_listed_with_their_source() -> None:
    warning = cardiac_warning()
    assert [s.code for s in warning.signs] == [
        "chest_pain",
        "fainting",
        "palpitations_at_rest",
        "breathlessness",
    ]
    assert "ACSM's Guidelines for Exercise Testing and Prescription, 11th ed." in warning.source
    assert all(s.phrases for s in warning.signs)


def test_ticked_signs_are_kept_in_list_order_once() -> None:
    assert check_warning_signs(["breathlessness", "chest_pain", "chest_pain"]) == (
        "chest_pain",
        "breathlessness",
    )
    assert check_warning_signs([]) == ()


def test_an_unknown_sign_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_warning_signs(["chest_pain", "headache"])
    assert refused.value.field == "warning_signs"
    assert "'headache'" in refused.value.message
    assert "chest_pain" in refused.value.message


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("A severe chest tightness on the hill", ("chest_pain",)),
        ("CHEST   PAIN after the run.", ("chest_pain",)),
        ("I nearly fainted, then my heart was racing", ("fainting", "palpitations_at_rest")),
        ("Felt short of breath lying down", ("breathlessness",)),
        ("Round the park, felt good", ()),
        ("unfaintly remembered", ()),  # a whole word, not a part of one
        ("", ()),
    ],
)
def test_signs_are_found_in_what_people_write(text: str, codes: tuple[str, ...]) -> None:
    assert signs_mentioned(text) == codes


def test_a_ticked_sign_alerts_whatever_the_severity_and_the_alert_keeps_it() -> None:
    assert escalation_for("mild") is None
    rule = escalation_for("mild", ("chest_pain",))
    assert rule is not None
    assert (rule.code, rule.alert_severity) == ("adverse_event_cardiac_sign", "mild")
    assert "ACSM" in rule.source
    severe = escalation_for("severe", ("chest_pain",))
    assert severe is not None
    assert (severe.code, severe.alert_severity) == ("adverse_event_severe", "severe")
