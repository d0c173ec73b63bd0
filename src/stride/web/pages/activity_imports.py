"""Device-file uploads: the upload form with the patient's imports, and the import's status fragment
(polled by HTMX until the import is done)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from stride.activity.io import formats
from stride.domain.activity import ImportRecord
from stride.errors import InvalidInput, TooLarge
from stride.services.imports import ImportOutcome
from stride.web.api.activity import upload_name
from stride.web.api.schemas import Id
from stride.web.deps import PageCaller, Svc, UploadPageCaller
from stride.web.pages.activity_forms import OptionalQuery
from stride.web.render import render
from stride.web.uploads import receive_upload

router = APIRouter(include_in_schema=False)


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
