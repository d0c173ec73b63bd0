"""A form is read by the API's own model: its text is read as the model's types, a blank optional
field is not given, and the model's complaint names the form's field in the form's words."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from starlette.datastructures import FormData

from stride.domain.patients import Sex
from stride.errors import InvalidInput
from stride.web import forms
from stride.web.api.schemas import PatientCreate
from stride.web.api.schemas_activity import SessionCreate
from stride.web.api.schemas_plans import PlanCreate

PATIENT = {"given_name": "Ada", "family_name": "Q", "date_of_birth": "1980-04-02", "sex": "female"}


def refusal(model: type[BaseModel], form: forms.Form, **options: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        forms.parse(model, form, **options)
    return caught.value


def test_text_is_read_as_the_model_types_and_blanks_are_not_given() -> None:
    sent = forms.parse(PatientCreate, {**PATIENT, "weight_kg": " 61,5 ", "resting_hr": "64", "email": ""})
    assert (sent.sex, sent.weight_kg, sent.resting_hr, sent.email) == (Sex.FEMALE, 61.5, 64, None)
    assert sent.timezone == "Europe/London"  # blank: the model's default


def test_repeated_fields_are_lists_and_shaped_values_are_taken_as_given() -> None:
    form = FormData([("days", "mon"), ("days", " "), ("days", "fri"), ("minutes", "30"), ("setting", "gym")])
    sent = forms.parse(PlanCreate, form, protocol="recommend", modalities=["walking"])
    assert (sent.days, sent.minutes, sent.modalities) == (["mon", "fri"], 30, ["walking"])


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("height_cm", "tall", "must be a number"),
        ("resting_hr", "fast", "must be a whole number"),
        ("date_of_birth", "1980-13-45", "must be a date (YYYY-MM-DD)"),
        ("date_of_birth", "", "this is required"),
        ("team_id", "0", "must be at least 1"),
        ("mrn", "x" * 65, "must be at most 64 characters"),
        ("sex", "robot", "unknown choice 'robot'; one of 'female', 'male', 'other' or 'unknown'"),
    ],
)
def test_a_wrong_value_names_its_field_in_words(field: str, bad: str, message: str) -> None:
    error = refusal(PatientCreate, {**PATIENT, field: bad})
    assert (error.field, error.message) == (field, message)


def test_a_required_blank_is_required_and_a_bad_time_says_what_a_time_looks_like() -> None:
    base = {"start": "2026-11-25T18:30", "sport": "walking", "minutes": "30"}
    assert refusal(SessionCreate, {**base, "minutes": ""}).message == "this is required"
    error = refusal(SessionCreate, {**base, "start": "yesterday"})
    assert (error.field, error.message) == ("start", "must be a date and time (YYYY-MM-DD HH:MM)")
    assert refusal(SessionCreate, {**base, "supervised": "maybe"}).message == "choose one of the options"


def test_a_model_path_is_mapped_to_the_form_field_and_a_page_may_word_its_own_message() -> None:
    form = FormData([("days", "mon"), ("minutes", "30"), ("setting", "home"), ("protocol", "x")])
    error = refusal(PlanCreate, form, modalities=[1], names={"modalities": "modality_1"})
    assert error.field == "modality_1"
    said = refusal(PatientCreate, {**PATIENT, "sex": "robot"}, said={"sex": "pick one"})
    assert (said.field, said.message) == ("sex", "pick one")


def test_a_chosen_record_is_a_valid_id() -> None:
    assert forms.record_id({"user_id": "12"}, "user_id", missing="choose a clinician") == 12
    with pytest.raises(InvalidInput, match="choose a clinician"):
        forms.record_id({"user_id": ""}, "user_id", missing="choose a clinician")
    with pytest.raises(InvalidInput, match="must be at most"):
        forms.record_id({"user_id": "99999999999"}, "user_id", missing="choose a clinician")
