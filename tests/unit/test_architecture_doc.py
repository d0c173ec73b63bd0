"""docs/architecture.md is the map of the house: it must name every package, point only at files
that exist, and its worked examples must work against the real code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from stride.clinical.measurement import score
from stride.clinical.measurement.instrument_schema import parse_instrument

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "stride"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")

# Files the worked examples ask the reader to create: they are not in the tree on purpose.
EXAMPLE_FILES = {"gad2.toml", "wkt.py", "test_wkt.py", "wkt/example.wkt", "clinical/answers.html"}


def _section(title: str) -> str:
    start = DOC.index(f"## {title}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end != -1 else None]


def test_the_instrument_example_loads_and_scores_with_the_real_schema() -> None:
    block = re.search(r"```toml\n(.*?)```", _section("Worked example: a new instrument"), re.S)
    assert block is not None, "the instrument example has no ```toml block"
    instrument = parse_instrument(tomllib.loads(block.group(1)), file="instruments/gad2.toml")
    result = score(instrument, {"gad2_1": 2, "gad2_2": 2})
    assert (result.total, result.severity, result.flags) == (4, "positive", ("positive_screen",))
    assert score(instrument, {"gad2_1": 1, "gad2_2": 1}).severity == "negative"


def test_the_rooms_table_names_every_package() -> None:
    rooms = set(re.findall(r"^\| `stride/([a-z_/]+?)/?` \|", _section("The rooms"), re.M))
    packages = {p.parent.relative_to(SRC).as_posix() for p in SRC.glob("*/__init__.py")}
    packages |= {p.parent.relative_to(SRC).as_posix() for p in SRC.glob("clinical/*/__init__.py")}
    packages |= {"activity/io"}
    packages -= {"data"}  # package data, described in the paragraph under the table
    missing = sorted(packages - rooms - {"clinical"})
    assert not missing, f"docs/architecture.md, 'The rooms': add a row for {missing}"
    gone = sorted(r for r in rooms if not (SRC / r).exists() and not (SRC / f"{r}.py").exists())
    assert not gone, f"docs/architecture.md, 'The rooms': {gone} no longer exist"


def _exists(path: str) -> bool:
    """A path from the repository root or ``src/stride``; a path written relative to the package of
    its table row (``access.py``, ``data/protocols/``, ``api/schemas*.py``) anywhere below them."""
    path = path.rstrip("/")
    if any((base / path).exists() for base in (ROOT, SRC, ROOT / "docs")):
        return True
    return any(
        found.as_posix().endswith(path) or found.match(path)
        for base in (SRC, ROOT / "tests")
        for found in base.rglob(path.rsplit("/", 1)[-1])
    )


def test_every_path_the_doc_names_exists() -> None:
    named = set(re.findall(r"`([A-Za-z0-9_./*-]+\.(?:py|toml|md|html|css)|[a-z_]+(?:/[a-z_]+)*/)`", DOC))
    named |= set(re.findall(r"\]\(([A-Za-z0-9_./-]+\.md)\)", DOC))
    missing = []
    for path in sorted(named):
        if path in EXAMPLE_FILES or path.rsplit("/", 1)[-1] in EXAMPLE_FILES:
            continue
        if not _exists(path):
            missing.append(path)
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_the_layers_named_are_the_contract() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    names = [c["name"] for c in contracts]
    assert names[0].startswith("Layers: shells -> services -> store -> domain -> clinical"), names[0]
    assert "| Layers: shells → services → store → domain → clinical |" in DOC
    assert len(contracts) == 14, "a contract was added or removed: update the table in docs/architecture.md"
