"""Sites and care teams: administrators manage them; clinicians see their own teams."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from stride.domain.access_policy import Action, Relation
from stride.domain.accounts import Role, User, check_no_control_characters
from stride.domain.patients import Patient
from stride.domain.teams import CareTeam, Site, check_name
from stride.errors import Conflict, InvalidInput, NotFound
from stride.services.access import allows, decide_for, deny
from stride.services.context import Caller, Deps, record
from stride.store.repositories import patients as patient_repo
from stride.store.repositories import teams as team_repo
from stride.store.repositories import users as user_repo

_ADMIN_ONLY = "Only an administrator can change sites and care teams."


@dataclass(frozen=True, slots=True)
class TeamsView:
    teams: list[CareTeam]
    sites: list[Site]


@dataclass(frozen=True, slots=True)
class TeamPage:
    team: CareTeam
    users: list[User]  # every account, for an administrator (members to add); empty otherwise
    patients: list[Patient]  # the patients the caller looks after, in the team or not


class TeamService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _require_admin(self, caller: Caller, action: str, resource: str) -> None:
        if not allows(caller, Action.MANAGE_TEAMS):
            raise deny(self.deps, caller, action=action, resource=resource, message=_ADMIN_ONLY)

    def create_site(self, caller: Caller, name: str) -> Site:
        self._require_admin(caller, "site.create", "sites")
        clean = check_name(name)
        with self.deps.db.transaction() as s:
            if team_repo.site_named(s, clean) is not None:
                raise Conflict(f"site {clean!r} exists", field="name")
            site = team_repo.add_site(s, clean)
            record(s, self.deps, caller, action="site.create", resource=f"site/{site.id}")
        return site

    def set_crisis_guidance(
        self, caller: Caller, site_id: int, *, text: str | None, phone: str | None
    ) -> Site:
        """The crisis text and phone numbers a patient of this site sees after a positive safety
        answer; empty values fall back to the package default (stride/data/crisis.toml)."""
        self._require_admin(caller, "site.update", f"site/{site_id}")
        clean_text = check_no_control_characters((text or "").strip(), field="crisis_text") or None
        clean_phone = check_no_control_characters((phone or "").strip(), field="crisis_phone") or None
        if clean_text and len(clean_text) > 2000:
            raise InvalidInput("must be at most 2000 characters", field="crisis_text")
        if clean_phone and len(clean_phone) > 64:
            raise InvalidInput("must be at most 64 characters", field="crisis_phone")
        with self.deps.db.transaction() as s:
            if team_repo.get_site(s, site_id) is None:
                raise NotFound(f"no site {site_id}")
            site = team_repo.set_site_crisis(s, site_id, text=clean_text, phone=clean_phone)
            record(
                s,
                self.deps,
                caller,
                action="site.update",
                resource=f"site/{site_id}",
                detail="crisis guidance",
            )
        return site

    def list_sites(self, caller: Caller) -> list[Site]:
        if not allows(caller, Action.LIST_TEAMS):
            raise deny(self.deps, caller, action="site.list", resource="sites")
        with self.deps.db.transaction() as s:
            return team_repo.list_sites(s)

    def create_team(self, caller: Caller, *, name: str, site_id: int) -> CareTeam:
        self._require_admin(caller, "team.create", "teams")
        clean = check_name(name)
        with self.deps.db.transaction() as s:
            if team_repo.get_site(s, site_id) is None:
                raise InvalidInput(f"no site {site_id}", field="site_id")
            if team_repo.team_named(s, site_id=site_id, name=clean):
                raise Conflict(f"team {clean!r} exists at this site", field="name")
            team = team_repo.add_team(s, name=clean, site_id=site_id)
            record(s, self.deps, caller, action="team.create", resource=f"team/{team.id}")
        return team

    def _team_member(self, caller: Caller) -> int | None:
        """Refuse a caller who may not list teams; the clinician whose teams they are (None: all)."""
        if not allows(caller, Action.LIST_TEAMS):
            raise deny(
                self.deps,
                caller,
                action="team.list",
                resource="teams",
                message="Care teams are visible to clinicians and administrators.",
            )
        return caller.actor.user_id if caller.role is Role.CLINICIAN and caller.actor else None

    def list_teams(self, caller: Caller) -> list[CareTeam]:
        """All teams for an administrator; a clinician's own teams."""
        member = self._team_member(caller)
        with self.deps.db.transaction() as s:
            return team_repo.list_teams(s, member_id=member)

    def overview(self, caller: Caller) -> TeamsView:
        """The teams page: the caller's teams (all for an administrator) and the sites, in one read."""
        member = self._team_member(caller)
        with self.deps.db.transaction() as s:
            return TeamsView(teams=team_repo.list_teams(s, member_id=member), sites=team_repo.list_sites(s))

    def get_team(self, caller: Caller, team_id: int) -> CareTeam:
        with self.deps.db.transaction() as s:
            team = self._team_in(s, caller, team_id)
            if team is not None:
                return team
        raise self._team_refused(caller, team_id)

    def page(self, caller: Caller, team_id: int) -> TeamPage:
        """The team page in one transaction: the team, the patients the caller looks after (a
        clinician's own, every patient for an administrator; audited as one patient.search entry)
        to add or remove, and for an administrator the accounts to add as members."""
        clinician = caller.actor.user_id if caller.role is Role.CLINICIAN and caller.actor else None
        with self.deps.db.transaction() as s:
            team = self._team_in(s, caller, team_id)
            if team is not None:
                users = user_repo.list_all(s) if caller.role is Role.ADMIN else []
                patients, total = patient_repo.search(s, text="", clinician_id=clinician, limit=200, offset=0)
                record(
                    s,
                    self.deps,
                    caller,
                    action="patient.search",
                    resource="patients",
                    detail=f"q='' shown={len(patients)} of {total}",
                )
                return TeamPage(team=team, users=users, patients=patients)
        raise self._team_refused(caller, team_id)

    @staticmethod
    def _team_in(s: Session, caller: Caller, team_id: int) -> CareTeam | None:
        """The team if the caller may see it (NotFound when it does not exist), else None."""
        team = team_repo.get_team(s, team_id)
        member = caller.actor is not None and team is not None and caller.actor.user_id in team.member_ids
        link = Relation.CARE_TEAM if member else Relation.NONE
        if not decide_for(caller, link, Action.READ_TEAM).allowed:
            return None
        if team is None:
            raise NotFound(f"no care team {team_id}")
        return team

    def _team_refused(self, caller: Caller, team_id: int) -> Exception:
        return deny(
            self.deps,
            caller,
            action="team.read",
            resource=f"team/{team_id}",
            message="You can only see care teams you belong to.",
        )

    def set_member(self, caller: Caller, team_id: int, user_id: int, *, member: bool) -> CareTeam:
        """Add or remove a clinician from a team."""
        self._require_admin(caller, "team.member", f"team/{team_id}")
        with self.deps.db.transaction() as s:
            if team_repo.get_team(s, team_id) is None:
                raise NotFound(f"no care team {team_id}")
            user = user_repo.get(s, user_id)
            if user is None:
                raise InvalidInput(f"no user {user_id}", field="user_id")
            if member and user.role is not Role.CLINICIAN:
                raise InvalidInput("only clinicians are members of care teams", field="user_id")
            if member:
                team_repo.add_member(s, team_id, user_id)
            else:
                team_repo.remove_member(s, team_id, user_id)
            record(
                s,
                self.deps,
                caller,
                action="team.member." + ("add" if member else "remove"),
                resource=f"team/{team_id}",
                detail=f"user/{user_id}",
            )
            return team_repo.get_team(s, team_id)  # type: ignore[return-value]

    def set_patient(self, caller: Caller, team_id: int, patient_id: int, *, member: bool) -> CareTeam:
        """Put a patient in a team's care, or take them out of it."""
        self._require_admin(caller, "team.patient", f"team/{team_id}")
        with self.deps.db.transaction() as s:
            if team_repo.get_team(s, team_id) is None:
                raise NotFound(f"no care team {team_id}")
            if patient_repo.get(s, patient_id) is None:
                raise InvalidInput(f"no patient {patient_id}", field="patient_id")
            if member:
                team_repo.add_patient(s, team_id, patient_id)
            else:
                team_repo.remove_patient(s, team_id, patient_id)
            record(
                s,
                self.deps,
                caller,
                action="team.patient." + ("add" if member else "remove"),
                resource=f"team/{team_id}",
                patient_id=patient_id,
            )
            return team_repo.get_team(s, team_id)  # type: ignore[return-value]
