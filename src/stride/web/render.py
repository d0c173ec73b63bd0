"""Jinja2 rendering with the context every page needs (site, user, CSRF token, URL prefix)."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from stride import __version__
from stride.activity.io import formats
from stride.clinical.labels import label
from stride.clinical.measurement import Instrument, get_instrument
from stride.config import Settings
from stride.errors import InvalidInput
from stride.web.deps import CSRF_FIELD, web_session
from stride.web.form_markup import field_error, field_label, form_error, invalid


def instrument_name(instrument_id: str) -> str:
    """The instrument's display name ("PHQ-9") for its id ("phq9")."""
    try:
        return get_instrument(instrument_id).name
    except InvalidInput:
        return instrument_id


def skippable_items(instrument: Instrument) -> frozenset[str]:
    """Items a form may leave blank because an earlier answer skips them (C-SSRS Q3-5 after Q2 = no)."""
    return frozenset(item for skip in instrument.skips for item in skip.items)


# A phone number in crisis text: at least three digits, single spaces between them, an optional "+".
_PHONE = re.compile(r"(?<![\w+])\+?\d(?: ?\d){2,14}(?!\w)")


def tel_links(text: str) -> Markup:
    """``text`` escaped, with each phone number a ``tel:`` link (its href only digits and "+")."""
    out, last = [], 0
    for match in _PHONE.finditer(text):
        number = re.sub(r"[^\d+]", "", match.group())
        out += [
            escape(text[last : match.start()]),
            Markup('<a href="tel:{}">{}</a>').format(number, match.group()),
        ]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def make_templates(settings: Settings) -> Jinja2Templates:
    directory = str(resources.files("stride.web") / "templates")
    templates = Jinja2Templates(directory=directory)
    prefix = settings.root_path.rstrip("/")
    env = templates.env
    env.filters["tel_links"] = tel_links
    env.globals.update(
        site_name=settings.site_name,
        version=__version__,
        csrf_field=CSRF_FIELD,
        password_min_length=settings.password_min_length,
        field_label=field_label,
        invalid=invalid,
        field_error=field_error,
        form_error=form_error,
        instrument_name=instrument_name,
        skippable_items=skippable_items,
        # Relative URLs under the reverse proxy's prefix; never absolute, so http/https cannot mix.
        url=lambda path: f"{prefix}{path}",
        static=lambda path: f"{prefix}/static/{path}",
    )
    env.filters["label"] = label
    env.filters["file_phrase"] = formats.phrase
    return templates


def render(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    session = web_session(request)
    context.setdefault("session", session)
    context.setdefault("user", session.actor if session else None)
    context.setdefault("csrf_token", session.csrf_token if session else "")
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def prefixed(request: Request, path: str) -> str:
    """``path`` under the reverse proxy's prefix (``STRIDE_ROOT_PATH``), for redirects."""
    prefix: str = request.app.state.settings.root_path.rstrip("/")
    return f"{prefix}{path}"
