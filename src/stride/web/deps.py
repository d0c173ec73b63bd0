"""FastAPI dependencies: the services, and the caller of a request (session cookie or API token)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from stride.domain.accounts import Actor
from stride.errors import AuthenticationRequired, CsrfFailed
from stride.services.auth import SessionInfo
from stride.services.context import Caller
from stride.services.registry import Services

SESSION_COOKIE = "stride_session"
LOGIN_CSRF_COOKIE = "stride_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(AuthenticationRequired):
    """A page needs a session; the HTML error handler turns this into a redirect to /login."""


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def web_session(request: Request) -> SessionInfo | None:
    """The live session of this request, resolved once and kept on ``request.state``."""
    if not hasattr(request.state, "web_session"):
        token = request.cookies.get(SESSION_COOKIE)
        request.state.web_session = services(request).auth.resolve_session(token) if token else None
    info: SessionInfo | None = request.state.web_session
    return info


async def _web_session_off_loop(request: Request) -> SessionInfo | None:
    """:func:`web_session` from an ``async`` dependency: in the thread pool, because resolving a
    session is a database transaction (on SQLite it first waits for the write lock), and on the
    event loop that wait would hold up every other request of the process."""
    if hasattr(request.state, "web_session"):
        return web_session(request)
    return await run_in_threadpool(web_session, request)


def client_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


def _caller(request: Request, actor: Actor) -> Caller:
    return Caller(actor=actor, client_addr=client_addr(request), request_id=request.state.request_id)


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


async def page_caller(request: Request) -> Caller:
    """A page request: session cookie required; unsafe methods need the session's CSRF token
    in the form field or the ``X-CSRF-Token`` header (HTMX)."""
    info = await _web_session_off_loop(request)
    if info is None:
        raise LoginRequired("please log in")
    if request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER)
        if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not _same(sent, info.csrf_token):
            raise CsrfFailed("the form expired or did not come from this site; reload the page and try again")
    return _caller(request, info.actor)


async def api_caller(request: Request) -> Caller:
    """An API request: ``Authorization: Bearer <token>``, or the session cookie (then unsafe
    methods need the ``X-CSRF-Token`` header)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        # In the thread pool, as for sessions (_web_session_off_loop): a database transaction.
        actor = await run_in_threadpool(services(request).auth.resolve_api_token, auth[7:].strip())
        if actor is None:
            raise AuthenticationRequired("invalid or revoked API token")
        return _caller(request, actor)
    info = await _web_session_off_loop(request)
    if info is None:
        raise AuthenticationRequired("send an API token (Authorization: Bearer) or log in")
    if request.method in UNSAFE and not _same(request.headers.get(CSRF_HEADER), info.csrf_token):
        raise CsrfFailed(f"cookie-authenticated requests that change data need the {CSRF_HEADER} header")
    return _caller(request, info.actor)


@dataclass(frozen=True, slots=True)
class BodylessPageCaller:
    """The caller of a page request whose body the route reads itself (an upload): the session is
    checked without touching the body; the CSRF token, unless the ``X-CSRF-Token`` header carried
    it, is to be found in the form fields before the file (:meth:`check_form_token`)."""

    caller: Caller
    expected_token: str | None  # None: the header already matched

    def check_form_token(self, fields: dict[str, str]) -> None:
        if self.expected_token is not None and not _same(fields.get(CSRF_FIELD), self.expected_token):
            raise CsrfFailed("the form expired or did not come from this site; reload the page and try again")


def bodyless_page_caller(request: Request) -> BodylessPageCaller:
    info = web_session(request)
    if info is None:
        raise LoginRequired("please log in")
    sent = request.headers.get(CSRF_HEADER)
    if sent is not None and not _same(sent, info.csrf_token):
        raise CsrfFailed("the form expired or did not come from this site; reload the page and try again")
    return BodylessPageCaller(_caller(request, info.actor), None if sent is not None else info.csrf_token)


PageCaller = Annotated[Caller, Depends(page_caller)]
ApiCaller = Annotated[Caller, Depends(api_caller)]
UploadPageCaller = Annotated[BodylessPageCaller, Depends(bodyless_page_caller)]
Svc = Annotated[Services, Depends(services)]
