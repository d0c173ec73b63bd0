"""One use case, one transaction: the unit of work a service method opens.

A use case opens a :class:`UnitOfWork`, checks access through it, reads and writes through the
repositories on its session, and commits once when the ``with`` block ends (or rolls back on an
exception). The read helpers other use cases reuse (``status_in``, ``current_in`` and the like)
take the open session instead of opening one, so that a composite view (the record page, the plan
builder) is one transaction with one audit entry, not one per part: every audit entry is an
append to a hash chain, which serialises the writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from stride.domain.access_policy import Action, Decision, Relation
from stride.services.access import decide_for, deny, relation
from stride.services.context import Caller, Deps, record


@dataclass(slots=True)
class UnitOfWork:
    """The open transaction of one use case, for one caller."""

    session: Session
    deps: Deps
    caller: Caller
    _relations: dict[int | None, Relation] = field(default_factory=dict)

    def relation(self, patient_id: int | None) -> Relation:
        """The caller's link to a record, looked up once per use case however often it is asked."""
        if patient_id not in self._relations:
            self._relations[patient_id] = relation(self.session, self.caller, patient_id)
        return self._relations[patient_id]

    def decide(self, action: Action, patient_id: int | None) -> Decision:
        return decide_for(self.caller, self.relation(patient_id), action)

    def may(self, action: Action, patient_id: int | None) -> bool:
        return self.decide(action, patient_id).allowed

    def require(
        self,
        action: Action,
        patient_id: int,
        *,
        refused_as: str,
        resource: str,
        message: str | None = None,
    ) -> None:
        """Go on only if the caller may: otherwise the use case ends, its transaction is rolled
        back, and the refusal (``<refused_as>.denied``) is logged and raised when it has closed."""
        if not self.may(action, patient_id):
            raise _Refused(refused_as, resource, patient_id, message)

    def audit(
        self, *, action: str, resource: str, patient_id: int | None = None, detail: str | None = None
    ) -> None:
        """Append one audit entry in this transaction: it commits with what it describes."""
        record(
            self.session,
            self.deps,
            self.caller,
            action=action,
            resource=resource,
            patient_id=patient_id,
            detail=detail,
        )


class _Refused(Exception):
    """A refusal found inside a unit of work, raised as the caller's error once it has closed."""

    def __init__(self, action: str, resource: str, patient_id: int, message: str | None) -> None:
        super().__init__(action)
        self.action, self.resource, self.patient_id, self.message = action, resource, patient_id, message


@contextmanager
def unit_of_work(deps: Deps, caller: Caller) -> Iterator[UnitOfWork]:
    """Open the use case's one transaction: commit on success, roll back on any exception.

    A refusal (:meth:`UnitOfWork.require`) is logged after the transaction is rolled back:
    ``access.deny`` opens a transaction of its own, and on SQLite a second writer inside the first
    waits for the lock until it times out.
    """
    try:
        with deps.db.transaction() as session:
            yield UnitOfWork(session=session, deps=deps, caller=caller)
    except _Refused as refused:
        extra = {} if refused.message is None else {"message": refused.message}
        raise deny(
            deps,
            caller,
            action=refused.action,
            resource=refused.resource,
            patient_id=refused.patient_id,
            **extra,
        ) from None
