"""Parse HTML form values into typed values, naming the field when a value is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from fastapi import Request

from stride.errors import InvalidInput


def text(form: dict[str, str], name: str) -> str:
    return form.get(name, "").strip()


def optional_text(form: dict[str, str], name: str) -> str | None:
    return text(form, name) or None


def optional_float(form: dict[str, str], name: str) -> float | None:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise InvalidInput("must be a number", field=name) from None


def optional_int(form: dict[str, str], name: str) -> int | None:
    raw = text(form, name)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput("must be a whole number", field=name)
    return int(raw)


def required_date(form: dict[str, str], name: str) -> date:
    raw = text(form, name)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("must be a date (YYYY-MM-DD)", field=name) from None


async def form_values(request: Request) -> dict[str, str]:
    """The submitted form's text fields (file uploads are not part of these forms)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def on_form_field(error: InvalidInput, names: Mapping[str, str]) -> InvalidInput:
    """``error`` naming the form's field (``bp_systolic``) instead of the engine's input path
    (``resting_bp[0]``), so that the page shows the message beside the field the person filled in.
    ``names`` maps an engine path, or its part before ``[``, to the form's field."""
    field = error.field or ""
    name = names.get(field) or names.get(field.split("[")[0])
    return error if name is None else InvalidInput(error.message, field=name)
