"""The generated clinical reference lists every instrument and rule with a source, and the copy in
docs/ is current."""

from __future__ import annotations

from pathlib import Path

from stride.clinical.measurement import get_instrument, instrument_ids
from stride.clinical.reference import rules_markdown
from stride.clinical.review import review_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "clinical-rules.md"


def test_docs_copy_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/clinical-rules.md is stale: run `.venv/bin/stride reference -o docs/clinical-rules.md`"
    )


def test_every_instrument_band_and_flag_appears_with_its_source() -> None:
    text = rules_markdown()
    for iid in instrument_ids():
        ins = get_instrument(iid)
        assert f"(`{iid}`)" in text
        for band in ins.bands:
            assert band.source.strip()
            shown = f"`{band.label}`" if "_" in band.label else band.label  # an identifier, as code
            assert f"| {shown} | {band.min} | {band.max} |" in text
        for flag in ins.flags:
            assert flag.source.strip()
            assert f"| {flag.code} |" in text or f"| `{flag.code}` |" in text


def test_safety_trd_and_msm_sections_are_present() -> None:
    text = rules_markdown()
    for heading in (
        "## Safety net",
        "## Outcomes over repeated measures",
        "## TRD status",
        "## Maudsley Staging Method",
        "### Minimum effective daily doses",
    ):
        assert heading in text
    assert "suicidal_ideation" in text


def test_every_weekly_review_rule_appears_with_its_status_and_source() -> None:
    text = rules_markdown()
    section = text[text.index("## Weekly review") : text.index("## Data-entry plausibility bounds")]
    rules = review_rules()
    for key, rule in (*rules.worsening.items(), *rules.relapse.items()):
        assert rule.cited.source in section
        assert f"`{key}`" in section
    assert rules.decision_points.cited.source in section
    assert "weeks 4, 6, 9, 12" in section
    for label in ("verified", "Stride choice", "uncertain"):  # the tags in words, never UNSURE
        assert f"| {label} |" in section
    assert "UNSURE" not in section
