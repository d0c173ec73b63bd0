"""Exercise safety screening pages: the form (prefilled with what Stride knows) and the decision."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from stride.clinical.safety import screening_rules
from stride.errors import InvalidInput
from stride.web import forms
from stride.web.api.schemas import Id
from stride.web.api.schemas_exercise import ScreeningCreate
from stride.web.deps import PageCaller, Svc
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


def _answers(form: FormData) -> dict[str, object]:
    """The form shaped as the screening input (checkboxes as lists, blanks as 'not given'), for the
    API's model to read: yes/no selects, the two boxes of the blood pressure, the PAR-Q+ radios."""
    text = partial(forms.text, form)
    bp = [text("bp_systolic") or None, text("bp_diastolic") or None]
    parq = {q: text(q) for q in screening_rules().parq.questions if text(q) in ("yes", "no")}
    return {
        **forms.model_input(ScreeningCreate, form),
        "currently_active": text("currently_active") == "yes",
        "resting_bp": None if bp == [None, None] else bp,
        "parq": parq,
        "medications": [m.strip() for m in text("medications").split(",") if m.strip()],
    }


# The screening engine's input paths, as the form names its fields.
_FORM_FIELD = {"resting_bp[0]": "bp_systolic", "resting_bp[1]": "bp_diastolic", "resting_bp": "bp_systolic"}


def _page(
    request: Request,
    svc: Svc,
    caller: PageCaller,
    patient_id: int,
    *,
    values: dict[str, object] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    """The form; ``values``: what the clinician sent (None: prefilled with what Stride knows)."""
    form = svc.record.screening_form(caller, patient_id, prefill=values is None)
    return render(
        request,
        "exercise/screening.html",
        status_code=422 if error else 200,
        record=form.record,
        status=form.status,
        values=form.known if values is None else values,
        error=error,
        rules=screening_rules(),
    )


@router.get("/patients/{patient_id}/screening")
def screening_form(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _page(request, svc, caller, patient_id)


@router.post("/patients/{patient_id}/screening")
async def record_screening(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    answers = _answers(await request.form())
    try:
        sent = forms.validate(ScreeningCreate, answers, names=_FORM_FIELD)
        answers = sent.answers()  # what was typed comes back as read, if the engine refuses it
        svc.screening.record(caller, patient_id, answers)
    except InvalidInput as exc:
        error = forms.on_form_field(exc, _FORM_FIELD)
        return _page(request, svc, caller, patient_id, values=answers, error=error)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/screening#decision"), status_code=303)
