"""Safety alerts: the care team's inbox, the lifecycle (open -> acknowledged with a note -> resolved
with a documented decision), and the crisis guidance a patient sees at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from stride.data import load_toml
from stride.domain.access_policy import Action
from stride.domain.accounts import Role
from stride.domain.measurements import AlertDecision, SafetyAlert, ScheduleState, check_note, check_resolution
from stride.errors import InvalidInput, NotFound
from stride.services.access import allows, deny, may_read_clinical, may_write_clinical
from stride.services.context import Caller, Deps, record
from stride.services.schedules import overdue_in
from stride.store.repositories import measurements as repo
from stride.store.repositories import patients as patient_repo
from stride.store.repositories import teams as team_repo

CSSRS = "cssrs_screen"  # the structured screen a "reassessed by C-SSRS" decision rests on


@dataclass(frozen=True, slots=True)
class CrisisGuidance:
    title: str
    text: str
    phone: str
    source: str


@dataclass(frozen=True, slots=True)
class AlertItem:
    alert: SafetyAlert
    patient_name: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    alerts: list[AlertItem]  # active alerts of the clinician's patients, newest first
    due: list[tuple[ScheduleState, str]]  # questionnaires due or overdue, with the patient's name
    today: date


class AlertService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _worklist_owner(self, caller: Caller) -> int:
        """The clinician whose care-team worklist this is; anyone else is refused."""
        if not allows(caller, Action.CARE_TEAM_WORKLIST) or caller.actor is None:
            raise deny(
                self.deps,
                caller,
                action="alert.list",
                resource="alerts",
                message="Safety alerts go to the patient's care team.",
            )
        return caller.actor.user_id

    def inbox(self, caller: Caller, *, active_only: bool = True) -> list[AlertItem]:
        """Alerts of the patients in the clinician's care teams, newest first, with patient names."""
        clinician = self._worklist_owner(caller)
        with self.deps.db.transaction() as s:
            items = self._inbox_in(s, clinician, active_only=active_only)
            record(s, self.deps, caller, action="alert.list", resource="alerts", detail=f"shown={len(items)}")
            return items

    def dashboard(self, caller: Caller) -> Dashboard:
        """A clinician's dashboard in one read: the active alerts of their patients and the
        questionnaires due or overdue, audited as one alert.list entry."""
        clinician = self._worklist_owner(caller)
        today = self.deps.clock().date()
        with self.deps.db.transaction() as s:
            items = self._inbox_in(s, clinician, active_only=True)
            due = overdue_in(s, clinician, today=today)
            record(s, self.deps, caller, action="alert.list", resource="alerts", detail=f"shown={len(items)}")
            return Dashboard(alerts=items, due=due, today=today)

    @staticmethod
    def _inbox_in(s: Session, clinician_id: int, *, active_only: bool) -> list[AlertItem]:
        alerts = repo.alerts_for_clinician(s, clinician_id, active_only=active_only)
        names = patient_repo.names(s, {a.patient_id for a in alerts})
        return [AlertItem(alert=a, patient_name=names.get(a.patient_id, "")) for a in alerts]

    def for_patient(self, caller: Caller, patient_id: int, *, active_only: bool = False) -> list[SafetyAlert]:
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                alerts = repo.alerts_for_patient(s, patient_id, active_only=active_only)
                record(
                    s,
                    self.deps,
                    caller,
                    action="alert.read",
                    resource=f"patient/{patient_id}/alerts",
                    patient_id=patient_id,
                )
                return alerts
        raise deny(
            self.deps,
            caller,
            action="alert.read",
            resource=f"patient/{patient_id}/alerts",
            patient_id=patient_id,
        )

    def acknowledge(self, caller: Caller, alert_id: int, *, note: str) -> SafetyAlert:
        """A clinician of the care team acknowledges an alert with a note of what was done."""
        with self.deps.db.transaction() as s:
            alert = repo.get_alert(s, alert_id)
            if alert is not None and may_write_clinical(s, caller, alert.patient_id):
                # The note is checked after access, so that a refusal is audited as one.
                text = check_note(note, field="note", minimum=5, maximum=2000, hint="say what was done")
                if not alert.is_open:
                    raise InvalidInput("this alert was already acknowledged", field="alert_id")
                done = repo.acknowledge_alert(
                    s, alert_id, by=caller.require_actor().user_id, at=self.deps.clock(), note=text
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="alert.acknowledge",
                    resource=f"alert/{alert_id}",
                    patient_id=alert.patient_id,
                )
                return done
        raise self._refuse(
            caller,
            "alert.acknowledge",
            alert_id,
            alert,
            "Only a clinician of the patient's care team acknowledges their alerts.",
        )

    def get(self, caller: Caller, alert_id: int) -> AlertItem:
        """One alert with the patient's name, for the patient's care team (the alert page).

        Raises
        ------
        NotFound
            No such alert.
        PermissionDenied
            Anyone but a clinician of the patient's care team.
        """
        with self.deps.db.transaction() as s:
            alert = repo.get_alert(s, alert_id)
            if alert is not None and may_write_clinical(s, caller, alert.patient_id):
                names = patient_repo.names(s, {alert.patient_id})
                record(
                    s,
                    self.deps,
                    caller,
                    action="alert.read",
                    resource=f"alert/{alert_id}",
                    patient_id=alert.patient_id,
                )
                return AlertItem(alert=alert, patient_name=names.get(alert.patient_id, ""))
        if alert is None and caller.role is Role.CLINICIAN:
            raise NotFound("no such alert", field="alert_id")
        raise self._refuse(
            caller, "alert.read", alert_id, alert, "Safety alerts go to the patient's care team."
        )

    def resolve(
        self,
        caller: Caller,
        alert_id: int,
        *,
        decision: str,
        reason: str,
        next_review_on: date | None,
    ) -> SafetyAlert:
        """A clinician of the care team closes an acknowledged alert with a documented decision, a
        reason and the next review date. The answer that raised the alert is never changed.

        Raises
        ------
        Conflict
            The alert is resolved already, or was never acknowledged.
        InvalidInput
            A missing or unknown decision, a short reason, a review date missing or in the past, or a
            C-SSRS reassessment with no C-SSRS screen recorded since the alert.
        PermissionDenied
            Anyone but a clinician of the patient's care team.
        """
        now = self.deps.clock()
        with self.deps.db.transaction() as s:
            alert = repo.get_alert(s, alert_id)
            if alert is not None and may_write_clinical(s, caller, alert.patient_id):
                # The values are checked after access, so that a refusal is audited as one.
                checked = check_resolution(
                    alert, decision=decision, reason=reason, next_review_on=next_review_on, today=now.date()
                )
                if checked.decision is AlertDecision.REASSESSED_CSSRS:
                    _require_cssrs_since(s, alert)
                done = repo.resolve_alert(
                    s, alert_id, by=caller.require_actor().user_id, at=now, resolution=checked
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="alert.resolve",
                    resource=f"alert/{alert_id}",
                    patient_id=alert.patient_id,
                    detail=f"{checked.decision.value}; next review {checked.next_review_on.isoformat()}",
                )
                return done
        raise self._refuse(
            caller,
            "alert.resolve",
            alert_id,
            alert,
            "Only a clinician of the patient's care team resolves their alerts.",
        )

    def _refuse(
        self, caller: Caller, action: str, alert_id: int, alert: SafetyAlert | None, message: str
    ) -> Exception:
        """The audited refusal of an action on one alert (its patient named when the alert exists)."""
        return deny(
            self.deps,
            caller,
            action=action,
            resource=f"alert/{alert_id}",
            patient_id=alert.patient_id if alert is not None else None,
            message=message,
        )

    def crisis_guidance(self, caller: Caller, patient_id: int) -> CrisisGuidance:
        """The crisis text and phone numbers for the patient's site (package default otherwise)."""
        with self.deps.db.transaction() as s:
            if may_read_clinical(s, caller, patient_id):
                return crisis_for(s, patient_id, self.deps)
        raise deny(self.deps, caller, action="crisis.read", resource=f"patient/{patient_id}")


def crisis_for(s: Session, patient_id: int, deps: Deps) -> CrisisGuidance:
    """Crisis guidance configured for the patient's site, else the deployment's (STRIDE_CRISIS_TEXT,
    STRIDE_CRISIS_PHONE), else the package default (cited)."""
    default = dict(load_toml("crisis"))
    default["text"] = deps.settings.crisis_text or default["text"]
    default["phone"] = deps.settings.crisis_phone or default["phone"]
    patient = patient_repo.get(s, patient_id)
    site = team_repo.get_site(s, patient.site_id) if patient and patient.site_id else None
    text = site.crisis_text if site and site.crisis_text else default["text"]
    phone = site.crisis_phone if site and site.crisis_phone else default["phone"]
    return CrisisGuidance(title=default["title"], text=text, phone=phone, source=default["source"])


def _require_cssrs_since(s: Session, alert: SafetyAlert) -> None:
    """A "reassessed with the C-SSRS" decision needs a C-SSRS screen recorded since the alert."""
    if not any(
        r.recorded_at >= alert.raised_at
        for r in repo.current_responses(s, alert.patient_id, instrument=CSSRS)
    ):
        raise InvalidInput(
            "record the C-SSRS screen first, or choose the clinician's assessment",
            field="decision",
        )
