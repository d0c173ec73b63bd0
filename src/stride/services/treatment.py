"""Treatment history (antidepressant trials and other treatments of the episode) and the TRD
assessment derived from it. Entries are append-only: a correction supersedes with a reason."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from stride.clinical.trd import TrdAssessment, TrdInput, Trial, assess, find_antidepressant, severity_levels
from stride.domain.accounts import check_no_control_characters
from stride.domain.dates import check_event_date
from stride.domain.measurements import check_note, check_reason
from stride.domain.treatment import Episode, TreatmentEntry, TreatmentKind
from stride.errors import InvalidInput
from stride.services.access import deny, may_read_clinical, may_write_clinical
from stride.services.context import Caller, Deps, record
from stride.store.models import DepressionEpisodeRow, TreatmentEntryRow
from stride.store.repositories import treatment as repo


@dataclass(frozen=True, slots=True)
class NewTreatment:
    kind: TreatmentKind
    drug: str | None = None
    daily_dose_mg: float | None = None
    start_date: date | None = None
    weeks: float | None = None
    adherent: bool | None = None
    improvement_pct: float | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TreatmentHistory:
    episode: Episode | None
    entries: list[TreatmentEntry]
    assessment: TrdAssessment | None  # None until the episode (start, severity) is recorded
    not_assessed: str | None = None


def _checked(new: NewTreatment, *, today: date) -> NewTreatment:
    """Antidepressant trials need what adequacy is judged on; bounds are data-entry plausibility."""
    if new.start_date is not None:
        check_event_date(new.start_date, today=today, field="start_date")
        if new.start_date > today:
            raise InvalidInput("is in the future", field="start_date")
    # NUL and the like: PostgreSQL refuses them in text (a 500), SQLite cuts the string there.
    check_no_control_characters(new.drug or "", field="drug")
    if new.kind is not TreatmentKind.ANTIDEPRESSANT:
        if new.drug is not None and len(new.drug.strip()) > 64:
            raise InvalidInput("must be at most 64 characters", field="drug")
        return replace(new, drug=(new.drug or "").strip() or None)
    if not new.drug:
        raise InvalidInput("is required for an antidepressant trial", field="drug")
    drug = find_antidepressant(new.drug).name
    for field, value, low, high in (
        ("daily_dose_mg", new.daily_dose_mg, 0.01, 10_000.0),
        ("weeks", new.weeks, 0.0, 520.0),
        ("improvement_pct", new.improvement_pct, -1000.0, 100.0),
    ):
        if value is None:
            raise InvalidInput("is required for an antidepressant trial", field=field)
        if not low <= value <= high:
            raise InvalidInput(f"must be between {low:g} and {high:g}", field=field)
    if new.adherent is None:
        raise InvalidInput("say whether the patient took it as prescribed", field="adherent")
    # assess() refuses such a trial; stored, it would break every later read of the history.
    if new.start_date is not None and new.weeks is not None and new.weeks * 7 > (today - new.start_date).days:
        raise InvalidInput(
            f"{new.weeks:g} weeks is longer than the time since {new.start_date}", field="weeks"
        )
    return replace(new, drug=drug)


def _check_supersedes(s: Session, patient_id: int, supersedes: int) -> None:
    """The entry a correction replaces is this patient's and is its newest version."""
    old = repo.get_entry(s, supersedes)
    if old is None or old.patient_id != patient_id:
        raise InvalidInput(f"no treatment entry {supersedes} for this patient", field="supersedes")
    if repo.is_superseded(s, supersedes):
        raise InvalidInput("was already corrected; correct the newest version", field="supersedes")


