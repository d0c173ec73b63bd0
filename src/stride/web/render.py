"""Jinja2 rendering with the context every page needs (site, user, CSRF token, URL prefix)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from stride import __version__
from stride.activity.io import formats
from stride.clinical.labels import label
from stride.clinical.measurement import Instrument, get_instrument, instrument_ids
from stride.config import Settings
from stride.errors import InvalidInput
from stride.web.deps import CSRF_FIELD, web_session

# How form fields are named to people (error messages name the field the person sees).
FIELD_LABELS = {
    "mode": "How the plan resumes",
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "mrn": "MRN / external ID",
    "email": "E-mail",
    "phone": "Phone",
    "timezone": "Time zone",
    "height_cm": "Height (cm)",
    "weight_kg": "Weight (kg)",
    "resting_hr": "Resting heart rate",
    "resting_bp[0]": "Resting blood pressure (systolic)",
    "resting_bp[1]": "Resting blood pressure (diastolic)",
    "team_id": "Care team",
    "decision": "Decision",
    "next_review_on": "Next review",
    "alert_id": "Alert",
    "from_week": "Resume from week",
    "site_id": "Site",
    "user_id": "Clinician",
    "patient_id": "Patient",
    "display_name": "Full name",
    "username": "Username",
    "password": "Password",
    "role": "Role",
    "current_password": "Current password",
    "new_password": "New password",
    "confirm_password": "Repeat new password",
    # activity: sessions, adverse events, uploads
    "start": "Start",
    "sport": "Activity",
    "minutes": "Minutes",
    "rpe": "Effort (RPE 6-20)",
    "avg_hr": "Average heart rate",
    "max_hr": "Maximum heart rate",
    "distance_km": "Distance (km)",
    "supervised": "Supervised",
    "notes": "Notes",
    "occurred_at": "When",
    "description": "What happened",
    "severity": "Severity",
    "action_taken": "Action taken",
    "session_id": "Session",
    "file": "File",
    "week": "Week",
    # the plan builder
    "protocol": "Protocol",
    "setting": "Setting",
    "days": "Available days",
    "weeks": "Weeks",
    "start_date": "Start",
    "modalities": "Preferred activities",
    "mood_symptoms": "What makes exercise hard now",
    "reason": "Reason",
    "screening": "Screening",
    "name": "Name",
    "crisis_text": "Crisis guidance",
    "crisis_phone": "Crisis phone numbers",
    # the screening form
    "bp_systolic": "Resting blood pressure (systolic)",
    "bp_diastolic": "Resting blood pressure (diastolic)",
    "currently_active": "Exercising regularly now",
    "desired_intensity": "Desired intensity",
    "phq9_item9": "PHQ-9 item 9",
    "cssrs_risk": "C-SSRS risk",
    "medications": "Current medication",
}


def instrument_name(instrument_id: str) -> str:
    """The instrument's display name ("PHQ-9") for its id ("phq9")."""
    try:
        return get_instrument(instrument_id).name
    except InvalidInput:
        return instrument_id


def skippable_items(instrument: Instrument) -> frozenset[str]:
    """Items a form may leave blank because an earlier answer skips them (C-SSRS Q3-5 after Q2 = no)."""
    return frozenset(item for skip in instrument.skips for item in skip.items)


@cache
def _question_labels() -> dict[str, str]:
    """A questionnaire item's id (``phq9_3``) as the form shows it: "Question 3"."""
    return {
        item.id: f"Question {number}"
        for instrument_id in instrument_ids()
        for number, item in enumerate(get_instrument(instrument_id).items, start=1)
    }


def field_label(field: str | None) -> str:
    """How the field is named to people; a field of one of several forms on a page
    (``team.name``) by its own name."""
    field = field or ""
    if field not in FIELD_LABELS and "." in field:
        field = field.rsplit(".", 1)[1]
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    return _question_labels().get(field) or field.replace("_", " ").capitalize()


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


def _error_id(field: str) -> str:
    return "error-" + re.sub(r"[^A-Za-z0-9_-]", "-", field)


def _error_for(context: Any, name: str) -> object | None:
    error = context.get("error")
    return error if error is not None and getattr(error, "field", None) == name else None


@pass_context
def invalid(context: Any, name: str, *, help_id: str | None = None) -> Markup:
    """The attributes of a field the submitted form got wrong: marked invalid and pointing to its
    message (``field_error``), so that a screen reader reads the message with the field; a field
    with a help text (``help_id``) always points to it."""
    ids = [help_id] if help_id else []
    wrong = _error_for(context, name) is not None
    if wrong:
        ids.insert(0, _error_id(name))
    if not ids:
        return Markup("")
    mark = Markup(' aria-invalid="true"') if wrong else Markup("")
    return mark + Markup(' aria-describedby="{}"').format(" ".join(ids))


@pass_context
def field_error(context: Any, name: str) -> Markup:
    """The error message beside the field ``name``, when the submitted form got that field wrong."""
    error = _error_for(context, name)
    if error is None:
        return Markup("")
    return Markup('<small class="field-error" id="{}">{}</small>').format(
        _error_id(name), getattr(error, "message", "")
    )


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
