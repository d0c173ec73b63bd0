"""No developer text reaches a person: every page for every role, the CERT reports and API answers.

The demo clinic is seeded and enriched (``tests/site_pages.py``: an open alert, an adverse event, a
real device-file import, a corrected response), each role logs in through the real form, and every
HTML page route is fetched with real ids. The visible text (and titles, labels, placeholders) must
hold no reliability tag or pointer into the developers' notes (UNSURE, "reference section 4",
DESIGN.md), no template syntax, no Python value (None, nan, True) and no snake_case internal name
(``phq9_item9``, ``cleared_with_restrictions``): codes are shown by their human labels. CERT
reports are read the same way; API answers' string values may carry codes (they are a contract) but
no developer text.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stride.clinical.prescription import protocol_ids
from stride.services.registry import Services
from stride.web.app import create_app
from tests.conftest import FakeClock, login, make_settings
from tests.samples import sample
from tests.site_pages import LOGINS, SiteIds, context_of, developer_text, enrich, page_urls, visible_text


class Site:
    def __init__(self, app: Any, ids: SiteIds, clients: dict[str, TestClient]) -> None:
        self.app, self.ids, self.clients = app, ids, clients


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_demo_template: Path) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("page-text")
    path = tmp / "stride.sqlite3"
    shutil.copy(sqlite_demo_template, path)
    svc = Services.build(make_settings(tmp, f"sqlite:///{path}"), clock=FakeClock())
    try:
        ids = enrich(svc, device_file=sample("fit/garmin-fenix-5-walk.fit"))
        app = create_app(svc.deps.settings, services=svc)
        with TestClient(app) as anonymous:
            clients = {"anonymous": anonymous}
            clients |= {role: login(TestClient(app), *cred) for role, cred in LOGINS.items()}
            yield Site(app, ids, clients)
    finally:
        svc.close()


def _problems(text: str, *, names: bool = True) -> list[str]:
    return [
        f"{hit!r} in …{context_of(text, hit)}…" for hit in dict.fromkeys(developer_text(text, names=names))
    ]


@pytest.mark.parametrize("role", [*LOGINS, "anonymous"])
def test_no_developer_text_on_any_page(site: Site, role: str) -> None:
    client = site.clients[role]
    urls = ["/login"] if role == "anonymous" else page_urls(site.app, site.ids)
    found: dict[str, list[str]] = {}
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, f"{url}: {r.status_code}"
        problems = _problems(visible_text(r.text)) + _problems(visible_text(r.text, code=True), names=False)
        if problems:
            found[url] = problems
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_no_developer_text_in_cert_reports(site: Site, fmt: str) -> None:
    client = site.clients["clinician"]
    found: dict[str, list[str]] = {}
    for protocol in protocol_ids():
        r = client.get(f"/api/v1/protocols/{protocol}/cert", params={"fmt": fmt})
        assert r.status_code == 200, r.text
        text = visible_text(r.text) if fmt == "html" else re.sub(r"`[^`]*`", " ", r.text)
        if problems := _problems(text):
            found[protocol] = problems
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


CODES = {"VERIFIED", "SECONDARY", "UNSURE", "LOCAL", "CHOICE"}  # the data's status codes, a contract


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value not in CODES:
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_no_developer_text_in_api_answers(site: Site) -> None:
    ids = site.ids
    paths = [
        "/api/v1/protocols",
        *[f"/api/v1/protocols/{p}" for p in protocol_ids()],
        f"/api/v1/patients/{ids.active}",
        f"/api/v1/patients/{ids.active}/screening",
        f"/api/v1/patients/{ids.active}/plan",
        f"/api/v1/patients/{ids.active}/plans",
        f"/api/v1/patients/{ids.active}/sessions",
        f"/api/v1/patients/{ids.active}/adverse-events",
        f"/api/v1/patients/{ids.active}/imports",
        f"/api/v1/patients/{ids.treated}/responses",
        f"/api/v1/patients/{ids.treated}/alerts",
        f"/api/v1/patients/{ids.treated}/treatment",
        f"/api/v1/patients/{ids.treated}/outcomes",
        "/api/v1/instruments",
        "/api/v1/instruments/phq9",
        "/api/v1/adverse-events/summary",
        "/api/v1/patients/abc",  # an error answer's message
        "/api/v1/protocols/nope",
    ]
    found: dict[str, list[str]] = {}
    for path in paths:
        r = site.clients["clinician"].get(path)
        assert r.status_code < 500, f"{path}: {r.status_code}"
        problems = [p for s in _strings(r.json()) for p in _problems(s, names=False)]
        if problems:
            found[path] = problems
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
