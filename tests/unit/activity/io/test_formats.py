"""The format registry: one spec per format, declared by its reader, whose limits are the reader's
own constants, whose samples are real files that detect as that format, and whose table is the one
``docs/file-limits.md`` shows."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from stride.activity.io import detect, formats, reader
from stride.activity.io.formats import REGISTRY
from stride.activity.io.spec import FormatSpec, Limit
from stride.activity.model import FORMATS
from stride.errors import UnreadableFile
from tests.samples import sample

ROOT = Path(__file__).resolve().parents[4]
IDS = [spec.name for spec in REGISTRY]
WITH_SAMPLES = [spec for spec in REGISTRY if spec.samples]


def test_every_format_has_exactly_one_spec_in_the_order_of_file_format() -> None:
    assert [spec.name for spec in REGISTRY] == list(FORMATS)


@pytest.mark.parametrize("spec", REGISTRY, ids=IDS)
def test_the_spec_is_declared_beside_its_reader_and_reads_with_it(spec: FormatSpec) -> None:
    module = importlib.import_module(spec.read.__module__)
    assert module.SPEC is spec, f"{spec.name}: SPEC belongs in the module of its reader"
    assert module.read is spec.read
    assert callable(spec.read)
    assert reader(spec.name) is spec.read


@pytest.mark.parametrize("spec", REGISTRY, ids=IDS)
def test_each_limit_is_the_constant_it_names(spec: FormatSpec) -> None:
    for limit in spec.limits:
        module, name = limit.where.rsplit(".", 1)
        constant = getattr(importlib.import_module(f"stride.activity.io.{module}"), name)
        assert constant == limit.value, limit


@pytest.mark.parametrize(
    "spec", [s for s in REGISTRY if s.samples], ids=[s.name for s in REGISTRY if s.samples]
)
def test_each_sample_exists_and_is_detected_as_its_format_by_its_sniffer_alone(spec: FormatSpec) -> None:
    for relative in spec.samples:
        path = sample(relative)  # skips politely on a machine without the shared samples
        head = path.read_bytes()[:4096]
        claimed = [other.name for other in REGISTRY if other.sniff(head)]
        assert claimed == [spec.name], relative
        assert detect(path) == spec.name


def test_the_extensions_are_lower_case_and_offered_once() -> None:
    accept = formats.accept().split(",")
    assert len(accept) == len(set(accept))
    assert all(ext.startswith(".") and ext == ext.lower() for ext in accept)
    assert set(accept) == {ext for spec in REGISTRY for ext in spec.extensions}


def test_the_limits_read_as_the_documentation_writes_them() -> None:
    assert Limit("track points", 150_000, "points", "_sessions.MAX_POINTS").text == "track points: 150,000"
    assert Limit("file size", 16 << 20, "bytes", "omh.MAX_FILE_BYTES").shown == "16 MiB"
    assert Limit("zip", 16 << 30, "bytes", "archive.MAX_TOTAL_BYTES").shown == "16 GiB"
    assert Limit("odd", 1000, "bytes", "x.Y").shown == "1,000"
    assert Limit("inflation", 100, "fold", "archive.MAX_RATIO").shown == "100-fold"


def test_docs_file_limits_shows_the_registry_table() -> None:
    docs = (ROOT / "docs" / "file-limits.md").read_text(encoding="utf-8")
    table = formats.limits_markdown()
    assert table in docs, f"docs/file-limits.md: replace the per-format table with\n\n{table}"


def test_an_unknown_file_is_refused_naming_every_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"just some words\n")
    with pytest.raises(UnreadableFile) as err:
        detect(path)
    assert err.value.field == "byte 0"
    assert all(spec.label in err.value.message for spec in REGISTRY)


def test_a_stored_code_reads_as_its_format_and_an_unknown_one_still_reads() -> None:
    assert formats.phrase("apple_health") == "an Apple Health export"
    assert formats.phrase("fit") == "a FIT file"
    assert formats.phrase("garmin_connect") == "a GARMIN_CONNECT file"
