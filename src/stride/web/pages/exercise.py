"""Exercise safety screening pages: the form (prefilled with what Stride knows) and the decision."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from stride.clinical.safety import screening_rules
from stride.errors import InvalidInput
from stride.web import forms
from stride.web.api.schemas import Id
from stride.web.deps import PageCaller, Svc
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


def _answers(form: FormData) -> dict[str, object]:
    """The form as the screening input: checkboxes become lists, blanks become 'not given'."""

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def number(name: str) -> int | str | None:
        raw = text(name)
        return None if not raw else int(raw) if raw.isdigit() and len(raw) < 5 else raw

    bp = (number("bp_systolic"), number("bp_diastolic"))
    parq = {q: text(q) == "yes" for q in screening_rules().parq.questions if text(q) in ("yes", "no")}
    return {
        "currently_active": text("currently_active") == "yes",
        "known_disease": [v for v in form.getlist("known_disease") if isinstance(v, str)],
        "symptoms": [v for v in form.getlist("symptoms") if isinstance(v, str)],
        "desired_intensity": text("desired_intensity"),
        "resting_bp": None if bp == (None, None) else list(bp),
        "parq": parq,
        "phq9_item9": number("phq9_item9"),
        "cssrs_risk": text("cssrs_risk") or None,
        "medications": [m.strip() for m in text("medications").split(",") if m.strip()],
        "conditions": [v for v in form.getlist("conditions") if isinstance(v, str)],
    }


# The screening engine's input paths, as the form names its fields.
_FORM_FIELD = {"resting_bp[0]": "bp_systolic", "resting_bp[1]": "bp_diastolic", "resting_bp": "bp_systolic"}


def _page(
    request: Request,
    svc: Svc,
    caller: PageCaller,
    patient_id: int,
    *,
    values: dict[str, object],
    error: InvalidInput | None = None,
) -> Response:
    record = svc.patients.get(caller, patient_id, for_edit=True)
    status = svc.screening.status(caller, patient_id)
    return render(
        request,
        "exercise/screening.html",
        status_code=422 if error else 200,
        record=record,
        status=status,
        values=values,
        error=error,
        rules=screening_rules(),
    )


@router.get("/patients/{patient_id}/screening")
def screening_form(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _page(request, svc, caller, patient_id, values=svc.screening.known_answers(caller, patient_id))


@router.post("/patients/{patient_id}/screening")
async def record_screening(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    answers = _answers(await request.form())
    try:
        svc.screening.record(caller, patient_id, answers)
    except InvalidInput as exc:
        error = forms.on_form_field(exc, _FORM_FIELD)
        return _page(request, svc, caller, patient_id, values=answers, error=error)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/screening#decision"), status_code=303)
