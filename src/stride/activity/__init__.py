"""Pure computations on activity data: normalised sessions and samples, intensity zones, METs,
dose and adherence. No I/O, no clock, no framework; the readers live in ``stride.activity.io``."""
