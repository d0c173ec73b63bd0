"""The treatment-history form: the episode (start, severity) and each treatment of it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from stride.clinical.trd import antidepressants, severity_levels
from stride.domain.treatment import TreatmentKind
from stride.errors import InvalidInput
from stride.services.treatment import NewTreatment
from stride.web import forms
from stride.web.api.schemas import Id
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
    record = svc.patients.get(caller, patient_id, for_edit=True)
    history = svc.treatment.history(caller, patient_id)
    return render(
        request,
        "clinical/treatment.html",
        status_code=422 if error else 200,
        record=record,
        history=history,
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
        svc.treatment.set_episode(
            caller,
            patient_id,
            episode_start=forms.required_date(values, "episode_start"),
            severity=forms.text(values, "severity"),
        )
    except InvalidInput as exc:
        return _page(request, svc, caller, patient_id, error=exc, values=values)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/treatment"), status_code=303)


@router.post("/patients/{patient_id}/treatment")
async def add_treatment(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        kind = forms.text(values, "kind")
        if kind not in {k.value for k in TreatmentKind}:
            raise InvalidInput("choose one of the options", field="kind")
        adherent = {"yes": True, "no": False}.get(forms.text(values, "adherent"))
        new = NewTreatment(
            kind=TreatmentKind(kind),
            drug=forms.optional_text(values, "drug"),
            daily_dose_mg=forms.optional_float(values, "daily_dose_mg"),
            start_date=forms.required_date(values, "start_date") if values.get("start_date") else None,
            weeks=forms.optional_float(values, "weeks"),
            adherent=adherent,
            improvement_pct=forms.optional_float(values, "improvement_pct"),
            note=forms.optional_text(values, "note"),
        )
        supersedes = forms.optional_int(values, "supersedes")
        svc.treatment.add(
            caller,
            patient_id,
            new,
            supersedes=supersedes,
            reason=values.get("reason"),
            retract=values.get("retract") == "on",
        )
    except InvalidInput as exc:
        return _page(request, svc, caller, patient_id, error=exc, values=values)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/treatment"), status_code=303)
