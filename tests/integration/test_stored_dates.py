"""Pages and API reads render whatever dates are already stored (TestClient over the demo clinic,
both backends). Before the boundaries refused them, a year 0001 or 9999 could be stored; such rows
are written here straight into the database, bypassing the checks, as legacy data would be, in the
timezone where converting them to local time leaves the calendar (0001 west of UTC, 9999 east)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from stride.domain.activity import AdverseEventEntry, SessionEntry
from stride.domain.treatment import TreatmentKind
from stride.services.registry import Services
from stride.services.treatment import NewTreatment
from stride.store.models import (
    ActivitySessionRow,
    AdverseEventRow,
    DepressionEpisodeRow,
    PatientRow,
    QuestionnaireResponseRow,
    TreatmentEntryRow,
)
from tests.conftest import login
from tests.integration.test_activity_api import Api, clinician, give_plan, patient_id
from tests.integration.test_activity_pages import RIVERA

PHQ9 = {f"phq9_{i}": v for i, v in enumerate((2, 2, 2, 1, 1, 1, 1, 0, 0), start=1)}
# (stored instant, stored day, the patient's timezone that pushes the instant off the calendar)
EXTREMES = {
    "year-0001": (datetime(1, 1, 1, 0, 0, tzinfo=UTC), date(1, 1, 1), "Pacific/Pago_Pago"),
    "year-9999": (datetime(9999, 12, 31, 23, 0, tzinfo=UTC), date(9999, 12, 31), "Pacific/Kiritimati"),
}


def store_absurd(demo: Services, pid: int, *, at: datetime, day: date, tz: str) -> dict[str, int]:
    """Records made through the services, then their dates overwritten in the database."""
    rivera = clinician(demo)
    give_plan(demo, pid)
    now = demo.deps.clock()
    real = demo.measurements.submit(rivera, pid, "phq9", PHQ9).response
    absurd = demo.measurements.submit(rivera, pid, "phq9", PHQ9).response
    session = demo.activity.log_session(
        rivera, pid, SessionEntry(start=now - timedelta(hours=2), sport="walking", minutes=30)
    )
    demo.activity.report_adverse_event(
        rivera,
        pid,
        AdverseEventEntry(
            occurred_at=now - timedelta(hours=1),
            description="Turned an ankle",
            severity="mild",
            action_taken="Rested",
            session_id=session.id,
        ),
    )
    demo.treatment.add(
        rivera,
        pid,
        NewTreatment(
            kind=TreatmentKind.ANTIDEPRESSANT,
            drug="sertraline",
            daily_dose_mg=100,
            weeks=8,
            adherent=True,
            improvement_pct=10,
        ),
    )
    demo.treatment.set_episode(rivera, pid, episode_start=date(2026, 1, 5), severity="moderate")
    with demo.deps.db.transaction() as s:
        s.execute(update(PatientRow).where(PatientRow.id == pid).values(timezone=tz, date_of_birth=day))
        s.execute(
            update(QuestionnaireResponseRow)
            .where(QuestionnaireResponseRow.id == absurd.id)
            .values(answered_at=at)
        )
        s.execute(
            update(ActivitySessionRow)
            .where(ActivitySessionRow.id == session.id)
            .values(start_at=at, end_at=at + timedelta(minutes=30) if at.year < 9999 else at)
        )
        s.execute(update(AdverseEventRow).where(AdverseEventRow.patient_id == pid).values(occurred_at=at))
        s.execute(update(TreatmentEntryRow).where(TreatmentEntryRow.patient_id == pid).values(start_date=day))
        s.execute(
            update(DepressionEpisodeRow)
            .where(DepressionEpisodeRow.patient_id == pid)
            .values(episode_start=day)
        )
    return {"real": real.id, "absurd": absurd.id, "session": session.id}


@pytest.mark.parametrize("extreme", sorted(EXTREMES))
def test_pages_and_api_reads_render_absurd_stored_dates(
    client: TestClient, demo: Services, extreme: str
) -> None:
    at, day, tz = EXTREMES[extreme]
    pid = patient_id(demo, "DEMO-0004")
    ids = store_absurd(demo, pid, at=at, day=day, tz=tz)

    api = Api(client, demo, RIVERA[0])
    reads = [
        f"/patients/{pid}",
        f"/patients/{pid}/responses",
        f"/responses/{ids['absurd']}",
        f"/patients/{pid}/outcomes",
        f"/patients/{pid}/alerts",
        f"/patients/{pid}/schedule",
        f"/patients/{pid}/treatment",
        f"/patients/{pid}/sessions",
        f"/sessions/{ids['session']}",
        f"/patients/{pid}/adverse-events",
        "/adverse-events/summary",
        f"/patients/{pid}/activity/weeks/2026-11-23",
        f"/patients/{pid}/screening",
        f"/patients/{pid}/plan",
    ]
    for path in reads:
        sent = api.get(path)
        assert sent.status_code == 200, (path, sent.text)

    login(client, *RIVERA)
    pages = [
        f"/patients/{pid}",
        "/patients",
        f"/patients/{pid}/edit",
        f"/responses/{ids['absurd']}",
        f"/responses/{ids['absurd']}/correct",
        f"/patients/{pid}/treatment",
        f"/patients/{pid}/activity",
        f"/activity/sessions/{ids['session']}",
        f"/patients/{pid}/activity/adverse-events",
        f"/patients/{pid}/activity/sessions/new",
        "/activity/adverse-events/summary",
        f"/patients/{pid}/screening",
        f"/patients/{pid}/plan",
        "/dashboard",
        "/alerts",
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[-3000:])

    record = client.get(f"/patients/{pid}").text
    chart = record.split('<svg class="trajectory"', 1)[1].split("</svg>", 1)[0]
    # The implausible score is left out of the chart, which says so; the real one is drawn.
    assert chart.count('class="point') == 1
    assert f"1 score with an implausible date not drawn ({day.isoformat()})" in chart


def test_the_chart_skips_nothing_when_every_date_is_plausible(client: TestClient, demo: Services) -> None:
    pid = patient_id(demo, "DEMO-0004")
    rivera = clinician(demo)
    demo.measurements.submit(rivera, pid, "phq9", PHQ9, answered_on=date(2026, 10, 1))
    demo.measurements.submit(rivera, pid, "phq9", PHQ9)
    record = login(client, *RIVERA).get(f"/patients/{pid}").text
    chart = record.split('<svg class="trajectory"', 1)[1].split("</svg>", 1)[0]
    assert chart.count('class="point') == 2
    assert "implausible" not in chart
