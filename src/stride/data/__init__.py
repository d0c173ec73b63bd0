"""Declarative package data (TOML), every entry with its source. Loaded by ``stride.domain.refdata``."""
