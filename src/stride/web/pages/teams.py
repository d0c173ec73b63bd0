"""Care teams and sites: clinicians see their teams; administrators manage them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from stride.domain.accounts import Role
from stride.errors import Conflict, InvalidInput
from stride.services.context import Caller
from stride.services.registry import Services
from stride.web import forms
from stride.web.api.schemas import Id, SiteCreate, TeamCreate
from stride.web.deps import PageCaller, Svc
from stride.web.render import prefixed, render

router = APIRouter(include_in_schema=False)


def _teams_page(
    request: Request,
    svc: Services,
    caller: Caller,
    *,
    error: Exception | None = None,
    form: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    """The page; after a mistake, ``form`` names the form that was sent (three share the page and
    two have a "name"), so that its fields alone show the message and keep ``values``."""
    if isinstance(error, InvalidInput | Conflict) and error.field:
        error = type(error)(error.message, field=f"{form}.{error.field}")
    view = svc.teams.overview(caller)
    status = 200 if error is None else (409 if isinstance(error, Conflict) else 422)
    return render(
        request,
        "teams/list.html",
        teams=view.teams,
        sites=view.sites,
        error=error,
        sent=form,
        values=values or {},
        status_code=status,
        is_admin=caller.role is Role.ADMIN,
    )


@router.get("/teams")
def team_list(request: Request, caller: PageCaller, svc: Svc) -> Response:
    return _teams_page(request, svc, caller)


@router.post("/teams")
async def create_team(request: Request, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        sent = forms.parse(TeamCreate, values, said={"site_id": "choose a site"})
        team = svc.teams.create_team(caller, name=sent.name, site_id=sent.site_id)
    except (InvalidInput, Conflict) as exc:
        return _teams_page(request, svc, caller, error=exc, form="team", values=values)
    return RedirectResponse(prefixed(request, f"/teams/{team.id}"), status_code=303)


@router.post("/sites")
async def create_site(request: Request, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        svc.teams.create_site(caller, forms.parse(SiteCreate, values).name)
    except (InvalidInput, Conflict) as exc:
        return _teams_page(request, svc, caller, error=exc, form="site", values=values)
    return RedirectResponse(prefixed(request, "/teams"), status_code=303)


@router.post("/sites/{site_id}/crisis")
async def set_crisis_guidance(request: Request, site_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        svc.teams.set_crisis_guidance(
            caller, site_id, text=values.get("crisis_text"), phone=values.get("crisis_phone")
        )
    except InvalidInput as exc:
        return _teams_page(request, svc, caller, error=exc, form=f"site-{site_id}", values=values)
    return RedirectResponse(prefixed(request, "/teams"), status_code=303)


def _team_page(
    request: Request, svc: Services, caller: Caller, team_id: int, *, error: Exception | None = None
) -> Response:
    page = svc.teams.page(caller, team_id)
    team, patients, is_admin = page.team, page.patients, caller.role is Role.ADMIN
    users = {u.id: u for u in page.users}
    in_team = [p for p in patients if p.id in team.patient_ids]
    return render(
        request,
        "teams/detail.html",
        status_code=200 if error is None else 422,
        team=team,
        users=users,
        clinicians=[u for u in users.values() if u.role is Role.CLINICIAN and u.is_active],
        in_team=in_team,
        others=[p for p in patients if p.id not in team.patient_ids],
        is_admin=is_admin,
        error=error,
    )


@router.get("/teams/{team_id}")
def team_detail(request: Request, team_id: Id, caller: PageCaller, svc: Svc) -> Response:
    return _team_page(request, svc, caller, team_id)


@router.post("/teams/{team_id}/members")
async def change_member(request: Request, team_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        user_id = forms.record_id(values, "user_id", missing="choose a clinician")
        svc.teams.set_member(caller, team_id, user_id, member=values.get("op") != "remove")
    except InvalidInput as exc:
        return _team_page(request, svc, caller, team_id, error=exc)
    return RedirectResponse(prefixed(request, f"/teams/{team_id}"), status_code=303)


@router.post("/teams/{team_id}/patients")
async def change_patient(request: Request, team_id: Id, caller: PageCaller, svc: Svc) -> Response:
    values = await forms.form_values(request)
    try:
        patient_id = forms.record_id(values, "patient_id", missing="choose a patient")
        svc.teams.set_patient(caller, team_id, patient_id, member=values.get("op") != "remove")
    except InvalidInput as exc:
        return _team_page(request, svc, caller, team_id, error=exc)
    return RedirectResponse(prefixed(request, f"/teams/{team_id}"), status_code=303)
