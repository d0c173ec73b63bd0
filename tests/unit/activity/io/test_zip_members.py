"""Zip archives the readers cannot open - a password-protected member, a compression method
``zipfile`` does not decode - are refused with ``UnreadableFile`` saying why, never another error
(``zipfile`` raises ``RuntimeError`` and ``NotImplementedError`` for these)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from stride.activity.io import Reader, apple_health, fitbit, read_any
from stride.errors import UnreadableFile

APPLE_XML = b'<?xml version="1.0"?>\n<HealthData locale="en_GB">\n</HealthData>\n'
FITBIT_JSON = b'[{"dateTime":"06/23/95 00:00:00","value":"12"}]'
# (local header signature, offset of its flags, of its method), the same for the central directory
_HEADERS = ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10))


def zipped(member: str, payload: bytes, *, encrypted: bool = False, method: int | None = None) -> bytes:
    """A one-member zip whose headers claim encryption (flag bit 0) or another compression method."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, payload)
    data = bytearray(buffer.getvalue())
    for signature, flags_at, method_at in _HEADERS:
        at = data.find(signature)
        if encrypted:
            struct.pack_into("<H", data, at + flags_at, struct.unpack_from("<H", data, at + flags_at)[0] | 1)
        if method is not None:
            struct.pack_into("<H", data, at + method_at, method)
    return bytes(data)


CASES = [
    ("apple_health_export/export.xml", APPLE_XML, apple_health.read),
    ("steps-1995-06-23.json", FITBIT_JSON, fitbit.read),
]


@pytest.mark.parametrize(("member", "payload", "read"), CASES, ids=["apple_health", "fitbit"])
def test_a_plain_archive_reads(tmp_path: Path, member: str, payload: bytes, read: Reader) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(zipped(member, payload))
    assert read(path).format == read_any(path).format


@pytest.mark.parametrize(("member", "payload", "read"), CASES, ids=["apple_health", "fitbit"])
def test_a_password_protected_archive_is_refused_saying_so(
    tmp_path: Path, member: str, payload: bytes, read: Reader
) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(zipped(member, payload, encrypted=True))
    with pytest.raises(UnreadableFile) as error:
        read(path)
    assert "password-protected" in error.value.message
    assert error.value.field


@pytest.mark.parametrize(("member", "payload", "read"), CASES, ids=["apple_health", "fitbit"])
def test_an_unknown_compression_method_is_refused_saying_so(
    tmp_path: Path, member: str, payload: bytes, read: Reader
) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(zipped(member, payload, method=99))
    with pytest.raises(UnreadableFile) as error:
        read(path)
    assert "compression method" in error.value.message
