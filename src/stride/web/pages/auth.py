"""Log in, log out, the home redirect and the account page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from stride.domain.accounts import Role
from stride.errors import AuthenticationRequired, CsrfFailed, InvalidInput, RateLimited
from stride.web import forms
from stride.web.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, PageCaller, Svc, client_addr, web_session
from stride.web.errors import retry_headers
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: no scheme, no host, no protocol-relative ``//``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def home_for(request: Request, role: Role, patient_id: int | None) -> str:
    p = prefixed(request, "")
    if role is Role.PATIENT and patient_id is not None:
        return f"{p}/patients/{patient_id}"
    if role is Role.ADMIN:
        return f"{p}/admin/users"
    if role is Role.CLINICIAN:
        return f"{p}/dashboard"
    return f"{p}/account"


@router.get("/")
def home(request: Request) -> Response:
    info = web_session(request)
    if info is None:
        return RedirectResponse(prefixed(request, "/login"), status_code=303)
    return RedirectResponse(home_for(request, info.actor.role, info.actor.patient_id), status_code=303)


def _login_page(
    request: Request, *, error: str | None = None, status: int = 200, username: str = ""
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        status_code=status,
        login_csrf=token,
        error=error,
        username=username,
        next=_safe_next(request.query_params.get("next")) or "",
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path=prefixed(request, "") + "/login",
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    svc: Svc,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=512)] = "",
    login_csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_csrf):
        raise CsrfFailed("the log-in form expired; reload the page and try again")
    try:
        info = svc.auth.login(
            username, password, client_addr=client_addr(request), user_agent=request.headers.get("user-agent")
        )
    except RateLimited as exc:
        page = _login_page(request, error=exc.message, status=429, username=username)
        page.headers.update(retry_headers(exc))
        return page
    except AuthenticationRequired as exc:
        return _login_page(request, error=exc.message, status=401, username=username)
    target = _safe_next(next) or home_for(request, info.actor.role, info.actor.patient_id)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        info.token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path=prefixed(request, "") or "/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=prefixed(request, "") + "/login")
    return response


@router.post("/logout")
def logout(request: Request, caller: PageCaller, svc: Svc) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    svc.auth.logout(token, caller=caller)
    response = RedirectResponse(prefixed(request, "/login"), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=prefixed(request, "") or "/")
    return response


@router.get("/account")
def account(request: Request, caller: PageCaller) -> Response:
    return render(request, "account.html", changed=request.query_params.get("changed") == "1")


@router.post("/account/password")
def change_password(
    request: Request,
    caller: PageCaller,
    svc: Svc,
    current_password: Annotated[str, Form(max_length=512)] = "",
    new_password: Annotated[str, Form(max_length=512)] = "",
    confirm_password: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    try:
        if new_password != confirm_password:
            raise InvalidInput("does not match the new password", field="confirm_password")
        svc.auth.change_password(
            caller, current=current_password, new=new_password, keep_token=request.cookies.get(SESSION_COOKIE)
        )
    except InvalidInput as exc:
        # The password rules name "password"; on this form it is the new one.
        error = forms.on_form_field(exc, {"password": "new_password"})
        return render(request, "account.html", status_code=422, error=error)
    return RedirectResponse(prefixed(request, "/account?changed=1"), status_code=303)
