"""The normalised records every activity reader yields and every computation takes.

Timestamps are UTC epoch milliseconds (``int64``) in the sample arrays and timezone-aware
``datetime`` values on sessions; a reader of a format whose times carry no offset (Fitbit) places
them in the patient's timezone, which it is given. Missing sample values are ``NaN``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` in bytes while a reader works through a file."""

FileFormat = Literal["fit", "tcx", "gpx", "fitbit", "apple_health", "csv", "omh"]
FORMATS: tuple[FileFormat, ...] = get_args(FileFormat)

# The normalised activity types (the prescription's modalities plus what trackers record).
# Readers map the device's own label here and keep it in ``ParsedSession.device_sport``.
Sport = Literal[
    "walking",
    "running",
    "cycling",
    "swimming",
    "strength",
    "yoga",
    "hiking",
    "rowing",
    "elliptical",
    "skiing",
    "dance",
    "mixed_aerobic",
    "other",
]
SPORTS: tuple[Sport, ...] = get_args(Sport)

Metric = Literal["heart_rate", "steps", "calories"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _empty_f64() -> F64:
    return np.empty(0, dtype=np.float64)


def _empty_i64() -> I64:
    return np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class Samples:
    """Per-sample series of one session, columnar and of equal length, sorted by time.

    ``time_ms`` is UTC epoch milliseconds; ``heart_rate`` in beats per minute; ``distance_m`` the
    cumulative distance from the session's start; ``latitude``/``longitude`` in degrees (WGS 84);
    ``altitude_m`` in metres. Absent values are ``NaN``.
    """

    time_ms: I64 = field(default_factory=_empty_i64)
    heart_rate: F64 = field(default_factory=_empty_f64)
    distance_m: F64 = field(default_factory=_empty_f64)
    latitude: F64 = field(default_factory=_empty_f64)
    longitude: F64 = field(default_factory=_empty_f64)
    altitude_m: F64 = field(default_factory=_empty_f64)

    def __post_init__(self) -> None:
        n = len(self.time_ms)
        for name in ("heart_rate", "distance_m", "latitude", "longitude", "altitude_m"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Samples.{name} has {len(getattr(self, name))} values, time_ms has {n}")

    def __len__(self) -> int:
        return len(self.time_ms)

    @staticmethod
    def of(
        time_ms: I64,
        *,
        heart_rate: F64 | None = None,
        distance_m: F64 | None = None,
        latitude: F64 | None = None,
        longitude: F64 | None = None,
        altitude_m: F64 | None = None,
    ) -> Samples:
        """Samples with every series not given filled with ``NaN``."""
        n = len(time_ms)

        def col(values: F64 | None) -> F64:
            return np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)

        return Samples(
            time_ms=np.asarray(time_ms, dtype=np.int64),
            heart_rate=col(heart_rate),
            distance_m=col(distance_m),
            latitude=col(latitude),
            longitude=col(longitude),
            altitude_m=col(altitude_m),
        )


@dataclass(frozen=True, slots=True)
class DeviceSummary:
    """The file's own summary of a session (FIT ``session`` message, TCX laps), kept beside the one
    computed from the samples because devices count differently (moving time, lap distance); a
    value the file does not give is ``None``."""

    duration_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None


@dataclass(frozen=True, slots=True, eq=False)
class ParsedSession:
    """One recorded session as the file holds it.

    The summary is computed from the recorded samples, as the reference parsers (fitdecode, gpxpy,
    tcxreader) compute it: ``duration_s`` is the elapsed time from the first to the last sample,
    ``distance_m`` the cumulative distance at the last sample (the device's distance field, else
    measured along the positions), ``avg_hr``/``max_hr`` the mean and maximum of the heart-rate
    samples. Only a session without samples (a FIT session message without records) takes them
    from the device. ``device_summary`` is what the file itself says, when it says anything.
    """

    start: datetime
    end: datetime
    sport: Sport
    device_sport: str
    duration_s: float
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    calories_kcal: float | None
    samples: Samples
    device_summary: DeviceSummary | None = None


@dataclass(frozen=True, slots=True, eq=False)
class MetricSeries:
    """Values of one metric over intervals, not tied to a session (a day of steps, 5-s heart rate).

    Each value covers ``[start_ms, end_ms)``; for an instantaneous reading (heart rate) the two are
    equal. ``source`` names the recording device per value where the format says (Apple Health),
    else is empty; readers de-duplicate sources before returning (steps counted once).
    """

    metric: Metric
    start_ms: I64
    end_ms: I64
    value: F64

    def __len__(self) -> int:
        return len(self.start_ms)


@dataclass(frozen=True, slots=True, eq=False)
class ParsedFile:
    """Everything one file holds, normalised."""

    format: FileFormat
    sessions: tuple[ParsedSession, ...]
    series: tuple[MetricSeries, ...] = ()
    warnings: tuple[str, ...] = ()
