"""A session's stored dose: typed, versioned JSON ("v": 1), read back the same; rows written before
the version existed read as v1; a version this Stride does not know is refused."""

from __future__ import annotations

import json
from types import MappingProxyType

import pytest

from stride.domain.activity import DOSE_VERSION, StoredDose, dose_from_data, dose_to_data

DOSE = StoredDose(
    method="hr",
    duration_minutes=35.0,
    minutes_by_zone=MappingProxyType({"light": 5.0, "moderate": 30.0}),
    hr_coverage=0.9,
    met_minutes=140.0,
    kcal_per_kg=2.3,
    moderate_minutes=30.0,
    vigorous_minutes=0.0,
    moderate_equivalent_minutes=30.0,
    minutes_in_target=25.0,
    met_source="Walking (Compendium 17200)",
)


def test_a_dose_is_stored_with_its_version_and_read_back_the_same() -> None:
    data = json.loads(json.dumps(dose_to_data(DOSE), sort_keys=True))
    assert data["v"] == DOSE_VERSION == 1
    assert dose_from_data(data) == DOSE


def test_a_dose_stored_before_the_version_and_met_source_reads_as_v1() -> None:
    old = {k: v for k, v in dose_to_data(DOSE).items() if k not in {"v", "met_source"}}
    read = dose_from_data(old)
    assert read is not None
    assert read.met_source is None
    assert read.met_minutes == 140.0


def test_a_session_without_a_dose_stores_an_empty_object() -> None:
    assert dose_to_data(None) == {}
    assert dose_from_data({}) is None


def test_the_api_shape_has_no_version_and_keeps_its_key_order() -> None:
    shown = DOSE.as_dict()
    assert "v" not in shown
    assert list(shown) == sorted(shown)


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version 2"):
        dose_from_data({**dose_to_data(DOSE), "v": 2})
