"""Zip archives are read within bounds (``stride.activity.io.archive``): a member that inflates
far more than text does, one over its reader's size limit, one whose headers lie about its size,
an archive of too many entries or too large a total are all refused with ``UnreadableFile`` naming
the entry (or the archive) and the limit, for the Apple Health and the Fitbit reader and for format
detection. Real zip files on disk, written with ``zipfile`` and patched where a header must lie."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from stride.activity.io import Reader, apple_health, archive, detect, fitbit
from stride.errors import UnreadableFile

APPLE = "apple_health_export/export.xml"
APPLE_XML = b'<?xml version="1.0"?>\n<HealthData locale="en_GB">\n</HealthData>\n'
FITBIT = "heart_rate-2024-01-01.json"
FITBIT_ITEM = b'{"dateTime":"01/01/24 00:00:%02d","value":{"bpm":70,"confidence":2}}'


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, payload in entries.items():
            out.writestr(name, payload)
    return path


def bomb(megabytes: int) -> bytes:
    """An export.xml that starts well and then is ``megabytes`` MB of blanks (inflates ~1000-fold)."""
    return APPLE_XML[:-14] + b" " * (megabytes << 20) + b"</HealthData>\n"


def fitbit_day(megabytes: int) -> bytes:
    """A heart-rate file of about ``megabytes`` MB that compresses like a real one would not (too
    well) -- its size, not its ratio, is what the test is about, so the items vary."""
    items, size, i = [], 0, 0
    while size < megabytes << 20:
        item = b'{"dateTime":"01/01/24 %02d:%02d:%02d","value":{"bpm":%d,"confidence":%d}}' % (
            i // 3600 % 24,
            i // 60 % 60,
            i % 60,
            50 + i * 7919 % 120,
            i % 4,
        )
        items.append(item)
        size += len(item) + 1
        i += 1
    return b"[" + b",".join(items) + b"]"


CASES = [(APPLE, apple_health.read), (FITBIT, fitbit.read)]
IDS = ["apple_health", "fitbit"]


@pytest.mark.parametrize(("member", "read"), CASES, ids=IDS)
def test_a_member_inflating_a_thousand_fold_is_refused_before_inflating(
    tmp_path: Path, member: str, read: Reader
) -> None:
    path = write_zip(tmp_path / "export.zip", {member: bomb(8)})
    assert path.stat().st_size < 64 << 10
    with pytest.raises(UnreadableFile) as error:
        read(path)
    assert error.value.field == member
    assert f"more than the limit of {archive.MAX_RATIO}-fold" in error.value.message


def test_a_fitbit_file_over_its_size_limit_is_refused_naming_it(tmp_path: Path) -> None:
    big = fitbit_day((fitbit.MAX_FILE_BYTES >> 20) + 1)
    path = write_zip(tmp_path / "fitbit.zip", {"steps-2024-01-01.json": b"[]", FITBIT: big})
    with pytest.raises(UnreadableFile) as error:
        fitbit.read(path)
    assert error.value.field == FITBIT
    assert f"more than the limit of {fitbit.MAX_FILE_BYTES:,}" in error.value.message


def lie_about_size(path: Path, member: str, declared: int) -> None:
    """Patch the member's uncompressed size in its local header and in the central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(name)] != name:
            at = data.find(signature, at + 1)
        struct.pack_into("<I", data, at + size_at, declared)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("member", "read"), CASES, ids=IDS)
def test_a_member_whose_headers_understate_its_size_is_refused(
    tmp_path: Path, member: str, read: Reader
) -> None:
    """Declared 1 KB, inflating to 8 MB: reading stops at the declared size and the file is refused."""
    payload = fitbit_day(8) if member == FITBIT else APPLE_XML[:-14] + fitbit_day(8) + b"</HealthData>\n"
    path = write_zip(tmp_path / "export.zip", {member: payload})
    lie_about_size(path, member, 1024)
    with pytest.raises(UnreadableFile) as error:
        read(path)
    assert error.value.field is not None
    assert member in error.value.field or error.value.field.startswith("export.xml")


def test_too_many_entries_are_refused_before_the_central_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_ENTRIES", 10)
    entries = {f"steps-2024-01-{day:02d}.json": b"[]" for day in range(1, 12)}
    path = write_zip(tmp_path / "fitbit.zip", entries)
    for read in (fitbit.read, detect):
        with pytest.raises(UnreadableFile) as error:
            read(path)
        assert error.value.field == "zip"
        assert "11 entries, more than the limit of 10" in error.value.message


def test_a_total_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1 << 20)
    path = write_zip(tmp_path / "export.zip", {APPLE: APPLE_XML, "other.bin": fitbit_day(2)})
    with pytest.raises(UnreadableFile) as error:
        apple_health.read(path)
    assert error.value.field == "zip"
    assert f"more than the limit of {1 << 20:,}" in error.value.message


def test_archives_within_the_limits_still_read(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "export.zip", {APPLE: APPLE_XML})
    assert apple_health.read(path).format == "apple_health"
    path = write_zip(tmp_path / "fitbit.zip", {FITBIT: fitbit_day(1)})
    parsed = fitbit.read(path)
    assert len(parsed.series[0].value) > 10_000
