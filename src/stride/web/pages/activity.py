"""Activity pages: the week (planned vs done, adherence, zone minutes, sessions, steps, uploads), the
session log form, a session with its heart-rate curve, adverse events (per patient, and counted per
protocol), and the device-file upload with its status fragment (polled by HTMX until done).

The patient opens their own pages under their own record (``/patients/{their id}/activity``), like
the plan; the clinicians of their care team open the same pages. Times typed into a form are the
patient's local time: the form carries the timezone it showed them (the patient's, from the week
view or the record), and the answer is read in that timezone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from stride.activity.io import formats
from stride.clinical.prescription import get_protocol, protocol_ids
from stride.domain.activity import (
    AdverseEventEntry,
    ImportRecord,
    SessionEntry,
    Severity,
    StoredDose,
    StoredSession,
)
from stride.domain.dates import local_day
from stride.domain.warning_signs import cardiac_warning, signs_mentioned
from stride.errors import InvalidInput, TooLarge
from stride.services.activity import ActivityService
from stride.services.context import Caller
from stride.services.imports import ImportOutcome
from stride.services.registry import Services
from stride.web import charts, forms
from stride.web.api.activity import upload_name
from stride.web.api.schemas import Id
from stride.web.api.schemas_activity import AdverseEventCreate, SessionCreate
from stride.web.deps import PageCaller, Svc, UploadPageCaller
from stride.web.render import prefixed, render
from stride.web.uploads import receive_upload

router = APIRouter(include_in_schema=False)
# Query values are checked here, not by FastAPI, so that a bad one gets a page, not JSON.
OptionalQuery = Annotated[str | None, Query()]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


def _zone(name: str, *, field: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("the form lost its timezone: reload the page and try again", field=field) from None


def localiser(tz_name: str) -> Callable[[datetime | None, str], str]:
    """A template helper: an aware time shown in the patient's timezone."""
    tz = ZoneInfo(tz_name)

    def local(when: datetime | None, fmt: str = "%a %d %b %Y %H:%M") -> str:
        if when is None:
            return "—"
        try:
            return when.astimezone(tz).strftime(fmt)
        except OverflowError:
            # A time stored before dates were checked (year 9999 east of UTC) has no local date.
            return when.strftime(fmt) + " UTC"

    return local


def _now_local(svc: Services, tz_name: str) -> str:
    return svc.deps.clock().astimezone(ZoneInfo(tz_name)).strftime(LOCAL_FORMAT)


def _in_zone(when: datetime, tz: ZoneInfo) -> datetime:
    """A ``datetime-local`` value read in ``tz`` (a value with its own offset keeps it)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


def _week_param(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        if len(raw) > 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("the week must be given as a date (YYYY-MM-DD)", field="week") from None


# --- the week ------------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/activity")
def week_page(
    request: Request, patient_id: Id, caller: PageCaller, svc: Svc, week: OptionalQuery = None
) -> Response:
    page = svc.activity.week_page(caller, patient_id, _week_param(week))
    view, today = page.view, page.today
    logged = request.query_params.get("logged")
    return render(
        request,
        "activity/week.html",
        view=view,
        record=page.record,
        imports=page.imports[:5],
        weeks_chart=charts.planned_vs_done(view.history, current=view.week_start),
        zones_chart=charts.zone_minutes(view.zone_minutes),
        local=localiser(view.timezone),
        is_this_week=view.week_start <= today <= view.week_end,
        logged=logged,
        logged_signs=_signs_in_notes(view.sessions, logged),
        warning=cardiac_warning(),
    )


def _signs_in_notes(sessions: list[StoredSession], session_id: str | None) -> tuple[str, ...]:
    """The cardiac warning signs named in the notes of the session just logged (none otherwise)."""
    logged = next((s for s in sessions if str(s.id) == session_id), None)
    return signs_mentioned(logged.notes) if logged else ()


# --- logging a session -----------------------------------------------------------------------------


def _session_entry(values: dict[str, str]) -> SessionEntry:
    tz = _zone(forms.text(values, "timezone"), field="start")
    sent = forms.parse(SessionCreate, values)
    return replace(sent.entry(), start=_in_zone(sent.start, tz))


def _session_form(
    request: Request,
    svc: Services,
    caller: Caller,
    patient_id: int,
    *,
    values: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    # The week view refuses whoever may not log for this patient (the same rule), and gives the
    # patient's timezone and this week's planned sessions to log against.
    view = svc.activity.week(caller, patient_id)
    now = _now_local(svc, view.timezone)
    return render(
        request,
        "activity/session_form.html",
        status_code=422 if error else 200,
        view=view,
        patient_id=patient_id,
        sports=ActivityService.sports(),
        values=values or {"start": now, "timezone": view.timezone},
        now=now,
        error=error,
    )


@router.get("/patients/{patient_id}/activity/sessions/new")
def session_form(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _session_form(request, svc, caller, patient_id)


@router.post("/patients/{patient_id}/activity/sessions/new")
async def log_session(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        entry = _session_entry(values)
        stored = await run_in_threadpool(svc.activity.log_session, caller, patient_id, entry)
    except InvalidInput as exc:
        return await run_in_threadpool(
            _session_form, request, svc, caller, patient_id, values=values, error=exc
        )
    day = stored.start.astimezone(entry.start.tzinfo).date()  # any day of a week names the week
    target = f"/patients/{patient_id}/activity?week={day.isoformat()}&logged={stored.id}#sessions"
    return RedirectResponse(prefixed(request, target), status_code=303)


# --- one session ---------------------------------------------------------------------------------


@router.get("/activity/sessions/{session_id}")
def session_page(request: Request, session_id: Id, caller: PageCaller, svc: Svc) -> Response:
    detail = svc.activity.session(caller, session_id)
    return render(
        request,
        "activity/session.html",
        detail=detail,
        s=detail.session,
        day=local_day(detail.session.start, ZoneInfo(detail.timezone)),
        hr_chart=charts.hr_curve(detail.hr_curve, detail.target_band),
        zones_chart=charts.zone_minutes(detail.zone_minutes, chart_id="session-zones"),
        local=localiser(detail.timezone),
        dose=_dose_rows(detail.session.dose),
        notes_signs=signs_mentioned(detail.session.notes),
        warning=cardiac_warning(),
    )


DOSE_LABELS = {  # the stored dose's keys, in the order shown; unknown keys follow as they are
    "method": "Worked out from",
    "duration_minutes": "Minutes",
    "moderate_minutes": "Moderate minutes",
    "vigorous_minutes": "Vigorous minutes",
    "moderate_equivalent_minutes": "Moderate-equivalent minutes",
    "minutes_in_target": "Minutes in the target band",
    "met_minutes": "MET-minutes",
    "kcal_per_kg": "kcal per kg",
    "hr_coverage": "Heart-rate coverage",
    "met_source": "MET values from",
}
UNKNOWN_DOSE_KEYS = ("met_minutes", "kcal_per_kg")
METHODS = {"hr": "heart rate", "rpe": "effort (RPE)", "met": "the activity (METs)"}


def _dose_rows(stored: StoredDose | None) -> list[tuple[str, str]]:
    """The session's dose as label/value rows for reading (the minutes per zone have their chart)."""

    def show(key: str, value: object) -> str:
        if value is None:
            return "dose unknown" if key in UNKNOWN_DOSE_KEYS else "—"
        if key == "method":
            return METHODS.get(str(value), str(value))
        if key == "hr_coverage" and isinstance(value, int | float):
            return f"{value * 100:.0f} %"
        if isinstance(value, float):
            return f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
        return str(value).replace("_", " ")

    dose = {} if stored is None else stored.as_dict()
    keys = [k for k in DOSE_LABELS if k in dose] + [k for k in dose if k not in DOSE_LABELS]
    return [
        (DOSE_LABELS.get(k, k.replace("_", " ").capitalize()), show(k, dose[k]))
        for k in keys
        if not isinstance(dose[k], dict | list) and not (k == "met_source" and dose[k] is None)
    ]


