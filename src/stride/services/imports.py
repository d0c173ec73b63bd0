"""Importing device files: receive (store the file as received, record the import, queue the
job), run (parse, compute dose, store all or nothing), and report progress.

All or nothing (docs/decisions/0007): the file is parsed before anything is written; the samples are
staged as hidden Parquet files; the sessions, daily steps, weekly summaries, the import's state and
the audit entry are one database transaction; only after it commits are the Parquet files made
visible. A process killed at any point leaves either the whole import or none of it (plus hidden
leftovers that ``stride doctor`` finishes or removes).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from stride.activity.io import read_any
from stride.activity.model import ParsedFile
from stride.domain.access_policy import Action
from stride.domain.activity import ImportRecord, ImportStatus
from stride.domain.dates import check_event_time
from stride.errors import InvalidInput, NotFound, TooLarge, UnreadableFile
from stride.services.access import deny, may, may_log_activity, may_read_clinical
from stride.services.activity_dose import DoseContext, dose_context, persist_parsed
from stride.services.context import Caller, Deps, record
from stride.store.activity_store import ActivityStore, samples_table, series_table
from stride.store.blobs import BlobStore
from stride.store.repositories import activity as repo
from stride.store.repositories import patients as patient_repo

log = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]


def plausible_sessions(parsed: ParsedFile, *, now: datetime) -> ParsedFile:
    """The file's sessions that start at a plausible time (``stride.domain.dates``); each other one
    is skipped with a warning naming it (a device with an unset clock writes year 0001 or 9999).
    When every session of a file without other data is implausible, the file is refused instead.

    Raises
    ------
    UnreadableFile
        Naming the first session and its start.
    """
    kept, skipped = [], []
    for number, session in enumerate(parsed.sessions, start=1):
        try:
            check_event_time(session.start, now=now, field="start")
        except InvalidInput as exc:
            skipped.append(
                f"session {number} starts {session.start.isoformat(timespec='minutes')}: {exc.message}"
            )
        else:
            kept.append(session)
    if not skipped:
        return parsed
    if not kept and not parsed.series:
        raise UnreadableFile(skipped[0])
    warnings = tuple(f"{why}; skipped" for why in skipped)
    return replace(parsed, sessions=tuple(kept), warnings=parsed.warnings + warnings)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What happened to a submitted file: a new import (queued, or done when run at once), or the
    earlier import of the same file (``already_imported``), to which nothing is added."""

    record: ImportRecord
    already_imported: bool
    session_id: int | None = None  # the first session of the earlier import, to link to


