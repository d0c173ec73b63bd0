"""/api/v1: measurement-based care -- instruments, responses and corrections, safety alerts,
questionnaire schedules, treatment history with the TRD assessment, and outcomes over time.

Who may do what is decided by the services (``stride.services.access``): the patient reads their
own clinical record and answers self-report questionnaires; clinicians of the patient's care teams
read, enter any instrument, correct, acknowledge and resolve alerts, set schedules and record
treatment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from stride.errors import NotFound
from stride.services.measurements import Submission
from stride.services.record import trajectories
from stride.web.api.schemas import Id
from stride.web.api.schemas_alerts import (
    AlertAcknowledge,
    AlertPublic,
    AlertResolve,
    CrisisPublic,
    InboxAlertPublic,
)
from stride.web.api.schemas_measurement import (
    CorrectionCreate,
    InstrumentId,
    InstrumentPublic,
    InstrumentQuery,
    ResponseCreate,
    ResponsePublic,
    ResponseViewPublic,
    SchedulePublic,
    ScheduleStatePublic,
    ScheduleUpdate,
    ScorePublic,
    SubmissionPublic,
    TrajectoryPublic,
)
from stride.web.api.schemas_treatment import (
    EpisodePublic,
    EpisodeUpdate,
    TreatmentCreate,
    TreatmentEntryPublic,
    TreatmentHistoryPublic,
)
from stride.web.deps import ApiCaller, Svc

router = APIRouter()


@router.get(
    "/instruments",
    response_model=list[InstrumentPublic],
    tags=["instruments"],
    summary="The instruments you may fill in",
)
def list_instruments(caller: ApiCaller, svc: Svc) -> list[InstrumentPublic]:
    return [InstrumentPublic.of(i) for i in svc.measurements.instruments_for(caller)]


@router.get("/instruments/{instrument_id}", response_model=InstrumentPublic, tags=["instruments"])
def get_instrument(instrument_id: InstrumentId, caller: ApiCaller, svc: Svc) -> InstrumentPublic:
    for instrument in svc.measurements.instruments_for(caller):
        if instrument.id == instrument_id:
            return InstrumentPublic.of(instrument)
    raise NotFound(f"no instrument {instrument_id!r} that you fill in")


@router.get(
    "/patients/{patient_id}/responses",
    response_model=list[ResponsePublic],
    tags=["responses"],
    summary="Current versions of a patient's responses, oldest first",
)
def list_responses(
    patient_id: Id, caller: ApiCaller, svc: Svc, instrument: InstrumentQuery = None
) -> list[ResponsePublic]:
    found = svc.measurements.responses(caller, patient_id, instrument=instrument or None)
    return [ResponsePublic.of(r) for r in found]


def _submission(done: Submission) -> SubmissionPublic:
    # The crisis guidance goes with the answer that raised the alert, so an app shows it at once.
    crisis = done.crisis
    return SubmissionPublic(
        response=ResponsePublic.of(done.response),
        score=ScorePublic.of(done.score),
        alert=AlertPublic.of(done.alert) if done.alert else None,
        crisis=CrisisPublic.of(crisis) if crisis else None,
    )


@router.post(
    "/patients/{patient_id}/responses",
    response_model=SubmissionPublic,
    status_code=201,
    tags=["responses"],
    summary="Submit a questionnaire or rating",
)
def submit_response(patient_id: Id, body: ResponseCreate, caller: ApiCaller, svc: Svc) -> SubmissionPublic:
    done = svc.measurements.submit(
        caller, patient_id, body.instrument, body.answers, answered_on=body.answered_on
    )
    return _submission(done)


@router.get(
    "/responses/{response_id}",
    response_model=ResponseViewPublic,
    tags=["responses"],
    summary="A response with every version, its alert and crisis guidance",
)
def get_response(response_id: Id, caller: ApiCaller, svc: Svc) -> ResponseViewPublic:
    view = svc.measurements.view(caller, response_id)
    return ResponseViewPublic(
        instrument=view.instrument.id,
        instrument_name=view.instrument.name,
        current=ResponsePublic.of(view.current),
        versions=[ResponsePublic.of(v) for v in view.versions],
        alert=AlertPublic.of(view.alert) if view.alert else None,
        crisis=CrisisPublic.of(view.crisis) if view.crisis else None,
    )


@router.post(
    "/responses/{response_id}/corrections",
    response_model=SubmissionPublic,
    status_code=201,
    tags=["responses"],
    summary="Correct a response: a new version with a reason",
)
def correct_response(
    response_id: Id, body: CorrectionCreate, caller: ApiCaller, svc: Svc
) -> SubmissionPublic:
    done = svc.measurements.correct(caller, response_id, body.answers, reason=body.reason)
    return _submission(done)


@router.get(
    "/alerts",
    response_model=list[InboxAlertPublic],
    tags=["alerts"],
    summary="Safety alerts of your care teams' patients (open ones unless all=true)",
)
def alert_inbox(
    caller: ApiCaller, svc: Svc, show_all: Annotated[bool, Query(alias="all")] = False
) -> list[InboxAlertPublic]:
    items = svc.alerts.inbox(caller, active_only=not show_all)
    return [
        InboxAlertPublic(**AlertPublic.of(i.alert).model_dump(), patient_name=i.patient_name) for i in items
    ]


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response_model=AlertPublic,
    tags=["alerts"],
    summary="Acknowledge an alert with a note of what was done",
)
def acknowledge_alert(alert_id: Id, body: AlertAcknowledge, caller: ApiCaller, svc: Svc) -> AlertPublic:
    return AlertPublic.of(svc.alerts.acknowledge(caller, alert_id, note=body.note))


@router.post(
    "/alerts/{alert_id}/resolve",
    response_model=AlertPublic,
    tags=["alerts"],
    summary="Resolve an acknowledged alert with a decision, a reason and the next review date",
    responses={409: {"description": "Already resolved, or not acknowledged yet"}},
)
def resolve_alert(alert_id: Id, body: AlertResolve, caller: ApiCaller, svc: Svc) -> AlertPublic:
    done = svc.alerts.resolve(
        caller, alert_id, decision=body.decision, reason=body.reason, next_review_on=body.next_review_on
    )
    return AlertPublic.of(done)


@router.get("/patients/{patient_id}/alerts", response_model=list[AlertPublic], tags=["alerts"])
def patient_alerts(patient_id: Id, caller: ApiCaller, svc: Svc) -> list[AlertPublic]:
    return [AlertPublic.of(a) for a in svc.alerts.for_patient(caller, patient_id)]


@router.get(
    "/patients/{patient_id}/schedule",
    response_model=list[ScheduleStatePublic],
    tags=["schedules"],
    summary="Active questionnaire schedules with their next due date",
)
def patient_schedule(patient_id: Id, caller: ApiCaller, svc: Svc) -> list[ScheduleStatePublic]:
    return [ScheduleStatePublic.of_state(s) for s in svc.schedules.states(caller, patient_id)]


@router.put(
    "/patients/{patient_id}/schedule/{instrument_id}",
    response_model=SchedulePublic,
    tags=["schedules"],
    summary="Create or change the schedule of one instrument",
)
def set_schedule(
    patient_id: Id, instrument_id: InstrumentId, body: ScheduleUpdate, caller: ApiCaller, svc: Svc
) -> SchedulePublic:
    schedule = svc.schedules.set(
        caller,
        patient_id,
        instrument=instrument_id,
        every_days=body.every_days,
        start_date=body.start_date,
        active=body.active,
    )
    return SchedulePublic.of(schedule)


@router.get(
    "/patients/{patient_id}/treatment",
    response_model=TreatmentHistoryPublic,
    tags=["treatment"],
    summary="Episode, treatment history and TRD assessment",
)
def treatment_history(patient_id: Id, caller: ApiCaller, svc: Svc) -> TreatmentHistoryPublic:
    return TreatmentHistoryPublic.of(svc.treatment.history(caller, patient_id))


@router.post(
    "/patients/{patient_id}/treatment",
    response_model=TreatmentEntryPublic,
    status_code=201,
    tags=["treatment"],
    summary="Record a treatment, or correct or retract an entry",
)
def add_treatment(patient_id: Id, body: TreatmentCreate, caller: ApiCaller, svc: Svc) -> TreatmentEntryPublic:
    entry = svc.treatment.add(
        caller, patient_id, body.new(), supersedes=body.supersedes, reason=body.reason, retract=body.retract
    )
    return TreatmentEntryPublic.of(entry)


@router.put(
    "/patients/{patient_id}/episode",
    response_model=EpisodePublic,
    tags=["treatment"],
    summary="Record the current depressive episode (start, severity)",
)
def set_episode(patient_id: Id, body: EpisodeUpdate, caller: ApiCaller, svc: Svc) -> EpisodePublic:
    episode = svc.treatment.set_episode(
        caller, patient_id, episode_start=body.episode_start, severity=body.severity
    )
    return EpisodePublic.of(episode)


@router.get(
    "/patients/{patient_id}/outcomes",
    response_model=list[TrajectoryPublic],
    tags=["responses"],
    summary="Per instrument: totals over time with change, response, remission, reliable change",
)
def patient_outcomes(patient_id: Id, caller: ApiCaller, svc: Svc) -> list[TrajectoryPublic]:
    return [TrajectoryPublic.of(t) for t in trajectories(svc.measurements.responses(caller, patient_id))]
