"""Usernames, roles, passwords and the patient-account link."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stride.domain.accounts import (
    Role,
    check_email,
    check_password,
    check_role_link,
    normalise_username,
    parse_role,
)
from stride.errors import InvalidInput


@pytest.mark.parametrize(
    ("raw", "expected"), [("Dr.Rivera", "dr.rivera"), ("  admin ", "admin"), ("a1", "a1")]
)
def test_usernames_are_case_insensitive(raw: str, expected: str) -> None:
    assert normalise_username(raw) == expected


@pytest.mark.parametrize("raw", ["", "a", "-lead", "has space", "x" * 64, "semi;colon", "null\x00byte"])
def test_bad_usernames_name_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalise_username(raw)
    assert err.value.field == "username"


def test_roles_parse_and_name_the_choices() -> None:
    assert parse_role("Clinician") is Role.CLINICIAN
    with pytest.raises(InvalidInput, match="admin, clinician, patient, researcher") as err:
        parse_role("nurse")
    assert err.value.field == "role"


def test_password_policy_is_length_based() -> None:
    check_password("correct horse", username="sam", min_length=10)
    with pytest.raises(InvalidInput, match="at least 10"):
        check_password("short", username="sam", min_length=10)
    with pytest.raises(InvalidInput, match="at most 256"):
        check_password("x" * 257, username="sam", min_length=10)


def test_password_equal_to_username_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must not be the username"):
        check_password("Longusername", username="longusername", min_length=10)


def test_password_containing_the_username_or_a_context_word_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must not contain the username"):
        check_password("hello-Rivera-2026", username="rivera", min_length=10)
    # a very short username is only refused as the whole password
    check_password("major journey", username="jo", min_length=10)
    with pytest.raises(InvalidInput, match="'stride'"):
        check_password("StRiDe-forever-1", username="sam", min_length=10, context_words=("stride",))


def test_common_passwords_are_refused_case_insensitively() -> None:
    with pytest.raises(InvalidInput, match="commonly used") as err:
        check_password("Password1234", username="sam", min_length=10, common={"password1234"})
    assert err.value.field == "password"


def test_only_patient_accounts_link_to_a_record() -> None:
    check_role_link(Role.PATIENT, 3)
    check_role_link(Role.CLINICIAN, None)
    with pytest.raises(InvalidInput) as err:
        check_role_link(Role.PATIENT, None)
    assert err.value.field == "patient_id"
    with pytest.raises(InvalidInput):
        check_role_link(Role.ADMIN, 3)


def test_email() -> None:
    assert check_email("  a@b.org ") == "a@b.org"
    assert check_email("") is None
    with pytest.raises(InvalidInput):
        check_email("not-an-address")


@given(st.text(max_size=80))
def test_normalise_username_either_accepts_a_canonical_name_or_names_the_field(raw: str) -> None:
    try:
        name = normalise_username(raw)
    except InvalidInput as exc:
        assert exc.field == "username"
    else:
        assert name == name.strip().lower()
        assert normalise_username(name) == name
