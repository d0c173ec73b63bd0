"""/api/v1: exercise -- the protocol library with CERT reports, heart-rate zones, pre-exercise
screening and exercise plans.

The protocol library, CERT reports and heart-rate zones are reference material for any logged-in
user. Screening and plan building are for clinicians of the patient's care team; the patient reads
their own screening status and plan; administrators and researchers are refused (403). Who may do
what is decided by the services (``stride.services.access``).

A plan request on a screening that does not clear the patient (defer, medical clearance required)
is refused with 409 and ``{"error": "not_cleared", "message", "field": "screening", "decision",
"reasons"}``: the request is valid, it conflicts with the patient's stored screening (as every
``Conflict`` does), and it is the ``stride prescribe --json`` refusal with the API's error fields.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import JSONResponse, Response

from stride.clinical.prescription import Protocol, Refusal, cert_report, get_protocol, hr_zones, protocol_ids
from stride.errors import InvalidInput, NotFound
from stride.web.api.schemas import ErrorBody, Id
from stride.web.api.schemas_exercise import (
    CertFormat,
    FormulaQuery,
    HrQuery,
    HrZonesPublic,
    OptionalHrQuery,
    ProtocolId,
    ProtocolPublic,
    ProtocolSummaryPublic,
    ScreeningCreate,
    ScreeningPublic,
    ScreeningStatusPublic,
)
from stride.web.api.schemas_plans import (
    NotClearedBody,
    PlanCreate,
    PlanPublic,
    PlanResumeCreate,
    PlanViewPublic,
)
from stride.web.deps import ApiCaller, Svc

router = APIRouter()
_MEDIA = {"markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}
# The engine names its input's fields; the API's body names some of them differently.
_BODY_FIELDS = {"preferences.": "", "symptoms_mood": "mood_symptoms"}


def _protocol(protocol_id: str) -> Protocol:
    if protocol_id not in protocol_ids():
        known = ", ".join(protocol_ids())
        raise NotFound(f"no protocol {protocol_id!r}; known: {known}", field="protocol_id")
    return get_protocol(protocol_id)


@router.get(
    "/protocols",
    response_model=list[ProtocolSummaryPublic],
    tags=["protocols"],
    summary="The standard exercise protocols (reference material)",
)
def list_protocols(caller: ApiCaller) -> list[ProtocolSummaryPublic]:
    caller.require_actor()
    return [ProtocolSummaryPublic.of(get_protocol(i)) for i in protocol_ids()]


@router.get(
    "/protocols/{protocol_id}",
    response_model=ProtocolPublic,
    tags=["protocols"],
    summary="A protocol: FITT-VP phases, progression, adherence, contraindications, evidence",
)
def get_protocol_detail(protocol_id: ProtocolId, caller: ApiCaller) -> ProtocolPublic:
    caller.require_actor()
    return ProtocolPublic.of_protocol(_protocol(protocol_id))


@router.get(
    "/protocols/{protocol_id}/cert",
    response_class=Response,
    tags=["protocols"],
    summary="The protocol's filled-in CERT checklist as Markdown or HTML",
    responses={
        200: {
            "description": "The CERT report (an HTML report is a standalone document)",
            "content": {media.split(";")[0]: {"schema": {"type": "string"}} for media in _MEDIA.values()},
        }
    },
)
def get_protocol_cert(protocol_id: ProtocolId, caller: ApiCaller, fmt: CertFormat = "markdown") -> Response:
    caller.require_actor()
    return Response(cert_report(_protocol(protocol_id), fmt=fmt), media_type=_MEDIA[fmt])


@router.get(
    "/hr-zones",
    response_model=HrZonesPublic,
    tags=["protocols"],
    summary="HRmax and the light, moderate and vigorous heart-rate zones (Karvonen, whole beats)",
)
def get_hr_zones(
    caller: ApiCaller,
    age: HrQuery,
    resting_hr: HrQuery,
    hrmax: OptionalHrQuery = None,
    formula: FormulaQuery = "tanaka",
) -> HrZonesPublic:
    caller.require_actor()
    return HrZonesPublic.of(hr_zones(age=age, resting_hr=resting_hr, hrmax=hrmax, formula=formula))


@router.post(
    "/patients/{patient_id}/screenings",
    response_model=ScreeningPublic,
    status_code=201,
    tags=["screening"],
    summary="Screen the patient before exercise (age and sex come from the record)",
)
def record_screening(patient_id: Id, body: ScreeningCreate, caller: ApiCaller, svc: Svc) -> ScreeningPublic:
    return ScreeningPublic.of(svc.screening.record(caller, patient_id, body.answers()))


@router.get(
    "/patients/{patient_id}/screening",
    response_model=ScreeningStatusPublic,
    tags=["screening"],
    summary="The latest screening and whether it still holds (not expired, no safety alert since)",
)
def screening_status(patient_id: Id, caller: ApiCaller, svc: Svc) -> ScreeningStatusPublic:
    return ScreeningStatusPublic.of(svc.screening.status(caller, patient_id))


def _body_field(field: str | None) -> str | None:
    for engine, body in _BODY_FIELDS.items():
        if field is not None and field.startswith(engine):
            return body + field.removeprefix(engine)
    return field


@router.post(
    "/patients/{patient_id}/plans",
    response_model=PlanPublic,
    status_code=201,
    tags=["plans"],
    summary="Prescribe a plan on the patient's valid screening (a new version of the current one)",
    responses={409: {"model": NotClearedBody, "description": "The screening does not clear the patient"}},
)
def build_plan(patient_id: Id, body: PlanCreate, caller: ApiCaller, svc: Svc) -> PlanPublic | JSONResponse:
    try:
        result = svc.plans.build(caller, patient_id, body.request())
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=_body_field(exc.field)) from None
    if isinstance(result, Refusal):
        return JSONResponse(NotClearedBody.of(result).model_dump(), status_code=409)
    return PlanPublic.of(result)


@router.get(
    "/patients/{patient_id}/plan",
    response_model=PlanViewPublic,
    tags=["plans"],
    summary="The current plan: on hold or not, and this week's sessions (404 before the first plan)",
    responses={404: {"model": ErrorBody, "description": "No plan yet"}},
)
def current_plan(patient_id: Id, caller: ApiCaller, svc: Svc) -> PlanViewPublic:
    view = svc.plans.current(caller, patient_id)
    if view is None:
        raise NotFound("no exercise plan yet", field="patient_id")
    return PlanViewPublic.of(view)


@router.post(
    "/patients/{patient_id}/plan/resume",
    response_model=PlanViewPublic,
    tags=["plans"],
    summary="Resume a plan that resolved safety alerts held, from the week where it paused, with a reason",
    responses={
        422: {"model": ErrorBody, "description": "Nothing to resume, re-screen first, or a bad value"}
    },
)
def resume_plan(patient_id: Id, body: PlanResumeCreate, caller: ApiCaller, svc: Svc) -> PlanViewPublic:
    return PlanViewPublic.of(svc.plans.resume(caller, patient_id, mode=body.mode, reason=body.reason))


@router.get(
    "/patients/{patient_id}/plans",
    response_model=list[PlanPublic],
    tags=["plans"],
    summary="Every version of the patient's plan, oldest first",
)
def plan_versions(patient_id: Id, caller: ApiCaller, svc: Svc) -> list[PlanPublic]:
    return [PlanPublic.of(p) for p in svc.plans.versions(caller, patient_id)]
