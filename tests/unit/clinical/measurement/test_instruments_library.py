"""Every packaged instrument file loads, validates and says what the CLI contract and the
instruments' published sources say it should: ids, kinds, ranges, band labels, LOINC codes and
licences."""

from __future__ import annotations

import pytest

from stride.clinical.measurement import get_instrument, instrument_ids
from stride.clinical.measurement.instrument_model import KINDS
from stride.clinical.safety import safety_rules
from stride.errors import InvalidInput

EXPECTED_IDS = sorted(
    [
        "phq9",
        "phq8",
        "phq2",
        "gad7",
        "qids_sr16",
        "hamd17",
        "madrs",
        "who5",
        "cssrs_screen",
        "ipaq_sf",
        "borg_rpe",
        "borg_cr10",
    ]
)

# The CLI contract's labels, and the published ranges, written out here rather than read from
# the files, so that an edit to a file that breaks the contract fails this test.
CONTRACT = {
    "phq9": (0, 27, ["minimal", "mild", "moderate", "moderately_severe", "severe"]),
    "phq8": (0, 24, ["minimal", "mild", "moderate", "moderately_severe", "severe"]),
    "phq2": (0, 6, ["negative", "positive"]),
    "gad7": (0, 21, ["minimal", "mild", "moderate", "severe"]),
    "qids_sr16": (0, 27, ["none", "mild", "moderate", "severe", "very_severe"]),
    "hamd17": (0, 52, ["none", "mild", "moderate", "severe"]),
    "madrs": (0, 60, ["normal", "mild", "moderate", "severe"]),
    "who5": (0, 25, ["poor", "adequate"]),
    "borg_rpe": (6, 20, ["very_light", "light", "moderate", "vigorous", "very_hard_to_maximal"]),
    "borg_cr10": (0, 10, ["sedentary", "light", "moderate", "vigorous", "very_high"]),
    "cssrs_screen": (None, None, []),
    "ipaq_sf": (None, None, []),
}
KINDS_BY_ID = {
    "hamd17": "clinician_rated",
    "madrs": "clinician_rated",
    "borg_rpe": "rating_scale",
    "borg_cr10": "rating_scale",
    "ipaq_sf": "activity",
}


def test_the_library_holds_exactly_the_issue_3_instruments() -> None:
    assert instrument_ids() == EXPECTED_IDS


