"""The rules of the protocol library (``data/protocol_library.toml``) and the CERT report.

The library file holds what every protocol is checked against: the minimum programme length, the
screening restriction codes a contraindication note may name (and which of them are intensity
ceilings), the adherence strategies, and the CERT checklist (Slade et al., BJSM 2016: 19 items in 7
categories) that every protocol fills in completely. :func:`render_cert` prints a protocol's filled-in
checklist as Markdown or as an HTML document in which every text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast, get_args

from stride.clinical import toml_reader as r
from stride.clinical.prescription.intensity import CLASS_IDS
from stride.clinical.prescription.protocol_model import (
    Action,
    AdherenceSupport,
    CertItem,
    Contraindication,
    Phase,
    Protocol,
)
from stride.data import load_toml
from stride.errors import InvalidInput

FORMATS = ("markdown", "html", "html_fragment")


@dataclass(frozen=True, slots=True)
class CertDefinition:
    """One CERT item as defined by the checklist."""

    id: str
    category: str
    title: str


@dataclass(frozen=True, slots=True)
class LibraryRules:
    """The rules in ``protocol_library.toml``."""

    min_weeks: int
    restrictions: Mapping[str, str | None]  # code -> intensity ceiling, if it is one
    strategies: tuple[str, ...]
    cert: tuple[CertDefinition, ...]
    cert_source: str


@cache
def library_rules() -> LibraryRules:
    """The validated ``protocol_library.toml`` (cached)."""
    at = r.At("protocol_library.toml")
    data = r.table(
        load_toml("protocol_library", "stride.clinical.prescription.data"),
        at,
        required=("duration", "restrictions", "adherence_strategies", "cert"),
    )
    duration = r.table(data["duration"], at.key("duration"), required=("min_weeks", "source"))
    restrictions = r.table(data["restrictions"], at.key("restrictions"), required=("source", "codes"))
    codes: dict[str, str | None] = {}
    for index, entry in enumerate(r.tables(restrictions, "codes", at.key("restrictions"))):
        c_at = at.key("restrictions").key("codes").key(index)
        table = r.table(entry, c_at, required=("code",), optional=("max_intensity",))
        ceiling = r.choice(table, "max_intensity", c_at, CLASS_IDS) if "max_intensity" in table else None
        codes[r.text(table, "code", c_at)] = ceiling
    strategies = []
    for index, entry in enumerate(r.tables(data, "adherence_strategies", at)):
        s_at = at.key("adherence_strategies").key(index)
        strategies.append(r.text(r.table(entry, s_at, required=("code", "meaning")), "code", s_at))
    cert = r.table(data["cert"], at.key("cert"), required=("source", "items"))
    items = []
    for index, entry in enumerate(r.tables(cert, "items", at.key("cert"))):
        i_at = at.key("cert").key("items").key(index)
        table = r.table(entry, i_at, required=("id", "category", "title"))
        items.append(CertDefinition(*(r.text(table, key, i_at) for key in ("id", "category", "title"))))
    return LibraryRules(
        min_weeks=r.integer(duration, "min_weeks", at.key("duration"), minimum=1),
        restrictions=codes,
        strategies=tuple(strategies),
        cert=tuple(items),
        cert_source=r.text(cert, "source", at.key("cert")),
    )


# --- the parts of a protocol checked against the library -------------------------------------------


def parse_adherence(top: Mapping[str, Any], at: r.At, rules: LibraryRules) -> tuple[AdherenceSupport, ...]:
    """A protocol's ``[[adherence]]`` entries, each naming one of the library's strategies."""
    out = []
    for index, entry in enumerate(r.tables(top, "adherence", at)):
        a_at = at.key("adherence").key(index)
        table = r.table(entry, a_at, required=("strategy", "description", "source"))
        strategy = r.choice(table, "strategy", a_at, rules.strategies)
        out.append(
            AdherenceSupport(strategy, r.text(table, "description", a_at), r.text(table, "source", a_at))
        )
    return tuple(out)


def parse_contraindications(
    top: Mapping[str, Any], at: r.At, rules: LibraryRules, phases: tuple[Phase, ...]
) -> tuple[Contraindication, ...]:
    """A protocol's ``[[contraindications]]``: known restriction codes, each at most once, and a note
    (exclude or modify) for every intensity ceiling that the phases exceed."""
    out: list[Contraindication] = []
    for index, entry in enumerate(r.tables(top, "contraindications", at)):
        c_at = at.key("contraindications").key(index)
        table = r.table(entry, c_at, required=("restriction", "action", "note", "source"))
        code = r.choice(table, "restriction", c_at, list(rules.restrictions))
        if code in {c.restriction for c in out}:
            raise c_at.key("restriction").fail(f"{code!r} is noted twice")
        action = cast(Action, r.choice(table, "action", c_at, get_args(Action)))
        out.append(Contraindication(code, action, r.text(table, "note", c_at), r.text(table, "source", c_at)))
    hardest = max(
        CLASS_IDS.index(c)
        for p in phases
        for c in (*p.intensity, *(p.intervals.work_intensity if p.intervals else ()))
    )
    for code, ceiling in rules.restrictions.items():
        noted = {c.restriction: c.action for c in out}
        if (
            ceiling is not None
            and hardest > CLASS_IDS.index(ceiling)
            and noted.get(code) not in {"exclude", "modify"}
        ):
            raise at.key("contraindications").fail(
                f"phases exceed the ceiling of {code!r}: say how (exclude or modify)"
            )
    return tuple(out)


def parse_cert(data: object, at: r.At, rules: LibraryRules) -> tuple[CertItem, ...]:
    """A protocol's ``[cert]`` table: every CERT item, in checklist order, with text and source."""
    table = r.table(data, at, required=[d.id for d in rules.cert])
    items = []
    for definition in rules.cert:
        i_at = at.key(definition.id)
        entry = r.table(table[definition.id], i_at, required=("text", "source"))
        text, source = r.text(entry, "text", i_at), r.text(entry, "source", i_at)
        items.append(CertItem(definition.id, definition.category, definition.title, text, source))
    return tuple(items)


