"""The one mapping from Stride errors to HTTP: JSON for the API, friendly pages for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from stride.domain.security import SecurityKind
from stride.errors import (
    AuthenticationRequired,
    BadRequest,
    Busy,
    ConfigurationError,
    Conflict,
    CsrfFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    StrideError,
    TooLarge,
)
from stride.services.context import Caller
from stride.services.registry import Services
from stride.web.deps import LoginRequired, client_addr
from stride.web.form_markup import field_label
from stride.web.render import render

STATUS: dict[type[StrideError], int] = {
    BadRequest: 400,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    TooLarge: 413,
    RateLimited: 429,
    Busy: 503,
    ConfigurationError: 500,
}


def status_for(exc: StrideError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith(("/api/", "/fhir/", "/healthz"))
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def retry_headers(exc: StrideError) -> dict[str, str]:
    """``Retry-After`` (seconds) for a refusal that says when to come back."""
    if isinstance(exc, RateLimited | Busy) and exc.retry_after:
        return {"Retry-After": str(exc.retry_after)}
    return {}


def _body(code: str, message: str, field: str | None) -> dict[str, str | None]:
    return {"error": code, "message": message, "field": field}


def _log_refusal(request: Request, exc: StrideError, status: int) -> None:
    """CSRF refusals and 401s go to the security log (folded per minute, so a flood stays small);
    refusals by a use case were logged by the use case (``services.access.deny``)."""
    if isinstance(exc, CsrfFailed):
        kind = SecurityKind.CSRF_REFUSED
    elif status == 401:
        kind = SecurityKind.UNAUTHENTICATED
    else:
        return
    info = getattr(request.state, "web_session", None)
    caller = Caller(
        actor=info.actor if info is not None else None,
        client_addr=client_addr(request),
        request_id=getattr(request.state, "request_id", None),
    )
    services: Services = request.app.state.services
    services.security.refused(
        caller, kind, method=request.method, path=request.url.path[:255], detail=exc.message[:200]
    )


async def stride_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StrideError)
    status = status_for(exc)
    _log_refusal(request, exc, status)
    headers = retry_headers(exc)
    if wants_json(request):
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(_body(exc.code, exc.message, exc.field), status_code=status, headers=headers)
    if isinstance(exc, LoginRequired) or (status == 401 and request.method == "GET"):
        prefix = request.app.state.settings.root_path.rstrip("/")
        if request.headers.get("HX-Request"):
            # An HTMX fragment (live search) must not swap a whole login page into the table:
            # send the browser to the log-in page, returning afterwards to the page, not the fragment.
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            target = (page.path or "/") + (f"?{page.query}" if page.query else "")
            return Response(status_code=401, headers={"HX-Redirect": f"{prefix}/login?next={quote(target)}"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{prefix}/login?next={quote(target)}", status_code=303)
    template = {403: "errors/403.html", 404: "errors/404.html"}.get(status, "errors/error.html")
    response = render(request, template, status_code=status, error=exc, status=status)
    response.headers.update(headers)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_json(request):
        code = "not_found" if exc.status_code == 404 else "http_error"
        return JSONResponse(
            _body(code, str(exc.detail), None),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
    template = "errors/404.html" if exc.status_code == 404 else "errors/error.html"
    return render(request, template, status_code=exc.status_code, error=exc, status=exc.status_code)


def _said(error: Mapping[str, Any]) -> str:
    """What is wrong with one value of the address, in words (not Pydantic's codes)."""
    loc = tuple(error.get("loc", ()))
    given = error.get("input")
    kind = str(error.get("type", ""))
    if loc and loc[0] == "path":
        what = f"“{given}”" if isinstance(given, str) and len(given) <= 40 else "a value"
        return f"The address is not valid: {what} is not a record number."
    name = field_label(str(loc[-1])) if loc else "A value"
    if kind == "missing":
        return f"{name}: is required."
    if kind.startswith("int_"):
        return f"{name}: must be a whole number."
    bound = (error.get("ctx") or {}).get("ge", (error.get("ctx") or {}).get("le"))
    if kind in ("greater_than_equal", "less_than_equal") and bound is not None:
        return f"{name}: must be {'at least' if kind == 'greater_than_equal' else 'at most'} {bound}."
    return f"{name}: {error.get('msg', 'is not valid')}."


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not wants_json(request):
        # A page's bad address (/patients/abc) gets a page, with the status kept, not JSON.
        problems = list(dict.fromkeys(_said(e) for e in exc.errors())) or ["The request is not valid."]
        return render(request, "errors/error.html", status_code=422, status=422, problems=problems)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    message = str(first.get("msg", "invalid request"))
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
        for e in exc.errors()
    ]
    body = {**_body("invalid_input", message, field or None), "details": details}
    return JSONResponse(body, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StrideError, stride_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
