"""Every page of the web app, with real ids, for the crawls that read what people see.

``enrich`` adds to a freshly seeded demo clinic what the seed leaves out (an open safety alert, an
adverse event, a finished device-file import, a corrected response, an on-hold plan), through the
services, so that every page shows its fullest state. ``page_urls`` walks ``app.routes`` and fills
each page route's path parameters with those ids: a new page route is crawled without anyone adding
it here, and a route with a parameter this module does not know fails the crawl until it is taught.

Used by ``tests/integration/test_page_text.py`` (developer text in pages, reports and API answers)
and ``tests/e2e/test_every_page.py`` (phones, accessibility, print).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import fastapi.routing
from fastapi.routing import APIRoute

from stride.clinical.measurement import get_instrument, instrument_ids
from stride.clinical.prescription import protocol_ids
from stride.domain.accounts import Actor, Role
from stride.domain.activity import AdverseEventEntry
from stride.services.context import Caller
from stride.services.registry import Services
from stride.store.repositories import users as user_repo

LOGINS = {
    "admin": ("admin", "demo-clinic-manager"),
    "clinician": ("dr.rivera", "demo-clinic-clinician"),
    "patient": ("patient5", "demo-clinic-patient"),
    "researcher": ("researcher", "demo-clinic-research"),
}
# Prefixes that are not pages: the JSON API, FHIR, health check, OpenAPI, static files.
NOT_PAGES = ("/api/", "/fhir/", "/healthz", "/openapi.json", "/static", "/login", "/logout")


@dataclass(frozen=True)
class SiteIds:
    """The ids the crawled pages are about."""

    active: int  # DEMO-0005: on a walking plan with logged sessions, an adverse event, an import
    treated: int  # DEMO-0006: PHQ-9 history, TRD treatment history, an open safety alert
    response: int  # a corrected PHQ-9 of ``treated``
    alert: int  # the open safety alert of ``treated``
    session: int
    import_id: int
    user: int
    team: int


def _okafor(svc: Services) -> Caller:
    with svc.deps.db.transaction() as s:
        row = user_repo.get_row_by_username(s, "dr.okafor")
    assert row is not None
    return Caller(actor=Actor(row.id, row.username, Role.CLINICIAN))


def _phq9(item9: int) -> dict[str, int | None]:
    items = [item.id for item in get_instrument("phq9").items]
    answers: dict[str, int | None] = dict.fromkeys(items, 1)
    answers[items[8]] = item9
    return answers


def enrich(svc: Services, *, device_file: Any = None) -> SiteIds:
    """Add the rows the pages show at their fullest (``device_file``: a real file to import)."""
    cli = Caller.cli()
    clinician = _okafor(svc)
    mrn = {p.details.mrn: p.id for p in svc.patients.search(cli, limit=200).items}
    active, treated = mrn["DEMO-0005"], mrn["DEMO-0006"]
    sessions = svc.activity.sessions(clinician, active)
    svc.activity.report_adverse_event(
        clinician,
        active,
        AdverseEventEntry(
            occurred_at=sessions[0].start + timedelta(minutes=20),
            description="Mild calf cramp after the walk",
            severity="mild",
            action_taken="Stretched; continued the plan",
            session_id=sessions[0].id,
        ),
    )
    done = svc.measurements.submit(clinician, treated, "phq9", _phq9(item9=1))
    assert done.alert is not None
    corrected = svc.measurements.correct(
        clinician, done.response.id, _phq9(item9=1), reason="Answers read back to the patient"
    )
    if device_file is not None:
        outcome = svc.imports.submit_path(clinician, active, device_file)
        import_id = outcome.record.id
    else:
        import_id = svc.imports.submit_stream(
            clinician, active, io.BytesIO(b"not a device file"), filename="notes.fit"
        ).record.id
    users = {u.username: u.id for u in svc.users.list(cli)}
    teams = {t.name: t.id for t in svc.teams.list_teams(cli)}
    return SiteIds(
        active=active,
        treated=treated,
        response=corrected.response.id,
        alert=done.alert.id,
        session=sessions[0].id,
        import_id=import_id,
        user=users["dr.rivera"],
        team=teams["Mood Disorders Team"],
    )


def page_routes(app: Any) -> list[str]:
    """The path templates of every HTML page answering GET (FastAPI keeps included routers nested
    in ``app.routes``; ``iter_route_contexts`` flattens them with their prefixes)."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = list(flatten(app.routes)) if flatten is not None else list(app.routes)
    paths = {
        str(route.path)
        for route in routes
        if isinstance(getattr(route, "original_route", route), APIRoute)
        and "GET" in (getattr(route, "methods", None) or ())
        and not str(route.path).startswith(NOT_PAGES)
    }
    assert len(paths) >= 30, f"found too few page routes ({len(paths)}): is the flattening still right?"
    return sorted(paths)