# --- the CERT report ------------------------------------------------------------------------------


def render_cert(protocol: Protocol, *, fmt: str) -> str:
    """``protocol``'s CERT report as Markdown or HTML (see :func:`.protocols.cert_report`)."""
    if fmt == "markdown":
        return _markdown(protocol)
    if fmt == "html":
        return _html(protocol)
    if fmt == "html_fragment":  # for embedding in a page of the web app
        return "\n".join(_html_body(protocol))
    raise InvalidInput(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", field="format")


def _categories(protocol: Protocol) -> list[tuple[str, list[CertItem]]]:
    groups: dict[str, list[CertItem]] = {}
    for item in protocol.cert:
        groups.setdefault(item.category, []).append(item)
    return list(groups.items())


def _markdown(protocol: Protocol) -> str:
    lines = [
        f"# CERT report: {protocol.name}",
        "",
        f"{protocol.duration_weeks} weeks. Consensus on Exercise Reporting "
        "Template (Slade et al., Br J Sports Med 2016;50:1428-37): all 19 items.",
        "",
    ]
    for category, items in _categories(protocol):
        lines += [f"## {category.capitalize()}", ""]
        for item in items:
            lines += [
                f"### {item.id}. {item.title}",
                "",
                item.text.strip(),
                "",
                f"*Source: {item.source}*",
                "",
            ]
    return "\n".join(lines)


def _html_body(protocol: Protocol) -> list[str]:
    e = html.escape
    body = [
        f"<h1>CERT report: {e(protocol.name)}</h1>",
        f"<p>Protocol <code>{e(protocol.id)}</code>, {protocol.duration_weeks} weeks. Consensus on Exercise "
        "Reporting Template (Slade et al., Br J Sports Med 2016;50:1428-37): all 19 items.</p>",
    ]
    for category, items in _categories(protocol):
        body += ['<section class="cert-category">', f"<h2>{e(category.capitalize())}</h2>", "<dl>"]
        for item in items:
            body += [
                f'<dt id="cert-{e(item.id)}">{e(item.id)}. {e(item.title)}</dt>',
                f"<dd><p>{e(item.text.strip())}</p>",
                f'<p class="source">Source: {e(item.source)}</p></dd>',
            ]
        body += ["</dl>", "</section>"]
    return body


def _html(protocol: Protocol) -> str:
    head = f'<head><meta charset="utf-8"><title>CERT report: {html.escape(protocol.name)}</title></head>'
    body = _html_body(protocol)
    return "\n".join(["<!DOCTYPE html>", '<html lang="en">', head, "<body>", *body, "</body>", "</html>", ""])
