"""Unit tests of stride.clinical.measurement: instruments, scoring and outcomes."""
