"""Treatment history and TRD status through the service, on SQLite and PostgreSQL.

Entries are append-only: corrections and retractions supersede with a reason. The TRD verdict and
the MSM stage are what ``stride.clinical.trd.assess`` computes from the current entries.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from stride.clinical.trd import TrdInput, Trial, assess
from stride.domain.accounts import Role
from stride.domain.treatment import TreatmentKind
from stride.errors import InvalidInput, NotFound, PermissionDenied
from stride.services.context import Caller
from stride.services.registry import Services
from stride.services.treatment import NewTreatment
from stride.services.users import NewUser
from stride.store.models import TreatmentEntryRow
from stride.store.repositories import audit as audit_repo
from stride.store.repositories import treatment as treatment_repo
from tests.conftest import FakeClock, caller_for, denials

EPISODE_START = date(2025, 10, 1)  # 13-14 months before the FakeClock's 2026-11-26: "sub-acute"
SERTRALINE = NewTreatment(
    kind=TreatmentKind.ANTIDEPRESSANT,
    drug="Sertraline",
    daily_dose_mg=100,
    start_date=date(2025, 10, 15),
    weeks=8,
    adherent=True,
    improvement_pct=20,
)
VENLAFAXINE = NewTreatment(
    kind=TreatmentKind.ANTIDEPRESSANT,
    drug="venlafaxine",
    daily_dose_mg=150,
    start_date=date(2026, 1, 10),
    weeks=10,
    adherent=True,
    improvement_pct=10,
)
UNDER_DOSED = replace(SERTRALINE, daily_dose_mg=25)  # minimum effective dose is 50 mg


def audit_actions(svc: Services, patient_id: int) -> list[tuple[str, str]]:
    with svc.deps.db.transaction() as s:
        return [
            (e.event.action, e.event.resource)
            for e in audit_repo.iter_all(s)
            if e.event.patient_id == patient_id
        ]


def stored_entries(svc: Services, patient_id: int) -> int:
    with svc.deps.db.transaction() as s:
        query = (
            select(func.count())
            .select_from(TreatmentEntryRow)
            .where(TreatmentEntryRow.patient_id == patient_id)
        )
        return int(s.scalar(query) or 0)


@pytest.fixture
def patient2(demo: Services) -> Caller:
    return caller_for(demo, "patient2", "demo-clinic-patient")


@pytest.fixture
def pid(patient2: Caller) -> int:
    """DEMO-0002: no treatment history in the demo seed."""
    assert patient2.actor is not None
    assert patient2.actor.patient_id is not None
    return patient2.actor.patient_id


def test_two_adequate_failed_trials_make_trd_with_the_msm_stage(
    demo: Services, rivera: Caller, pid: int, clock: FakeClock
) -> None:
    assert demo.treatment.history(rivera, pid).assessment is None  # no episode yet
    demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="moderate")
    first = demo.treatment.add(rivera, pid, SERTRALINE)
    assert first.drug == "sertraline"  # the dose table's generic name
    assert demo.treatment.history(rivera, pid).assessment.trd is False  # type: ignore[union-attr]
    demo.treatment.add(rivera, pid, VENLAFAXINE)

    history = demo.treatment.history(rivera, pid)
    assert history.episode is not None
    assert history.episode.severity == "moderate"
    assert [e.drug for e in history.entries] == ["sertraline", "venlafaxine"]
    a = history.assessment
    assert a is not None
    assert (a.trd, a.adequate_failed_trials) == (True, 2)
    assert [(v.adequate, v.failed, v.counted) for v in a.trials] == [(True, True, True)] * 2
    # duration 13-24 months = 2, moderate = 3, 1-2 failed = 1, no augmentation, no ECT
    assert (a.msm.score, a.msm.band) == (6, "mild")
    expected = assess(
        TrdInput(
            as_of=clock.now.date(),
            episode_start=EPISODE_START,
            severity="moderate",
            trials=(
                Trial("sertraline", 100, 8, True, 20, date(2025, 10, 15)),
                Trial("venlafaxine", 150, 10, True, 10, date(2026, 1, 10)),
            ),
        )
    )
    assert (a.trd, a.msm, a.trials) == (expected.trd, expected.msm, expected.trials)

    demo.treatment.add(rivera, pid, NewTreatment(kind=TreatmentKind.AUGMENTATION, note="lithium"))
    staged = demo.treatment.history(rivera, pid).assessment
    assert staged is not None
    assert (staged.msm.score, staged.msm.band) == (7, "moderate")
    actions = [a for a, _ in audit_actions(demo, pid)]
    assert actions.count("treatment.add") == 3
    assert "episode.set" in actions


def test_under_dosed_trial_is_not_counted(demo: Services, rivera: Caller, pid: int) -> None:
    demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="severe_without_psychosis")
    demo.treatment.add(rivera, pid, UNDER_DOSED)
    demo.treatment.add(rivera, pid, VENLAFAXINE)
    a = demo.treatment.history(rivera, pid).assessment
    assert a is not None
    assert (a.trd, a.adequate_failed_trials) == (False, 1)
    assert [(v.drug, v.adequate, v.counted) for v in a.trials] == [
        ("sertraline", False, False),
        ("venlafaxine", True, True),
    ]
    assert any("25 mg below the minimum effective 50 mg" in r for r in a.trials[0].reasons)


def test_not_taken_as_prescribed_or_too_short_is_not_counted(
    demo: Services, rivera: Caller, pid: int
) -> None:
    demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="moderate")
    demo.treatment.add(rivera, pid, replace(SERTRALINE, adherent=False))
    demo.treatment.add(rivera, pid, replace(VENLAFAXINE, weeks=5))
    a = demo.treatment.history(rivera, pid).assessment
    assert a is not None
    assert (a.trd, a.adequate_failed_trials) == (False, 0)


def test_correction_supersedes_with_its_reason(demo: Services, rivera: Caller, pid: int) -> None:
    demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="moderate")
    wrong = demo.treatment.add(rivera, pid, UNDER_DOSED)
    demo.treatment.add(rivera, pid, VENLAFAXINE)
    fixed = demo.treatment.add(
        rivera, pid, SERTRALINE, supersedes=wrong.id, reason="Dose was 100 mg, not 25 mg"
    )

    assert (fixed.supersedes_id, fixed.correction_reason, fixed.daily_dose_mg) == (
        wrong.id,
        "Dose was 100 mg, not 25 mg",
        100,
    )
    history = demo.treatment.history(rivera, pid)
    assert [e.id for e in history.entries] == [fixed.id, history.entries[1].id]
    assert wrong.id not in {e.id for e in history.entries}
    assert history.assessment is not None
    assert history.assessment.trd is True
    with demo.deps.db.transaction() as s:
        assert treatment_repo.get_entry(s, wrong.id) == wrong  # kept, unchanged
    assert ("treatment.correct", f"treatment/{fixed.id}") in audit_actions(demo, pid)

    with pytest.raises(InvalidInput) as again:
        demo.treatment.add(rivera, pid, SERTRALINE, supersedes=wrong.id, reason="Second correction of v1")
    assert again.value.field == "supersedes"
    with pytest.raises(InvalidInput) as no_reason:
        demo.treatment.add(rivera, pid, SERTRALINE, supersedes=fixed.id, reason="")
    assert no_reason.value.field == "reason"
    assert stored_entries(demo, pid) == 3


def test_correction_of_another_patients_entry_is_refused(demo: Services, rivera: Caller, pid: int) -> None:
    entry = demo.treatment.add(rivera, pid, SERTRALINE)
    other = next(p.id for p in demo.patients.search(rivera, text="DEMO-0003").items)
    with pytest.raises(InvalidInput) as caught:
        demo.treatment.add(rivera, other, SERTRALINE, supersedes=entry.id, reason="Wrong patient chart")
    assert caught.value.field == "supersedes"
    assert stored_entries(demo, other) == 0


def test_retraction_removes_the_entry_and_its_trd_count(demo: Services, rivera: Caller, pid: int) -> None:
    demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="moderate")
    first = demo.treatment.add(rivera, pid, SERTRALINE)
    second = demo.treatment.add(rivera, pid, VENLAFAXINE)
    assert demo.treatment.history(rivera, pid).assessment.trd is True  # type: ignore[union-attr]

    gone = demo.treatment.add(
        rivera, pid, VENLAFAXINE, supersedes=second.id, reason="Entered in error", retract=True
    )
    history = demo.treatment.history(rivera, pid)
    assert [e.id for e in history.entries] == [first.id]
    assert gone.id not in {e.id for e in history.entries}
    assert history.assessment is not None
    assert (history.assessment.trd, history.assessment.adequate_failed_trials) == (False, 1)
    assert ("treatment.retract", f"treatment/{gone.id}") in audit_actions(demo, pid)
    with pytest.raises(InvalidInput):
        demo.treatment.add(rivera, pid, VENLAFAXINE, supersedes=second.id, reason="Retract it twice")
    assert stored_entries(demo, pid) == 3


def test_retraction_needs_only_the_entry_and_a_reason(demo: Services, rivera: Caller, pid: int) -> None:
    entry = demo.treatment.add(rivera, pid, SERTRALINE)
    bare = NewTreatment(kind=TreatmentKind.ANTIDEPRESSANT)
    with pytest.raises(InvalidInput) as which:
        demo.treatment.add(rivera, pid, bare, reason="Entered in error", retract=True)
    assert which.value.field == "supersedes"
    gone = demo.treatment.add(rivera, pid, bare, supersedes=entry.id, reason="Wrong patient", retract=True)
    assert gone.supersedes_id == entry.id
    assert demo.treatment.history(rivera, pid).entries == []
    assert stored_entries(demo, pid) == 2


@pytest.mark.parametrize(("name", "hint"), [("sertralin", "sertraline"), ("Venlafaxin", "venlafaxine")])
def test_unknown_drug_is_refused_with_a_suggestion(
    demo: Services, rivera: Caller, pid: int, name: str, hint: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.treatment.add(rivera, pid, replace(SERTRALINE, drug=name))
    assert caught.value.field == "drug"
    assert f"did you mean {hint}" in caught.value.message
    assert stored_entries(demo, pid) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"drug": None}, "drug"),
        ({"daily_dose_mg": None}, "daily_dose_mg"),
        ({"daily_dose_mg": 0}, "daily_dose_mg"),
        ({"weeks": -1}, "weeks"),
        ({"improvement_pct": 101}, "improvement_pct"),
        ({"adherent": None}, "adherent"),
        ({"start_date": date(2026, 11, 27)}, "start_date"),
    ],
)
def test_an_antidepressant_trial_needs_plausible_values(
    demo: Services, rivera: Caller, pid: int, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.treatment.add(rivera, pid, replace(SERTRALINE, **change))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert stored_entries(demo, pid) == 0


def test_a_trial_longer_than_the_time_since_its_start_is_refused_when_entered(
    demo: Services, rivera: Caller, pid: int, clock: FakeClock
) -> None:
    # Otherwise it is stored and every later read of the history (the record page) fails in assess().
    demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="moderate")
    started = clock.now.date() - timedelta(weeks=2)
    with pytest.raises(InvalidInput) as caught:
        demo.treatment.add(rivera, pid, replace(SERTRALINE, start_date=started, weeks=8))
    assert caught.value.field == "weeks"
    assert stored_entries(demo, pid) == 0
    assert demo.treatment.history(rivera, pid).entries == []


def test_episode_needs_a_known_severity_and_a_past_start(
    demo: Services, rivera: Caller, pid: int, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput) as severity:
        demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="catastrophic")
    assert severity.value.field == "severity"
    with pytest.raises(InvalidInput) as start:
        demo.treatment.set_episode(
            rivera, pid, episode_start=clock.now.date() + timedelta(days=1), severity="mild"
        )
    assert start.value.field == "episode_start"
    assert demo.treatment.history(rivera, pid).episode is None


def test_patient_reads_their_history_but_cannot_write_it(
    demo: Services, rivera: Caller, patient2: Caller, pid: int
) -> None:
    demo.treatment.set_episode(rivera, pid, episode_start=EPISODE_START, severity="moderate")
    entry = demo.treatment.add(rivera, pid, SERTRALINE)
    seen = demo.treatment.history(patient2, pid)
    assert [e.id for e in seen.entries] == [entry.id]
    assert seen.assessment is not None

    with pytest.raises(PermissionDenied):
        demo.treatment.add(patient2, pid, VENLAFAXINE)
    with pytest.raises(PermissionDenied):
        demo.treatment.add(patient2, pid, SERTRALINE, supersedes=entry.id, reason="I took less than that")
    with pytest.raises(PermissionDenied):
        demo.treatment.set_episode(patient2, pid, episode_start=EPISODE_START, severity="mild")
    actions = [a for a, _, p in denials(demo) if p == pid]
    assert actions.count("treatment.add.denied") == 2
    assert actions.count("episode.set.denied") == 1
    assert stored_entries(demo, pid) == 1
    other = next(p.id for p in demo.patients.search(rivera, text="DEMO-0003").items)
    with pytest.raises(NotFound):
        demo.treatment.history(patient2, other)


def test_admin_and_other_team_clinician_neither_read_nor_write(
    demo: Services, rivera: Caller, pid: int
) -> None:
    cli = Caller.cli()
    user = demo.users.create(
        cli, NewUser(username="dr.exercise", password="exercise-team-only-password", role=Role.CLINICIAN)
    )
    team = next(t for t in demo.teams.list_teams(cli) if t.name == "Exercise Physiology Team")
    demo.teams.set_member(cli, team.id, user.id, member=True)
    outsider = caller_for(demo, "dr.exercise", "exercise-team-only-password")
    admin = caller_for(demo, "admin", "demo-clinic-manager")
    demo.treatment.add(rivera, pid, SERTRALINE)
    # Another team's clinician does not see the patient (404); the administrator is refused by role.
    for caller, refusal in ((outsider, NotFound), (admin, PermissionDenied)):
        with pytest.raises(refusal):
            demo.treatment.history(caller, pid)
        with pytest.raises(refusal):
            demo.treatment.add(caller, pid, VENLAFAXINE)
    assert stored_entries(demo, pid) == 1