# --- adverse events ------------------------------------------------------------------------------


_SIGN_FIELD = "warning_sign."


def _adverse_entry(values: dict[str, str]) -> AdverseEventEntry:
    tz = _zone(forms.text(values, "timezone"), field="occurred_at")
    # One tick box per sign, named warning_sign.<code>, so that a form sent back keeps them.
    signs = [k.removeprefix(_SIGN_FIELD) for k, v in values.items() if k.startswith(_SIGN_FIELD) and v]
    sent = forms.parse(AdverseEventCreate, values, warning_signs=signs)
    return replace(sent.entry(), occurred_at=_in_zone(sent.occurred_at, tz))


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
    now = _now_local(svc, tz_name)
    # The event just reported, when it ticked or named a cardiac warning sign: the stop-and-seek-care
    # guidance comes up at once, above everything else.
    just_reported = request.query_params.get("event", "")
    reported = next((e for e in events if str(e.id) == just_reported), None)
    signs = (
        tuple(dict.fromkeys(reported.warning_signs + signs_mentioned(reported.description)))
        if reported and error is None
        else ()
    )
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


# --- uploads -------------------------------------------------------------------------------------


def _upload_page(
    request: Request,
    *,
    patient_id: int,
    imports: list[ImportRecord] | None,
    outcome: ImportOutcome | None = None,
    error: InvalidInput | TooLarge | None = None,
) -> Response:
    status = (413 if isinstance(error, TooLarge) else 422) if error else 200
    if outcome is not None and not outcome.already_imported:
        status = 202
    return render(
        request,
        "activity/import.html",
        status_code=status,
        patient_id=patient_id,
        imports=imports or [],
        outcome=outcome,
        error=error,
        accept=formats.accept(),
        formats=formats.REGISTRY,
    )


@router.get("/patients/{patient_id}/activity/import")
def upload_page(request: Request, patient_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _upload_page(request, patient_id=patient_id, imports=svc.imports.imports(caller, patient_id))


@router.post("/patients/{patient_id}/activity/import")
async def upload(request: Request, patient_id: Id, who: UploadPageCaller, svc: Svc) -> Response:
    """The upload form (or upload.js sending the same form). Who may import is checked before the
    body is read; the body is then read within the upload limit (``stride.web.uploads``) and the
    file kept in the blob store; the answer shows the import's status."""
    caller = who.caller
    await run_in_threadpool(svc.imports.check_may_import, caller, patient_id)
    try:
        sent = await receive_upload(
            request,
            limit_mb=svc.deps.settings.max_upload_mb,
            spool_dir=svc.imports.spool_dir,
            check_fields=who.check_form_token,
        )
        with sent.file:
            outcome = await run_in_threadpool(
                svc.imports.submit_stream, caller, patient_id, sent.file, filename=upload_name(sent.filename)
            )
    except (InvalidInput, TooLarge) as exc:
        imports = await run_in_threadpool(svc.imports.imports, caller, patient_id)
        return _upload_page(request, patient_id=patient_id, imports=imports, error=exc)
    return _upload_page(request, patient_id=patient_id, imports=None, outcome=outcome)


@router.get("/activity/imports/{import_id}/status")
def import_status(
    request: Request, import_id: Id, caller: PageCaller, svc: Svc, already: OptionalQuery = None
) -> Response:
    """The status fragment (HTMX polls it every second while the import is queued or running)."""
    found = svc.imports.status(caller, import_id)
    return render(request, "activity/_import_status.html", rec=found, already=already == "1")
