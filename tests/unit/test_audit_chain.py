"""The audit hash chain finds any edit, deletion or reordering, and names the first bad entry."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stride.domain.audit import GENESIS_HASH, AuditEntry, AuditEvent, chain, verify_chain

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def build(n: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        event = AuditEvent(
            at=T0 + timedelta(seconds=i),
            action="patient.read",
            resource=f"patient/{i}",
            actor_user_id=7,
            actor_role="clinician",
            patient_id=i,
            client_addr="10.0.0.1",
            request_id=f"r{i}",
        )
        entry = chain(i, prev, event)
        entries.append(entry)
        prev = entry.hash
    return entries


def test_intact_chain_verifies_and_reports_head() -> None:
    entries = build(5)
    verdict = verify_chain(entries)
    assert verdict.ok
    assert verdict.checked == 5
    assert verdict.head_hash == entries[-1].hash


def test_empty_chain_is_intact() -> None:
    assert verify_chain([]).ok


def test_edited_entry_is_named() -> None:
    entries = build(5)
    forged = dataclasses.replace(entries[2].event, patient_id=999)
    entries[2] = dataclasses.replace(entries[2], event=forged)
    verdict = verify_chain(entries)
    assert not verdict.ok
    assert verdict.first_bad_seq == 3
    assert "edited" in (verdict.problem or "")
    assert verdict.checked == 2


def test_deleted_entry_is_named_as_a_gap() -> None:
    entries = build(5)
    del entries[1]
    verdict = verify_chain(entries)
    assert not verdict.ok
    assert verdict.first_bad_seq == 3
    assert "deleted" in (verdict.problem or "")


def test_rehashed_forgery_breaks_the_next_link() -> None:
    """An attacker who recomputes the edited entry's own hash still breaks its successor."""
    entries = build(4)
    forged_event = dataclasses.replace(entries[1].event, action="patient.update")
    entries[1] = chain(2, entries[0].hash, forged_event)
    verdict = verify_chain(entries)
    assert verdict.first_bad_seq == 3
    assert "previous-hash" in (verdict.problem or "")


def test_naive_and_aware_utc_times_hash_alike() -> None:
    """SQLite hands back naive UTC; the hash must not depend on that."""
    aware = AuditEvent(at=T0, action="a", resource="r")
    naive = dataclasses.replace(aware, at=T0.replace(tzinfo=None))
    assert chain(1, GENESIS_HASH, aware).hash == chain(1, GENESIS_HASH, naive).hash


FIELDS = [
    "action",
    "resource",
    "actor_user_id",
    "actor_role",
    "patient_id",
    "client_addr",
    "request_id",
    "detail",
]


@settings(max_examples=200, derandomize=True)
@given(
    n=st.integers(min_value=1, max_value=12),
    data=st.data(),
)
def test_any_single_field_change_is_detected_at_that_entry(n: int, data: st.DataObject) -> None:
    entries = build(n)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    name = data.draw(st.sampled_from(FIELDS))
    old = getattr(entries[index].event, name)
    value = data.draw(
        st.integers(0, 10**6) if name.endswith("_user_id") or name == "patient_id" else st.text(max_size=20)
    )
    if value == old:
        return
    entries[index] = dataclasses.replace(
        entries[index], event=dataclasses.replace(entries[index].event, **{name: value})
    )
    verdict = verify_chain(entries)
    assert not verdict.ok
    assert verdict.first_bad_seq == index + 1


@pytest.mark.parametrize("seconds", [0, 1, 3600])
def test_time_is_covered_by_the_hash(seconds: int) -> None:
    entries = build(2)
    moved = dataclasses.replace(
        entries[0].event, at=entries[0].event.at + timedelta(microseconds=1 + seconds)
    )
    entries[0] = dataclasses.replace(entries[0], event=moved)
    assert verify_chain(entries).first_bad_seq == 1
