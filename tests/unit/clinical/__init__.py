"""Unit tests of the pure clinical rules."""
