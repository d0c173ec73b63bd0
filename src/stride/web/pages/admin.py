"""Administration pages: user accounts and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from stride.domain.security import SecurityKind
from stride.errors import Conflict, InvalidInput
from stride.services.audit import AuditFilter
from stride.services.security_log import SecurityQuery
from stride.services.users import NewUser
from stride.web import forms
from stride.web.api.schemas import MAX_ID, Id, UserCreate, UserUpdate
from stride.web.deps import PageCaller, Svc
from stride.web.render import prefixed, render

router = APIRouter(prefix="/admin", include_in_schema=False)
AUDIT_PAGE = 50
SECURITY_PAGE = 50
# The kinds in words for the filter (the table shows each row's kind as its code).
KINDS = [
    (SecurityKind.CSRF_REFUSED.value, "Form without its security token"),
    (SecurityKind.UNAUTHENTICATED.value, "Not logged in (401)"),
    (SecurityKind.FORBIDDEN.value, "Refused (403)"),
    (SecurityKind.HIDDEN.value, "Record hidden (404)"),
    (SecurityKind.LOGIN_FAILED.value, "Failed log-in"),
    (SecurityKind.LOGIN_THROTTLED.value, "Delayed log-in"),
    (SecurityKind.ACCOUNT_UNLOCKED.value, "Failed log-ins cleared"),
]


@router.get("/users")
def user_list(request: Request, caller: PageCaller, svc: Svc) -> Response:
    return render(request, "admin/users.html", directory=svc.users.directory(caller), values={}, error=None)


@router.post("/users")
async def create_user(request: Request, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        # A password is taken as typed (never trimmed).
        sent = forms.parse(UserCreate, values, password=values.get("password", ""))
        new = NewUser(**sent.model_dump())
        user = svc.users.create(caller, new)
    except (InvalidInput, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        return render(
            request,
            "admin/users.html",
            status_code=status,
            directory=svc.users.directory(caller),
            values=values,
            error=exc,
        )
    return RedirectResponse(prefixed(request, f"/admin/users/{user.id}?saved=1"), status_code=303)


@router.get("/users/{user_id}")
def user_detail(request: Request, user_id: Id, caller: PageCaller, svc: Svc) -> Response:
    detail = svc.users.detail(caller, user_id)
    return render(
        request,
        "admin/user.html",
        account=detail.user,
        login=detail.login,
        error=None,
        saved=request.query_params.get("saved") == "1",
        unlocked=request.query_params.get("unlocked") == "1",
    )


@router.post("/users/{user_id}/unlock")
def unlock_user(request: Request, user_id: Id, caller: PageCaller, svc: Svc) -> Response:
    svc.users.unlock(caller, user_id)
    return RedirectResponse(prefixed(request, f"/admin/users/{user_id}?unlocked=1"), status_code=303)


@router.post("/users/{user_id}")
async def update_user(request: Request, user_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        if values.get("op") == "password":
            svc.users.reset_password(caller, user_id, new_password=values.get("new_password", ""))
        else:
            # The form sends the whole account: a blank e-mail clears it, an unticked box deactivates.
            sent = forms.parse(
                UserUpdate,
                values,
                display_name=forms.text(values, "display_name"),
                email=forms.text(values, "email"),
                is_active=values.get("is_active") == "on",
            )
            svc.users.update(caller, user_id, **sent.model_dump())
    except InvalidInput as exc:
        detail = svc.users.detail(caller, user_id)
        return render(
            request,
            "admin/user.html",
            status_code=422,
            account=detail.user,
            login=detail.login,
            error=exc,
            saved=False,
        )
    return RedirectResponse(prefixed(request, f"/admin/users/{user_id}?saved=1"), status_code=303)


def _day(raw: str, *, field: str, end: bool = False) -> datetime | None:
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput("must be a date (YYYY-MM-DD)", field=field) from None
    start = datetime.combine(day, time.min, tzinfo=UTC)
    # "until" is inclusive of the whole day the user picked.
    return start + timedelta(days=1) if end else start


@router.get("/audit")
def audit_log(
    request: Request,
    caller: PageCaller,
    svc: Svc,
    user: Annotated[str, Query(max_length=63)] = "",
    patient: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=64, pattern=r"^[a-z._]*$")] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """One service call: the entries with the names of the users and patients they mention."""
    filters = {"user": user, "patient": patient, "action": action, "since": since, "until": until}
    try:
        flt = AuditFilter(
            username=forms.optional_text(filters, "user"),
            patient_text=forms.optional_text(filters, "patient"),
            action=action or None,
            since=_day(since, field="since"),
            until=_day(until, field="until", end=True),
        )
    except InvalidInput as exc:
        return render(
            request, "admin/audit.html", status_code=422, page=None, filters=filters, error=exc, verdict=None
        )
    page = svc.audit.list(caller, flt, limit=AUDIT_PAGE, offset=offset)
    return render(
        request,
        "admin/audit.html",
        page=page,
        filters=filters,
        error=None,
        verdict=None,
        prev_offset=max(0, offset - AUDIT_PAGE),
        next_offset=offset + AUDIT_PAGE if offset + AUDIT_PAGE < page.total else None,
    )


def _kind(raw: str) -> SecurityKind | None:
    if not raw:
        return None
    try:
        return SecurityKind(raw)
    except ValueError:
        raise InvalidInput("is not a kind of security event", field="kind") from None


@router.get("/security")
def security_log(
    request: Request,
    caller: PageCaller,
    svc: Svc,
    kind: Annotated[str, Query(max_length=32)] = "",
    user: Annotated[str, Query(max_length=63)] = "",
    client: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    filters = {"kind": kind, "user": user, "client": client, "since": since, "until": until}
    try:
        query = _security_query(filters)
    except InvalidInput as exc:
        return render(
            request,
            "admin/security.html",
            status_code=422,
            page=None,
            filters=filters,
            error=exc,
            kinds=KINDS,
        )
    page = svc.security.list(caller, query, limit=SECURITY_PAGE, offset=offset)
    return render(
        request,
        "admin/security.html",
        page=page,
        filters=filters,
        error=None,
        kinds=KINDS,
        prev_offset=max(0, offset - SECURITY_PAGE),
        next_offset=offset + SECURITY_PAGE if offset + SECURITY_PAGE < page.total else None,
    )


def _security_query(filters: dict[str, str]) -> SecurityQuery:
    """The security log's filters read from the query string; blanks filter nothing."""
    return SecurityQuery(
        kind=_kind(filters["kind"]),
        username=forms.optional_text(filters, "user"),
        client_addr=forms.optional_text(filters, "client"),
        since=_day(filters["since"], field="since"),
        until=_day(filters["until"], field="until", end=True),
    )


@router.post("/audit/verify")
def audit_verify(request: Request, caller: PageCaller, svc: Svc) -> Response:
    verdict = svc.audit.verify(caller)
    return render(request, "admin/_verdict.html", verdict=verdict)
