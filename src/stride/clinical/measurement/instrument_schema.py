"""The schema of an instrument file: parse and cross-check ``data/instruments/<id>.toml``.

Everything a scoring rule relies on is checked here, once, at load: item ids are unique and
prefixed with the instrument id, option values are ascending, bands tile the declared total range
exactly, every flag/skip/rule names an existing item, the declared total range equals the range the
rule implies, verbatim wording appears only where the licence allows it, and every rule, band and
threshold has a ``source``. A malformed file raises ``ConfigurationError`` naming file and key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, cast

from stride.clinical import toml_reader as r
from stride.clinical.measurement.instrument_model import (
    KINDS,
    Band,
    Flag,
    FrozenMap,
    Instrument,
    Item,
    Kind,
    Licence,
    MissingRule,
    Option,
    Skip,
)
from stride.clinical.measurement.instrument_rules import parse_rule, rule_total_range

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LOINC = re.compile(r"^\d{1,7}-\d$")
_LOINC_ANSWER = re.compile(r"^LA\d{1,6}-\d$")
_TOP_REQUIRED = (
    "id", "name", "version", "kind", "recall_period", "source", "licence", "scoring", "missing", "items",
)  # fmt: skip
_TOP_OPTIONAL = ("notes", "total", "bands", "flags", "skips", "loinc", "option_sets")
_LOINC_KEYS = ("panel", "total", "interpretation")


def parse_instrument(data: Mapping[str, Any], *, file: str) -> Instrument:
    """Validate one parsed instrument file and build its :class:`Instrument`.

    Parameters
    ----------
    data
        The parsed TOML.
    file
        The file's name inside ``stride/data`` (``instruments/phq9.toml``): errors name it, and the
        instrument id must equal its stem.

    Raises
    ------
    ConfigurationError
        Naming the file and the key at fault.
    """
    at = r.At(file)
    top = r.table(data, at, required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    instrument_id = r.text(top, "id", at)
    if not _ID.match(instrument_id) or instrument_id != PurePosixPath(file).stem:
        raise at.key("id").fail(f"must be lower-case and equal the file name {PurePosixPath(file).stem!r}")
    licence = _licence(top["licence"], at.key("licence"))
    items = _items(top, instrument_id, licence, at)
    item_ids = {item.id for item in items}
    scoring = parse_rule(top["scoring"], at.key("scoring"), items=items)
    total_range = _declared_total(top, at, implied=rule_total_range(scoring, items))
    instrument = Instrument(
        id=instrument_id,
        name=r.text(top, "name", at),
        version=r.text(top, "version", at),
        kind=cast(Kind, r.choice(top, "kind", at, KINDS)),
        recall_period=r.text(top, "recall_period", at),
        items=items,
        bands=_bands(top, at, total_range),
        flags=_flags(top, at, item_ids, has_total=total_range is not None),
        scoring=scoring,
        missing=_missing(top["missing"], at.key("missing"), scored=sum(item.scored for item in items)),
        skips=_skips(top, at, items),
        loinc=_loinc(top, at, items),
        licence=licence,
        source=r.text(top, "source", at),
        notes=r.text(top, "notes", at, default="") if "notes" in top else "",
        min_total=total_range[0] if total_range else None,
        max_total=total_range[1] if total_range else None,
    )
    return instrument


def _licence(data: object, at: r.At) -> Licence:
    table = r.table(data, at, required=("name", "verbatim_allowed", "note"))
    return Licence(
        name=r.text(table, "name", at),
        verbatim_allowed=r.boolean(table, "verbatim_allowed", at),
        note=r.text(table, "note", at),
    )


def _option_sets(top: Mapping[str, Any], at: r.At) -> dict[str, tuple[Option, ...]]:
    sets_at = at.key("option_sets")
    raw = top.get("option_sets", {})
    if not isinstance(raw, Mapping):
        raise sets_at.fail("must be a table of named option lists")
    return {name: _options(raw[name], sets_at.key(name)) for name in raw}


def _options(data: object, at: r.At) -> tuple[Option, ...]:
    if not isinstance(data, list) or not data:
        raise at.fail("must be a non-empty array of {value, label} tables")
    options: list[Option] = []
    for index, entry in enumerate(data):
        o_at = at.key(index)
        table = r.table(entry, o_at, required=("value", "label"), optional=("loinc",))
        code = r.optional_text(table, "loinc", o_at)
        if code is not None and not _LOINC_ANSWER.match(code):
            raise o_at.key("loinc").fail("must be a LOINC answer code like LA6568-5")
        options.append(
            Option(value=r.integer(table, "value", o_at), label=r.text(table, "label", o_at), loinc=code)
        )
        if index and options[-1].value <= options[-2].value:
            raise o_at.key("value").fail("option values must be strictly ascending")
    return tuple(options)


def _items(top: Mapping[str, Any], instrument_id: str, licence: Licence, at: r.At) -> tuple[Item, ...]:
    option_sets = _option_sets(top, at)
    items: list[Item] = []
    for index, entry in enumerate(r.tables(top, "items", at)):
        i_at = at.key("items").key(index)
        items.append(_item(entry, i_at, option_sets, licence))
        if not items[-1].id.startswith(f"{instrument_id}_") or not _ID.match(items[-1].id):
            raise i_at.key("id").fail(f"must be lower-case and start with {instrument_id + '_'!r}")
        if items[-1].id in {item.id for item in items[:-1]}:
            raise i_at.key("id").fail(f"duplicate item id {items[-1].id!r}")
    if not any(item.scored for item in items):
        raise at.key("items").fail("at least one item must be scored")
    return tuple(items)


def _item(
    data: Mapping[str, Any], at: r.At, option_sets: Mapping[str, tuple[Option, ...]], licence: Licence
) -> Item:
    table = r.table(
        data,
        at,
        required=("id", "label"),
        optional=("text", "options", "scored", "min", "max", "bounds_source"),
    )
    wording = r.optional_text(table, "text", at)
    if wording is not None and not licence.verbatim_allowed:
        raise at.key("text").fail("verbatim wording is not allowed by this instrument's licence")
    if "options" in table:
        ref = table["options"]
        if isinstance(ref, str):
            if ref not in option_sets:
                raise at.key("options").fail(f"unknown option set {ref!r}")
            options = option_sets[ref]
        else:
            options = _options(ref, at.key("options"))
        if "min" in table or "max" in table:
            raise at.key("min").fail("an item with options takes its range from them")
        low, high = options[0].value, options[-1].value
    else:
        options = ()
        r.text(table, "bounds_source", at)  # a free numeric range is a threshold too: it needs a source
        low, high = r.integer(table, "min", at), r.integer(table, "max", at)
        if low > high:
            raise at.key("max").fail("must not be below min")
    item_id = r.text(table, "id", at)
    return Item(
        id=item_id,
        label=r.text(table, "label", at),
        text=wording,
        options=options,
        scored=r.boolean(table, "scored", at, default=True),
        min=low,
        max=high,
    )


def _declared_total(
    top: Mapping[str, Any], at: r.At, *, implied: tuple[int, int] | None
) -> tuple[int, int] | None:
    if implied is None:
        if "total" in top or "bands" in top:
            raise at.key("total").fail("this scoring rule has no total; remove [total] and [[bands]]")
        return None
    t_at = at.key("total")
    table = r.table(top.get("total"), t_at, required=("min", "max", "source"))
    r.text(table, "source", t_at)
    declared = (r.integer(table, "min", t_at), r.integer(table, "max", t_at))
    if declared != implied:
        raise t_at.fail(
            f"declares {declared[0]}..{declared[1]} but the items and rule give {implied[0]}..{implied[1]}"
        )
    return declared


def _bands(top: Mapping[str, Any], at: r.At, total: tuple[int, int] | None) -> tuple[Band, ...]:
    if total is None:
        return ()
    bands: list[Band] = []
    expected = total[0]
    for index, entry in enumerate(r.tables(top, "bands", at)):
        b_at = at.key("bands").key(index)
        table = r.table(entry, b_at, required=("label", "min", "max", "source"))
        band = Band(
            label=r.text(table, "label", b_at),
            min=r.integer(table, "min", b_at),
            max=r.integer(table, "max", b_at),
            source=r.text(table, "source", b_at),
        )
        # Bands must tile the whole range with no gap and no overlap, so every total has one label.
        if band.min != expected or band.max < band.min:
            raise b_at.key("min").fail(f"bands must tile {total[0]}..{total[1]}: expected min {expected}")
        expected = band.max + 1
        bands.append(band)
    if expected != total[1] + 1:
        raise at.key("bands").fail(f"bands must end at the maximum total {total[1]}")
    if len({band.label for band in bands}) != len(bands):
        raise at.key("bands").fail("band labels must be unique")
    return tuple(bands)


def _flags(top: Mapping[str, Any], at: r.At, item_ids: set[str], *, has_total: bool) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    for index, entry in enumerate(r.tables(top, "flags", at, allow_empty=True)):
        f_at = at.key("flags").key(index)
        table = r.table(entry, f_at, required=("code", "on", "source"), optional=("min", "max"))
        on = r.text(table, "on", f_at)
        if on not in item_ids and not (on == "total" and has_total):
            raise f_at.key("on").fail("must be 'total' (where there is one) or an item id")
        flag = Flag(
            code=r.text(table, "code", f_at),
            on=on,
            min=r.optional_number(table, "min", f_at),
            max=r.optional_number(table, "max", f_at),
            source=r.text(table, "source", f_at),
        )
        if flag.min is None and flag.max is None:
            raise f_at.fail("a flag needs min or max")
        flags.append(flag)
    return tuple(flags)


def _missing(data: object, at: r.At, *, scored: int) -> MissingRule:
    table = r.table(data, at, required=("rule", "source"), optional=("max_missing",))
    rule = r.choice(table, "rule", at, ("none", "prorate"))
    max_missing = r.integer(table, "max_missing", at, minimum=1) if rule == "prorate" else 0
    if max_missing >= scored:
        raise at.key("max_missing").fail("must leave at least one answered item")
    if rule == "none" and "max_missing" in table:
        raise at.key("max_missing").fail("only a prorate rule takes max_missing")
    return MissingRule(
        rule="prorate" if rule == "prorate" else "none",
        max_missing=max_missing,
        source=r.text(table, "source", at),
    )


def _skips(top: Mapping[str, Any], at: r.At, items: tuple[Item, ...]) -> tuple[Skip, ...]:
    by_id = {item.id: item for item in items}
    skips: list[Skip] = []
    for index, entry in enumerate(r.tables(top, "skips", at, allow_empty=True)):
        s_at = at.key("skips").key(index)
        table = r.table(entry, s_at, required=("when", "equals", "items", "if_answered", "source"))
        when = r.text(table, "when", s_at)
        if when not in by_id:
            raise s_at.key("when").fail(f"unknown item {when!r}")
        equals = r.integer(table, "equals", s_at)
        if not by_id[when].allows(equals):
            raise s_at.key("equals").fail(f"is not a valid answer to {when}")
        skipped = r.strings(table, "items", s_at)
        for name in skipped:
            if name not in by_id or name == when:
                raise s_at.key("items").fail(f"unknown or self-referencing item {name!r}")
        if_answered = r.choice(table, "if_answered", s_at, ("count", "reject"))
        skips.append(
            Skip(
                when=when,
                equals=equals,
                items=skipped,
                if_answered="count" if if_answered == "count" else "reject",
                source=r.text(table, "source", s_at),
            )
        )
    return tuple(skips)


def _loinc(top: Mapping[str, Any], at: r.At, items: tuple[Item, ...]) -> Mapping[str, str]:
    l_at = at.key("loinc")
    table = r.table(top.get("loinc", {}), l_at, required=(), optional=(*_LOINC_KEYS, *(i.id for i in items)))
    codes: dict[str, str] = {}
    for key in table:
        code = r.text(table, key, l_at)
        if not _LOINC.match(code):
            raise l_at.key(key).fail("must be a LOINC code like 44261-6")
        codes[key] = code
    return FrozenMap(codes)