class TreatmentService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def add(
        self,
        caller: Caller,
        patient_id: int,
        new: NewTreatment,
        *,
        supersedes: int | None = None,
        reason: str | None = None,
        retract: bool = False,
    ) -> TreatmentEntry:
        """Record a treatment, or correct / retract an earlier entry (``supersedes`` + ``reason``)."""
        if retract and supersedes is None:
            raise InvalidInput("say which entry to retract", field="supersedes")
        # A retraction says "entered in error": the treatment's details need not be typed again.
        clean = (
            NewTreatment(kind=new.kind, note=new.note)
            if retract
            else _checked(new, today=self.deps.clock().date())
        )
        why = check_reason(reason or "") if supersedes is not None else None
        with self.deps.db.transaction() as s:
            if may_write_clinical(s, caller, patient_id):
                if supersedes is not None:
                    _check_supersedes(s, patient_id, supersedes)
                row = self._entry_row(
                    caller, patient_id, clean, supersedes=supersedes, reason=why, retract=retract
                )
                entry = repo.add_entry(s, row)
                action = (
                    "treatment.retract"
                    if retract
                    else ("treatment.correct" if supersedes else "treatment.add")
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action=action,
                    resource=f"treatment/{entry.id}",
                    patient_id=patient_id,
                    detail=why,
                )
                return entry
        raise deny(
            self.deps,
            caller,
            action="treatment.add",
            resource=f"patient/{patient_id}/treatment",
            patient_id=patient_id,
            message="Treatment history is recorded by the patient's care team.",
        )

    def _entry_row(
        self,
        caller: Caller,
        patient_id: int,
        clean: NewTreatment,
        *,
        supersedes: int | None,
        reason: str | None,
        retract: bool,
    ) -> TreatmentEntryRow:
        return TreatmentEntryRow(
            patient_id=patient_id,
            kind=clean.kind.value,
            drug=clean.drug,
            daily_dose_mg=clean.daily_dose_mg,
            start_date=clean.start_date,
            weeks=clean.weeks,
            adherent=clean.adherent,
            improvement_pct=clean.improvement_pct,
            note=check_note(clean.note, field="note", minimum=0, maximum=2000, hint="") or None
            if clean.note
            else None,
            retracted=retract,
            recorded_at=self.deps.clock(),
            recorded_by=caller.require_actor().user_id,
            supersedes_id=supersedes,
            correction_reason=reason,
        )

    def set_episode(self, caller: Caller, patient_id: int, *, episode_start: date, severity: str) -> Episode:
        if severity not in severity_levels():
            raise InvalidInput("one of " + ", ".join(severity_levels()), field="severity")
        check_event_date(episode_start, today=self.deps.clock().date(), field="episode_start")
        if episode_start > self.deps.clock().date():
            raise InvalidInput("is in the future", field="episode_start")
        with self.deps.db.transaction() as s:
            if may_write_clinical(s, caller, patient_id):
                episode = repo.set_episode(
                    s,
                    DepressionEpisodeRow(
                        patient_id=patient_id,
                        episode_start=episode_start,
                        severity=severity,
                        recorded_at=self.deps.clock(),
                        recorded_by=caller.require_actor().user_id,
                    ),
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="episode.set",
                    resource=f"patient/{patient_id}/episode",
                    patient_id=patient_id,
                    detail=f"start={episode_start} severity={severity}",
                )
                return episode
        raise deny(
            self.deps,
            caller,
            action="episode.set",
            resource=f"patient/{patient_id}/episode",
            patient_id=patient_id,
            message="The episode is recorded by the patient's care team.",
        )

    def history(self, caller: Caller, patient_id: int) -> TreatmentHistory:
        """The current entries, the episode and, when the episode is known, the TRD assessment."""
        today = self.deps.clock().date()
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                history = history_in(s, patient_id, today=today)
                record(
                    s,
                    self.deps,
                    caller,
                    action="treatment.read",
                    resource=f"patient/{patient_id}/treatment",
                    patient_id=patient_id,
                )
                return history
        raise deny(
            self.deps,
            caller,
            action="treatment.read",
            resource=f"patient/{patient_id}/treatment",
            patient_id=patient_id,
        )


def history_in(s: Session, patient_id: int, *, today: date) -> TreatmentHistory:
    """The treatment history read in the caller's transaction (no access check, no audit: the use
    case does both)."""
    return _history(repo.current_episode(s, patient_id), repo.current_entries(s, patient_id), today)


def _history(episode: Episode | None, entries: list[TreatmentEntry], today: date) -> TreatmentHistory:
    if episode is None:
        return TreatmentHistory(episode=None, entries=entries, assessment=None)
    try:
        return TreatmentHistory(episode=episode, entries=entries, assessment=_assess(episode, entries, today))
    except InvalidInput as exc:
        # Dates stored before they were checked (a trial starting after today) cannot be staged;
        # the history still shows, saying why, so that the clinician can correct the entry.
        why = f"cannot be assessed from the stored history ({exc}); correct the entry"
        return TreatmentHistory(episode=episode, entries=entries, assessment=None, not_assessed=why)


def _assess(episode: Episode, entries: list[TreatmentEntry], today: date) -> TrdAssessment:
    kinds = {e.kind for e in entries}
    trials = tuple(
        Trial(
            drug=e.drug or "",
            daily_dose_mg=e.daily_dose_mg or 0.0,
            weeks=e.weeks or 0.0,
            adherent=bool(e.adherent),
            improvement_pct=e.improvement_pct or 0.0,
            start_date=e.start_date,
        )
        for e in entries
        if e.kind is TreatmentKind.ANTIDEPRESSANT
    )
    return assess(
        TrdInput(
            as_of=today,
            episode_start=episode.episode_start,
            severity=episode.severity,
            trials=trials,
            augmentation=TreatmentKind.AUGMENTATION in kinds,
            ect=TreatmentKind.ECT in kinds,
            ketamine=TreatmentKind.KETAMINE in kinds,
            esketamine=TreatmentKind.ESKETAMINE in kinds,
            psychotherapy=TreatmentKind.PSYCHOTHERAPY in kinds,
        )
    )


def _note(note: str | None) -> str | None:
    if not note or not note.strip():
        return None
    return check_note(note, field="note", minimum=1, maximum=2000, hint="write a note")
