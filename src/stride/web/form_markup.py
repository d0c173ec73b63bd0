"""The one set of helpers that renders a form's fields and errors, for every template: the field's
name as people read it, the attributes that mark a field the submitted form got wrong, the message
beside that field, and the summary at the top of the form.

Python, not Jinja macros, so that they read the page's ``error`` without each template importing
them with its context.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup

from stride.clinical.measurement import get_instrument, instrument_ids

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


@pass_context
def form_error(context: Any) -> Markup:
    """The summary of what the submitted form got wrong, at the top of the form, naming the field."""
    error = context.get("error")
    if not error:
        return Markup("")
    field = getattr(error, "field", None)
    named = Markup("{}: ").format(field_label(field)) if field else ""
    return Markup(
        '<article class="error" role="alert" id="form-error">\n  <strong>{}</strong>{}\n</article>\n'
    ).format(named, getattr(error, "message", ""))
