"""Benchmarks: each runs its baseline in the same process and prints the ratio (``make bench``)."""
