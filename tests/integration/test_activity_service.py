"""Activity through the services, on SQLite and PostgreSQL: logged sessions with their dose,
device-file imports (idempotent, all or nothing, failures recorded), overlap de-duplication,
adverse events per protocol, the week view against the plan, and the doctor's clean-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stride.domain.activity import AdverseEventEntry, ImportStatus, SessionEntry
from stride.errors import InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from tests.conftest import (
    audit_actions,
    caller_for,
    denials,
    patient_id_of,
)
from tests.integration.test_plan_service import (
    CLEAR,
    WALKING,
)
from tests.samples import sample

RESEARCHER_PASSWORD = "demo-clinic-research"
FENIX_RUN_WEEK = date(2017, 6, 5)


@pytest.fixture
def p1(demo: Services, patient1: Caller) -> int:
    pid = patient1.require_actor().patient_id
    assert pid is not None
    return pid


@pytest.fixture
def planned(demo: Services, rivera: Caller, p1: int) -> int:
    """DEMO-0001 screened and on the home-walking plan from today (Thursday 26 November 2026)."""
    demo.screening.record(rivera, p1, CLEAR)
    demo.plans.build(rivera, p1, WALKING)
    return p1


def walk(day: int, *, minutes: float = 30, rpe: int | None = 13, **extra: object) -> SessionEntry:
    return SessionEntry(
        start=datetime(2026, 11, day, 7, 30, tzinfo=UTC), sport="walking", minutes=minutes, rpe=rpe, **extra
    )  # type: ignore[arg-type]


def _count(svc: Services, patient_id: int) -> int:
    from sqlalchemy import func, select

    from stride.store.models import ActivitySessionRow

    with svc.deps.db.transaction() as s:
        query = (
            select(func.count())
            .select_from(ActivitySessionRow)
            .where(ActivitySessionRow.patient_id == patient_id)
        )
        return int(s.scalar(query) or 0)


# --- logged sessions -----------------------------------------------------------------------------


def test_logged_sessions_give_the_weeks_dose_and_adherence(
    demo: Services, rivera: Caller, patient1: Caller, planned: int
) -> None:
    for day in (23, 24, 25):
        demo.activity.log_session(patient1, planned, walk(day))
    view = demo.activity.week(rivera, planned)

    assert view.week_start == date(2026, 11, 23)
    assert [s.source for s in view.sessions] == ["manual"] * 3
    # RPE 13 is moderate (ACSM): 3 x 30 moderate minutes; WHO moderate-equivalent = moderate.
    assert view.summary.moderate_minutes == pytest.approx(90)
    assert view.summary.vigorous_minutes == 0
    assert view.summary.moderate_equivalent_minutes == pytest.approx(90)
    # The minutes per heart-rate zone count heart-rate-classified minutes only: these RPE-rated
    # logs have none (the week's intensity minutes above carry them).
    assert view.zone_minutes["moderate"] == 0
    assert view.plan_week_number == 1
    assert view.adherence is not None
    assert view.adherence.sessions_done == 3
    assert view.adherence.sessions_planned == view.plan_week.target.sessions  # type: ignore[union-attr]
    assert view.adherence.minutes_done == pytest.approx(90)
    # The stored weekly summary says the same.
    with demo.deps.db.transaction() as s:
        from stride.store.repositories import activity as repo

        [stored] = repo.weeks(s, planned, date(2026, 11, 23), date(2026, 11, 23))
    assert stored.sessions == 3
    assert stored.moderate_minutes == pytest.approx(90)
    created = [(a, p) for a, _, p in audit_actions(demo) if a == "activity.session.create" and p == planned]
    assert created == [("activity.session.create", planned)] * 3


def test_vigorous_minutes_count_double_toward_moderate_equivalent(
    demo: Services, patient1: Caller, p1: int
) -> None:
    demo.activity.log_session(patient1, p1, walk(24, minutes=20, rpe=15))
    view = demo.activity.week(patient1, p1)
    assert view.summary.vigorous_minutes == pytest.approx(20)
    assert view.summary.moderate_equivalent_minutes == pytest.approx(40)
    assert view.adherence is None  # no plan: dose without adherence


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (walk(24, rpe=25), "rpe"),
        (walk(24, minutes=0), "minutes"),
        (walk(24, rpe=None, avg_hr=400), "avg_hr"),
        (SessionEntry(start=datetime(2026, 11, 27, 9, tzinfo=UTC), sport="walking", minutes=30), "start"),
        (SessionEntry(start=datetime(2026, 11, 24, 9, tzinfo=UTC), sport="parkour", minutes=30), "sport"),
    ],
)
def test_bad_session_entries_name_the_field_and_store_nothing(
    demo: Services, patient1: Caller, p1: int, entry: SessionEntry, field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        demo.activity.log_session(patient1, p1, entry)
    assert error.value.field == field
    assert _count(demo, p1) == 0


def test_a_patient_cannot_log_for_another_patient(demo: Services, patient1: Caller) -> None:
    other = patient_id_of(demo, "DEMO-0002")
    with pytest.raises(NotFound):
        demo.activity.log_session(patient1, other, walk(24))
    assert _count(demo, other) == 0
    assert ("activity.session.create.denied", f"patient/{other}/sessions", other) in denials(demo)


def test_a_researcher_sees_no_patient_activity(demo: Services, p1: int) -> None:
    researcher = caller_for(demo, "researcher", RESEARCHER_PASSWORD)
    with pytest.raises(PermissionDenied):
        demo.activity.week(researcher, p1)


# --- imports -------------------------------------------------------------------------------------


def test_fit_import_stores_sessions_samples_and_dose_once(demo: Services, patient1: Caller, p1: int) -> None:
    path = sample("fit/garmin-fenix-5-run.fit")
    outcome = demo.imports.submit_path(patient1, p1, path)
    assert not outcome.already_imported
    done = demo.imports.status(patient1, outcome.record.id)
    assert (done.status, done.format, done.sessions, done.error) == (ImportStatus.DONE, "fit", 1, None)

    view = demo.activity.week(patient1, p1, FENIX_RUN_WEEK)
    [session] = view.sessions
    assert (session.source, session.sport, session.import_id) == ("fit", "running", done.id)
    assert session.sample_count > 0
    assert session.dose is not None
    assert session.dose.method == "hr"
    detail = demo.activity.session(patient1, session.id)
    assert 0 < len(detail.hr_curve) <= session.sample_count
    assert sum(detail.zone_minutes.values()) == pytest.approx(session.duration_s / 60)

    again = demo.imports.submit_path(patient1, p1, path)
    assert again.already_imported
    assert again.record.id == done.id
    assert _count(demo, p1) == 1


def test_a_corrupt_file_fails_with_the_readers_message_and_stores_nothing(
    demo: Services, patient1: Caller, p1: int
) -> None:
    outcome = demo.imports.submit_path(patient1, p1, sample("fit/invalid-activity-unexpected-eof.fit"))
    failed = demo.imports.status(patient1, outcome.record.id)
    assert failed.status is ImportStatus.FAILED
    assert failed.error is not None
    assert "byte" in failed.error
    assert _count(demo, p1) == 0
    folder = demo.deps.settings.activity_dir / f"patient={p1}"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_hand_log_of_an_imported_session_is_counted_once(demo: Services, patient1: Caller, p1: int) -> None:
    demo.imports.submit_path(patient1, p1, sample("fit/activity-small-fenix2-run.fit"))  # 47 min
    week = date(2015, 8, 10)
    [imported] = demo.activity.week(patient1, p1, week).sessions
    logged = demo.activity.log_session(
        patient1,
        p1,
        SessionEntry(start=imported.start, sport="running", minutes=imported.duration_s / 60, rpe=13),
    )
    assert logged.duplicate_of == imported.id
    view = demo.activity.week(patient1, p1, week)
    assert len(view.sessions) == 2
    assert view.summary.sessions == 1


# --- adverse events ------------------------------------------------------------------------------


def test_adverse_events_are_listed_and_counted_per_protocol(
    demo: Services, rivera: Caller, patient1: Caller, planned: int
) -> None:
    session = demo.activity.log_session(patient1, planned, walk(25))
    entry = AdverseEventEntry(
        occurred_at=datetime(2026, 11, 25, 8, tzinfo=UTC),
        description="Calf cramp at 20 minutes",
        severity="mild",
        action_taken="Stopped, stretched; resumed next day",
        session_id=session.id,
    )
    event = demo.activity.report_adverse_event(patient1, planned, entry)
    assert (event.protocol, event.severity.value, event.session_id) == ("home_walking", "mild", session.id)
    assert demo.activity.adverse_events(rivera, planned) == [event]
    # The demo clinic's DEMO-0005, on the same protocol, has one mild event already.
    [counts] = demo.activity.adverse_event_counts(rivera)
    assert (counts.protocol, counts.by_severity, counts.total) == ("home_walking", {"mild": 2}, 2)
    researcher = caller_for(demo, "researcher", RESEARCHER_PASSWORD)
    assert demo.activity.adverse_event_counts(researcher) == [counts]
    with pytest.raises(PermissionDenied):
        demo.activity.adverse_event_counts(patient1)
    with pytest.raises(InvalidInput) as error:
        demo.activity.report_adverse_event(
            patient1,
            planned,
            AdverseEventEntry(
                occurred_at=entry.occurred_at, description="x", severity="catastrophic", action_taken="y"
            ),
        )
    assert error.value.field == "severity"


# --- housekeeping --------------------------------------------------------------------------------


def test_doctor_publishes_committed_imports_and_removes_leftovers(
    demo: Services, patient1: Caller, p1: int
) -> None:
    outcome = demo.imports.submit_path(patient1, p1, sample("fit/garmin-fenix-5-run.fit"))
    folder = demo.deps.settings.activity_dir / f"patient={p1}"
    published = folder / f"import-{outcome.record.id}.samples.parquet"
    # A crash between the commit and the rename leaves the committed import's file hidden.
    published.rename(folder / f".import-{outcome.record.id}.samples.parquet.partial")
    # A crash before the commit leaves the file of an import the database never finished.
    pq.write_table(pa.table({"session_id": [1]}), folder / ".import-999.samples.parquet.partial")
    assert demo.activity.session(patient1, demo.activity.sessions(patient1, p1)[0].id).hr_curve == []

    report = demo.imports.doctor(requeue=False)

    assert (report["published"], report["removed_partial"]) == (1, 1)
    assert sorted(p.name for p in folder.iterdir()) == [published.name]
    assert demo.activity.session(patient1, demo.activity.sessions(patient1, p1)[0].id).hr_curve


def _set_running(svc: Services, import_id: int, heartbeat_at: datetime | None) -> None:
    from sqlalchemy import update

    from stride.store.models import ActivityImportRow

    with svc.deps.db.transaction() as s:
        s.execute(
            update(ActivityImportRow)
            .where(ActivityImportRow.id == import_id)
            .values(status=ImportStatus.RUNNING.value, heartbeat_at=heartbeat_at)
        )


def _status(svc: Services, patient: Caller, import_id: int) -> ImportStatus:
    return svc.imports.status(patient, import_id).status


def test_a_worker_starting_beside_others_requeues_only_the_imports_whose_job_fell_silent(
    demo: Services, patient1: Caller, p1: int
) -> None:
    files = ("fit/garmin-fenix-5-run.fit", "gpx/cerknicko-jezero.gpx", "gpx/gpx_with_garmin_extension.gpx")
    fresh, silent, never = (demo.imports.submit_path(patient1, p1, sample(f)).record.id for f in files)
    now = demo.deps.clock()
    lease = timedelta(minutes=demo.deps.settings.import_lease_minutes)
    _set_running(demo, fresh, now - lease + timedelta(minutes=1))  # another consumer is on it
    _set_running(demo, silent, now - lease - timedelta(minutes=1))  # its consumer died
    _set_running(demo, never, None)  # claimed before heartbeats were kept

    demo.imports.doctor(requeue=False, others_may_be_running=True)

    states = [_status(demo, patient1, i) for i in (fresh, silent, never)]
    assert states == [ImportStatus.RUNNING, ImportStatus.QUEUED, ImportStatus.QUEUED]
    # With nothing else importing (the server's own start, `stride doctor`), every running import
    # was cut off.
    demo.imports.doctor(requeue=False)
    assert _status(demo, patient1, fresh) is ImportStatus.QUEUED


def test_of_two_jobs_for_one_import_exactly_one_claims_it(demo: Services, patient1: Caller, p1: int) -> None:
    from stride.store.repositories import activity as repo

    import_id = demo.imports.submit_path(patient1, p1, sample("fit/garmin-fenix-5-run.fit")).record.id
    _set_running(demo, import_id, None)
    demo.imports.doctor(requeue=False)  # now queued, as a lost job leaves it
    now = demo.deps.clock()
    with demo.deps.db.transaction() as s:
        claims = [repo.claim_import(s, import_id, now=now), repo.claim_import(s, import_id, now=now)]
    assert claims == [True, False]
    assert _status(demo, patient1, import_id) is ImportStatus.RUNNING


def adverse_event(**change: Any) -> AdverseEventEntry:
    """An adverse event on the test clock's Wednesday morning, as the patient reports it."""
    fields: dict[str, Any] = {
        "occurred_at": datetime(2026, 11, 25, 8, tzinfo=UTC),
        "description": "Sore knees",
        "severity": "mild",
        "action_taken": "Rest day",
    }
    return AdverseEventEntry(**{**fields, **change})


