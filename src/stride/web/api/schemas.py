"""Pydantic models at the HTTP edge: ``XCreate`` in, ``XPublic`` out. Types only; the rules
(ranges, formats) live in the domain, which names the field when a value is wrong."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from stride.domain.accounts import Role, User
from stride.domain.audit import AuditEntry
from stride.domain.patients import Patient, PatientDetails, Sex
from stride.domain.security import SecurityEntry, SecurityKind
from stride.domain.teams import CareTeam, Site
from stride.services.login_throttle import LoginState

# Database integer keys are 32-bit on PostgreSQL: larger ids are refused as input, not as a 500.
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]


class ErrorBody(BaseModel):
    error: str
    message: str
    field: str | None = None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Clinical inputs are parsed strictly: in lax mode Pydantic reads true as 1, "yes" as true and a
# number as a Unix time, so a client's mistake would be stored as a plausible answer or date.
FiniteFloat = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e9, le=1e9)]
StrictBool = Annotated[bool, Field(strict=True)]


def _iso_date(value: object) -> object:
    if value is None or isinstance(value, str | date):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
# Plausibility (heart rate, minutes, distance, age) is the domain's, naming the field; the bounds only
# keep arbitrarily large numbers out of integer columns.
SmallInt = Annotated[int, Field(strict=True, ge=-1000, le=100_000)]
# A [low, high] pair. Not a tuple: FastAPI writes a tuple's schema in a form OpenAPI 3.1 refuses.
Pair = Annotated[list[int], Field(min_length=2, max_length=2)]


class PatientCreate(Strict):
    given_name: str = Field(max_length=200)
    family_name: str = Field(max_length=200)
    date_of_birth: date
    sex: Sex
    timezone: str = Field(default="Europe/London", max_length=64)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    mrn: str | None = Field(default=None, max_length=64)
    height_cm: float | None = None
    weight_kg: float | None = None
    resting_hr: int | None = None
    team_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Care team (required for clinicians)"
    )

    def details(self) -> PatientDetails:
        return PatientDetails(**self.model_dump(exclude={"team_id"}))


class PatientUpdate(Strict):
    """The whole editable record (PUT semantics)."""

    given_name: str = Field(max_length=200)
    family_name: str = Field(max_length=200)
    date_of_birth: date
    sex: Sex
    timezone: str = Field(default="Europe/London", max_length=64)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    mrn: str | None = Field(default=None, max_length=64)
    height_cm: float | None = None
    weight_kg: float | None = None
    resting_hr: int | None = None

    def details(self) -> PatientDetails:
        return PatientDetails(**self.model_dump())


class PatientPublic(BaseModel):
    id: int
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    timezone: str
    email: str | None
    phone: str | None
    mrn: str | None
    height_cm: float | None
    weight_kg: float | None
    resting_hr: int | None
    site_id: int | None
    is_synthetic: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Patient) -> PatientPublic:
        d = p.details
        return cls(
            id=p.id,
            site_id=p.site_id,
            is_synthetic=p.is_synthetic,
            created_at=p.created_at,
            updated_at=p.updated_at,
            **{name: getattr(d, name) for name in PatientDetails.__slots__},
        )


class PatientRecordPublic(PatientPublic):
    team_ids: list[int]
    account_username: str | None


class PatientPagePublic(BaseModel):
    items: list[PatientPublic]
    total: int
    limit: int
    offset: int


class UserCreate(Strict):
    username: str = Field(max_length=100)
    password: str = Field(max_length=512)
    role: Role
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    patient_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class UserUpdate(Strict):
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    is_active: bool | None = None
    role: Role | None = None


class PasswordReset(Strict):
    new_password: str = Field(max_length=512)


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    is_active: bool
    patient_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, u: User) -> UserPublic:
        return cls(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            email=u.email,
            role=u.role,
            is_active=u.is_active,
            patient_id=u.patient_id,
            created_at=u.created_at,
        )


class LoginStatePublic(BaseModel):
    """An account's failed log-ins within the throttle window, after an unlock: none."""

    failures: int
    last_failure_at: datetime | None
    locked_until: datetime | None

    @classmethod
    def of(cls, state: LoginState) -> LoginStatePublic:
        return cls(
            failures=state.failures, last_failure_at=state.last_failure_at, locked_until=state.locked_until
        )


class Me(BaseModel):
    user_id: int
    username: str
    role: Role
    patient_id: int | None


class SiteCreate(Strict):
    name: str = Field(max_length=200)


class SitePublic(BaseModel):
    id: int
    name: str

    @classmethod
    def of(cls, s: Site) -> SitePublic:
        return cls(id=s.id, name=s.name)


class TeamCreate(Strict):
    name: str = Field(max_length=200)
    site_id: int = Field(ge=1, le=MAX_ID)


class TeamPublic(BaseModel):
    id: int
    name: str
    site_id: int
    site_name: str
    member_ids: list[int]
    patient_ids: list[int]

    @classmethod
    def of(cls, t: CareTeam) -> TeamPublic:
        return cls(
            id=t.id,
            name=t.name,
            site_id=t.site_id,
            site_name=t.site_name,
            member_ids=list(t.member_ids),
            patient_ids=list(t.patient_ids),
        )


class AuditEntryPublic(BaseModel):
    seq: int
    at: datetime
    action: str
    resource: str
    actor_user_id: int | None
    actor_role: str | None
    patient_id: int | None
    client_addr: str | None
    request_id: str | None
    detail: str | None
    hash: str

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryPublic:
        ev = e.event
        return cls(
            seq=e.seq,
            at=ev.at,
            action=ev.action,
            resource=ev.resource,
            actor_user_id=ev.actor_user_id,
            actor_role=ev.actor_role,
            patient_id=ev.patient_id,
            client_addr=ev.client_addr,
            request_id=ev.request_id,
            detail=ev.detail,
            hash=e.hash,
        )


class AuditPagePublic(BaseModel):
    items: list[AuditEntryPublic]
    total: int
    limit: int
    offset: int


class AuditVerdictPublic(BaseModel):
    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None


class SecurityEventPublic(BaseModel):
    id: int
    at: datetime
    last_at: datetime
    count: int
    kind: SecurityKind
    client_addr: str | None
    user_id: int | None
    username: str | None
    method: str | None
    resource: str
    patient_id: int | None
    request_id: str | None
    detail: str | None

    @classmethod
    def of(cls, e: SecurityEntry) -> SecurityEventPublic:
        ev = e.event
        return cls(
            id=e.id,
            at=e.at,
            last_at=e.last_at,
            count=e.count,
            kind=ev.kind,
            client_addr=ev.client_addr,
            user_id=ev.user_id,
            username=ev.username,
            method=ev.method,
            resource=ev.resource,
            patient_id=ev.patient_id,
            request_id=ev.request_id,
            detail=ev.detail,
        )


class SecurityPagePublic(BaseModel):
    items: list[SecurityEventPublic]
    total: int
    limit: int
    offset: int
