"""Access rules, in one place, checked by every use case.

- admin: all patient records (registration and team assignment), no clinical data; manages sites,
  care teams, users; reads the audit log.
- clinician: the patients of their care teams: demographics (read, register, edit) and clinical data
  (read, enter ratings, correct answers, acknowledge alerts, set schedules, record treatment); reads
  their own teams.
- patient: their own record (read) and clinical data (read; answer self-report questionnaires).
- researcher: no identifiable patient data (pseudonymised study data in a later release).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from stride.domain.accounts import Role
from stride.domain.security import SecurityKind
from stride.errors import NotFound, PermissionDenied
from stride.services.context import Caller, Deps, security
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


def may_read_clinical(session: Session, caller: Caller, patient_id: int) -> bool:
    """Clinical data (answers, scores, treatment) is for the patient and their care team only: an
    administrator registers patients but does not read their clinical record."""
    if caller.system or caller.role is Role.ADMIN:
        return False
    return may_read_patient(session, caller, patient_id)


def may_write_clinical(session: Session, caller: Caller, patient_id: int) -> bool:
    """Clinician-entered data (ratings, corrections, treatment history, schedules)."""
    return caller.role is Role.CLINICIAN and may_read_patient(session, caller, patient_id)


def may_log_activity(
    session: Session, caller: Caller, patient_id: int, *, system_allowed: bool = False
) -> bool:
    """Sessions, adverse events and device files: the patient themselves or their care team; the
    operator at the command line may import files (``stride import``) when ``system_allowed``."""
    if caller.system:
        return system_allowed
    actor = caller.actor
    if actor is None:
        return False
    if actor.role is Role.PATIENT:
        return actor.patient_id == patient_id
    return may_write_clinical(session, caller, patient_id)


def may_edit_patient(session: Session, caller: Caller, patient_id: int) -> bool:
    if caller.role is Role.PATIENT:
        return False
    return may_read_patient(session, caller, patient_id)


# Resources that are one patient's record or a row of it: a caller who reaches records through a
# care team or their own link (clinician, patient) and may not see this one is told it is not there,
# exactly as for an id that does not exist, so that ids cannot be probed (OWASP ASVS 4.0 V4.2.1).
_RECORD_KINDS = frozenset({"patient", "response", "alert", "session", "import"})
_RECORD_ROLES = frozenset({Role.CLINICIAN, Role.PATIENT})


def not_found_message(resource: str) -> str | None:
    """``"no response 7"`` for ``response/7`` (and ``patient/5/plan`` -> ``"no patient 5"``); None
    for a resource that is not one record."""
    kind, _, rest = resource.partition("/")
    ident = rest.split("/", 1)[0]
    if kind in _RECORD_KINDS and ident.isdigit():
        return f"no {kind} {ident}"
    return None


def deny(
    deps: Deps,
    caller: Caller,
    *,
    action: str,
    resource: str,
    patient_id: int | None = None,
    message: str = "You do not have access to this.",
) -> PermissionDenied | NotFound:
    """Record a refused attempt in the security log (``<action>.denied`` as its detail, with the
    patient), in its own transaction (the use case's was rolled back), and return the error for the
    caller to raise. Refusals are not written to the audit chain: no health data was read.

    A clinician or patient refused a record they cannot see at all (another care team's patient, or
    an id that does not exist) gets :class:`NotFound`, the same answer in both cases; a refusal by
    role, or of an action on a record the caller does see, is :class:`PermissionDenied`.
    """
    hidden = not_found_message(resource) if caller.role in _RECORD_ROLES else None
    with deps.db.transaction() as session:
        if hidden is not None and patient_id is not None and may_read_patient(session, caller, patient_id):
            hidden = None
        security(
            session,
            deps,
            caller,
            SecurityKind.HIDDEN if hidden is not None else SecurityKind.FORBIDDEN,
            resource=resource,
            patient_id=patient_id,
            detail=f"{action}.denied",
        )
    return NotFound(hidden) if hidden is not None else PermissionDenied(message)
