"""Every HTML page answers a bad address with an HTML error page, its status kept (not FastAPI's
JSON): a record number that is not a number (422), a record or code that does not exist (404, or
403 where the role may not look), a method the page does not take (405). The API keeps JSON."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import login
from tests.site_pages import LOGINS, developer_text, page_routes, visible_text

TEXT_PARAMETERS = {"instrument_id", "protocol_id"}  # the others are record numbers


def _fill(template: str, *, number: str, code: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: code if m.group(1) in TEXT_PARAMETERS else number, template)


def _is_error_page(answer: object, status: set[int], url: str) -> None:
    assert getattr(answer, "status_code", None) in status, (url, getattr(answer, "status_code", None))
    headers = getattr(answer, "headers", {})
    assert headers["content-type"].startswith("text/html"), (url, headers["content-type"])
    text = visible_text(getattr(answer, "text", ""))
    assert "Go to your start page" in text, url
    assert developer_text(text) == [], (url, developer_text(text))


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_every_page_with_a_bad_record_number_answers_an_html_page(client: TestClient, role: str) -> None:
    login(client, *LOGINS[role])
    templates = [t for t in page_routes(client.app) if "{" in t]
    assert len(templates) >= 10
    for template in templates:
        if set(re.findall(r"{(\w+)}", template)) <= TEXT_PARAMETERS:
            continue
        url = _fill(template, number="abc", code="walking")
        answer = client.get(url)
        _is_error_page(answer, {422}, url)
        assert "“abc” is not a record number" in answer.text, url


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_every_page_about_a_missing_record_answers_an_html_page(client: TestClient, role: str) -> None:
    login(client, *LOGINS[role])
    for template in (t for t in page_routes(client.app) if "{" in t):
        url = _fill(template, number="999999", code="no-such-code")
        _is_error_page(client.get(url), {403, 404}, url)


def test_a_method_a_page_does_not_take_and_an_unknown_address_answer_html(client: TestClient) -> None:
    login(client, *LOGINS["clinician"])
    _is_error_page(client.delete("/patients"), {405}, "DELETE /patients")
    _is_error_page(client.get("/no-such-page"), {404}, "/no-such-page")


def test_the_api_keeps_json_errors(client: TestClient) -> None:
    login(client, *LOGINS["clinician"])
    answer = client.get("/api/v1/patients/abc")
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_input"