class ImportService:
    def __init__(self, deps: Deps, *, blobs: BlobStore, store: ActivityStore) -> None:
        self.deps, self.blobs, self.store = deps, blobs, store
        self._enqueue: Callable[[int], None] = self.run

    @property
    def spool_dir(self) -> Path:
        """Where an upload is written while it arrives (next to the blobs, not in memory)."""
        return self.blobs.spool_dir

    def use_queue(self, enqueue: Callable[[int], None]) -> None:
        """Send submitted imports to a job queue instead of running them at once."""
        self._enqueue = enqueue

    # --- receiving -------------------------------------------------------------------------------

    def check_may_import(self, caller: Caller, patient_id: int) -> None:
        """Refuse (audited) a caller who may not import for this patient: cheap, so that an upload
        route can ask before it reads a byte of the body."""
        with self.deps.db.transaction() as s:
            if caller.system and patient_repo.get(s, patient_id) is None:
                raise InvalidInput(f"there is no patient {patient_id}", field="patient")
            allowed = may_log_activity(s, caller, patient_id, system_allowed=True)
        if not allowed:
            raise deny(
                self.deps,
                caller,
                action="activity.import",
                resource=f"patient/{patient_id}/imports",
                patient_id=patient_id,
                message="Only the patient, their care team or the operator may import activity data.",
            )

    def submit_stream(
        self, caller: Caller, patient_id: int, stream: BinaryIO, *, filename: str
    ) -> ImportOutcome:
        """Keep the uploaded file and queue its import (web upload and API)."""
        self.check_may_import(caller, patient_id)
        limit_mb = self.deps.settings.max_upload_mb
        try:
            sha, size = self.blobs.put_stream(stream, limit=limit_mb << 20)
        except OverflowError:
            raise TooLarge(f"the upload is larger than the limit of {limit_mb} MB", field="file") from None
        if size == 0:
            raise InvalidInput("the file is empty", field="file")
        return self._register(caller, patient_id, sha=sha, size=size, filename=filename)

    def submit_path(
        self, caller: Caller, patient_id: int, path: Path, *, enqueue: bool = True
    ) -> ImportOutcome:
        """Keep a file (or a Fitbit export folder) from the local disk and queue its import (or,
        with ``enqueue=False``, leave it queued for the caller to :meth:`run` at once)."""
        self.check_may_import(caller, patient_id)
        if not path.exists():
            raise InvalidInput(f"no such file or folder: {path}", field="path")
        sha, size = self.blobs.put_tree(path) if path.is_dir() else self.blobs.put_file(path)
        if size == 0:
            raise InvalidInput("the file is empty", field="path")
        return self._register(caller, patient_id, sha=sha, size=size, filename=path.name, enqueue=enqueue)

    @staticmethod
    def _clean_name(filename: str) -> str:
        """The file's own name as shown to people: no folders (a browser's ``C:\\fakepath\\``), no
        control characters, at most 255 characters (the column's size)."""
        base = filename.replace("\\", "/").rsplit("/", 1)[-1]
        shown = "".join(c for c in base if c.isprintable()).strip()
        return (shown or "upload")[:255]

    def _register(
        self, caller: Caller, patient_id: int, *, sha: str, size: int, filename: str, enqueue: bool = True
    ) -> ImportOutcome:
        filename = self._clean_name(filename)
        with self.deps.db.transaction() as s:
            earlier = repo.find_import(s, patient_id, sha)
            if earlier is not None and earlier.status is ImportStatus.DONE:
                first = repo.first_session_of_import(s, earlier.id)
                return ImportOutcome(record=earlier, already_imported=True, session_id=first)
            if earlier is not None and earlier.status is not ImportStatus.FAILED:
                # Queued or running: the same job, not a second one (the queue or `stride doctor`
                # runs it; a caller running imports itself may run it now).
                return ImportOutcome(record=earlier, already_imported=False)
            if earlier is None:
                created = repo.add_import(
                    s,
                    patient_id=patient_id,
                    sha256=sha,
                    filename=filename,
                    size_bytes=size,
                    created_at=self.deps.clock(),
                    created_by=caller.actor.user_id if caller.actor else None,
                )
            else:  # a failed import of the same bytes is tried again (the parser may be fixed)
                repo.set_import_state(s, earlier.id, status=ImportStatus.QUEUED, progress=0.0)
                created = earlier
            record(
                s,
                self.deps,
                caller,
                action="activity.import.submit",
                resource=f"import/{created.id}",
                patient_id=patient_id,
                detail=f"{filename} ({size} bytes, sha256 {sha[:12]})",
            )
        if enqueue:
            self._enqueue(created.id)
        return ImportOutcome(record=self._get(created.id), already_imported=False)

    def _get(self, import_id: int) -> ImportRecord:
        with self.deps.db.transaction() as s:
            found = repo.get_import(s, import_id)
        if found is None:
            raise NotFound(f"no import {import_id}")
        return found

    # --- running (the job) -----------------------------------------------------------------------

    def run(self, import_id: int, *, progress: ProgressFn | None = None) -> None:
        """Parse and store one queued import. Bad files end as ``failed`` with the reader's message;
        the job itself never raises for them."""
        with self.deps.db.transaction() as s:
            # Claim the import: only a queued one runs, so a job delivered twice runs once.
            if not repo.claim_import(s, import_id, now=self.deps.clock()):
                return
            found = repo.get_import(s, import_id)
            if found is None:
                return
            context = dose_context(s, found.patient_id, today=self.deps.clock().date())
        try:
            parsed = plausible_sessions(self._parse(found, context, progress), now=self.deps.clock())
            self._persist(found, parsed, context)
        except UnreadableFile as exc:
            self._fail(import_id, str(exc))
        except Exception:
            log.exception("import %s failed", import_id)
            self._fail(
                import_id, "an internal error stopped this import; the file is kept and can be tried again"
            )
            raise

    def _parse(self, found: ImportRecord, context: DoseContext, progress: ProgressFn | None) -> ParsedFile:
        path = self.blobs.path(found.sha256)
        last = [0.0]

        def report(done: int, total: int) -> None:
            share = min(done / total, 1.0) * 0.9 if total else 0.0
            if progress is not None:
                progress(share)
            now = time.monotonic()
            if now - last[0] >= 0.5:  # a row update at most twice a second
                last[0] = now
                with self.deps.db.transaction() as s:
                    repo.set_import_progress(s, found.id, share, now=self.deps.clock())

        with self._as_uploaded(path, found.filename) as named:
            return read_any(
                named, tz=context.tz, progress=report, split_gap_s=self.deps.settings.split_gap_minutes * 60
            )

    @contextmanager
    def _as_uploaded(self, blob: Path, filename: str) -> Iterator[Path]:
        """The blob under the name it was uploaded with (a link in a temporary folder): readers name
        the file in their warnings and errors, and a Fitbit file's name says its metric, so they
        must see ``steps-2024-06-01.json``, not the blob's content hash."""
        name = filename if filename not in ("", ".", "..") else "upload"
        if len(name.encode()) > 200:  # a file system's names end at 255 bytes; keep the extension
            suffix = Path(name).suffix if len(Path(name).suffix.encode()) <= 16 else ""
            name = name.encode()[: 200 - len(suffix.encode())].decode(errors="ignore") + suffix
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.spool_dir, prefix=".read-") as folder:
            link = Path(folder) / name
            link.symlink_to(blob.resolve())
            yield link

    def _persist(self, found: ImportRecord, parsed: ParsedFile, context: DoseContext) -> None:
        staged = None
        try:
            with self.deps.db.transaction() as s:
                stored = persist_parsed(s, self.deps, found, parsed, context)
                staged = self.store.stage(
                    patient_id=found.patient_id,
                    import_id=found.id,
                    samples=samples_table(stored),
                    series=series_table(parsed.series),
                )
                repo.set_import_state(
                    s,
                    found.id,
                    status=ImportStatus.DONE,
                    progress=1.0,
                    fmt=parsed.format,
                    warnings=parsed.warnings,
                    sessions=len(parsed.sessions),
                    finished_at=self.deps.clock(),
                )
                record(
                    s,
                    self.deps,
                    Caller(actor=None, client_addr="job", system=True),
                    action="activity.import.done",
                    resource=f"import/{found.id}",
                    patient_id=found.patient_id,
                    detail=f"{parsed.format}: {len(parsed.sessions)} session(s), "
                    f"{len(parsed.warnings)} warning(s)",
                )
        except BaseException:
            if staged is not None:
                self.store.discard(staged)
            raise
        self.store.publish(staged)

    def _fail(self, import_id: int, message: str) -> None:
        with self.deps.db.transaction() as s:
            repo.set_import_state(
                s, import_id, status=ImportStatus.FAILED, error=message[:2000], finished_at=self.deps.clock()
            )

    # --- reading ---------------------------------------------------------------------------------

    def status(self, caller: Caller, import_id: int) -> ImportRecord:
        with self.deps.db.transaction() as s:
            found = repo.get_import(s, import_id)
            # The operator who ran `stride import` sees how it went (file name, counts, errors:
            # no clinical values).
            allowed = found is not None and may(s, caller, Action.READ_IMPORT, found.patient_id)
            if allowed and found is not None:
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.import.read",
                    resource=f"import/{import_id}",
                    patient_id=found.patient_id,
                )
                return found
        raise deny(
            self.deps,
            caller,
            action="activity.import.read",
            resource=f"import/{import_id}",
            patient_id=found.patient_id if found else None,
        )

    def imports(self, caller: Caller, patient_id: int) -> list[ImportRecord]:
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.import.read",
                    resource=f"patient/{patient_id}/imports",
                    patient_id=patient_id,
                )
                return repo.imports_of(s, patient_id)
        raise deny(
            self.deps,
            caller,
            action="activity.import.read",
            resource=f"patient/{patient_id}/imports",
            patient_id=patient_id,
        )

    # --- housekeeping (stride doctor) ------------------------------------------------------------

    def doctor(self, *, requeue: bool = True, others_may_be_running: bool = False) -> dict[str, int]:
        """Finish or undo interrupted imports; re-queue imports whose job was lost.

        Where nothing else can be importing (the server's start with its own workers, ``stride
        doctor`` with the workers stopped), every running import was cut off. A ``stride worker``
        starting beside other consumers (``others_may_be_running``) re-queues only the running
        imports whose job has written no progress for ``STRIDE_IMPORT_LEASE_MINUTES``: one that
        another consumer is running is left to it. A re-queued job that finds its import claimed
        already does nothing (:func:`repo.claim_import`).
        """
        silent_since = None
        if others_may_be_running:
            silent_since = self.deps.clock() - timedelta(minutes=self.deps.settings.import_lease_minutes)
        with self.deps.db.transaction() as s:
            done = repo.done_import_ids(s)
            known = repo.all_import_ids(s)
            stuck = repo.unfinished_import_ids(s, silent_since=silent_since)
            for import_id in stuck:  # a running import with no worker alive was cut off
                repo.set_import_state(s, import_id, status=ImportStatus.QUEUED, progress=0.0)
        published, removed = self.store.recover(lambda i: i in done)
        orphans = self.store.orphans(known)
        for path in orphans:
            path.unlink(missing_ok=True)
        blobs = self.blobs.clean_temporary()
        if requeue:
            for import_id in stuck:
                self._enqueue(import_id)
        return {
            "published": published,
            "removed_partial": removed,
            "removed_orphans": len(orphans),
            "removed_blob_temporaries": blobs,
            "requeued": len(stuck) if requeue else 0,
        }
