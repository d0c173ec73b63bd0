"""The treatment-history form: the episode (start, severity) and each treatment of it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from stride.clinical.trd import antidepressants, severity_levels
from stride.domain.treatment import TreatmentKind
from stride.errors import InvalidInput
from stride.web import forms
from stride.web.api.schemas import Id
from stride.web.api.schemas_treatment import EpisodeUpdate, TreatmentCreate
from stride.web.deps import PageCaller, Svc
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    svc: Svc,
    caller: PageCaller,
    patient_id: int,
    *,
    error: InvalidInput | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    form = svc.record.treatment_form(caller, patient_id)
    return render(
        request,
        "clinical/treatment.html",
        status_code=422 if error else 200,
        record=form.record,
        history=form.history,
        error=error,
        values=values or {},
        kinds=list(TreatmentKind),
        severities=severity_levels(),
        drugs=sorted(antidepressants()),
    )


@router.get("/patients/{patient_id}/treatment")
def treatment_form(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _page(request, svc, caller, patient_id)


@router.post("/patients/{patient_id}/episode")
async def set_episode(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        sent = forms.parse(EpisodeUpdate, values)
        svc.treatment.set_episode(
            caller, patient_id, episode_start=sent.episode_start, severity=sent.severity
        )
    except InvalidInput as exc:
        return _page(request, svc, caller, patient_id, error=exc, values=values)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/treatment"), status_code=303)


@router.post("/patients/{patient_id}/treatment")
async def add_treatment(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        body = forms.parse(TreatmentCreate, values)
        svc.treatment.add(
            caller,
            patient_id,
            body.new(),
            supersedes=body.supersedes,
            reason=body.reason,
            retract=body.retract,
        )
    except InvalidInput as exc:
        return _page(request, svc, caller, patient_id, error=exc, values=values)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/treatment"), status_code=303)
