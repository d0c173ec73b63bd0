"""/api/v1/patients"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from stride.web.api.schemas import (
    Id,
    Limit,
    Offset,
    PatientCreate,
    PatientPagePublic,
    PatientPublic,
    PatientRecordPublic,
    PatientUpdate,
)
from stride.web.deps import ApiCaller, Svc

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("", response_model=PatientPagePublic, summary="Search the patients you look after")
def search_patients(
    caller: ApiCaller,
    svc: Svc,
    q: Annotated[str | None, Query(max_length=100, description="Name or MRN words")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PatientPagePublic:
    page = svc.patients.search(caller, text=q, limit=limit, offset=offset)
    return PatientPagePublic(
        items=[PatientPublic.of(p) for p in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("", response_model=PatientPublic, status_code=201, summary="Register a patient")
def create_patient(body: PatientCreate, caller: ApiCaller, svc: Svc) -> PatientPublic:
    return PatientPublic.of(svc.patients.create(caller, body.details(), team_id=body.team_id))


@router.get("/{patient_id}", response_model=PatientRecordPublic, summary="One patient's record")
def get_patient(patient_id: Id, caller: ApiCaller, svc: Svc) -> PatientRecordPublic:
    rec = svc.patients.get(caller, patient_id)
    return PatientRecordPublic(
        **PatientPublic.of(rec.patient).model_dump(),
        team_ids=[t.id for t in rec.teams],
        account_username=rec.account.username if rec.account else None,
    )


@router.put("/{patient_id}", response_model=PatientPublic, summary="Replace a patient's editable record")
def update_patient(patient_id: Id, body: PatientUpdate, caller: ApiCaller, svc: Svc) -> PatientPublic:
    return PatientPublic.of(svc.patients.update(caller, patient_id, body.details()))
