"""The audit trail as a hash chain: each entry's hash covers its content and the previous hash.

Changing, inserting or deleting any stored entry breaks the chain at that entry, which
:func:`verify_chain` finds and names. (Removing entries from the *end* leaves a shorter valid
chain; ``stride audit verify`` prints the head hash so it can be anchored elsewhere.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened, before it is chained: who, what, which patient, when, from where."""

    at: datetime
    action: str
    resource: str
    actor_user_id: int | None = None
    actor_role: str | None = None
    patient_id: int | None = None
    client_addr: str | None = None
    request_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A stored, chained audit event."""

    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """Result of verifying the chain: ``ok`` or the first bad entry and what is wrong with it."""

    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


def _canonical_time(at: datetime) -> str:
    # Stored as UTC; a naive value read back from SQLite is UTC too.
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def entry_hash(seq: int, prev_hash: str, event: AuditEvent) -> str:
    """SHA-256 over the canonical JSON of the sequence number, previous hash and the event."""
    payload = {
        "seq": seq,
        "prev": prev_hash,
        "at": _canonical_time(event.at),
        "action": event.action,
        "resource": event.resource,
        "actor_user_id": event.actor_user_id,
        "actor_role": event.actor_role,
        "patient_id": event.patient_id,
        "client_addr": event.client_addr,
        "request_id": event.request_id,
        "detail": event.detail,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def chain(seq: int, prev_hash: str, event: AuditEvent) -> AuditEntry:
    """Make the entry that follows ``prev_hash``."""
    return AuditEntry(
        seq=seq,
        event=event,
        prev_hash=prev_hash,
        hash=entry_hash(seq, prev_hash, event),
    )


def verify_chain(entries: Iterable[AuditEntry]) -> ChainVerdict:
    """Walk the entries in sequence order and report the first that breaks the chain."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainVerdict(
                ok=False,
                checked=checked,
                head_hash=expected_prev,
                first_bad_seq=entry.seq,
                problem=f"sequence gap: expected entry {expected_seq}, found {entry.seq} "
                "(entries were deleted)",
            )
        if entry.prev_hash != expected_prev:
            return ChainVerdict(
                ok=False,
                checked=checked,
                head_hash=expected_prev,
                first_bad_seq=entry.seq,
                problem="previous-hash link broken (an earlier entry was removed or replaced)",
            )
        if entry_hash(entry.seq, entry.prev_hash, entry.event) != entry.hash:
            return ChainVerdict(
                ok=False,
                checked=checked,
                head_hash=expected_prev,
                first_bad_seq=entry.seq,
                problem="content does not match its hash (the entry was edited)",
            )
        expected_prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return ChainVerdict(ok=True, checked=checked, head_hash=expected_prev)
