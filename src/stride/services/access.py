"""The I/O half of the access policy (stride.domain.access_policy): the caller's relation to a
record (one query) and the audited refusal. The rules themselves are in the policy."""

from __future__ import annotations

from sqlalchemy.orm import Session

from stride.domain.access_policy import SYSTEM, Action, Decision, Relation, Subject, decide
from stride.domain.accounts import Role
from stride.domain.security import SecurityKind
from stride.errors import NotFound, PermissionDenied
from stride.services.context import Caller, Deps, security
from stride.store.repositories import patients as patient_repo


def subject(caller: Caller) -> Subject | None:
    """The policy's subject: the role, or ``system`` for the CLI operator; None when not logged in."""
    return SYSTEM if caller.system else caller.role


def relation(session: Session, caller: Caller, patient_id: int | None) -> Relation:
    """The caller's link to one patient's record: one query for a clinician, none otherwise. A
    patient id that does not exist (None: the row was not found) is a record with no link."""
    actor = caller.actor
    if patient_id is None or actor is None:
        return Relation.NONE
    if actor.role is Role.PATIENT:
        return Relation.OWN if actor.patient_id == patient_id else Relation.NONE
    if actor.role is Role.CLINICIAN and patient_repo.in_clinician_teams(session, patient_id, actor.user_id):
        return Relation.CARE_TEAM
    return Relation.NONE


def decide_for(caller: Caller, relation_: Relation, action: Action) -> Decision:
    who = subject(caller)
    if who is None:
        return Decision(False, "log in first")
    return decide(who, relation_, action)


def allows(caller: Caller, action: Action) -> bool:
    """An action not on one record (a list, an administrator's task): decided by role alone."""
    return decide_for(caller, Relation.NOT_APPLICABLE, action).allowed


def may(session: Session, caller: Caller, action: Action, patient_id: int | None) -> bool:
    """An action on one patient's record (None: the record was not found, so no one has a link)."""
    return decide_for(caller, relation(session, caller, patient_id), action).allowed


def may_read_patient(session: Session, caller: Caller, patient_id: int) -> bool:
    return may(session, caller, Action.READ_PATIENT, patient_id)


def may_read_clinical(session: Session, caller: Caller, patient_id: int) -> bool:
    return may(session, caller, Action.READ_CLINICAL, patient_id)


def may_write_clinical(session: Session, caller: Caller, patient_id: int) -> bool:
    return may(session, caller, Action.WRITE_CLINICAL, patient_id)


def may_log_activity(
    session: Session, caller: Caller, patient_id: int, *, system_allowed: bool = False
) -> bool:
    return may(session, caller, Action.IMPORT_ACTIVITY if system_allowed else Action.LOG_ACTIVITY, patient_id)


def may_edit_patient(session: Session, caller: Caller, patient_id: int) -> bool:
    return may(session, caller, Action.EDIT_PATIENT, patient_id)


# Resources that are one patient's record or a row of it: the ones a refusal may hide (the policy's
# Decision.hide) behind the answer for an id that does not exist.
_RECORD_KINDS = frozenset({"patient", "response", "alert", "session", "import"})


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
    hidden = not_found_message(resource)
    with deps.db.transaction() as session:
        # Hidden when the caller may not see the record at all; the refused action does not matter.
        if hidden is not None:
            seen = decide_for(caller, relation(session, caller, patient_id), Action.READ_PATIENT)
            hidden = hidden if seen.hide else None
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
