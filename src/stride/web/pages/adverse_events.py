"""Adverse events: the report form with the patient's events (the stop-and-seek-care guidance shown
at once when a cardiac warning sign is ticked or named), and the events counted per protocol."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from stride.clinical.prescription import get_protocol, protocol_ids
from stride.domain.activity import AdverseEvent, AdverseEventEntry, Severity
from stride.domain.warning_signs import cardiac_warning, signs_mentioned
from stride.errors import InvalidInput
from stride.services.context import Caller
from stride.services.registry import Services
from stride.web import forms
from stride.web.api.schemas import Id
from stride.web.api.schemas_activity import AdverseEventCreate
from stride.web.deps import PageCaller, Svc
from stride.web.pages.activity_forms import OptionalQuery, form_zone, in_zone, localiser, now_local
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)

_SIGN_FIELD = "warning_sign."


def _adverse_entry(values: dict[str, str]) -> AdverseEventEntry:
    tz = form_zone(forms.text(values, "timezone"), field="occurred_at")
    # One tick box per sign, named warning_sign.<code>, so that a form sent back keeps them.
    signs = [k.removeprefix(_SIGN_FIELD) for k, v in values.items() if k.startswith(_SIGN_FIELD) and v]
    sent = forms.parse(AdverseEventCreate, values, warning_signs=signs)
    return replace(sent.entry(), occurred_at=in_zone(sent.occurred_at, tz))


def _adverse_page(
    request: Request,
    svc: Services,
    caller: Caller,
    patient_id: int,
    *,
    values: dict[str, str] | None = None,
    error: InvalidInput | None = None,
    session_id: str | None = None,
) -> Response:
    page = svc.activity.adverse_events_page(caller, patient_id)
    events, record = page.events, page.record
    tz_name = record.patient.details.timezone
    now = now_local(svc, tz_name)
    signs = _signs_reported(events, request.query_params.get("event", "")) if error is None else ()
    return render(
        request,
        "activity/adverse_events.html",
        status_code=422 if error else 200,
        events=events,
        record=record,
        severities=[s.value for s in Severity],
        values=values or {"occurred_at": now, "timezone": tz_name, "session_id": session_id or ""},
        now=now,
        error=error,
        local=localiser(tz_name),
        saved=request.query_params.get("saved") in ("1", "alerted"),
        alerted=request.query_params.get("saved") == "alerted",
        warning=cardiac_warning(),
        signs_named=signs,
        crisis=page.crisis,
        sign_field=_SIGN_FIELD,
    )


def _signs_reported(events: list[AdverseEvent], event_id: str) -> tuple[str, ...]:
    """The cardiac warning signs the event just reported ticked or named: the stop-and-seek-care
    guidance then comes up at once, above everything else."""
    reported = next((e for e in events if str(e.id) == event_id), None)
    return (
        tuple(dict.fromkeys(reported.warning_signs + signs_mentioned(reported.description)))
        if reported
        else ()
    )


@router.get("/patients/{patient_id}/activity/adverse-events")
def adverse_events_page(
    request: Request, patient_id: Id, caller: PageCaller, svc: Svc, session_id: OptionalQuery = None
) -> Response:
    prefill = session_id if session_id and session_id.isdigit() and len(session_id) < 12 else None
    return _adverse_page(request, svc, caller, patient_id, session_id=prefill)


@router.post("/patients/{patient_id}/activity/adverse-events")
async def report_adverse_event(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        entry = _adverse_entry(values)
        event = await run_in_threadpool(svc.activity.report_adverse_event, caller, patient_id, entry)
    except InvalidInput as exc:
        return await run_in_threadpool(
            _adverse_page, request, svc, caller, patient_id, values=values, error=exc
        )
    saved = "alerted" if event.alerts_care_team else "1"
    target = f"/patients/{patient_id}/activity/adverse-events?saved={saved}&event={event.id}#saved"
    return RedirectResponse(prefixed(request, target), status_code=303)


@router.get("/activity/adverse-events/summary")
def adverse_event_summary(request: Request, caller: PageCaller, svc: Svc) -> Response:
    counts = svc.activity.adverse_event_counts(caller)
    names = {pid: get_protocol(pid).name for pid in protocol_ids()}
    totals = {s.value: sum(p.by_severity.get(s.value, 0) for p in counts) for s in Severity}
    return render(
        request,
        "activity/adverse_summary.html",
        counts=counts,
        names=names,
        severities=[s.value for s in Severity],
        totals=totals,
        total=sum(totals.values()),
    )