def page_urls(app: Any, ids: SiteIds, *, instruments: Sequence[str] | None = None) -> list[str]:
    """Every page with real ids: both patients, every instrument and protocol (or ``instruments``)."""
    values: dict[str, list[str]] = {
        "patient_id": [str(ids.active), str(ids.treated)],
        "instrument_id": list(instrument_ids() if instruments is None else instruments),
        "protocol_id": list(protocol_ids()),
        "response_id": [str(ids.response)],
        "alert_id": [str(ids.alert)],
        "session_id": [str(ids.session)],
        "import_id": [str(ids.import_id)],
        "user_id": [str(ids.user)],
        "team_id": [str(ids.team)],
    }
    urls: list[str] = []
    for template in page_routes(app):
        filled = [template]
        for name in re.findall(r"{(\w+)}", template):
            assert name in values, f"{template}: teach tests/site_pages.py a value for {{{name}}}"
            filled = [u.replace(f"{{{name}}}", v) for u in filled for v in values[name]]
        urls += filled
    return urls


# --------------------------------------------------------------------------------------------------
# What a person reads: the visible text of a page, and the developer text that must not be in it
# --------------------------------------------------------------------------------------------------

_READ_ATTRS = ("title", "aria-label", "placeholder", "alt")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.code: list[str] = []
        self._skip = 0
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        self._code += tag == "code"
        self.parts += [v for k, v in attrs if k in _READ_ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1
        if tag == "code" and self._code:
            self._code -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            (self.code if self._code else self.parts).append(data)


def visible_text(html: str, *, code: bool = False) -> str:
    """The text a person reads; identifiers marked up as ``<code>`` apart (``code``: only those)."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.code if code else parser.parts).split())


# Developer text: reliability tags and pointers into the developers' reference notes, placeholders,
# template syntax, Python values and tracebacks.
DEVELOPER_TEXT = re.compile(
    r"UNSURE|VERIFIED|SECONDARY|DESIGN\.md|\bTODO\b|FIXME|XXX|\[\[|\]\]|\{\{|\}\}|\{%|Traceback"
    r"|shared reference|reference section|\b[\w-]+\.md\b|\bstep \d\b"
    # Python's None, unless it is the English answer ("None: all sessions are supervised", "'None'").
    r"|(?<!['\"])\bNone\b(?![.:;,'\"])|\bnan\b|\bNaN\b|\bTrue\b|\bFalse\b"
)
# An internal name: snake_case (phq9_item9, cleared_with_restrictions). Web addresses are not text;
# an identifier shown as one (``<code>`` in the clinical-rules reference, the audit log) is allowed.
INTERNAL_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_ADDRESS = re.compile(r"\S+://\S+|\S+@\S+\.\w+")


def developer_text(text: str, *, names: bool = True) -> list[str]:
    """The developer tokens in ``text`` (``names``: snake_case internal names count too)."""
    text = _ADDRESS.sub(" ", text)
    hits = [m.group(0) for m in DEVELOPER_TEXT.finditer(text)]
    if names:
        hits += [m.group(0) for m in INTERNAL_NAME.finditer(text)]
    return hits


def context_of(text: str, token: str, width: int = 60) -> str:
    at = text.find(token)
    return text[max(0, at - width) : at + len(token) + width]
