"""Exercise plans: the builder (a protocol or the recommendation, adjusted to the patient), the plan
with its rationale (printable) and its resume after a safety alert, and the protocol library with
CERT reports."""

from __future__ import annotations

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from stride.clinical.prescription import (
    RECOMMEND,
    SETTINGS,
    SYMPTOMS_MOOD,
    Refusal,
    cert_report,
    get_protocol,
    prescription_rules,
    protocol_ids,
)
from stride.domain.plan_weeks import ResumeMode
from stride.domain.warning_signs import cardiac_warning
from stride.errors import InvalidInput, NotFound
from stride.services.plans import PlanRequest
from stride.web import forms
from stride.web.api.schemas import Id
from stride.web.api.schemas_plans import PlanCreate
from stride.web.deps import PageCaller, Svc
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


def _request(form: FormData) -> PlanRequest:
    """The builder's form as the API's plan request; a blank choice is the builder's default."""
    modalities = [m for m in (forms.text(form, f"modality_{i}") for i in (1, 2, 3)) if m]
    sent = forms.parse(
        PlanCreate,
        form,
        protocol=forms.text(form, "protocol") or RECOMMEND,
        setting=forms.text(form, "setting") or "home",
        minutes=forms.text(form, "minutes") or "45",
        modalities=list(dict.fromkeys(modalities)),
    )
    return sent.request()


# The engine names its input's fields; the builder's form names them like this.
_FORM_FIELD = {
    "preferences.days": "days",
    "preferences.minutes": "minutes",
    "preferences.setting": "setting",
    "preferences.modalities": "modalities",
    "symptoms_mood": "mood_symptoms",
}


def _builder(
    request: Request,
    svc: Svc,
    caller: PageCaller,
    patient_id: int,
    *,
    form: FormData | None = None,
    error: InvalidInput | None = None,
    refusal: Refusal | None = None,
    prefill: dict[str, str] | None = None,
) -> Response:
    builder = svc.record.plan_builder(caller, patient_id)
    return render(
        request,
        "exercise/builder.html",
        status_code=422 if error or refusal else 200,
        record=builder.record,
        status=builder.status,
        current=builder.current,
        protocols=[get_protocol(i) for i in protocol_ids()],
        days=prescription_rules().schedule.days,
        settings=SETTINGS,
        mood_symptoms=SYMPTOMS_MOOD,
        error=error,
        refusal=refusal,
        today=builder.today,
        # What the clinician submitted is shown again; a first visit gets the defaults (and the
        # reason given on the plan page when the plan resumes with a new prescription).
        values={k: v for k, v in form.items() if isinstance(v, str)}
        if form is not None
        else dict(prefill or {}),
        chosen_days=form.getlist("days") if form is not None else ["mon", "wed", "fri"],
        chosen_symptoms=form.getlist("mood_symptoms") if form is not None else [],
    )


@router.get("/patients/{patient_id}/plan/new")
def plan_builder(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _builder(request, svc, caller, patient_id)


@router.post("/patients/{patient_id}/plan/new")
async def build_plan(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    form = await request.form()
    try:
        result = svc.plans.build(caller, patient_id, _request(form))
    except InvalidInput as exc:
        return _builder(
            request, svc, caller, patient_id, form=form, error=forms.on_form_field(exc, _FORM_FIELD)
        )
    if isinstance(result, Refusal):
        return _builder(request, svc, caller, patient_id, form=form, refusal=result)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/plan"), status_code=303)


def _plan_page(
    request: Request,
    svc: Svc,
    caller: PageCaller,
    patient_id: int,
    *,
    error: InvalidInput | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    page = svc.record.plan_page(caller, patient_id)
    return render(
        request,
        "exercise/plan.html",
        status_code=422 if error else 200,
        view=page.view,
        record=page.record,
        warning=cardiac_warning(),
        error=error,
        values=values or {},
        resumed=request.query_params.get("resumed") == "1",
    )


@router.get("/patients/{patient_id}/plan")
def plan_page(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _plan_page(request, svc, caller, patient_id)


@router.post("/patients/{patient_id}/plan/resume")
async def resume_plan(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    mode, reason = values.get("mode", ""), values.get("reason", "")
    if mode == ResumeMode.NEW_PRESCRIPTION.value:
        # A new prescription is a new version, made in the builder (which checks who may; nothing
        # is stored yet): the builder is shown with the reason given here (kept out of the URL),
        # and the version it makes records the resume.
        return _builder(request, svc, caller, patient_id, prefill={"reason": reason.strip()})
    try:
        svc.plans.resume(caller, patient_id, mode=mode, reason=reason)
    except InvalidInput as exc:
        return _plan_page(request, svc, caller, patient_id, error=exc, values=values)
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}/plan?resumed=1"), status_code=303)


@router.get("/protocols")
def protocol_library(request: Request, caller: PageCaller) -> Response:
    caller.require_actor()
    return render(request, "exercise/protocols.html", protocols=[get_protocol(i) for i in protocol_ids()])


@router.get("/protocols/{protocol_id}")
def protocol_cert(request: Request, protocol_id: str, caller: PageCaller) -> Response:
    caller.require_actor()
    if protocol_id not in protocol_ids():
        raise NotFound(f"no protocol {protocol_id!r}")
    protocol = get_protocol(protocol_id)
    body = Markup(cert_report(protocol, fmt="html_fragment"))  # noqa: S704 - cert_report escapes every value
    return render(request, "exercise/protocol.html", protocol=protocol, body=body)
