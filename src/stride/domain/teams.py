"""Sites and care teams: who looks after which patients."""

from __future__ import annotations

from dataclasses import dataclass

from stride.domain.accounts import check_no_control_characters
from stride.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Site:
    """A clinic or hospital site."""

    id: int
    name: str
    crisis_text: str | None = None
    crisis_phone: str | None = None


@dataclass(frozen=True, slots=True)
class CareTeam:
    """A team of clinicians at a site, responsible for a set of patients."""

    id: int
    name: str
    site_id: int
    site_name: str
    member_ids: tuple[int, ...] = ()
    patient_ids: tuple[int, ...] = ()


def check_name(raw: str, *, field: str = "name", max_length: int = 120) -> str:
    """A required, trimmed, bounded display name."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput("is required", field=field)
    if len(name) > max_length:
        raise InvalidInput(f"must be at most {max_length} characters", field=field)
    return check_no_control_characters(name, field=field)
