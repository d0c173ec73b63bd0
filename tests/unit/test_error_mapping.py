"""Every Stride error has exactly one HTTP status and one exit code."""

from __future__ import annotations

import pytest

from stride import errors
from stride.cli.output import exit_code_for
from stride.web.errors import status_for

ALL = [cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.StrideError)]

EXPECTED_STATUS = {
    errors.InvalidInput: 422,
    errors.BadRequest: 400,
    errors.UnreadableFile: 400,
    errors.TooLarge: 413,
    errors.AuthenticationRequired: 401,
    errors.PermissionDenied: 403,
    errors.CsrfFailed: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.RateLimited: 429,
    errors.Busy: 503,
    errors.ConfigurationError: 500,
    errors.StrideError: 400,
}


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_status_and_exit_code(cls: type[errors.StrideError]) -> None:
    exc = cls("x", field="f")
    assert status_for(exc) == EXPECTED_STATUS[cls]
    invalid = cls in (
        errors.InvalidInput,
        errors.BadRequest,
        errors.UnreadableFile,
        errors.TooLarge,
        errors.ConfigurationError,
    )
    assert exit_code_for(exc) == (2 if invalid else 1)
    assert str(exc) == "f: x"


def test_a_rate_limit_says_when_to_come_back() -> None:
    from stride.web.errors import retry_headers

    assert retry_headers(errors.RateLimited("wait", retry_after=8)) == {"Retry-After": "8"}
    assert retry_headers(errors.RateLimited("wait")) == {}
    assert retry_headers(errors.NotFound("x")) == {}
    assert retry_headers(errors.Busy("busy")) == {"Retry-After": "1"}
