"""Property: whatever bytes a patient uploads, every reader in the format registry either returns a
well-formed :class:`ParsedFile` or raises :class:`UnreadableFile` naming a place, never anything else.

Inputs are random bytes (every format), random bytes behind a valid FIT header and checksum (so the
decoder gets past both and chews on the body), and each format's real samples (``FormatSpec.samples``)
with bytes flipped, inserted or cut (for FIT also with the checksum recomputed afterwards, so the
damage reaches the session building). Formats without shared samples are fuzzed from small valid
files in ``test_readers_fuzz_text``; a test there checks that no format is left out.
Derandomised (the same examples every run) and sized to stay well under 20 s together.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import UTC
from functools import cache
from pathlib import Path

import fitdecode
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride.activity.io import fit
from stride.activity.io.formats import BY_NAME, REGISTRY
from stride.activity.model import ParsedFile
from stride.errors import UnreadableFile
from tests.samples import SAMPLES_DIR, sample

Read = Callable[..., ParsedFile]
READERS: dict[str, Read] = {spec.name: spec.read for spec in REGISTRY}
WITH_SAMPLES = sorted(spec.name for spec in REGISTRY if spec.samples)

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=250,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def _sample_bytes(relative: str) -> bytes:
    return (SAMPLES_DIR / relative).read_bytes()


# Large samples (a 357 KB Edge 500 ride) make each example a long decode: where a format has smaller
# ones, they reach the same code paths; the large ones are read whole by the readers' own tests.
FUZZ_MAX_BYTES = 64 << 10


@cache
def _small_samples(fmt: str) -> list[str]:
    sizes = {name: (SAMPLES_DIR / name).stat().st_size for name in BY_NAME[fmt].samples}
    small = [name for name, size in sizes.items() if size <= FUZZ_MAX_BYTES]
    return small or [min(sizes, key=sizes.__getitem__)]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Hypothesis runs many examples per test; one module-wide file avoids a function-scoped fixture.
    return tmp_path_factory.mktemp("fuzz") / "upload"


def _check(read: Read, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        parsed = read(path, tz=UTC, progress=lambda done, total: None)
    except UnreadableFile as err:
        assert err.field, f"no location in {err!r}"
        return
    assert parsed.sessions or parsed.series  # a Fitbit steps file holds a series and no session
    for s in parsed.sessions:
        assert s.start <= s.end
        assert s.start.tzinfo is not None
        assert len(s.samples) == 0 or bool(np.all(np.diff(s.samples.time_ms) >= 0))


def _fit_with_body(body: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fitdecode.utils.compute_crc(header))
    data = header + body
    return data + struct.pack("<H", fitdecode.utils.compute_crc(data))


def _recrc(data: bytes) -> bytes:
    """A FIT file whose header size field and checksums are made to fit its (damaged) body."""
    if len(data) < 16 or data[8:12] != b".FIT":
        return data
    return _fit_with_body(data[data[0] : -2] if 0 < data[0] < len(data) - 2 else data[14:-2])


@st.composite
def _mutated(draw: st.DrawFn, fmt: str) -> bytes:
    data = bytearray(_sample_bytes(draw(st.sampled_from(_small_samples(fmt)))))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "set", "cut", "insert", "truncate"]))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[at] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, ord("<"), ord("&"), ord(">")]))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            del data[at:]
    return bytes(data)


@pytest.fixture(autouse=True)
def _need_samples() -> None:
    sample("fit/garmin-fenix-5-run.fit")  # skips (or fails in CI) without the shared samples


@pytest.mark.parametrize("fmt", sorted(READERS))
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(scratch: Path, fmt: str, data: bytes) -> None:
    _check(READERS[fmt], scratch, data)


@FUZZ
@given(body=st.binary(min_size=1, max_size=1024))
def test_random_fit_body_behind_a_valid_header_and_checksum(scratch: Path, body: bytes) -> None:
    _check(fit.read, scratch, _fit_with_body(body))


@pytest.mark.parametrize("fmt", WITH_SAMPLES)
@FUZZ
@given(st.data())
def test_mutated_real_samples(scratch: Path, fmt: str, data: st.DataObject) -> None:
    _check(READERS[fmt], scratch, data.draw(_mutated(fmt)))


@settings(FUZZ, max_examples=400)
@given(data=_mutated("fit"))
def test_mutated_fit_with_recomputed_checksum(scratch: Path, data: bytes) -> None:
    _check(fit.read, scratch, _recrc(data))