def test_instrument_ids_returns_a_fresh_list() -> None:
    ids = instrument_ids()
    ids.clear()
    assert instrument_ids() == EXPECTED_IDS


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_every_file_loads_with_its_contract_range_labels_and_kind(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    low, high, labels = CONTRACT[instrument_id]
    assert instrument.id == instrument_id
    assert (instrument.min_total, instrument.max_total) == (low, high)
    assert [band.label for band in instrument.bands] == labels
    assert instrument.kind == KINDS_BY_ID.get(instrument_id, "self_report")
    assert instrument.kind in KINDS
    assert instrument.version
    assert instrument.recall_period
    assert instrument.name


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_every_rule_band_flag_and_skip_is_cited(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    cited = [instrument.source, instrument.scoring.source, instrument.missing.source]
    cited += [band.source for band in instrument.bands]
    cited += [flag.source for flag in instrument.flags]
    cited += [skip.source for skip in instrument.skips]
    for source in cited:
        assert len(source) > 20, (instrument_id, source)


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_items_are_prefixed_and_unique_and_wording_respects_the_licence(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    ids = [item.id for item in instrument.items]
    assert len(ids) == len(set(ids))
    for item in instrument.items:
        assert item.id.startswith(instrument_id + "_")
        assert item.label
        assert item.min <= item.max
        if not instrument.licence.verbatim_allowed:
            assert item.text is None, item.id


def test_licences_allow_verbatim_wording_only_where_the_reference_confirms_it() -> None:
    verbatim = {i for i in EXPECTED_IDS if get_instrument(i).licence.verbatim_allowed}
    # PHQ family and GAD-7: "no permission required" (phqscreeners.com); HAM-D public domain (NINDS);
    # IPAQ freely available. QIDS, MADRS, WHO-5, C-SSRS: licence UNSURE; Borg: licence fee.
    assert verbatim == {"phq9", "phq8", "phq2", "gad7", "hamd17", "ipaq_sf"}
    assert get_instrument("phq9").item("phq9_9").text is not None


def test_phq9_loinc_codes_are_those_of_the_reference() -> None:
    """LOINC 44249-1 / 44261-6 and the item codes (cdn.loinc.org; HL7 US Core phq-9 example)."""
    loinc = get_instrument("phq9").loinc
    assert loinc["panel"] == "44249-1"
    assert loinc["total"] == "44261-6"
    items = [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert [loinc[f"phq9_{n}"] for n in range(1, 10)] == items
    assert loinc["phq9_10"] == "69722-7"
    options = get_instrument("phq9").item("phq9_1").options
    assert [o.loinc for o in options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def test_other_loinc_codes_are_those_of_the_reference() -> None:
    assert dict(get_instrument("phq2").loinc) == {
        "panel": "55757-9",
        "total": "55758-7",
        "phq2_1": "44250-9",
        "phq2_2": "44255-8",
    }
    assert get_instrument("gad7").loinc["total"] == "70274-6"
    assert "panel" not in get_instrument("gad7").loinc  # 69737-5 is unverified
    cssrs = get_instrument("cssrs_screen").loinc
    assert cssrs["cssrs_screen_q1"] == "93246-7"
    assert cssrs["cssrs_screen_q6_past_3_months"] == "93269-9"
    assert cssrs["interpretation"] == "93374-7"
    for unknown in ("phq8", "qids_sr16", "hamd17", "madrs", "who5", "ipaq_sf", "borg_rpe"):
        assert not get_instrument(unknown).loinc, unknown


def test_per_item_ranges_of_hamd17_follow_the_reference() -> None:
    """CamCOPS hamd.py: 0-4 for items 1, 2, 3, 7, 8, 9, 10, 11, 15; 0-2 for the others."""
    hamd = get_instrument("hamd17")
    wide = {1, 2, 3, 7, 8, 9, 10, 11, 15}
    for n in range(1, 18):
        item = hamd.item(f"hamd17_{n}")
        assert (item.min, item.max) == ((0, 4) if n in wide else (0, 2)), n


def test_phq9_item_10_is_recorded_not_scored() -> None:
    phq9 = get_instrument("phq9")
    assert [item.scored for item in phq9.items] == [True] * 9 + [False]


def test_unknown_instrument_is_invalid_input_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        get_instrument("phq10")
    assert caught.value.field == "instrument"
    assert "phq9" in caught.value.message


def test_get_instrument_is_cached() -> None:
    assert get_instrument("phq9") is get_instrument("phq9")


@pytest.mark.parametrize(
    ("instrument_id", "choice"),
    [
        ("phq9", "rounded half up"),
        ("phq8", "no proration"),
        ("phq2", "Arroll"),
        ("hamd17", "Zimmerman"),
        ("madrs", "Snaith"),
        ("who5", "adequate"),
        ("cssrs_screen", 'all-"no"'),
        ("ipaq_sf", "10-minute rule"),
        ("borg_cr10", "Heliyon"),
    ],
)
def test_choices_for_unsure_items_are_written_in_the_notes(instrument_id: str, choice: str) -> None:
    assert choice in get_instrument(instrument_id).notes


def test_safety_rules_load_and_are_cited() -> None:
    rules = safety_rules()
    assert [rule.concern.code for rule in rules] == [
        "suicide_risk_high",
        "suicidal_ideation",
        "suicide_risk_moderate",
    ]
    for rule in rules:
        assert len(rule.concern.source) > 20


def test_instruments_are_immutable_and_hashable() -> None:
    phq9 = get_instrument("phq9")
    assert len({phq9, get_instrument("phq9"), get_instrument("gad7")}) == 2
    with pytest.raises(TypeError):
        phq9.loinc["total"] = "0-0"  # type: ignore[index]
