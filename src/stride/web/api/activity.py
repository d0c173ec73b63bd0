"""/api/v1: activity -- sessions (logged by hand or imported), adverse events and their counts per
protocol (CERT item 11), device-file imports, and a week's dose and adherence against the plan.

The patient logs, imports and reads their own activity; the clinicians of the patient's care team do
the same for them; administrators and researchers are refused (403), except that clinicians and
researchers read the adverse-event counts per protocol (aggregate, no patient data). Who may do what
is decided by the services (``stride.services.access``).

An upload (``POST /patients/{id}/imports``, multipart field ``file``) keeps the file and queues its
import: 202 with the new import (``status`` queued, or already done or failed when jobs run at once);
the same file again answers 200 with the earlier import, ``already_imported: true`` and a
``message`` ("already imported on DATE as session N; nothing added") with the session's address,
adding nothing. Poll ``GET /imports/{id}`` until ``status`` is ``done`` or ``failed`` (``error`` says why a
file could not be read; nothing of a failed file is stored). The caller is checked before the body
is read, and a body over ``STRIDE_MAX_UPLOAD_MB`` is refused with 413, keeping nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from stride.activity.io import formats
from stride.errors import InvalidInput
from stride.web.api.schemas import Id, Limit
from stride.web.api.schemas_activity import (
    AdverseEventCreate,
    AdverseEventPublic,
    ImportPublic,
    ImportSubmittedPublic,
    ProtocolEventsPublic,
    SessionCreate,
    SessionDetailPublic,
    SessionPublic,
)
from stride.web.api.schemas_weeks import WeekPublic, WeekStart
from stride.web.deps import ApiCaller, Svc
from stride.web.render import prefixed
from stride.web.uploads import receive_upload

router = APIRouter()


@router.get(
    "/patients/{patient_id}/sessions",
    response_model=list[SessionPublic],
    tags=["activity"],
    summary="The patient's sessions, newest first",
)
def list_sessions(patient_id: Id, caller: ApiCaller, svc: Svc, limit: Limit = 50) -> list[SessionPublic]:
    return [SessionPublic.of(s) for s in svc.activity.sessions(caller, patient_id, limit=limit)]


@router.post(
    "/patients/{patient_id}/sessions",
    response_model=SessionPublic,
    status_code=201,
    tags=["activity"],
    summary="Log a session by hand (its dose from RPE, average heart rate or the activity's METs)",
)
def log_session(patient_id: Id, body: SessionCreate, caller: ApiCaller, svc: Svc) -> SessionPublic:
    return SessionPublic.of(svc.activity.log_session(caller, patient_id, body.entry()))


@router.get(
    "/sessions/{session_id}",
    response_model=SessionDetailPublic,
    tags=["activity"],
    summary="A session with its heart-rate curve, the plan's target band and zone minutes",
)
def get_session(session_id: Id, caller: ApiCaller, svc: Svc) -> SessionDetailPublic:
    return SessionDetailPublic.of(svc.activity.session(caller, session_id))


@router.get(
    "/patients/{patient_id}/adverse-events",
    response_model=list[AdverseEventPublic],
    tags=["activity"],
    summary="The patient's adverse events",
)
def list_adverse_events(patient_id: Id, caller: ApiCaller, svc: Svc) -> list[AdverseEventPublic]:
    return [AdverseEventPublic.of(e) for e in svc.activity.adverse_events(caller, patient_id)]


@router.post(
    "/patients/{patient_id}/adverse-events",
    response_model=AdverseEventPublic,
    status_code=201,
    tags=["activity"],
    summary="Report an adverse event (counted against the protocol of the plan in force)",
)
def report_adverse_event(
    patient_id: Id, body: AdverseEventCreate, caller: ApiCaller, svc: Svc
) -> AdverseEventPublic:
    return AdverseEventPublic.of(svc.activity.report_adverse_event(caller, patient_id, body.entry()))


@router.get(
    "/adverse-events/summary",
    response_model=list[ProtocolEventsPublic],
    tags=["activity"],
    summary="Adverse events per protocol and severity over all patients (CERT item 11)",
)
def adverse_event_summary(caller: ApiCaller, svc: Svc) -> list[ProtocolEventsPublic]:
    return [ProtocolEventsPublic.of(p) for p in svc.activity.adverse_event_counts(caller)]


def upload_name(raw: str | None) -> str:
    """The uploaded file's own name: browsers may send a path (``C:\\fakepath\\run.fit``); control
    characters and overlong names are not kept (the column holds 255 characters)."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "upload"


# The formats are judged by content, not by the name; the list and its caps come from the registry.
_FORMATS_DESCRIPTION = "The format is detected from the file's content. Stride reads:\n\n" + "\n".join(
    f"- {spec.label} (`{spec.name}`; {', '.join(spec.extensions)})"
    + (f". Limits: {'; '.join(limit.text for limit in spec.limits)}" if spec.limits else "")
    for spec in formats.REGISTRY
)

_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary", "description": "The file"}},
            }
        }
    },
}


@router.post(
    "/patients/{patient_id}/imports",
    response_model=ImportSubmittedPublic,
    status_code=202,
    tags=["activity"],
    summary=f"Upload a device file ({formats.labels()}) to import",
    description=_FORMATS_DESCRIPTION,
    responses={
        200: {"model": ImportSubmittedPublic, "description": "The same file was imported before"},
        202: {"model": ImportSubmittedPublic, "description": "The new import (poll GET /imports/{id})"},
        413: {"description": "The body is larger than STRIDE_MAX_UPLOAD_MB"},
    },
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def submit_import(request: Request, patient_id: Id, caller: ApiCaller, svc: Svc) -> JSONResponse:
    # The body is read here, not by FastAPI (which would spool it all before authenticating).
    await run_in_threadpool(svc.imports.check_may_import, caller, patient_id)
    sent = await receive_upload(
        request, limit_mb=svc.deps.settings.max_upload_mb, spool_dir=svc.imports.spool_dir
    )
    with sent.file:
        outcome = await run_in_threadpool(
            svc.imports.submit_stream, caller, patient_id, sent.file, filename=upload_name(sent.filename)
        )
    body = ImportSubmittedPublic.of_outcome(
        outcome.record,
        already_imported=outcome.already_imported,
        session_id=outcome.session_id,
        api_prefix=prefixed(request, "/api/v1"),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if outcome.already_imported else 202)


@router.get(
    "/imports/{import_id}",
    response_model=ImportPublic,
    tags=["activity"],
    summary="An import's status and progress (poll until done or failed)",
)
def get_import(import_id: Id, caller: ApiCaller, svc: Svc) -> ImportPublic:
    return ImportPublic.of(svc.imports.status(caller, import_id))


@router.get(
    "/patients/{patient_id}/imports",
    response_model=list[ImportPublic],
    tags=["activity"],
    summary="The patient's latest imports, newest first",
)
def list_imports(patient_id: Id, caller: ApiCaller, svc: Svc) -> list[ImportPublic]:
    return [ImportPublic.of(r) for r in svc.imports.imports(caller, patient_id)]


@router.get(
    "/patients/{patient_id}/activity/weeks/{week_start}",
    response_model=WeekPublic,
    tags=["activity"],
    summary="A week's sessions, dose, zone minutes, steps and adherence against the plan",
)
def get_week(patient_id: Id, week_start: WeekStart, caller: ApiCaller, svc: Svc) -> WeekPublic:
    return WeekPublic.of(svc.activity.week(caller, patient_id, parse_day(week_start, field="week_start")))


def parse_day(raw: str, *, field: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("must be a date (YYYY-MM-DD)", field=field) from None
