"""The one exception hierarchy of Stride.

Every error a user can cause is a :class:`StrideError` subclass. The web layer maps them to HTTP
status codes in ``stride.web.errors`` and the CLI to exit codes in ``stride.cli.output``; nowhere
else. Clinical outcomes (an alert, a deferral) are return values, never exceptions.
"""

from __future__ import annotations


class StrideError(Exception):
    """Base of every expected Stride error.

    Parameters
    ----------
    message
        A sentence for a person, naming what is wrong.
    field
        The input field (or byte offset, line, element) at fault, when there is one.
    """

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(StrideError):
    """The input is well-formed but a value is wrong (out of range, unknown, missing)."""

    code = "invalid_input"


class BadRequest(StrideError):
    """The request itself is malformed (unparseable body, wrong file type)."""

    code = "bad_request"


class TooLarge(BadRequest):
    """The input is larger than a configured or documented limit (an upload over
    ``STRIDE_MAX_UPLOAD_MB``); nothing of it is kept."""

    code = "too_large"


class AuthenticationRequired(StrideError):
    """No valid session or token, or wrong credentials."""

    code = "authentication_required"


class PermissionDenied(StrideError):
    """The actor is known but their role or care team does not allow this."""

    code = "permission_denied"


class CsrfFailed(PermissionDenied):
    """A form or cookie-authenticated request came without a valid CSRF token."""

    code = "csrf_failed"


class NotFound(StrideError):
    """The resource does not exist (or the actor may not know that it exists)."""

    code = "not_found"


class Conflict(StrideError):
    """The request contradicts stored state (duplicate username, already imported)."""

    code = "conflict"


class RateLimited(StrideError):
    """Too many attempts; try again later: in ``retry_after`` seconds when that is known (sent as
    the ``Retry-After`` header)."""

    code = "rate_limited"

    def __init__(self, message: str, *, field: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class Busy(StrideError):
    """The database stayed locked by other work for longer than Stride waits (SQLite's busy
    timeout): nothing of the request was done, and it can be sent again in ``retry_after`` seconds.
    Overload, not a fault of the request or of the server's code."""

    code = "busy"

    def __init__(self, message: str, *, field: str | None = None, retry_after: int | None = 1) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class ConfigurationError(StrideError):
    """Settings are missing or inconsistent; raised at start-up."""

    code = "configuration_error"


class UnreadableFile(BadRequest):
    """An activity file that cannot be imported: corrupt, truncated, of an unknown format, or a
    kind of file that holds no recorded activity (a FIT workout definition, a GPX route).

    ``field`` names where the problem is (``"byte 1234"``, ``"line 17, element Trackpoint"``,
    ``"export.xml line 5"``). Every reader in ``stride.activity.io`` raises this and only this on
    bad input.
    """

    code = "unreadable_file"
