"""Receiving an uploaded file without trusting the request body.

Starlette's ``request.form()`` spools every file part to disk, whatever its size, before the route
runs; so do FastAPI's ``File()`` parameters, before the dependencies that authenticate the caller.
The upload routes therefore take the raw body stream themselves, after the caller has been
authenticated and authorised, and :func:`receive_upload` parses it incrementally (python-multipart's
streaming parser):

* a ``Content-Length`` over the limit is refused (413) before a byte is read;
* the bytes are counted as they arrive, and the upload is refused (413) as soon as the count passes
  the limit, whatever ``Content-Length`` said; the partial file is an unnamed temporary file in the
  blob store's folder (same disk as the blobs, never in memory), gone when closed;
* form fields before the file (the page's CSRF token) are checked before the file is kept.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request

from stride.errors import BadRequest, InvalidInput, TooLarge

if TYPE_CHECKING:  # the type exists for type checkers only
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
_MAX_FIELD_BYTES = 64 << 10  # a form field (the CSRF token) is a few dozen bytes
_MAX_FIELDS = 16
_FLUSH = 1 << 20  # write the file to disk a megabyte at a time


@dataclass(slots=True)
class Upload:
    """The received file (an unnamed temporary file, at position 0) and its name as sent."""

    file: BinaryIO
    filename: str


def too_large(limit_mb: int) -> TooLarge:
    return TooLarge(f"the upload is larger than the limit of {limit_mb} MB", field=FILE_FIELD)


def refuse_declared_length(request: Request, *, limit_mb: int) -> None:
    """Refuse (413) a body whose declared length is over the limit, before reading any of it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit_mb << 20:
        raise too_large(limit_mb)


@dataclass(slots=True)
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


class _Form:
    """The streaming parser's callbacks: fields are kept (small), the file's bytes are queued for the
    caller to write (callbacks cannot await), other files are dropped."""

    def __init__(self, check_fields: Callable[[dict[str, str]], None] | None) -> None:
        self.check_fields = check_fields
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.pending: list[bytes] = []
        self.in_file = False
        self.done = False
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_part_data": self._data,
            "on_part_end": self._end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_val,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }

    def _begin(self) -> None:
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_val(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._part.headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        self._part.name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_name = options.get(b"filename")
        self._part.filename = None if raw_name is None else raw_name.decode("utf-8", "replace")
        if self._part.name == FILE_FIELD and self._part.filename is not None and self.filename is None:
            if self.check_fields is not None:
                self.check_fields(self.fields)  # e.g. the CSRF token, before any byte is kept
            self.filename = self._part.filename
            self.in_file = True

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(data[start:end])
        elif self._part.filename is None:
            self._part.data += data[start:end]
            if len(self._part.data) > _MAX_FIELD_BYTES:
                raise BadRequest(f"the form field {self._part.name!r} is too long", field=self._part.name)

    def _end(self) -> None:
        if self.in_file:
            self.in_file, self.done = False, True
        elif self._part.filename is None:
            if len(self.fields) >= _MAX_FIELDS:
                raise BadRequest("the form has too many fields", field="form")
            self.fields[self._part.name] = self._part.data.decode("utf-8", "replace")


async def receive_upload(
    request: Request,
    *,
    limit_mb: int,
    spool_dir: Path,
    check_fields: Callable[[dict[str, str]], None] | None = None,
) -> Upload:
    """The ``file`` part of the multipart body of ``request``, read in a bounded way.

    Raises
    ------
    TooLarge
        The body is (or says it is) over ``limit_mb`` megabytes; nothing is kept.
    InvalidInput
        The body is not a multipart form with a ``file`` part (field ``file``).
    BadRequest
        The multipart body is malformed.
    """
    refuse_declared_length(request, limit_mb=limit_mb)
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput("send the file as a multipart/form-data field named 'file'", field=FILE_FIELD)
    spool_dir.mkdir(parents=True, exist_ok=True)
    # Unnamed, so nothing is left behind by a crash; closed below on error, by the caller otherwise.
    out = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115
    try:
        form = _Form(check_fields)
        await _stream_into(request, MultipartParser(boundary, form.callbacks()), form, out, limit_mb)
        if not form.filename:  # a browser sends an empty name when no file was chosen
            raise InvalidInput("choose a file to upload", field=FILE_FIELD)
        if not form.done:
            raise BadRequest("the upload ended before the end of the file part", field=FILE_FIELD)
        out.seek(0)
        return Upload(file=cast(BinaryIO, out), filename=form.filename)
    except BaseException:
        out.close()
        raise


async def _stream_into(
    request: Request, parser: MultipartParser, form: _Form, out: IO[bytes], limit_mb: int
) -> None:
    limit, received = limit_mb << 20, 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large(limit_mb)
            parser.write(chunk)
            if sum(len(p) for p in form.pending) >= _FLUSH:
                await run_in_threadpool(_write, out, form.pending)
        parser.finalize()
    except MultipartParseError as exc:
        raise BadRequest(f"a malformed multipart body ({exc})", field="form") from None
    except ClientDisconnect:
        raise BadRequest("the upload was interrupted", field=FILE_FIELD) from None
    if form.pending:
        await run_in_threadpool(_write, out, form.pending)


def _write(out: IO[bytes], pending: list[bytes]) -> None:
    out.writelines(pending)
    pending.clear()
