"""Access rules, in one place, checked by every use case.

| role       | patient records                         | teams, sites      | users, audit |
|------------|-----------------------------------------|-------------------|--------------|
| admin      | all (registration and team assignment)  | manage            | manage       |
| clinician  | patients of their care teams, read/edit | read own teams    | -            |
| patient    | own record, read                        | -                 | -            |
| researcher | none (pseudonymised study data only)    | -                 | -            |
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from stride.domain.accounts import Role
from stride.errors import PermissionDenied
from stride.services.context import Caller, Deps, record
from stride.store.repositories import patients as patient_repo


def has_role(caller: Caller, *roles: Role) -> bool:
    """The CLI operator (``system``) counts as an administrator."""
    if caller.system:
        return Role.ADMIN in roles
    return caller.role in roles


def may_read_patient(session: Session, caller: Caller, patient_id: int) -> bool:
    if has_role(caller, Role.ADMIN):
        return True
    actor = caller.actor
    if actor is None:
        return False
    if actor.role is Role.PATIENT:
        return actor.patient_id == patient_id
    if actor.role is Role.CLINICIAN:
        return patient_repo.in_clinician_teams(session, patient_id, actor.user_id)
    return False


def may_edit_patient(session: Session, caller: Caller, patient_id: int) -> bool:
    if caller.role is Role.PATIENT:
        return False
    return may_read_patient(session, caller, patient_id)


def deny(
    deps: Deps,
    caller: Caller,
    *,
    action: str,
    resource: str,
    patient_id: int | None = None,
    message: str = "You do not have access to this.",
) -> PermissionDenied:
    """Audit a refused attempt in its own transaction (the use case's was rolled back) and return
    the error for the caller to raise."""
    with deps.db.transaction() as session:
        record(
            session,
            deps,
            caller,
            action=f"{action}.denied",
            resource=resource,
            patient_id=patient_id,
        )
    return PermissionDenied(message)
