"""Rule data of the measurement package: one file per instrument, the outcome rules."""
