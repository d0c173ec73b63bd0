"""The repository stands on its own: no pointer to the developers' private notes, and no citation
left broken.

Users get the package, the README and docs/, nothing else. So no file there may send a reader to
the developers' working folder (``../shared``, ``/work/shared``) or to their evidence notes
("reference section 4", "the shared reference", "clinical-evidence.md", "as researched"
provenance comments): what a reader needs is written in the repository, and a clinical rule cites
the paper or guideline itself. A ``source`` value in the package data is shown to clinicians (CLI
output, the rules reference, plan rationale), so it must also read as a whole citation, without
the fragments an earlier strip of section numbers left behind (``"... [OFFICIAL].3"``, ``"(.3)"``,
``"(and 10.2)"``, ``"[]"``, ``"(/secondary source)"``). Every finding names the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT_SUFFIXES = {".py", ".toml", ".md", ".html", ".txt", ".json", ".css", ".js", ".mako", ".svg"}
# Third-party files shipped as they are (minified CSS and JavaScript): not ours to word.
VENDORED = ROOT / "src" / "stride" / "web" / "static" / "vendor"

POINTERS = re.compile(
    r"\.\./shared|/work/shared|shared/reference|shared reference|reference sections?\b"
    r"|developers['’]\s+(?:[\w-]+\s+){0,3}notes|\bas researched\b|DESIGN\.md"
    r"|\b(?:clinical-evidence|instruments|wearables-and-performance|peers)\.md\b",
    re.IGNORECASE,
)
# A source-like key (source, phq9_source, primary_source ...) and its one-line string value.
SOURCE_VALUE = re.compile(r'\b\w*source\w*\s*=\s*"((?:[^"\\]|\\.)*)"')
BROKEN_CITATION = re.compile(
    r"\]\.[0-9]"  # "[OFFICIAL].3"
    r"|\(\.[0-9]"  # "(.3)", "(.2, uncertain)"
    r"|\[\]"  # "(Spitzer 2006) []"
    r"|\(and [0-9]+\.[0-9]"  # "(and 10.2)"
    r"|\)\.[0-9]+(?: and [0-9.]+)?$"  # "(CamCOPS docs).2", ").3 and 1.1"
    r"|\b[A-Za-z][\w-]*\.[0-9]+$"  # "applied to the PHQ-8.2" (a word, then the section number)
    r"|\(/|\(\s*\)|\s;|,$|\bvia$|\bin \("  # "(/secondary source)", "()", "via", "as reproduced in ("
)


def _shipped_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for top in ("src", "docs"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in TEXT_SUFFIXES and VENDORED not in path.parents:
                files.append(path)
    return files


def _where(path: Path, number: int, line: str) -> str:
    return f"{path.relative_to(ROOT)}:{number}: {line.strip()[:160]}"


def test_the_shipped_files_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _shipped_files()}
    assert "README.md" in names
    assert "docs/clinical-rules.md" in names
    assert "src/stride/clinical/measurement/data/instruments/phq9.toml" in names


def test_no_pointer_to_the_developers_notes() -> None:
    found = [
        _where(path, number, line)
        for path in _shipped_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if POINTERS.search(line)
    ]
    assert not found, "pointers outside the repository:\n" + "\n".join(found)


def test_every_source_value_reads_as_a_whole_citation() -> None:
    tomls = [p for p in _shipped_files() if p.suffix == ".toml"]
    assert len(tomls) > 20
    found = [
        _where(path, number, line)
        for path in tomls
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if not line.lstrip().startswith("#")
        for value in SOURCE_VALUE.findall(line)
        if BROKEN_CITATION.search(value.strip())
    ]
    assert not found, "broken citation text in source values:\n" + "\n".join(found)


def test_the_checks_catch_what_they_are_for() -> None:
    for pointer in (
        "see ../shared/reference/instruments.md",
        "(reference section 1.3)",
        "not in the shared reference",
        "the developers' clinical-evidence notes, section 3",
        '# as researched: source = "..."',
    ):
        assert POINTERS.search(pointer), pointer
    for broken in (
        "Kroenke 2003; LOINC 55757-9 [OFFICIAL].3",
        "No missing-item rule found for the PHQ-2 (.3); see notes",
        "7 items, each 0-3, total 0-21 (Spitzer 2006) []",
        "No missing-item rule found for the GAD-7 (and 10.2); see notes",
        "PHQ-9 cut-points applied to the PHQ-8.2",
        "quoted on an ACSM forum (/secondary source)",
    ):
        assert BROKEN_CITATION.search(broken), broken
    for whole in (
        "Kroenke, Spitzer & Williams 2003; LOINC 55757-9 (official source)",
        "ACSM GETP 10th ed. (2018), per PMC8581515 Table 1 (published paper)",
        "Stride choice: 45 -> 60 min (see notes)",
        "Tanaka, Monahan & Seals, J Am Coll Cardiol 2001;37:153-6",
    ):
        assert not BROKEN_CITATION.search(whole), whole
