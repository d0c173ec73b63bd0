"""HTML forms read by the API's own Pydantic models, naming the form's field when a value is wrong.

A page does not re-check what the API's ``XCreate`` model already checks: ``parse`` gives the form's
text to the same model (in lax mode, so ``"64"`` is read as a number and ``"yes"`` as true, as a form
can only send text) and turns the model's first complaint into an ``InvalidInput`` on the form's
field, in words the page shows beside it.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from fastapi import Request
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.datastructures import FormData

from stride.errors import InvalidInput
from stride.web.api.schemas import MAX_ID

M = TypeVar("M", bound=BaseModel)
Form = FormData | Mapping[str, str]


def text(form: Form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional_text(form: Form, name: str) -> str | None:
    return text(form, name) or None


def texts(form: Form, name: str) -> list[str]:
    """The non-blank values of a repeated field (tick boxes, a multiple select)."""
    values = form.getlist(name) if isinstance(form, FormData) else [form.get(name)]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


async def form_values(request: Request) -> dict[str, str]:
    """The submitted form's text fields (file uploads are not part of these forms)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def _kind(annotation: Any) -> type | None:
    """``list``, ``float`` or ``None`` for a field's type (``X | None`` read as ``X``)."""
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        annotation = inner[0] if len(inner) == 1 else None
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is list or annotation is list:
        return list
    return float if annotation is float else None


def model_input(model: type[BaseModel], form: Form) -> dict[str, object]:
    """The form's values for the model's fields. A blank optional field is left out (the model's
    default: not given); a repeated field is a list; a decimal may be written with a comma."""
    data: dict[str, object] = {}
    for name, info in model.model_fields.items():
        kind = _kind(info.annotation)
        if kind is list:
            data[name] = texts(form, name)
            continue
        value = text(form, name)
        if not value and not info.is_required():
            continue
        data[name] = value.replace(",", ".") if kind is float else value
    return data


def parse(
    model: type[M],
    form: Form,
    *,
    names: Mapping[str, str] | None = None,
    said: Mapping[str, str] | None = None,
    **shaped: object,
) -> M:
    """``model`` built from ``form``. ``shaped``: values the page puts together itself (two boxes
    of a blood pressure, a comma-separated list), given as the model takes them. ``names`` maps the
    model's field path (``resting_bp[0]``, or its part before ``[``) to the form's field; ``said``
    gives a field's message where the general one would not help (a questionnaire's answers)."""
    return validate(model, {**model_input(model, form), **shaped}, names=names, said=said)


def validate(
    model: type[M],
    data: Mapping[str, object],
    *,
    names: Mapping[str, str] | None = None,
    said: Mapping[str, str] | None = None,
) -> M:
    """``model`` from ``data`` already shaped like it, the first problem as the form field's error."""
    try:
        return model.model_validate(data, strict=False)
    except ValidationError as exc:
        raise _on_field(exc.errors()[0], names or {}, said or {}) from None


def _on_field(error: Mapping[str, Any], names: Mapping[str, str], said: Mapping[str, str]) -> InvalidInput:
    loc = tuple(error.get("loc", ()))
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    own = next((str(p) for p in reversed(loc) if isinstance(p, str)), path)
    field = names.get(path) or names.get(path.split("[")[0]) or own
    message = said.get(loc[0] if loc else "") if said else None
    return InvalidInput(message or _message(error), field=field)


_KINDS = (
    ("int_", "must be a whole number"),
    ("float_", "must be a number"),
    ("finite_number", "must be a number"),
    ("datetime_", "must be a date and time (YYYY-MM-DD HH:MM)"),
    ("date_", "must be a date (YYYY-MM-DD)"),
    ("enum", "choose one of the options"),
    ("literal_", "choose one of the options"),
    ("bool_", "choose one of the options"),
)


def _message(error: Mapping[str, Any]) -> str:
    """What is wrong, in the words of the form (not Pydantic's codes)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing" or (error.get("input") == "" and kind != "string_too_long"):
        return "this is required"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"must be {'at least' if kind == 'greater_than_equal' else 'at most'} {bound}"
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" else "items"
        return f"must be at most {ctx.get('max_length')} {unit}"
    if kind in ("enum", "literal_error") and ctx.get("expected"):
        # Only a hand-made request sends a value its select does not offer: name the offered ones.
        return f"unknown choice {error.get('input')!r}; one of {ctx['expected']}"
    for prefix, message in _KINDS:
        if kind.startswith(prefix):
            return message
    return str(error.get("msg", "is not valid"))


_RECORD_ID: TypeAdapter[int] = TypeAdapter(Annotated[int, Field(ge=1, le=MAX_ID)])


def record_id(form: Form, name: str, *, missing: str) -> int:
    """The record chosen in a select (a clinician, a patient), checked as the API checks its ids."""
    raw = text(form, name)
    if not raw:
        raise InvalidInput(missing, field=name)
    try:
        return _RECORD_ID.validate_python(raw, strict=False)
    except ValidationError as exc:
        raise _on_field({**exc.errors()[0], "loc": (name,)}, {}, {}) from None


def on_form_field(error: InvalidInput, names: Mapping[str, str]) -> InvalidInput:
    """``error`` naming the form's field (``bp_systolic``) instead of the engine's input path
    (``resting_bp[0]``), so that the page shows the message beside the field the person filled in.
    ``names`` maps an engine path, or its part before ``[``, to the form's field."""
    field = error.field or ""
    name = names.get(field) or names.get(field.split("[")[0])
    return error if name is None else InvalidInput(error.message, field=name)
