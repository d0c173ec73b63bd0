"""Measurement-based care pages: answer a questionnaire, see the result (with crisis guidance
when an answer raises a safety concern), correct a response, schedules, alerts (the inbox, and an
alert's own page where it is resolved), dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from stride.clinical.measurement import Instrument, get_instrument, instrument_ids
from stride.domain.measurements import AlertDecision
from stride.errors import InvalidInput, NotFound
from stride.web import forms
from stride.web.api.schemas import Id
from stride.web.api.schemas_alerts import AlertAcknowledge, AlertResolve
from stride.web.api.schemas_measurement import CorrectionCreate, ResponseCreate, ScheduleUpdate
from stride.web.deps import PageCaller, Svc
from stride.web.reference import reference_html
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


def _answers(values: dict[str, str], instrument: Instrument) -> dict[str, str | None]:
    """The form's answer to each item (blank: not answered), as the API model takes them."""
    return {item.id: values.get(item.id, "").strip() or None for item in instrument.items}


# A questionnaire's answers are radio buttons: a wrong one is a wrong choice, not a wrong number.
_ANSWERS_SAID = {"answers": "choose one of the answers"}


def _instrument(instrument_id: str) -> Instrument:
    """The questionnaire of the address; a page that does not exist for an unknown one (the
    engine's error lists the instruments' codes, which are not for people)."""
    if instrument_id not in instrument_ids():
        raise NotFound("There is no such questionnaire.")
    return get_instrument(instrument_id)


@router.get("/patients/{patient_id}/questionnaires/{instrument_id}")
def questionnaire_form(
    request: Request, patient_id: Id, instrument_id: str, caller: PageCaller, svc: Svc
) -> Response:
    instrument = _instrument(instrument_id)
    svc.measurements.ensure_may_submit(caller, patient_id, instrument.id)
    return render(
        request,
        "clinical/questionnaire.html",
        instrument=instrument,
        patient_id=patient_id,
        values={},
        correcting=None,
    )


@router.post("/patients/{patient_id}/questionnaires/{instrument_id}")
async def submit_questionnaire(
    request: Request, patient_id: Id, instrument_id: str, caller: PageCaller, svc: Svc
) -> Response:
    instrument = _instrument(instrument_id)
    values = await forms.form_values(request)
    try:
        sent = forms.parse(
            ResponseCreate,
            values,
            said=_ANSWERS_SAID,
            instrument=instrument.id,
            answers=_answers(values, instrument),
        )
        done = svc.measurements.submit(
            caller, patient_id, sent.instrument, sent.answers, answered_on=sent.answered_on
        )
    except InvalidInput as exc:
        return render(
            request,
            "clinical/questionnaire.html",
            status_code=422,
            instrument=instrument,
            patient_id=patient_id,
            values=values,
            error=exc,
            correcting=None,
        )
    return RedirectResponse(prefixed(request, f"/responses/{done.response.id}"), status_code=303)


@router.get("/responses/{response_id}")
def response_result(request: Request, response_id: Id, caller: PageCaller, svc: Svc) -> Response:
    view = svc.measurements.view(caller, response_id)
    return render(request, "clinical/result.html", view=view, response=view.current)


@router.get("/responses/{response_id}/correct")
def correction_form(request: Request, response_id: Id, caller: PageCaller, svc: Svc) -> Response:
    view = svc.measurements.correction_view(caller, response_id)
    values = {k: "" if v is None else str(v) for k, v in view.current.answers.items()}
    return render(
        request,
        "clinical/questionnaire.html",
        instrument=view.instrument,
        patient_id=view.current.patient_id,
        values=values,
        correcting=view.current,
    )


@router.post("/responses/{response_id}/correct")
async def correct_response(request: Request, response_id: Id, caller: PageCaller, svc: Svc) -> Response:
    view = svc.measurements.view(caller, response_id)
    values = await forms.form_values(request)
    try:
        sent = forms.parse(
            CorrectionCreate, values, said=_ANSWERS_SAID, answers=_answers(values, view.instrument)
        )
        done = svc.measurements.correct(caller, response_id, sent.answers, reason=sent.reason)
    except InvalidInput as exc:
        return render(
            request,
            "clinical/questionnaire.html",
            status_code=422,
            instrument=view.instrument,
            patient_id=view.current.patient_id,
            values=values,
            error=exc,
            correcting=view.current,
        )
    return RedirectResponse(prefixed(request, f"/responses/{done.response.id}"), status_code=303)


@router.post("/patients/{patient_id}/schedule")
async def set_schedule(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    sent = forms.parse(ScheduleUpdate, values)
    svc.schedules.set(
        caller,
        patient_id,
        instrument=get_instrument(forms.text(values, "instrument")).id,
        every_days=sent.every_days,
        start_date=sent.start_date,
        active=sent.active,
    )
    return RedirectResponse(prefixed(request, f"/patients/{patient_id}#questionnaires"), status_code=303)


@router.get("/alerts")
def alert_inbox(request: Request, caller: PageCaller, svc: Svc) -> Response:
    show_all = request.query_params.get("all") == "1"
    alerts = svc.alerts.inbox(caller, active_only=not show_all)
    return render(request, "clinical/alerts.html", alerts=alerts, show_all=show_all)


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge_alert(request: Request, alert_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        sent = forms.parse(AlertAcknowledge, values)
        svc.alerts.acknowledge(caller, alert_id, note=sent.note)
    except InvalidInput as exc:
        # The form comes back where it was sent from, with what was typed kept.
        if values.get("back") == f"/alerts/{alert_id}":
            return _alert_page(request, svc, caller, alert_id, error=exc, values=values)
        alerts = svc.alerts.inbox(caller)
        return render(
            request,
            "clinical/alerts.html",
            status_code=422,
            alerts=alerts,
            show_all=False,
            error=exc,
            failed_alert=alert_id,
            values=values,
        )
    back = values.get("back", "")
    target = back if back.startswith(("/patients/", "/alerts/")) else "/alerts"
    return RedirectResponse(prefixed(request, f"{target}"), status_code=303)


def _alert_page(
    request: Request,
    svc: Svc,
    caller: PageCaller,
    alert_id: int,
    *,
    error: InvalidInput | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    item = svc.alerts.get(caller, alert_id)
    return render(
        request,
        "clinical/alert.html",
        status_code=422 if error else 200,
        item=item,
        decisions=list(AlertDecision),
        today=svc.deps.clock().date(),
        error=error,
        values=values or {},
    )


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _alert_page(request, svc, caller, alert_id)


@router.post("/alerts/{alert_id}/resolve")
async def resolve_alert(request: Request, alert_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        sent = forms.parse(AlertResolve, values)
        svc.alerts.resolve(
            caller, alert_id, decision=sent.decision, reason=sent.reason, next_review_on=sent.next_review_on
        )
    except InvalidInput as exc:
        return _alert_page(request, svc, caller, alert_id, error=exc, values=values)
    return RedirectResponse(prefixed(request, f"/alerts/{alert_id}?resolved=1"), status_code=303)


@router.get("/dashboard")
def dashboard(request: Request, caller: PageCaller, svc: Svc) -> Response:
    view = svc.alerts.dashboard(caller)
    return render(request, "clinical/dashboard.html", alerts=view.alerts, due=view.due, today=view.today)


@router.get("/reference")
def reference(request: Request, caller: PageCaller) -> Response:
    """Every instrument, threshold and rule with its source (the same text as ``stride reference``)."""
    return render(request, "reference.html", body=reference_html())
