"""A clinician registers a patient through the form and finds them again with the live search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CLINICIAN, log_in, unique_name

pytestmark = pytest.mark.browser

RECORD_URL = re.compile(r"/patients/(\d+)\?saved=1$")


def fill_new_patient_form(page: Page, *, given: str, family: str, height: str) -> None:
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth").fill("1984-03-17")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("MRN / external ID").fill(f"E2E-{family.upper()}")
    page.get_by_label("Height (cm)").fill(height)
    page.get_by_label("Weight (kg)").fill("68.4")
    page.get_by_label("Resting heart rate (bpm)").fill("64")
    team = page.get_by_label("Care team")
    mood = team.locator("option", has_text="Mood Disorders Team").get_attribute("value")
    assert mood, "the clinician's care team is not offered in the form"
    team.select_option(mood)


def open_new_patient_form(page: Page) -> None:
    page.goto("/patients")
    page.get_by_role("button", name="New patient").click()
    page.wait_for_url("**/patients/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New patient")


def test_clinician_registers_a_patient_and_finds_them_with_live_search(page: Page) -> None:
    log_in(page, *CLINICIAN)
    open_new_patient_form(page)
    family = unique_name("Quillfeather")
    fill_new_patient_form(page, given="Marisol", family=family, height="171.5")
    page.get_by_role("button", name="Register patient").click()

    page.wait_for_url(RECORD_URL)
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Marisol {family}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(["1984-03-17", "171.5 cm", "Mood Disorders Team"])
    expect(facts.nth(1)).to_contain_text("64 bpm")

    page.goto("/patients")
    rows = page.locator("#patient-rows")
    first_demo = rows.locator("tbody tr td a").first
    expect(first_demo).to_be_visible()
    other_name = first_demo.inner_text()
    assert family not in other_name

    search = page.locator("input[type=search]")
    with page.expect_response(lambda r: "/patients/rows" in r.url and family in r.url) as rows_response:
        search.fill(family)
    assert rows_response.value.status == 200
    expect(rows).to_contain_text(f"1 patient matching “{family}”")
    expect(rows.get_by_role("link", name=f"{family}, Marisol")).to_be_visible()
    expect(rows.get_by_role("link", name=other_name, exact=True)).to_have_count(0)
    # The rows were swapped in place by HTMX: the browser never left the page.
    assert page.url.endswith("/patients")


def test_out_of_range_height_is_shown_on_the_form_and_nothing_is_created(page: Page) -> None:
    log_in(page, *CLINICIAN)
    open_new_patient_form(page)
    family = unique_name("Invalidheight")
    fill_new_patient_form(page, given="Tobias", family=family, height="1.75")  # metres, not cm
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/patients/new")
    ) as posted:
        page.get_by_role("button", name="Register patient").click()
    assert posted.value.status == 422

    error = page.locator("#form-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text(re.compile(r"height", re.IGNORECASE))
    expect(error).to_contain_text("between 54")
    expect(error).to_contain_text("272")
    expect(page.get_by_label("Height (cm)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Weight (kg)")).not_to_have_attribute("aria-invalid", "true")
    # What the person typed is kept, so they only fix the one field.
    expect(page.get_by_label("Family name")).to_have_value(family)
    expect(page.get_by_label("Height (cm)")).to_have_value("1.75")
    assert page.url.endswith("/patients/new")

    page.goto("/patients")
    with page.expect_response(lambda r: "/patients/rows" in r.url and family in r.url):
        page.locator("input[type=search]").fill(family)
    rows = page.locator("#patient-rows")
    expect(rows).to_contain_text(f"0 patients matching “{family}”")
    expect(rows).to_contain_text("No patients found.")
    expect(rows.get_by_role("link", name=re.compile(family))).to_have_count(0)
