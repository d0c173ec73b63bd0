"""Pure clinical rules: instruments and scoring, outcomes, TRD staging (and, later, screening and
prescription). Frozen dataclasses and functions; thresholds are cited package data in
``stride/data``. No I/O beyond reading that package data, no clock, no framework."""
