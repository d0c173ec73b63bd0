"""What can go wrong opening a member of a zip archive (an Apple Health ``export.zip``, a Fitbit
export), turned into one sentence for :class:`stride.errors.UnreadableFile`.

``zipfile`` signals these with several exception types, two of them unusual: ``RuntimeError`` for a
password-protected member and ``NotImplementedError`` for a compression method it cannot decode
(e.g. Deflate64, which some Windows tools write). Both are bad input, not bugs.
"""

from __future__ import annotations

import zipfile
import zlib

ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    RuntimeError,  # encrypted member: "password required for extraction"
    NotImplementedError,  # unsupported compression method
    EOFError,
    zlib.error,
)
ZIP_READ_ERRORS: tuple[type[Exception], ...] = (*ZIP_ERRORS, OSError)  # reading a member off the disk


def zip_problem(exc: Exception) -> str:
    """A sentence saying what is wrong with the archive."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "the zip archive is password-protected; export it again without a password"
    if isinstance(exc, NotImplementedError):
        return (
            f"the zip archive uses a compression method Stride cannot read ({exc}); "
            "re-zip it with standard Deflate"
        )
    return f"a damaged zip archive ({exc})"
