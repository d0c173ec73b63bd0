"""Activity use cases: log a session, report an adverse event, and show a week's dose and
adherence against the plan (patient and clinician), a session with its heart-rate curve, and
adverse-event counts per protocol (CERT item 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from stride.activity.model import SPORTS
from stride.domain.access_policy import Action, Relation
from stride.domain.activity import (
    AdverseEvent,
    AdverseEventEntry,
    ImportRecord,
    SessionEntry,
    StoredSession,
    check_adverse_event,
    check_session_entry,
    escalation_for,
)
from stride.domain.dates import check_event_date, monday_of
from stride.domain.warning_signs import cardiac_warning
from stride.errors import InvalidInput, NotFound
from stride.services import activity_dose as dosing
from stride.services.access import allows, decide_for, deny, may_log_activity, may_read_clinical
from stride.services.activity_views import SessionDetail, WeekView, session_detail, week_view
from stride.services.alerts import CrisisGuidance, crisis_for
from stride.services.context import Caller, Deps, record
from stride.services.patients import PatientRecord, record_in, refusal
from stride.services.unit_of_work import UnitOfWork, unit_of_work
from stride.store.activity_store import ActivityStore
from stride.store.models import SafetyAlertRow
from stride.store.repositories import activity as repo
from stride.store.repositories import exercise as plan_repo
from stride.store.repositories import measurements as measurement_repo

CURVE_POINTS = 600  # enough for a smooth curve, small enough to draw on the server


@dataclass(frozen=True, slots=True)
class ProtocolEvents:
    """Adverse events reported under one protocol (CERT item 11), by severity."""

    protocol: str | None
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


def _alert_reason(rule_reason: str, event: AdverseEvent) -> str:
    signs = "; ".join(cardiac_warning().sign(code).text for code in event.warning_signs)
    ticked = f" Warning signs: {signs}." if signs else ""
    return f"{rule_reason} Reported: {event.description}{ticked}"


@dataclass(frozen=True, slots=True)
class WeekPage:
    view: WeekView
    imports: list[ImportRecord]  # newest first
    record: PatientRecord
    today: date  # in the patient's timezone


@dataclass(frozen=True, slots=True)
class AdverseEventsPage:
    events: list[AdverseEvent]
    record: PatientRecord
    crisis: CrisisGuidance


class ActivityService:
    def __init__(self, deps: Deps, *, store: ActivityStore) -> None:
        self.deps, self.store = deps, store

    @staticmethod
    def sports() -> tuple[str, ...]:
        return SPORTS

    def _refuse(self, caller: Caller, action: str, patient_id: int | None, resource: str) -> Exception:
        return deny(self.deps, caller, action=action, resource=resource, patient_id=patient_id)

    # --- writing ---------------------------------------------------------------------------------

    def log_session(self, caller: Caller, patient_id: int, entry: SessionEntry) -> StoredSession:
        """Store a session logged by hand, with its dose (RPE, average HR or the activity's METs)."""
        with self.deps.db.transaction() as s:
            allowed = may_log_activity(s, caller, patient_id)
            if allowed:
                checked = check_session_entry(entry, sports=SPORTS, now=self.deps.clock())
                context = dosing.dose_context(s, patient_id, today=self.deps.clock().date())
                stored = dosing.add_manual_session(
                    s, self.deps, patient_id, checked, context, recorded_by=_user(caller)
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.session.create",
                    resource=f"session/{stored.id}",
                    patient_id=patient_id,
                    detail=f"{stored.sport} {stored.duration_s / 60:.0f} min",
                )
                return stored
        raise self._refuse(caller, "activity.session.create", patient_id, f"patient/{patient_id}/sessions")

    def report_adverse_event(self, caller: Caller, patient_id: int, entry: AdverseEventEntry) -> AdverseEvent:
        """Record an adverse event; it counts against the protocol of the plan in force."""
        with self.deps.db.transaction() as s:
            allowed = may_log_activity(s, caller, patient_id)
            if allowed:
                checked = check_adverse_event(entry, now=self.deps.clock())
                if checked.session_id is not None:
                    linked = repo.get_session(s, checked.session_id)
                    if linked is None or linked.patient_id != patient_id:
                        raise InvalidInput("no such session of this patient", field="session_id")
                plan = plan_repo.current_plan(s, patient_id)
                event = repo.add_adverse_event(
                    s,
                    patient_id=patient_id,
                    session_id=checked.session_id,
                    occurred_at=checked.occurred_at,
                    description=checked.description,
                    severity=checked.severity,
                    action_taken=checked.action_taken,
                    protocol=plan.protocol if plan else None,
                    reported_at=self.deps.clock(),
                    reported_by=_user(caller),
                    warning_signs=" ".join(checked.warning_signs),
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.adverse_event.create",
                    resource=f"adverse_event/{event.id}",
                    patient_id=patient_id,
                    detail=event.severity.value,
                )
                self._escalate(s, caller, event)
                return event
        raise self._refuse(
            caller, "activity.adverse_event.create", patient_id, f"patient/{patient_id}/adverse-events"
        )

    def _escalate(self, s: Session, caller: Caller, event: AdverseEvent) -> None:
        """A severe or serious event reaches the care team at once as a safety alert, in the same
        transaction (adverse_events.toml): the plan goes on hold until they have reviewed it."""
        rule = escalation_for(event.severity.value, event.warning_signs)
        if rule is None:
            return
        alert = measurement_repo.add_alert(
            s,
            SafetyAlertRow(
                patient_id=event.patient_id,
                response_id=None,
                code=rule.code,
                severity=rule.alert_severity,
                reason=_alert_reason(rule.reason, event),
                source=rule.source,
                raised_at=self.deps.clock(),
            ),
        )
        record(
            s,
            self.deps,
            caller,
            action="alert.raise",
            resource=f"alert/{alert.id}",
            patient_id=event.patient_id,
            detail=rule.code,
        )

    # --- reading ---------------------------------------------------------------------------------

    def adverse_events(self, caller: Caller, patient_id: int) -> list[AdverseEvent]:
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.adverse_event.read",
                    resource=f"patient/{patient_id}/adverse-events",
                    patient_id=patient_id,
                )
                return repo.adverse_events(s, patient_id)
        raise self._refuse(
            caller, "activity.adverse_event.read", patient_id, f"patient/{patient_id}/adverse-events"
        )

    def adverse_event_counts(self, caller: Caller) -> list[ProtocolEvents]:
        """Counts per protocol and severity over all patients: aggregate, no patient data, for
        clinicians and researchers (CERT item 11 reporting)."""
        if not allows(caller, Action.READ_AGGREGATES):
            raise self._refuse(caller, "activity.adverse_event.counts", None, "adverse-events/counts")
        with self.deps.db.transaction() as s:
            counts = repo.adverse_event_counts(s)
            record(
                s, self.deps, caller, action="activity.adverse_event.counts", resource="adverse-events/counts"
            )
        grouped: dict[str | None, dict[str, int]] = {}
        for (protocol, severity), n in counts.items():
            grouped.setdefault(protocol, {})[severity] = n
        return [
            ProtocolEvents(protocol=p, by_severity=grouped[p])
            for p in sorted(grouped, key=lambda p: (p is None, p or ""))
        ]

    def sessions(self, caller: Caller, patient_id: int, *, limit: int = 50) -> list[StoredSession]:
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.session.read",
                    resource=f"patient/{patient_id}/sessions",
                    patient_id=patient_id,
                )
                return repo.recent_sessions(s, patient_id, limit=limit)
        raise self._refuse(caller, "activity.session.read", patient_id, f"patient/{patient_id}/sessions")

    def week(self, caller: Caller, patient_id: int, week_start: date | None = None) -> WeekView:
        """A week's sessions, dose and adherence (this week, in the patient's timezone, by default)."""
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                view = self._week_in(s, patient_id, week_start)
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.week.read",
                    resource=f"patient/{patient_id}/weeks/{view.week_start.isoformat()}",
                    patient_id=patient_id,
                )
                return view
        raise self._refuse(caller, "activity.week.read", patient_id, f"patient/{patient_id}/weeks")

    def _week_in(self, s: Session, patient_id: int, week_start: date | None) -> WeekView:
        context = dosing.dose_context(s, patient_id, today=self.deps.clock().date())
        if week_start is not None:
            check_event_date(week_start, today=self.deps.clock().date(), field="week_start")
        monday = monday_of(week_start or self.deps.clock().astimezone(context.tz).date())
        return week_view(s, self.deps, patient_id, monday, context)

    def week_page(self, caller: Caller, patient_id: int, week_start: date | None = None) -> WeekPage:
        """The week page in one transaction: the week, the patient's imports and the patient, audited
        as one activity.week.read entry naming the parts."""
        with unit_of_work(self.deps, caller) as uow:
            _require_page(
                uow, patient_id, refused_as="activity.week.read", resource=f"patient/{patient_id}/weeks"
            )
            view = self._week_in(uow.session, patient_id, week_start)
            patient = _record(uow, patient_id)
            imports = repo.imports_of(uow.session, patient_id)
            uow.audit(
                action="activity.week.read",
                resource=f"patient/{patient_id}/weeks/{view.week_start.isoformat()}",
                patient_id=patient_id,
                detail="page: week, imports, patient",
            )
            today = self.deps.clock().astimezone(ZoneInfo(view.timezone)).date()
            return WeekPage(view=view, imports=imports, record=patient, today=today)

    def adverse_events_page(self, caller: Caller, patient_id: int) -> AdverseEventsPage:
        """The adverse-event page in one transaction: the events, the patient and the crisis
        guidance, audited as one activity.adverse_event.read entry naming the parts."""
        resource = f"patient/{patient_id}/adverse-events"
        with unit_of_work(self.deps, caller) as uow:
            _require_page(uow, patient_id, refused_as="activity.adverse_event.read", resource=resource)
            events = repo.adverse_events(uow.session, patient_id)
            patient = _record(uow, patient_id)
            crisis = crisis_for(uow.session, patient_id, self.deps)
            uow.audit(
                action="activity.adverse_event.read",
                resource=resource,
                patient_id=patient_id,
                detail="page: adverse events, patient",
            )
            return AdverseEventsPage(events=events, record=patient, crisis=crisis)

    def session(self, caller: Caller, session_id: int) -> SessionDetail:
        """One session with its heart-rate curve and the plan's target band for that day."""
        with self.deps.db.transaction() as s:
            found = repo.get_session(s, session_id)
            if found is not None and may_read_clinical(s, caller, found.patient_id):
                context = dosing.dose_context(s, found.patient_id, today=self.deps.clock().date())
                detail = session_detail(s, self.store, found, context, points=CURVE_POINTS)
                record(
                    s,
                    self.deps,
                    caller,
                    action="activity.session.read",
                    resource=f"session/{session_id}",
                    patient_id=found.patient_id,
                )
                return detail
        if found is None and decide_for(caller, Relation.NONE, Action.READ_PATIENT).allowed:
            raise NotFound(f"no session {session_id}")
        raise self._refuse(
            caller, "activity.session.read", found.patient_id if found else None, f"session/{session_id}"
        )


def _require_page(uow: UnitOfWork, patient_id: int, *, refused_as: str, resource: str) -> None:
    """A patient's activity page: their clinical data, then their record (as the pages asked)."""
    uow.require(Action.READ_CLINICAL, patient_id, refused_as=refused_as, resource=resource)
    uow.require(
        Action.READ_PATIENT,
        patient_id,
        refused_as="patient.read",
        resource=f"patient/{patient_id}",
        message=refusal(uow.caller),
    )


def _record(uow: UnitOfWork, patient_id: int) -> PatientRecord:
    found = record_in(uow.session, patient_id)
    if found is None:
        raise NotFound(f"no patient {patient_id}")
    return found


def _user(caller: Caller) -> int | None:
    return caller.actor.user_id if caller.actor else None
