"""The instrument library: the ids of the packaged instruments and the cached loader of each definition.

Every instrument is one declarative file, ``data/instruments/<id>.toml``,
validated at load by :mod:`stride.clinical.measurement.instrument_schema` into the model of
:mod:`stride.clinical.measurement.instrument_model`.
Adding an instrument is adding a file (and, only when it needs a new kind of scoring rule, code for
that rule). Each rule, band and threshold in a file carries its ``source``; the citations name the
published instrument and its scoring manual.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from stride.clinical.measurement.instrument_model import Instrument
from stride.clinical.measurement.instrument_schema import parse_instrument
from stride.data import load_toml
from stride.errors import InvalidInput

# Instrument is what get_instrument returns; callers take both from here.
__all__ = ["DATA", "INSTRUMENT_DIR", "Instrument", "get_instrument", "instrument_ids"]

INSTRUMENT_DIR = "instruments"
# The instrument files live beside this code, in the measurement package's data folder.
DATA = "stride.clinical.measurement.data"


@cache
def _ids() -> tuple[str, ...]:
    folder = resources.files(DATA).joinpath(INSTRUMENT_DIR)
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")))


def instrument_ids() -> list[str]:
    """The ids of every packaged instrument, sorted.

    Returns
    -------
    list[str]
        A fresh list (the cache behind it is never exposed to mutation).
    """
    return list(_ids())


def get_instrument(instrument_id: str) -> Instrument:
    """The validated definition of one instrument (cached: package data never changes at run time).

    Parameters
    ----------
    instrument_id
        One of :func:`instrument_ids`, e.g. ``"phq9"``.

    Raises
    ------
    InvalidInput
        For an unknown id, with ``field="instrument"``.
    ConfigurationError
        If the packaged file is malformed (naming the file and the key).
    """
    if not isinstance(instrument_id, str) or instrument_id not in _ids():
        known = ", ".join(_ids())
        raise InvalidInput(f"unknown instrument {instrument_id!r}; known: {known}", field="instrument")
    return _load(instrument_id)


@cache
def _load(instrument_id: str) -> Instrument:
    data = load_toml(f"{INSTRUMENT_DIR}/{instrument_id}", DATA)
    return parse_instrument(data, file=f"{INSTRUMENT_DIR}/{instrument_id}.toml")
