"""/api/v1: me, users, sites, care teams, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from stride.domain.accounts import Role
from stride.domain.security import SecurityKind
from stride.services.audit import AuditFilter
from stride.services.security_log import SecurityQuery
from stride.services.users import NewUser
from stride.web.api.schemas import (
    AuditEntryPublic,
    AuditPagePublic,
    AuditVerdictPublic,
    Id,
    Limit,
    LoginStatePublic,
    Me,
    Offset,
    OptionalIdQuery,
    PasswordReset,
    SecurityEventPublic,
    SecurityPagePublic,
    SiteCreate,
    SitePublic,
    TeamCreate,
    TeamPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from stride.web.deps import ApiCaller, Svc

router = APIRouter()


@router.get("/me", response_model=Me, tags=["account"], summary="Who am I")
def me(caller: ApiCaller) -> Me:
    actor = caller.require_actor()
    return Me(user_id=actor.user_id, username=actor.username, role=actor.role, patient_id=actor.patient_id)


@router.get("/users", response_model=list[UserPublic], tags=["users"])
def list_users(caller: ApiCaller, svc: Svc, role: Role | None = None) -> list[UserPublic]:
    return [UserPublic.of(u) for u in svc.users.list(caller, role=role)]


@router.post("/users", response_model=UserPublic, status_code=201, tags=["users"])
def create_user(body: UserCreate, caller: ApiCaller, svc: Svc) -> UserPublic:
    new = NewUser(**body.model_dump())
    return UserPublic.of(svc.users.create(caller, new))


@router.get("/users/{user_id}", response_model=UserPublic, tags=["users"])
def get_user(user_id: Id, caller: ApiCaller, svc: Svc) -> UserPublic:
    return UserPublic.of(svc.users.get(caller, user_id))


@router.patch("/users/{user_id}", response_model=UserPublic, tags=["users"])
def update_user(user_id: Id, body: UserUpdate, caller: ApiCaller, svc: Svc) -> UserPublic:
    return UserPublic.of(svc.users.update(caller, user_id, **body.model_dump()))


@router.post("/users/{user_id}/password", status_code=204, tags=["users"], summary="Reset a password")
def reset_password(user_id: Id, body: PasswordReset, caller: ApiCaller, svc: Svc) -> Response:
    svc.users.reset_password(caller, user_id, new_password=body.new_password)
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/unlock",
    response_model=LoginStatePublic,
    tags=["users"],
    summary="Clear an account's failed log-ins",
)
def unlock_user(user_id: Id, caller: ApiCaller, svc: Svc) -> LoginStatePublic:
    return LoginStatePublic.of(svc.users.unlock(caller, user_id))


@router.get("/sites", response_model=list[SitePublic], tags=["teams"])
def list_sites(caller: ApiCaller, svc: Svc) -> list[SitePublic]:
    return [SitePublic.of(s) for s in svc.teams.list_sites(caller)]


@router.post("/sites", response_model=SitePublic, status_code=201, tags=["teams"])
def create_site(body: SiteCreate, caller: ApiCaller, svc: Svc) -> SitePublic:
    return SitePublic.of(svc.teams.create_site(caller, body.name))


@router.get("/teams", response_model=list[TeamPublic], tags=["teams"])
def list_teams(caller: ApiCaller, svc: Svc) -> list[TeamPublic]:
    return [TeamPublic.of(t) for t in svc.teams.list_teams(caller)]


@router.post("/teams", response_model=TeamPublic, status_code=201, tags=["teams"])
def create_team(body: TeamCreate, caller: ApiCaller, svc: Svc) -> TeamPublic:
    return TeamPublic.of(svc.teams.create_team(caller, name=body.name, site_id=body.site_id))


@router.get("/teams/{team_id}", response_model=TeamPublic, tags=["teams"])
def get_team(team_id: Id, caller: ApiCaller, svc: Svc) -> TeamPublic:
    return TeamPublic.of(svc.teams.get_team(caller, team_id))


@router.put("/teams/{team_id}/members/{user_id}", response_model=TeamPublic, tags=["teams"])
def add_member(team_id: Id, user_id: Id, caller: ApiCaller, svc: Svc) -> TeamPublic:
    return TeamPublic.of(svc.teams.set_member(caller, team_id, user_id, member=True))


@router.delete("/teams/{team_id}/members/{user_id}", response_model=TeamPublic, tags=["teams"])
def remove_member(team_id: Id, user_id: Id, caller: ApiCaller, svc: Svc) -> TeamPublic:
    return TeamPublic.of(svc.teams.set_member(caller, team_id, user_id, member=False))


@router.put("/teams/{team_id}/patients/{patient_id}", response_model=TeamPublic, tags=["teams"])
def add_team_patient(team_id: Id, patient_id: Id, caller: ApiCaller, svc: Svc) -> TeamPublic:
    return TeamPublic.of(svc.teams.set_patient(caller, team_id, patient_id, member=True))


@router.delete("/teams/{team_id}/patients/{patient_id}", response_model=TeamPublic, tags=["teams"])
def remove_team_patient(team_id: Id, patient_id: Id, caller: ApiCaller, svc: Svc) -> TeamPublic:
    return TeamPublic.of(svc.teams.set_patient(caller, team_id, patient_id, member=False))


@router.get("/audit", response_model=AuditPagePublic, tags=["audit"], summary="Read the audit log")
def list_audit(
    caller: ApiCaller,
    svc: Svc,
    actor_user_id: OptionalIdQuery = None,
    patient_id: OptionalIdQuery = None,
    action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z._]*$")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AuditPagePublic:
    flt = AuditFilter(
        actor_user_id=actor_user_id, patient_id=patient_id, action=action, since=since, until=until
    )
    page = svc.audit.list(caller, flt, limit=limit, offset=offset)
    return AuditPagePublic(
        items=[AuditEntryPublic.of(e) for e in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/audit/verify", response_model=AuditVerdictPublic, tags=["audit"], summary="Verify the hash chain"
)
def verify_audit(caller: ApiCaller, svc: Svc) -> AuditVerdictPublic:
    v = svc.audit.verify(caller)
    return AuditVerdictPublic(
        ok=v.ok, checked=v.checked, head_hash=v.head_hash, first_bad_seq=v.first_bad_seq, problem=v.problem
    )


@router.get(
    "/security-events",
    response_model=SecurityPagePublic,
    tags=["audit"],
    summary="Read the security log (refusals, failed log-ins)",
)
def list_security_events(
    caller: ApiCaller,
    svc: Svc,
    kind: SecurityKind | None = None,
    username: Annotated[str | None, Query(max_length=63)] = None,
    client_addr: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> SecurityPagePublic:
    query = SecurityQuery(kind=kind, username=username, client_addr=client_addr, since=since, until=until)
    page = svc.security.list(caller, query, limit=limit, offset=offset)
    return SecurityPagePublic(
        items=[SecurityEventPublic.of(e) for e in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )
