"""Unit tests of stride.clinical.safety: the pre-exercise screen and the safety net."""
