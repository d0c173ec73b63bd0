"""Golden: the FIT reader's per-record samples against the reference decoder's output.

``garmin-fenix-5-{run,walk}-records.csv`` are the record messages of the two files as decoded by
the FIT SDK's reference decoder (fitdecode's test fixtures): local times in US Pacific daylight
time, positions in semicircles, distance in metres. Every record must come out with the same
time, heart rate, distance, position (in degrees) and altitude.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from stride.activity.io import fit
from tests.samples import sample

_ZONES = {"PDT": "-0700", "PST": "-0800", "UTC": "+0000", "GMT": "+0000"}


def _epoch_ms(text: str) -> int:
    """``"Sun Jun 11 07:34:09 PDT 2017"`` (Java's ``Date.toString``) as UTC epoch milliseconds."""
    _weekday, month, day, clock, zone, year = text.split()
    moment = datetime.strptime(f"{month} {day} {year} {clock} {_ZONES[zone]}", "%b %d %Y %H:%M:%S %z")
    return int(moment.timestamp() * 1000)


def _truth(path: Path) -> dict[str, np.ndarray]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    def col(name: str) -> np.ndarray:
        return np.array([float(r[name]) if r[name] else np.nan for r in rows])

    return {
        "time_ms": np.array([_epoch_ms(r["timestamp"]) for r in rows], dtype=np.int64),
        "heart_rate": col("heart_rate"),
        "distance_m": col("distance"),
        "latitude": col("position_lat") * 180 / 2**31,
        "longitude": col("position_long") * 180 / 2**31,
        "altitude_m": col("altitude"),
    }


@pytest.mark.parametrize("activity", ["run", "walk"])
def test_records_match_the_reference_decoder(activity: str) -> None:
    truth = _truth(sample(f"fit/garmin-fenix-5-{activity}-records.csv"))
    (session,) = fit.read(sample(f"fit/garmin-fenix-5-{activity}.fit")).sessions
    samples = session.samples

    assert len(samples) == len(truth["time_ms"]) > 10
    np.testing.assert_array_equal(samples.time_ms, truth["time_ms"])
    np.testing.assert_array_equal(samples.heart_rate, truth["heart_rate"])
    np.testing.assert_allclose(samples.distance_m, truth["distance_m"], rtol=0, atol=1e-9)
    # 1 semicircle is 8.4e-8 degrees; equal to well below that.
    np.testing.assert_allclose(samples.latitude, truth["latitude"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(samples.longitude, truth["longitude"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(samples.altitude_m, truth["altitude_m"], rtol=0, atol=1e-9)
    # The session spans its records and its summary agrees with them.
    assert session.start.timestamp() * 1000 == truth["time_ms"][0]
    assert session.end.timestamp() * 1000 >= truth["time_ms"][-1]
    assert session.max_hr == np.nanmax(truth["heart_rate"])
    assert session.distance_m == pytest.approx(truth["distance_m"][-1])
