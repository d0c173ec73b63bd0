"""Patient records: create, read, edit, search, each checked against the caller's role and teams."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from stride.domain.access_policy import Action
from stride.domain.accounts import Role, User
from stride.domain.patients import Patient, PatientDetails, validate_details
from stride.domain.teams import CareTeam
from stride.errors import Conflict, InvalidInput, NotFound
from stride.services.access import allows, deny, may_edit_patient, may_read_patient
from stride.services.context import Caller, Deps, record
from stride.store.repositories import patients as patient_repo
from stride.store.repositories import teams as team_repo
from stride.store.repositories import users as user_repo

_NOT_YOURS = "This patient is not in any of your care teams."


@dataclass(frozen=True, slots=True)
class PatientPage:
    items: list[Patient]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """A patient with their care teams (names and sites, not the teams' member and patient lists)
    and account, as shown on the record page."""

    patient: Patient
    teams: list[CareTeam]
    account: User | None


class PatientService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def create(
        self,
        caller: Caller,
        details: PatientDetails,
        *,
        team_id: int | None,
        is_synthetic: bool = False,
    ) -> Patient:
        """Register a patient. A clinician must put them in one of their own care teams.

        Raises
        ------
        InvalidInput
            Naming the field at fault (any detail, or ``team_id``).
        Conflict
            If the MRN is already used.
        """
        self.ensure_may_register(caller)
        clean = validate_details(details, today=self.deps.clock().date())
        with self.deps.db.transaction() as s:
            team = team_repo.get_team(s, team_id) if team_id is not None else None
            if team_id is not None and team is None:
                raise InvalidInput(f"no care team {team_id}", field="team_id")
            if caller.role is Role.CLINICIAN:
                actor = caller.require_actor()
                if team is None:
                    raise InvalidInput("choose one of your care teams", field="team_id")
                if actor.user_id not in team.member_ids:
                    raise InvalidInput("you are not a member of this care team", field="team_id")
            if clean.mrn and patient_repo.mrn_taken(s, clean.mrn):
                raise Conflict(f"MRN {clean.mrn!r} is already used", field="mrn")
            patient = patient_repo.add(
                s,
                clean,
                site_id=team.site_id if team else None,
                is_synthetic=is_synthetic,
                now=self.deps.clock(),
            )
            if team is not None:
                team_repo.add_patient(s, team.id, patient.id)
            record(
                s,
                self.deps,
                caller,
                action="patient.create",
                resource=f"patient/{patient.id}",
                patient_id=patient.id,
            )
        return patient

    def ensure_may_register(self, caller: Caller) -> None:
        """Refuse (and audit) early, before showing a registration form to the wrong role."""
        if not allows(caller, Action.REGISTER_PATIENT):
            raise deny(
                self.deps,
                caller,
                action="patient.create",
                resource="patients",
                message="Only clinicians and administrators register patients.",
            )

    def registration_teams(self, caller: Caller) -> list[CareTeam]:
        """The care teams to register a patient in (a clinician's own, every team for an
        administrator), after refusing (and logging) a role that does not register patients."""
        self.ensure_may_register(caller)
        member = caller.actor.user_id if caller.role is Role.CLINICIAN and caller.actor else None
        with self.deps.db.transaction() as s:
            return team_repo.list_teams(s, member_id=member)

    def get(self, caller: Caller, patient_id: int, *, for_edit: bool = False) -> PatientRecord:
        """One patient's record, with teams and account (``for_edit``: only if the caller may edit).

        Raises
        ------
        NotFound
            When there is no such patient, and (the same answer, so that ids cannot be probed) when
            a clinician or patient may not see this one.
        PermissionDenied
            When the caller sees the patient but may not edit them, or has no role that reads
            identifiable records (a researcher).
        """
        allowed = may_edit_patient if for_edit else may_read_patient
        with self.deps.db.transaction() as s:
            if allowed(s, caller, patient_id):
                result = record_in(s, patient_id)
                if result is None:
                    raise NotFound(f"no patient {patient_id}")
                record(
                    s,
                    self.deps,
                    caller,
                    action="patient.read",
                    resource=f"patient/{patient_id}",
                    patient_id=patient_id,
                )
                return result
        raise deny(
            self.deps,
            caller,
            action="patient.update" if for_edit else "patient.read",
            resource=f"patient/{patient_id}",
            patient_id=patient_id,
            message=self._refusal(caller, editing=for_edit),
        )

    def update(self, caller: Caller, patient_id: int, details: PatientDetails) -> Patient:
        """Edit a patient's record (administrators and the patient's clinicians)."""
        clean = validate_details(details, today=self.deps.clock().date())
        with self.deps.db.transaction() as s:
            if may_edit_patient(s, caller, patient_id):
                before = patient_repo.get(s, patient_id)
                if before is None:
                    raise NotFound(f"no patient {patient_id}")
                if clean.mrn and patient_repo.mrn_taken(s, clean.mrn, except_id=patient_id):
                    raise Conflict(f"MRN {clean.mrn!r} is already used", field="mrn")
                after = patient_repo.update(s, patient_id, clean, now=self.deps.clock())
                changed = sorted(
                    name
                    for name in PatientDetails.__slots__
                    if getattr(before.details, name) != getattr(after.details, name)
                )
                record(
                    s,
                    self.deps,
                    caller,
                    action="patient.update",
                    resource=f"patient/{patient_id}",
                    patient_id=patient_id,
                    detail="changed: " + (", ".join(changed) or "nothing"),
                )
                return after
        raise deny(
            self.deps,
            caller,
            action="patient.update",
            resource=f"patient/{patient_id}",
            patient_id=patient_id,
            message=self._refusal(caller, editing=True),
        )

    def search(
        self,
        caller: Caller,
        *,
        text: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> PatientPage:
        """Patients the caller looks after, filtered by name or MRN; the list itself is audited."""
        if not allows(caller, Action.LIST_PATIENTS):
            raise deny(
                self.deps,
                caller,
                action="patient.search",
                resource="patients",
                message="Only clinicians and administrators can list patients.",
            )
        limit, offset = max(1, min(limit, 200)), max(0, offset)
        # Control characters (a NUL byte ends a string in SQLite and is refused by PostgreSQL)
        # separate words, as spaces do.
        text = "".join(ch if ch.isprintable() else " " for ch in text or "")[:100]
        clinician_id = caller.actor.user_id if caller.role is Role.CLINICIAN and caller.actor else None
        with self.deps.db.transaction() as s:
            items, total = patient_repo.search(
                s, text=text, clinician_id=clinician_id, limit=limit, offset=offset
            )
            record(
                s,
                self.deps,
                caller,
                action="patient.search",
                resource="patients",
                detail=f"q={(text or '')[:100]!r} shown={len(items)} of {total}",
            )
        return PatientPage(items=items, total=total, limit=limit, offset=offset)

    @staticmethod
    def _refusal(caller: Caller, *, editing: bool = False) -> str:
        return refusal(caller, editing=editing)


def refusal(caller: Caller, *, editing: bool = False) -> str:
    """Why the caller may not see (or edit) a patient's record, in their terms."""
    if caller.role is Role.PATIENT:
        return (
            "You can only see your own record." if not editing else "Your record is edited by your care team."
        )
    if caller.role is Role.CLINICIAN:
        return _NOT_YOURS
    return "Your role does not give access to identifiable patient records."


def record_in(s: Session, patient_id: int) -> PatientRecord | None:
    """A patient with their care teams and account, read in the caller's transaction (no access
    check, no audit: the use case does both); None when there is no such patient."""
    patient = patient_repo.get(s, patient_id)
    if patient is None:
        return None
    return PatientRecord(
        patient=patient,
        teams=team_repo.teams_of_patient(s, patient_id),
        account=user_repo.account_for_patient(s, patient_id),
    )
