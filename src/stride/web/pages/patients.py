"""Patient list with live search, the patient record, and the create / edit form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from stride.domain.accounts import Role
from stride.domain.patients import PatientDetails, Sex
from stride.errors import Conflict, InvalidInput
from stride.services.context import Caller
from stride.services.registry import Services
from stride.web import forms
from stride.web.api.schemas import Id, PatientCreate, PatientUpdate
from stride.web.charts import chart_for
from stride.web.deps import PageCaller, Svc
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)
PAGE = 25
SearchText = Annotated[str, Query(max_length=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _list_context(svc: Services, caller: Caller, q: str, offset: int) -> dict[str, Any]:
    page = svc.patients.search(caller, text=q or None, limit=PAGE, offset=offset)
    return {
        "page": page,
        "q": q,
        "prev_offset": max(0, offset - PAGE),
        "next_offset": offset + PAGE if offset + PAGE < page.total else None,
    }


@router.get("/patients")
def patient_list(
    request: Request, caller: PageCaller, svc: Svc, q: SearchText = "", offset: Offset = 0
) -> Response:
    return render(request, "patients/list.html", **_list_context(svc, caller, q, offset))


@router.get("/patients/rows")
def patient_rows(
    request: Request, caller: PageCaller, svc: Svc, q: SearchText = "", offset: Offset = 0
) -> Response:
    """The table body alone, for HTMX live search."""
    return render(request, "patients/_rows.html", **_list_context(svc, caller, q, offset))


def _form(request: Request, *, status_code: int = 200, **context: Any) -> Response:
    """The patient form; its sex options are the record's (FHIR ``AdministrativeGender``)."""
    return render(request, "patients/form.html", status_code=status_code, sexes=list(Sex), **context)


@router.get("/patients/new")
def new_patient_form(request: Request, caller: PageCaller, svc: Svc) -> Response:
    teams = svc.patients.registration_teams(caller)
    return _form(request, values={}, teams=teams, patient=None)


@router.post("/patients/new")
async def create_patient(request: Request, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        sent = forms.parse(PatientCreate, values)
        patient = svc.patients.create(caller, sent.details(), team_id=sent.team_id)
    except (InvalidInput, Conflict) as exc:
        return _form(
            request,
            status_code=422 if isinstance(exc, InvalidInput) else 409,
            values=values,
            teams=svc.patients.registration_teams(caller),
            patient=None,
            error=exc,
        )
    return RedirectResponse(prefixed(request, f"/patients/{patient.id}?saved=1"), status_code=303)


@router.get("/patients/{patient_id}")
def patient_record(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    page = svc.record.page(caller, patient_id)
    overview, today = page.overview, page.today
    return render(
        request,
        "patients/record.html",
        record=page.record,
        age=page.age,
        saved=request.query_params.get("saved") == "1",
        can_edit=caller.role in (Role.ADMIN, Role.CLINICIAN),
        overview=overview,
        charts=[(t, chart_for(t, today=today)) for t in overview.trajectories] if overview else [],
        instruments=page.instruments,
        today=today,
    )


@router.get("/patients/{patient_id}/edit")
def edit_patient_form(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    record = svc.patients.get(caller, patient_id, for_edit=True)
    d = record.patient.details
    values = {
        name: "" if getattr(d, name) is None else str(getattr(d, name)) for name in PatientDetails.__slots__
    }
    return _form(request, values=values, teams=[], patient=record.patient)


@router.post("/patients/{patient_id}/edit")
async def update_patient(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        svc.patients.update(caller, patient_id, forms.parse(PatientUpdate, values).details())
    except (InvalidInput, Conflict) as exc:
        record = svc.patients.get(caller, patient_id, for_edit=True)
        return _form(
            request,
            status_code=422 if isinstance(exc, InvalidInput) else 409,
            values=values,
            teams=[],
            patient=record.patient,
            error=exc,
        )
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}?saved=1"), status_code=303)
