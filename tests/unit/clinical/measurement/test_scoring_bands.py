"""Every band boundary of every instrument, on both sides, with the labels of the CLI contract.

The expected labels are written out from the instruments' published cut-offs (not read from the
files), so a wrong band in a file fails here."""

from __future__ import annotations

import pytest

from stride.clinical.measurement import Instrument, get_instrument, score
from stride.clinical.measurement.instrument_model import DomainsRule


def answers_for(instrument: Instrument, total: int) -> dict[str, int | None]:
    """Answers whose total is ``total``: fill scored items (or one item per domain) greedily."""
    answers: dict[str, int | None] = {item.id: item.min for item in instrument.items if item.scored}
    if isinstance(instrument.scoring, DomainsRule):
        carriers = [domain.items[0] for domain in instrument.scoring.domains]
    else:
        carriers = [item.id for item in instrument.items if item.scored]
    remaining = total - sum(instrument.item(i).min for i in carriers)
    for item_id in carriers:
        item = instrument.item(item_id)
        step = min(item.max - item.min, remaining)
        answers[item_id] = item.min + step
        remaining -= step
    assert remaining == 0, f"cannot reach {total}"
    return answers


CASES = {
    "phq9": [
        (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
        (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe"),
    ],
    "phq8": [
        (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
        (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (24, "severe"),
    ],
    "phq2": [(0, "negative"), (2, "negative"), (3, "positive"), (6, "positive")],
    "gad7": [
        (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
        (15, "severe"), (21, "severe"),
    ],
    "qids_sr16": [
        (0, "none"), (5, "none"), (6, "mild"), (10, "mild"), (11, "moderate"), (15, "moderate"),
        (16, "severe"), (20, "severe"), (21, "very_severe"), (27, "very_severe"),
    ],
    "hamd17": [
        (0, "none"), (7, "none"), (8, "mild"), (16, "mild"), (17, "moderate"), (23, "moderate"),
        (24, "severe"), (52, "severe"),
    ],
    "madrs": [
        (0, "normal"), (6, "normal"), (7, "mild"), (19, "mild"), (20, "moderate"), (34, "moderate"),
        (35, "severe"), (60, "severe"),
    ],
    "who5": [(0, "poor"), (12, "poor"), (13, "adequate"), (25, "adequate")],
    "borg_rpe": [
        (6, "very_light"), (8, "very_light"), (9, "light"), (11, "light"), (12, "moderate"), (13, "moderate"),
        (14, "vigorous"), (17, "vigorous"), (18, "very_hard_to_maximal"), (20, "very_hard_to_maximal"),
    ],
    "borg_cr10": [
        (0, "sedentary"), (1, "light"), (2, "light"), (3, "moderate"), (4, "moderate"), (5, "vigorous"),
        (9, "vigorous"), (10, "very_high"),
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("instrument_id", "total", "label"),
    [(instrument_id, total, label) for instrument_id, rows in CASES.items() for total, label in rows],
)
def test_band_edges_from_the_reference(instrument_id: str, total: int, label: str) -> None:
    instrument = get_instrument(instrument_id)
    result = score(instrument, answers_for(instrument, total))
    assert (result.total, result.severity, result.complete) == (total, label, True)


@pytest.mark.parametrize("instrument_id", sorted(CASES))
def test_every_band_boundary_in_the_files_changes_the_label_on_both_sides(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    for lower, upper in zip(instrument.bands, instrument.bands[1:], strict=False):
        below = score(instrument, answers_for(instrument, lower.max))
        above = score(instrument, answers_for(instrument, upper.min))
        assert (below.severity, above.severity) == (lower.label, upper.label)
        assert above.total == below.total + 1  # type: ignore[operator]


def test_who5_low_wellbeing_flag_matches_raw_below_13() -> None:
    who5 = get_instrument("who5")
    assert score(who5, answers_for(who5, 12)).flags == ("low_wellbeing",)
    assert score(who5, answers_for(who5, 13)).flags == ()


def test_phq2_positive_screen_flag_at_3() -> None:
    phq2 = get_instrument("phq2")
    assert score(phq2, {"phq2_1": 1, "phq2_2": 1}).flags == ()
    assert score(phq2, {"phq2_1": 2, "phq2_2": 1}).flags == ("positive_screen",)
