"""The CERT report: every one of the 19 items in both formats, grouped by category; the HTML escapes
every text and carries no scripts or inline styles."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from stride.clinical.prescription import cert_report, get_protocol, protocol_ids
from stride.clinical.prescription.protocol_model import CertItem

ALL = protocol_ids()


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.dt_ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        if tag == "dt":
            self.dt_ids += [value or "" for name, value in attrs if name == "id"]


@pytest.mark.parametrize("protocol_id", ALL)
def test_markdown_report_contains_every_item(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    report = cert_report(protocol)
    assert report.startswith(f"# CERT report: {protocol.name}")
    for item in protocol.cert:
        assert f"### {item.id}. {item.title}" in report
        assert item.text.strip() in report
        assert item.source in report
    headings = re.findall(r"^### (\w+)\. ", report, flags=re.MULTILINE)
    assert headings == [item.id for item in protocol.cert]
    assert len(headings) == 19
    for category in ("Materials", "Provider", "Delivery", "Location", "Dosage", "Tailoring", "Compliance"):
        assert f"## {category}" in report


@pytest.mark.parametrize("protocol_id", ALL)
def test_html_report_contains_every_item_and_no_scripts_or_styles(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    report = cert_report(protocol, fmt="html")
    parser = _Collector()
    parser.feed(report)
    assert parser.dt_ids == [f"cert-{item.id}" for item in protocol.cert]
    assert "script" not in parser.tags
    assert "style" not in parser.tags
    assert "style" not in parser.attrs
    assert not any(a.startswith("on") for a in parser.attrs)
    assert report.startswith("<!DOCTYPE html>")


def test_html_escapes_every_text() -> None:
    protocol = get_protocol("yoga")
    evil = CertItem(
        id="1",
        category="materials",
        title="Equipment <b>",
        text='<script>alert("x")</script> & <img src=x onerror=alert(1)>',
        source="<style>body{}</style>",
    )
    tampered = dataclasses.replace(protocol, name="Yoga <i>", cert=(evil, *protocol.cert[1:]))
    report = cert_report(tampered, fmt="html")
    assert "<script>" not in report
    assert "<img" not in report
    assert "<style>" not in report
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in report
    )
    assert "&lt;style&gt;" in report
    assert "Yoga &lt;i&gt;" in report
    assert "Equipment &lt;b&gt;" in report
    parser = _Collector()
    parser.feed(report)
    assert {"script", "style", "img", "i", "b"}.isdisjoint(parser.tags)


def test_unknown_format_names_the_field() -> None:
    from stride.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        cert_report(get_protocol("hiit"), fmt="pdf")
    assert caught.value.field == "format"
