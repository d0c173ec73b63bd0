"""Questionnaires and ratings: submit, correct (a new version with a reason), read, schedule.

A positive safety answer raises an alert for the care team in the same transaction as the
response, so that no answer is ever stored without its alert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from stride.clinical.measurement import Instrument, Score, get_instrument, instrument_ids, score
from stride.clinical.safety import SafetyConcern, safety_concern
from stride.domain.access_policy import Action
from stride.domain.accounts import Role
from stride.domain.dates import check_event_date
from stride.domain.measurements import (
    DATED_BY_DAY_AT,
    ResponseSource,
    SafetyAlert,
    StoredResponse,
    check_reason,
)
from stride.errors import InvalidInput, NotFound
from stride.services.access import deny, may, may_read_clinical, may_write_clinical
from stride.services.alerts import CrisisGuidance, crisis_for
from stride.services.context import Caller, Deps, record
from stride.services.unit_of_work import unit_of_work
from stride.store.models import QuestionnaireResponseRow, SafetyAlertRow
from stride.store.repositories import measurements as repo

# Kinds a patient answers about themselves; clinician-rated scales are entered by the care team.
SELF_REPORT_KINDS = frozenset({"self_report", "activity"})


@dataclass(frozen=True, slots=True)
class ResponseView:
    """One response as its result page shows it: every version, its alert, and crisis guidance
    whenever it raised a safety concern."""

    instrument: Instrument
    versions: list[StoredResponse]
    alert: SafetyAlert | None
    crisis: CrisisGuidance | None

    @property
    def current(self) -> StoredResponse:
        return self.versions[-1]


@dataclass(frozen=True, slots=True)
class Submission:
    """The stored response, its score, the alert it raised (if any) and then the crisis guidance
    that the patient must see at once."""

    response: StoredResponse
    score: Score
    alert: SafetyAlert | None
    crisis: CrisisGuidance | None = None


def instruments_for(caller: Caller) -> list[Instrument]:
    """What this caller may fill in: patients self-report forms, clinicians everything."""
    instruments = [get_instrument(i) for i in instrument_ids()]
    if caller.role is Role.CLINICIAN:
        return instruments
    if caller.role is Role.PATIENT:
        return [i for i in instruments if i.kind in SELF_REPORT_KINDS]
    return []


class MeasurementService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def instruments_for(self, caller: Caller) -> list[Instrument]:
        return instruments_for(caller)

    def today(self) -> date:
        return self.deps.clock().date()

    def ensure_may_submit(
        self, caller: Caller, patient_id: int, instrument_id: str, *, correcting: bool = False
    ) -> None:
        """Refuse (and audit) before showing a form the caller may not submit."""
        instrument = get_instrument(instrument_id)
        with self.deps.db.transaction() as s:
            allowed = (
                may_write_clinical(s, caller, patient_id)
                if correcting
                else self._may_submit(s, caller, patient_id, instrument)
            )
        if not allowed:
            raise deny(
                self.deps,
                caller,
                action="questionnaire.submit",
                resource=f"patient/{patient_id}",
                patient_id=patient_id,
                message=self._refusal(caller, instrument),
            )

    def _may_submit(self, s: Session, caller: Caller, patient_id: int, instrument: Instrument) -> bool:
        # A patient answers self-report questionnaires only; clinician-rated ones are clinical data.
        self_report = instrument.kind in SELF_REPORT_KINDS
        return may(s, caller, Action.SUBMIT_SELF_REPORT if self_report else Action.WRITE_CLINICAL, patient_id)

    def submit(
        self,
        caller: Caller,
        patient_id: int,
        instrument_id: str,
        answers: Mapping[str, int | None],
        *,
        answered_on: date | None = None,
    ) -> Submission:
        """Score and store a questionnaire or rating; raise a safety alert at once if it calls for one.

        Raises
        ------
        InvalidInput
            An unknown item, a value out of range, or an incomplete form (naming the items).
        NotFound
            A patient answering for someone else, a clinician outside the patient's care teams
            (the answer for a patient that does not exist).
        PermissionDenied
            A patient answering a clinician-rated scale; any other role.
        """
        instrument = get_instrument(instrument_id)
        result = self._scored(instrument, answers, from_patient=caller.role is Role.PATIENT)
        now = self.deps.clock()
        when = _answered_at(answered_on, now=now)
        with self.deps.db.transaction() as s:
            if self._may_submit(s, caller, patient_id, instrument):
                _check_patient_not_backdating(caller, answered_on, today=now.date())
                response = repo.add_response(
                    s, self._row(caller, patient_id, instrument, answers, result, when)
                )
                alert = self._raise_alert(s, caller, response, safety_concern(result))
                record(
                    s,
                    self.deps,
                    caller,
                    action="questionnaire.submit",
                    resource=f"response/{response.id}",
                    patient_id=patient_id,
                    detail=f"{instrument.id} total={result.total}",
                )
                crisis = crisis_for(s, response.patient_id, self.deps) if alert else None
                return Submission(response=response, score=result, alert=alert, crisis=crisis)
        raise deny(
            self.deps,
            caller,
            action="questionnaire.submit",
            resource=f"patient/{patient_id}",
            patient_id=patient_id,
            message=self._refusal(caller, instrument),
        )

    def correct(
        self, caller: Caller, response_id: int, answers: Mapping[str, int | None], *, reason: str
    ) -> Submission:
        """Correct a stored response: a new version superseding it, with the reason; never an overwrite."""
        why = check_reason(reason)
        with self.deps.db.transaction() as s:
            old = repo.get_response(s, response_id)
            if old is not None and may_write_clinical(s, caller, old.patient_id):
                if repo.is_superseded(s, response_id):
                    raise InvalidInput(
                        "was already corrected; correct the newest version", field="response_id"
                    )
                instrument = get_instrument(old.instrument)
                result = self._scored(instrument, answers, from_patient=False)
                row = self._row(
                    caller, old.patient_id, instrument, answers, result, old.answered_at, source=old.source
                )
                row.version, row.supersedes_id, row.correction_reason = old.version + 1, old.id, why
                response = repo.add_response(s, row)
                alert = self._raise_alert(s, caller, response, self._new_concern(s, old, result))
                record(
                    s,
                    self.deps,
                    caller,
                    action="questionnaire.correct",
                    resource=f"response/{response.id}",
                    patient_id=old.patient_id,
                    detail=f"supersedes response/{old.id}: {why}",
                )
                crisis = crisis_for(s, response.patient_id, self.deps) if alert else None
                return Submission(response=response, score=result, alert=alert, crisis=crisis)
        raise deny(
            self.deps,
            caller,
            action="questionnaire.correct",
            resource=f"response/{response_id}",
            patient_id=old.patient_id if old is not None else None,
            message="Only a clinician of the patient's care team corrects a response.",
        )

    def responses(
        self, caller: Caller, patient_id: int, *, instrument: str | None = None
    ) -> list[StoredResponse]:
        """Current versions of the patient's responses, oldest first."""
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                items = repo.current_responses(s, patient_id, instrument=instrument)
                record(
                    s,
                    self.deps,
                    caller,
                    action="questionnaire.read",
                    resource=f"patient/{patient_id}/responses",
                    patient_id=patient_id,
                )
                return items
        raise deny(
            self.deps,
            caller,
            action="questionnaire.read",
            resource=f"patient/{patient_id}/responses",
            patient_id=patient_id,
            message="Questionnaire answers are for the patient and their care team.",
        )

    def view(self, caller: Caller, response_id: int) -> ResponseView:
        """A response with its history of corrections, its alert and (if any) crisis guidance."""
        with self.deps.db.transaction() as s:
            found = repo.get_response(s, response_id)
            if found is not None and may_read_clinical(s, caller, found.patient_id):
                record(
                    s,
                    self.deps,
                    caller,
                    action="questionnaire.read",
                    resource=f"response/{response_id}",
                    patient_id=found.patient_id,
                )
                return self._view_in(s, found)
        raise self._view_refused(caller, response_id, found)

    def correction_view(self, caller: Caller, response_id: int) -> ResponseView:
        """The response for its correction form: as :meth:`view`, and only for who may correct it
        (a clinician of the care team); one transaction, one questionnaire.read entry."""
        with unit_of_work(self.deps, caller) as uow:
            found = repo.get_response(uow.session, response_id)
            if found is not None:
                pid = found.patient_id
                uow.require(
                    Action.READ_CLINICAL,
                    pid,
                    refused_as="questionnaire.read",
                    resource=f"response/{response_id}",
                )
                uow.require(
                    Action.WRITE_CLINICAL,
                    pid,
                    refused_as="questionnaire.submit",
                    resource=f"patient/{pid}",
                    message=self._refusal(caller, get_instrument(found.instrument)),
                )
                uow.audit(action="questionnaire.read", resource=f"response/{response_id}", patient_id=pid)
                return self._view_in(uow.session, found)
        raise self._view_refused(caller, response_id, found)

    def _view_in(self, s: Session, found: StoredResponse) -> ResponseView:
        chain = repo.versions_of(s, found.id)
        ids = {v.id for v in chain}
        alerts = [a for a in repo.alerts_for_patient(s, found.patient_id) if a.response_id in ids]
        alert = alerts[0] if alerts else None
        return ResponseView(
            instrument=get_instrument(found.instrument),
            versions=chain,
            alert=alert,
            crisis=crisis_for(s, found.patient_id, self.deps) if alert else None,
        )

    def _view_refused(self, caller: Caller, response_id: int, found: StoredResponse | None) -> Exception:
        """The refusal of a read of one response (a clinician asking for one that does not exist:
        NotFound, unlogged, as before)."""
        if found is None and caller.role is Role.CLINICIAN:
            return NotFound(f"no response {response_id}")
        return deny(
            self.deps,
            caller,
            action="questionnaire.read",
            resource=f"response/{response_id}",
            patient_id=found.patient_id if found is not None else None,
        )

    @staticmethod
    def _scored(instrument: Instrument, answers: Mapping[str, int | None], *, from_patient: bool) -> Score:
        result = score(instrument, answers)
        if from_patient and result.missing:
            # The portal asks every question; a patient's form is never prorated from a partial set.
            raise InvalidInput("please answer every question", field=result.missing[0])
        if not result.complete:
            raise InvalidInput(
                "the form is incomplete: " + ", ".join(result.missing), field=result.missing[0]
            )
        return result

    def _row(
        self,
        caller: Caller,
        patient_id: int,
        instrument: Instrument,
        answers: Mapping[str, int | None],
        result: Score,
        when: datetime,
        *,
        source: ResponseSource | None = None,
    ) -> QuestionnaireResponseRow:
        actor = caller.require_actor()
        origin = source or (
            ResponseSource.PATIENT_PORTAL if actor.role is Role.PATIENT else ResponseSource.CLINICIAN
        )
        return repo.new_row(
            patient_id=patient_id,
            instrument=instrument.id,
            answers=dict(answers),
            total=result.total,
            severity=result.severity,
            flags=result.flags,
            details=dict(result.details),
            answered_at=when,
            recorded_at=self.deps.clock(),
            recorded_by=actor.user_id,
            source=origin,
        )

    @staticmethod
    def _new_concern(s: Session, old: StoredResponse, result: Score) -> SafetyConcern | None:
        """A corrected response raises its concern again only if no earlier version already did."""
        concern = safety_concern(result)
        if concern is None:
            return None
        earlier = {v.id for v in repo.versions_of(s, old.id)}
        raised = repo.alerts_for_patient(s, old.patient_id)
        return None if any(a.code == concern.code and a.response_id in earlier for a in raised) else concern

    def _raise_alert(
        self, s: Session, caller: Caller, response: StoredResponse, concern: SafetyConcern | None
    ) -> SafetyAlert | None:
        if concern is None:
            return None
        alert = repo.add_alert(
            s,
            SafetyAlertRow(
                patient_id=response.patient_id,
                response_id=response.id,
                code=concern.code,
                severity=concern.severity,
                reason=concern.reason,
                source=concern.source,
                raised_at=self.deps.clock(),
            ),
        )
        record(
            s,
            self.deps,
            caller,
            action="alert.raise",
            resource=f"alert/{alert.id}",
            patient_id=response.patient_id,
            detail=concern.code,
        )
        return alert

    @staticmethod
    def _refusal(caller: Caller, instrument: Instrument) -> str:
        if caller.role is Role.PATIENT:
            if instrument.kind not in SELF_REPORT_KINDS:
                return f"The {instrument.name} is completed by your clinician."
            return "You can only answer questionnaires for yourself."
        if caller.role is Role.CLINICIAN:
            return "This patient is not in any of your care teams."
        return "Your role does not enter questionnaire answers."


def _answered_at(answered_on: date | None, *, now: datetime) -> datetime:
    """When an answer counts as given: now, or the past day a rating is dated to."""
    if answered_on is not None:
        check_event_date(answered_on, today=now.date(), field="answered_on")
        if answered_on > now.date():
            raise InvalidInput("is in the future", field="answered_on")
    # A rating entered after the interview is dated to the interview day (noon UTC: the day
    # is what matters for trajectories and schedules, not the minute).
    return now if answered_on in (None, now.date()) else datetime.combine(answered_on, DATED_BY_DAY_AT, UTC)


def _check_patient_not_backdating(caller: Caller, answered_on: date | None, *, today: date) -> None:
    if caller.role is Role.PATIENT and answered_on not in (None, today):
        # Patients answer about "the last two weeks" as of now; backdating would move
        # their schedule and trajectory. Clinicians date a rating to the interview.
        raise InvalidInput("your answers are dated the day you send them", field="answered_on")
