"""One use case, one transaction: the record page is read in one unit of work with one audit entry
naming its parts; a refusal inside a unit of work rolls it back and is logged once it has closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.orm import Session

from stride.domain.access_policy import Action
from stride.errors import NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.services.unit_of_work import unit_of_work
from stride.store.db import Database
from stride.store.repositories import audit as audit_repo
from tests.conftest import audit_actions, denials, patient_id_of

pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the transactions opened from here on (one item each)."""
    opened: list[int] = []
    original = Database.transaction

    @contextmanager
    def counted(self: Database) -> Iterator[Session]:
        opened.append(1)
        with original(self) as session:
            yield session

    monkeypatch.setattr(Database, "transaction", counted)
    return opened


def _details(svc: Services) -> list[tuple[str, str | None]]:
    with svc.deps.db.transaction() as s:
        return [(e.event.action, e.event.detail) for e in audit_repo.iter_all(s)]


def test_the_record_page_is_one_transaction_and_one_audit_entry_naming_its_parts(
    demo: Services, rivera: Caller, transactions: list[int]
) -> None:
    pid = patient_id_of(demo, "DEMO-0001")
    before = len(audit_actions(demo))
    transactions.clear()
    page = demo.record.page(rivera, pid)
    assert len(transactions) == 1
    assert page.overview is not None
    assert page.record.patient.id == pid
    new = _details(demo)[before:]
    assert new == [("record.read", "patient, responses, alerts, schedule, treatment, screening, plan")]
    assert audit_actions(demo)[before:] == [("record.read", f"patient/{pid}", pid)]


def test_an_administrator_reads_the_record_without_its_clinical_part(demo: Services) -> None:
    pid = patient_id_of(demo, "DEMO-0001")
    before = len(audit_actions(demo))
    page = demo.record.page(Caller.cli(), pid)
    assert page.overview is None
    assert page.instruments == []
    assert _details(demo)[before:] == [("record.read", "patient")]


def test_a_refused_record_page_is_logged_once_and_leaves_the_audit_chain_alone(
    demo: Services, exercise_clinician: Caller
) -> None:
    pid = patient_id_of(demo, "DEMO-0001")
    before = len(audit_actions(demo))
    with pytest.raises(NotFound):
        demo.record.page(exercise_clinician, pid)
    assert audit_actions(demo)[before:] == []
    assert ("record.read.denied", f"patient/{pid}", pid) in denials(demo)


def test_a_refusal_inside_a_unit_of_work_rolls_back_what_it_wrote(demo: Services, patient1: Caller) -> None:
    pid = patient_id_of(demo, "DEMO-0001")
    before = len(audit_actions(demo))

    def write_then_refuse() -> None:
        with unit_of_work(demo.deps, patient1) as uow:
            uow.audit(action="test.write", resource=f"patient/{pid}", patient_id=pid)
            uow.require(Action.WRITE_CLINICAL, pid, refused_as="test.write", resource=f"patient/{pid}")

    with pytest.raises(PermissionDenied):
        write_then_refuse()
    assert audit_actions(demo)[before:] == []
    assert ("test.write.denied", f"patient/{pid}", pid) in denials(demo)
