"""The blob store: every uploaded file kept as received, addressed by its SHA-256.

A file is written under a temporary name, flushed to disk, and renamed into place, so a reader
never sees half a file and a crash leaves at most a temporary file (removed by ``stride doctor``).
Storing the same content twice keeps one copy. Files are read-only once stored.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"

    @property
    def spool_dir(self) -> Path:
        """The folder of files being written (on the blobs' own disk), e.g. an upload arriving."""
        return self._tmp

    def path(self, sha256: str) -> Path:
        """Where the blob ``sha256`` lives (two-level fan-out keeps directories small)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_stream(
        self, stream: BinaryIO, *, limit: int | None = None, progress: Callable[[int], None] | None = None
    ) -> tuple[str, int]:
        """Store what ``stream`` yields; returns ``(sha256, size)``.

        Raises ``OverflowError`` when the stream is longer than ``limit`` bytes (nothing is kept).
        """
        return self._put(iter(lambda: stream.read(_CHUNK), b""), limit=limit, progress=progress)

    def put_file(self, path: Path, *, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
        with path.open("rb") as fh:
            return self.put_stream(fh, progress=progress)

    def put_tree(self, folder: Path) -> tuple[str, int]:
        """Store a folder (a Fitbit export) as an uncompressed zip of its files in name order, so
        the same folder always gives the same digest."""
        import zipfile

        self._tmp.mkdir(parents=True, exist_ok=True)
        staging = self._tmp / f"{uuid.uuid4().hex}.zip"
        try:
            with zipfile.ZipFile(staging, "w", compression=zipfile.ZIP_STORED) as archive:
                for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                    info = zipfile.ZipInfo(
                        file.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0)
                    )
                    archive.writestr(info, file.read_bytes())
            return self.put_file(staging)
        finally:
            staging.unlink(missing_ok=True)

    def _put(
        self, chunks: Iterable[bytes], *, limit: int | None, progress: Callable[[int], None] | None
    ) -> tuple[str, int]:
        self._tmp.mkdir(parents=True, exist_ok=True)
        staging = self._tmp / uuid.uuid4().hex
        digest, size = hashlib.sha256(), 0
        try:
            with staging.open("xb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if limit is not None and size > limit:
                        raise OverflowError(f"the file is larger than {limit} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                    if progress is not None:
                        progress(size)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            if final.exists():
                return sha, size
            final.parent.mkdir(parents=True, exist_ok=True)
            staging.chmod(0o440)
            os.replace(staging, final)
            return sha, size
        finally:
            staging.unlink(missing_ok=True)

    def clean_temporary(self, *, older_than_s: float = 3600.0) -> int:
        """Remove files left in ``tmp/`` by a process that died mid-write; returns how many.

        Only files older than ``older_than_s`` go, so an upload in progress is never touched.
        """
        if not self._tmp.is_dir():
            return 0
        removed = 0
        cutoff = time.time() - older_than_s
        for leftover in self._tmp.iterdir():
            if leftover.stat().st_mtime > cutoff:
                continue
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            removed += 1
        return removed