@pytest.mark.parametrize(
    ("severity", "code"), [("serious", "adverse_event_serious"), ("severe", "adverse_event_severe")]
)
def test_a_severe_or_serious_event_alerts_the_care_team_and_holds_the_plan(
    demo: Services, rivera: Caller, patient1: Caller, planned: int, severity: str, code: str
) -> None:
    assert not demo.plans.current(rivera, planned).on_hold  # type: ignore[union-attr]
    demo.activity.report_adverse_event(
        patient1,
        planned,
        adverse_event(
            description="Chest pain and fainted on the walk; taken to A&E",
            severity=severity,
            action_taken="Ambulance called",
        ),
    )
    [alert] = demo.alerts.for_patient(rivera, planned, active_only=True)
    assert (alert.code, alert.response_id) == (code, None)
    assert "Chest pain" in alert.reason
    assert alert.severity == severity  # the event's own severity, not a fixed urgency label
    assert any(
        a.patient_id == planned and a.code == code for a in (i.alert for i in demo.alerts.inbox(rivera))
    )
    view = demo.plans.current(rivera, planned)
    assert view is not None
    assert view.on_hold
    assert ("alert.raise", planned) in [(a, p) for a, _, p in audit_actions(demo)]


def test_a_mild_event_is_recorded_without_an_alert(
    demo: Services, rivera: Caller, patient1: Caller, planned: int
) -> None:
    demo.activity.report_adverse_event(patient1, planned, adverse_event())
    assert demo.alerts.for_patient(rivera, planned, active_only=True) == []
    assert not demo.plans.current(rivera, planned).on_hold  # type: ignore[union-attr]


