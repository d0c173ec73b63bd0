"""Audit-chain verification: Stride's ``verify_chain`` over a real SQLite log, against a baseline
that only SHA-256-hashes the same canonical rows read with plain ``sqlite3`` in the same run.

The ratio is the price of Stride's layers (SQLAlchemy rows -> domain objects -> verification);
the target is < 5x, so that verifying a year of a clinic's log stays a matter of seconds.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stride.domain.audit import AuditEvent, verify_chain
from stride.store import migrate
from stride.store.db import Database
from stride.store.repositories import audit as audit_repo

ENTRIES = 20_000
TARGET_RATIO = 5.0


def _fill(db: Database) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with db.transaction() as s:
        for i in range(ENTRIES):
            audit_repo.append(
                s,
                AuditEvent(
                    at=t0 + timedelta(seconds=i),
                    action="patient.read",
                    resource=f"patient/{i % 500}",
                    actor_user_id=i % 7,
                    actor_role="clinician",
                    patient_id=i % 500,
                    client_addr="10.0.0.1",
                    request_id=f"{i:032x}",
                ),
            )


def _baseline(path: Path) -> int:
    conn = sqlite3.connect(path)
    count = 0
    for row in conn.execute(
        "SELECT seq, prev_hash, at, action, resource, actor_user_id, actor_role, patient_id, "
        "client_addr, request_id, detail FROM audit_log ORDER BY seq"
    ):
        blob = json.dumps(list(row), separators=(",", ":"), ensure_ascii=False)
        hashlib.sha256(blob.encode()).hexdigest()
        count += 1
    conn.close()
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        db = Database(url)
        _fill(db)

        start = time.perf_counter()
        baseline_count = _baseline(path)
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        with db.transaction() as s:
            verdict = verify_chain(audit_repo.iter_all(s))
        stride = time.perf_counter() - start
        db.dispose()

    assert verdict.ok and verdict.checked == baseline_count == ENTRIES
    ratio = stride / baseline
    print(
        f"audit verify: {ENTRIES} entries  stride {stride:.3f} s ({ENTRIES / stride:,.0f}/s)  "
        f"baseline (sqlite3 + sha256) {baseline:.3f} s  ratio {ratio:.2f}x  target < {TARGET_RATIO}x  "
        f"{'OK' if ratio < TARGET_RATIO else 'SLOWER THAN TARGET'}"
    )


if __name__ == "__main__":
    main()
