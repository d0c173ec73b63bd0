"""Maudsley Staging Method: every item level, the episode-duration boundaries and the band edges.

Expected values are Fekadu et al. 2009 / Fekadu, Donocik & Cleare 2018 Table 3.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stride.clinical.trd import msm
from stride.errors import ConfigurationError, InvalidInput

START = date(2024, 1, 15)


def score(
    *,
    as_of: date = date(2024, 6, 1),
    severity: str = "subsyndromal",
    failed: int = 1,
    augmentation: bool = False,
    ect: bool = False,
    episode_start: date = START,
) -> msm.MsmScore:
    return msm.stage(
        episode_start=episode_start,
        as_of=as_of,
        severity=severity,
        failed_antidepressants=failed,
        augmentation=augmentation,
        ect=ect,
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (START, 1),  # same day
        (date(2025, 1, 15), 1),  # exactly 12 months: acute (<= 12)
        (date(2025, 1, 16), 2),  # 12 months and a day: sub-acute
        (date(2026, 1, 15), 2),  # exactly 24 months: sub-acute (13-24)
        (date(2026, 1, 16), 3),  # 24 months and a day: chronic (> 24)
        (date(2034, 1, 1), 3),
    ],
)
def test_duration_item_boundaries(as_of: date, expected: int) -> None:
    assert score(as_of=as_of).item_scores()["duration"] == expected


def test_duration_month_end_is_clamped() -> None:
    # 31 Jan + 12 months = 31 Jan; 31 Jan 2023 + 13 months clamps to 29 Feb 2024 (leap year).
    assert msm.months_after(date(2023, 1, 31), 13) == date(2024, 2, 29)
    start = date(2023, 1, 31)
    assert score(episode_start=start, as_of=date(2024, 1, 31)).item_scores()["duration"] == 1
    assert score(episode_start=start, as_of=date(2024, 2, 1)).item_scores()["duration"] == 2


def test_months_after_the_end_of_the_calendar() -> None:
    assert msm.months_after(date(9999, 6, 1), 24) == date.max
    assert score(episode_start=date(9999, 6, 1), as_of=date(9999, 12, 31)).item_scores()["duration"] == 1


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("subsyndromal", 1),
        ("mild", 2),
        ("moderate", 3),
        ("severe_without_psychosis", 4),
        ("severe_with_psychosis", 5),
    ],
)
def test_severity_item(severity: str, expected: int) -> None:
    assert score(severity=severity).item_scores()["severity"] == expected


def test_severity_levels_are_in_order() -> None:
    assert msm.severity_levels() == (
        "subsyndromal",
        "mild",
        "moderate",
        "severe_without_psychosis",
        "severe_with_psychosis",
    )


@pytest.mark.parametrize(
    ("failed", "expected"),
    [(0, 1), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5), (40, 5)],
)
def test_antidepressant_failures_item(failed: int, expected: int) -> None:
    assert score(failed=failed).item_scores()["antidepressants"] == expected


def test_zero_failures_says_it_is_scored_as_the_lowest_row() -> None:
    item = next(i for i in score(failed=0).items if i.name == "antidepressants")
    assert item.score == 1
    assert "no row for 0" in item.category


@pytest.mark.parametrize(("used", "expected"), [(False, 0), (True, 1)])
def test_augmentation_and_ect_items(used: bool, expected: int) -> None:
    items = score(augmentation=used, ect=used).item_scores()
    assert (items["augmentation"], items["ect"]) == (expected, expected)
    only_aug = score(augmentation=used).item_scores()
    assert (only_aug["augmentation"], only_aug["ect"]) == (expected, 0)
    only_ect = score(ect=used).item_scores()
    assert (only_ect["augmentation"], only_ect["ect"]) == (0, expected)


def test_minimum_and_maximum_totals() -> None:
    lowest = score()
    assert (lowest.score, lowest.band) == (3, "mild")
    highest = score(
        as_of=date(2030, 1, 1), severity="severe_with_psychosis", failed=11, augmentation=True, ect=True
    )
    assert (highest.score, highest.band) == (15, "severe")
    assert list(highest.item_scores()) == list(msm.ITEM_NAMES)


@pytest.mark.parametrize(
    ("kwargs", "total", "band"),
    [
        # duration 1 + severity 3 + failures 1 + augmentation 1 = 6: the top of "mild"
        ({"severity": "moderate", "augmentation": True}, 6, "mild"),
        # + ECT = 7: the bottom of "moderate"
        ({"severity": "moderate", "augmentation": True, "ect": True}, 7, "moderate"),
        # duration 3 + severity 4 + failures 2 (3-4) + augmentation 1 = 10: the top of "moderate"
        (
            {
                "as_of": date(2027, 1, 1),
                "severity": "severe_without_psychosis",
                "failed": 3,
                "augmentation": True,
            },
            10,
            "moderate",
        ),
        # + ECT = 11: the bottom of "severe"
        (
            {
                "as_of": date(2027, 1, 1),
                "severity": "severe_without_psychosis",
                "failed": 3,
                "augmentation": True,
                "ect": True,
            },
            11,
            "severe",
        ),
    ],
)
def test_band_boundaries(kwargs: dict[str, object], total: int, band: str) -> None:
    result = score(**kwargs)  # type: ignore[arg-type]
    assert (result.score, result.band) == (total, band)
    assert sum(result.item_scores().values()) == total


def test_worked_example_by_hand() -> None:
    # 18-month episode (2), moderate (3), four failed medications (2), augmentation (1), no ECT:
    # 2 + 3 + 2 + 1 + 0 = 8, moderate (7-10).
    result = score(as_of=date(2025, 7, 15), severity="moderate", failed=4, augmentation=True)
    assert result.item_scores() == {
        "duration": 2,
        "severity": 3,
        "antidepressants": 2,
        "augmentation": 1,
        "ect": 0,
    }
    assert (result.score, result.band) == (8, "moderate")
    assert all(item.source for item in result.items)


def test_invalid_inputs_name_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        score(as_of=START - timedelta(days=1))
    assert caught.value.field == "episode_start"
    with pytest.raises(InvalidInput) as caught:
        score(severity="very severe")
    assert caught.value.field == "severity"
    assert "severe_with_psychosis" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        score(failed=-1)
    assert caught.value.field == "failed_antidepressants"


def test_packaged_table_is_checked_when_loaded() -> None:
    # The loader refuses tables that would break "every total has exactly one band".
    good = [{"name": "low", "min": 3, "max": 9}, {"name": "high", "min": 10, "max": 15}]
    assert [b.label for b in msm._bands(good, lowest=3, highest=15)] == ["low", "high"]
    with pytest.raises(ConfigurationError):
        msm._bands(
            [{"name": "low", "min": 3, "max": 8}, {"name": "high", "min": 10, "max": 15}],
            lowest=3,
            highest=15,
        )
    with pytest.raises(ConfigurationError):
        msm._rows(
            [{"max": 2, "score": 1, "label": "a"}, {"max": 4, "score": 2, "label": "b"}],
            low_key="min",
            high_key="max",
        )
    with pytest.raises(ConfigurationError):
        msm._rows(
            [{"min": 0, "max": 2, "score": 1, "label": "a"}, {"min": 4, "score": 2, "label": "b"}],
            low_key="min",
            high_key="max",
        )
