"""The one Monday-of-week rule that weekly dose, the week pages and the demo data share."""

from __future__ import annotations

from datetime import date, timedelta

from stride.domain.dates import monday_of


def test_every_day_of_a_week_has_that_weeks_monday() -> None:
    monday = date(2026, 1, 5)
    assert {monday_of(monday + timedelta(days=i)) for i in range(7)} == {monday}
    assert monday_of(monday - timedelta(days=1)) == date(2025, 12, 29)


def test_a_week_across_the_new_year_starts_in_the_old_year() -> None:
    assert monday_of(date(2026, 1, 1)) == date(2025, 12, 29)
