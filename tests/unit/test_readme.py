"""The README documents every setting and stays inside the repository.

Every ``STRIDE_*`` variable the settings object reads (each field and each alias), the Makefile's
``?=`` variables and the test suite's own variables appear in the README's tables; no link leaves
the repository (an address on the local machine, as in ``make run``'s, is an instruction, not a link);
every relative link names a file that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices

from stride.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LOCAL = re.compile(r"https?://(127\.0\.0\.1|localhost)(:\d+)?(/\S*)?$")


def _documented() -> set[str]:
    """The variables named in the first column of a README table."""
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", README, flags=re.MULTILINE))


def test_every_setting_is_in_the_readme() -> None:
    prefix = Settings.model_config.get("env_prefix", "")
    wanted = set()
    for name, info in Settings.model_fields.items():
        wanted.add(f"{prefix}{name}".upper())
        if isinstance(info.validation_alias, AliasChoices):
            wanted |= {str(a).upper() for a in info.validation_alias.choices if str(a).isupper()}
    assert len(wanted) >= 20
    assert sorted(wanted - _documented()) == []


def test_every_makefile_variable_is_in_the_readme() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    wanted = set(re.findall(r"^([A-Z_]+) \?=", makefile, flags=re.MULTILINE))
    assert {"HOST", "PORT"} <= wanted
    assert sorted(wanted - _documented()) == []


def test_the_tests_own_variables_are_in_the_readme() -> None:
    used = {
        name
        for path in (ROOT / "tests").rglob("*.py")
        for name in re.findall(r"\bSTRIDE_TEST_[A-Z_]+\b", path.read_text(encoding="utf-8"))
    }
    assert "STRIDE_TEST_POSTGRES_URL" in used
    assert sorted(n for n in used if f"`{n}`" not in README) == []


def test_no_link_leaves_the_repository() -> None:
    addresses = re.findall(r"https?://[^\s)`>\];]+", README)
    assert [a for a in addresses if not LOCAL.match(a)] == []


def test_every_relative_link_names_a_file() -> None:
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    assert targets, "the README links its docs"
    assert [t for t in targets if not (ROOT / t).exists()] == []
