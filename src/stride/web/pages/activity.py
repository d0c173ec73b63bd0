"""Activity pages: the week (planned vs done, adherence, zone minutes, sessions, steps, uploads), the
session log form, and a session with its heart-rate curve. Adverse events are in
:mod:`stride.web.pages.adverse_events`, device-file uploads in :mod:`stride.web.pages.activity_imports`.

The patient opens their own pages under their own record (``/patients/{their id}/activity``), like
the plan; the clinicians of their care team open the same pages. Times typed into a form are the
patient's local time: the form carries the timezone it showed them (the patient's, from the week
view or the record), and the answer is read in that timezone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from stride.domain.activity import SessionEntry, StoredDose, StoredSession
from stride.domain.dates import local_day
from stride.domain.warning_signs import cardiac_warning, signs_mentioned
from stride.errors import InvalidInput
from stride.services.activity import ActivityService
from stride.services.context import Caller
from stride.services.registry import Services
from stride.web import charts, forms
from stride.web.api.schemas import Id
from stride.web.api.schemas_activity import SessionCreate
from stride.web.deps import PageCaller, Svc
from stride.web.pages.activity_forms import OptionalQuery, form_zone, in_zone, localiser, now_local
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


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
    tz = form_zone(forms.text(values, "timezone"), field="start")
    sent = forms.parse(SessionCreate, values)
    return replace(sent.entry(), start=in_zone(sent.start, tz))


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
    now = now_local(svc, view.timezone)
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
