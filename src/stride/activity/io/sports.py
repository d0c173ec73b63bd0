"""The device's own activity label mapped to Stride's normalised :data:`Sport`.

Every reader passes the label it found (FIT ``sport``/``sub_sport`` names, TCX ``Activity@Sport``,
GPX ``<type>``, Fitbit activity names, Apple Health ``HKWorkoutActivityType…``, Open mHealth
activity names) to :func:`normalise_sport` and keeps the original in ``device_sport``. Labels are
compared case- and punctuation-insensitively; an unknown label is ``"other"``, never an error,
because devices keep inventing sports and an unknown one must not stop an import.
"""

from __future__ import annotations

import re

from stride.activity.model import Sport

# Exact labels (after folding: lower case, words joined by "_"). Checked before the keywords
# below so that e.g. "treadmill_running" or "indoor_cycling" do not depend on keyword order.
_EXACT: dict[str, Sport] = {
    # FIT sport / sub_sport enum names, TCX Sport attribute, common GPX <type> values.
    "running": "running",
    "run": "running",
    "treadmill": "running",
    "treadmill_running": "running",
    "trail_running": "running",
    "track_running": "running",
    "street_running": "running",
    "virtual_run": "running",
    "jogging": "running",
    "walking": "walking",
    "walk": "walking",
    "casual_walking": "walking",
    "speed_walking": "walking",
    "indoor_walking": "walking",
    "hiking": "hiking",
    "hike": "hiking",
    "mountaineering": "hiking",
    "cycling": "cycling",
    "biking": "cycling",
    "bike": "cycling",
    "ride": "cycling",
    "virtual_ride": "cycling",
    "e_biking": "cycling",
    "e_bike_ride": "cycling",
    "indoor_cycling": "cycling",
    "spin": "cycling",
    "spinning": "cycling",
    "swimming": "swimming",
    "swim": "swimming",
    "lap_swimming": "swimming",
    "open_water": "swimming",
    "pool_swim": "swimming",
    "strength_training": "strength",
    "traditional_strength_training": "strength",
    "functional_strength_training": "strength",
    "weights": "strength",
    "weight_training": "strength",
    "weightlifting": "strength",
    "yoga": "yoga",
    "pilates": "yoga",
    "rowing": "rowing",
    "indoor_rowing": "rowing",
    "row": "rowing",
    "elliptical": "elliptical",
    "cross_country_skiing": "skiing",
    "alpine_skiing": "skiing",
    "backcountry": "skiing",
    "nordic_ski": "skiing",
    "alpine_ski": "skiing",
    "downhill_skiing": "skiing",
    "snow_sports": "skiing",
    "dance": "dance",
    "dancing": "dance",
    "social_dance": "dance",
    "cardio_dance": "dance",
    "aerobic_workout": "mixed_aerobic",
    "mixed_cardio": "mixed_aerobic",
    "cardio_training": "mixed_aerobic",
    "high_intensity_interval_training": "mixed_aerobic",
    "hiit": "mixed_aerobic",
    "multisport": "mixed_aerobic",
    "fitness_equipment": "other",
    "training": "other",
    "generic": "other",
    "other": "other",
    "all": "other",
}

# Word beginnings tried in order when no exact label matched ("Morning Run", "Outdoor Bike").
_KEYWORDS: tuple[tuple[str, Sport], ...] = (
    ("ski", "skiing"),
    ("hik", "hiking"),
    ("walk", "walking"),
    ("run", "running"),
    ("jog", "running"),
    ("cycl", "cycling"),
    ("bik", "cycling"),
    ("ride", "cycling"),
    ("swim", "swimming"),
    ("strength", "strength"),
    ("weight", "strength"),
    ("yoga", "yoga"),
    ("pilates", "yoga"),
    ("row", "rowing"),
    ("elliptical", "elliptical"),
    ("danc", "dance"),
    ("aerobic", "mixed_aerobic"),
    ("cardio", "mixed_aerobic"),
)

_APPLE_PREFIX = "hkworkoutactivitytype"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _fold(label: str) -> str:
    """``"HKWorkoutActivityTypeCrossCountrySkiing"`` → ``"cross_country_skiing"``."""
    text = label.strip()
    if text.lower().startswith(_APPLE_PREFIX):
        text = text[len(_APPLE_PREFIX) :]
    text = _CAMEL.sub("_", text).lower()
    return _NON_WORD.sub("_", text).strip("_")


def normalise_sport(label: str) -> Sport:
    """The normalised sport of the device label ``label``; ``"other"`` when unknown or empty."""
    folded = _fold(label)
    if not folded:
        return "other"
    exact = _EXACT.get(folded)
    if exact is not None:
        return exact
    # Keywords start a word, so that "throwing" is not rowing nor "stride" a ride.
    words = folded.split("_")
    for keyword, sport in _KEYWORDS:
        if any(word.startswith(keyword) for word in words):
            return sport
    return "other"