def test_a_ticked_cardiac_warning_sign_alerts_whatever_the_severity(
    demo: Services, rivera: Caller, patient1: Caller, planned: int
) -> None:
    event = demo.activity.report_adverse_event(
        patient1,
        planned,
        adverse_event(
            description="Felt odd on the hill", warning_signs=("palpitations_at_rest", "chest_pain")
        ),
    )
    assert event.warning_signs == ("chest_pain", "palpitations_at_rest")
    [stored] = demo.activity.adverse_events(rivera, planned)
    assert stored.warning_signs == ("chest_pain", "palpitations_at_rest")
    [alert] = demo.alerts.for_patient(rivera, planned, active_only=True)
    assert (alert.code, alert.severity) == ("adverse_event_cardiac_sign", "mild")
    assert "Pain, pressure or tightness in the chest" in alert.reason
    assert "ACSM" in alert.source
    assert demo.plans.current(rivera, planned).on_hold  # type: ignore[union-attr]


def test_an_unknown_warning_sign_is_refused_and_nothing_is_stored(
    demo: Services, rivera: Caller, patient1: Caller, planned: int
) -> None:
    with pytest.raises(InvalidInput) as refused:
        demo.activity.report_adverse_event(patient1, planned, adverse_event(warning_signs=("headache",)))
    assert refused.value.field == "warning_signs"
    assert demo.activity.adverse_events(rivera, planned) == []
    assert demo.alerts.for_patient(rivera, planned, active_only=True) == []


def test_a_password_protected_export_fails_as_an_import_and_stores_nothing(
    demo: Services, patient1: Caller, p1: int, tmp_path: Path
) -> None:
    from tests.unit.activity.io.test_zip_members import APPLE_XML, zipped

    path = tmp_path / "export.zip"
    path.write_bytes(zipped("apple_health_export/export.xml", APPLE_XML, encrypted=True))
    outcome = demo.imports.submit_path(patient1, p1, path)
    failed = demo.imports.status(patient1, outcome.record.id)
    assert failed.status is ImportStatus.FAILED
    assert failed.error is not None
    assert "password-protected" in failed.error
    assert _count(demo, p1) == 0
