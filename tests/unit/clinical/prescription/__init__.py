"""Unit tests of stride.clinical.prescription: intensity, protocols and the prescription engine."""
