"""Who may do what: the access policy as one pure function over the whole matrix.

- admin: all patient records (registration and team assignment), no clinical data; manages sites,
  care teams, users; reads the audit and security logs.
- clinician: the patients of their care teams: demographics (read, register, edit) and clinical data
  (read, enter ratings, correct answers, acknowledge alerts, set schedules, record treatment); reads
  their own teams; the care-team worklists (alert inbox, due questionnaires).
- patient: their own record (read) and clinical data (read; answer self-report questionnaires; log
  sessions and adverse events; import device files).
- researcher: no identifiable patient data (pseudonymised study data in a later release); aggregate
  counts only.
- system: the operator at the command line has an administrator's rights, and may also import device
  files for a patient (``stride import``) and read how an import went (file name, counts, errors).

A caller who reaches records through a relation (clinician: care team; patient: their own record) and
is refused a record they have no relation to is told it does not exist, exactly as for an id that does
not exist, so that ids cannot be probed (OWASP ASVS 4.0 V4.2.1): ``Decision.hide``. A refusal by role,
or of an action on a record the caller does see, is an open refusal (403).

The caller's relation to the record is looked up by the services (one query); this module only
decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal, TypeAlias

from stride.domain.accounts import Role

SYSTEM: Final = "system"
Subject: TypeAlias = Role | Literal["system"]

SUBJECTS: Final[tuple[Subject, ...]] = (*Role, SYSTEM)


class Relation(StrEnum):
    """The caller's link to the record the action is on."""

    OWN = "own"  # the patient's own record
    CARE_TEAM = "care_team"  # a patient of (or, for a team, a team of) the clinician's care teams
    NONE = "none"  # a record the caller has no link to, or one that does not exist
    NOT_APPLICABLE = "not_applicable"  # the action is not on one record (a list, an admin task)


class Action(StrEnum):
    """The capabilities the services check."""

    # On one patient's record (or a row of it).
    READ_PATIENT = "read_patient"
    EDIT_PATIENT = "edit_patient"
    READ_CLINICAL = "read_clinical"
    WRITE_CLINICAL = "write_clinical"  # ratings, corrections, treatment, schedules, alerts
    SUBMIT_SELF_REPORT = "submit_self_report"  # a self-report questionnaire
    LOG_ACTIVITY = "log_activity"  # sessions and adverse events
    IMPORT_ACTIVITY = "import_activity"  # device files
    READ_IMPORT = "read_import"  # how an import went: file name, counts, errors
    # On one care team.
    READ_TEAM = "read_team"
    # Not on one record.
    REGISTER_PATIENT = "register_patient"
    LIST_PATIENTS = "list_patients"
    LIST_TEAMS = "list_teams"  # sites and care teams
    MANAGE_TEAMS = "manage_teams"  # create and edit sites and care teams
    MANAGE_USERS = "manage_users"
    ISSUE_API_TOKEN = "issue_api_token"  # noqa: S105 - an action name, not a secret
    SEED_DEMO = "seed_demo"
    READ_AUDIT = "read_audit"
    READ_SECURITY_LOG = "read_security_log"
    CARE_TEAM_WORKLIST = "care_team_worklist"  # the alert inbox, questionnaires due
    READ_AGGREGATES = "read_aggregates"  # counts over all patients, no patient data


@dataclass(frozen=True, slots=True)
class Decision:
    """``hide``: answer as for a record that does not exist (404) instead of refusing (403)."""

    allowed: bool
    reason: str
    hide: bool = False


_ANY: Final = frozenset(Relation)
_ALL_ROLES: Final = frozenset(SUBJECTS)
_LINKED: Final = frozenset({Role.CLINICIAN, Role.PATIENT})  # reach records through a relation


@dataclass(frozen=True, slots=True)
class _Rule:
    allowed: Mapping[Subject, frozenset[Relation]]  # subject -> the relations it is allowed under
    refusal: str  # why the others are refused
    hides: bool  # a linked subject refused a record it has no relation to gets a 404


def _record(refusal: str, **allowed: frozenset[Relation]) -> _Rule:
    return _Rule({_subject(k): v for k, v in allowed.items()}, refusal, hides=True)


def _roles(refusal: str, *subjects: Subject) -> _Rule:
    return _Rule(dict.fromkeys(subjects, _ANY), refusal, hides=False)


def _subject(name: str) -> Subject:
    return SYSTEM if name == SYSTEM else Role(name)


_OWN: Final = frozenset({Relation.OWN})
_TEAM: Final = frozenset({Relation.CARE_TEAM})

# The matrix: for each action, who is allowed under which relation; everything else is refused.
_RULES: Final[Mapping[Action, _Rule]] = {
    Action.READ_PATIENT: _record(
        "only the patient, their care team and administrators see a patient record",
        admin=_ANY,
        system=_ANY,
        clinician=_TEAM,
        patient=_OWN,
    ),
    Action.EDIT_PATIENT: _record(
        "only the care team and administrators edit a patient record",
        admin=_ANY,
        system=_ANY,
        clinician=_TEAM,
    ),
    Action.READ_CLINICAL: _record(
        "clinical data is for the patient and their care team only",
        clinician=_TEAM,
        patient=_OWN,
    ),
    Action.WRITE_CLINICAL: _record(
        "only a clinician of the patient's care team enters clinical data",
        clinician=_TEAM,
    ),
    Action.SUBMIT_SELF_REPORT: _record(
        "only the patient or their care team answers a self-report questionnaire",
        clinician=_TEAM,
        patient=_OWN,
    ),
    Action.LOG_ACTIVITY: _record(
        "only the patient or their care team logs activity",
        clinician=_TEAM,
        patient=_OWN,
    ),
    Action.IMPORT_ACTIVITY: _record(
        "only the patient, their care team or the operator imports activity data",
        system=_ANY,
        clinician=_TEAM,
        patient=_OWN,
    ),
    Action.READ_IMPORT: _record(
        "only the patient, their care team or the operator sees how an import went",
        system=_ANY,
        clinician=_TEAM,
        patient=_OWN,
    ),
    Action.READ_TEAM: _Rule(
        {Role.ADMIN: _ANY, SYSTEM: _ANY, Role.CLINICIAN: _TEAM},
        "a care team is visible to its members and administrators",
        hides=False,
    ),
    Action.REGISTER_PATIENT: _roles(
        "only clinicians and administrators register patients", Role.ADMIN, SYSTEM, Role.CLINICIAN
    ),
    Action.LIST_PATIENTS: _roles(
        "only clinicians and administrators list patients", Role.ADMIN, SYSTEM, Role.CLINICIAN
    ),
    Action.LIST_TEAMS: _roles(
        "sites and care teams are visible to clinicians and administrators",
        Role.ADMIN,
        SYSTEM,
        Role.CLINICIAN,
    ),
    Action.MANAGE_TEAMS: _roles("only an administrator manages sites and care teams", Role.ADMIN, SYSTEM),
    Action.MANAGE_USERS: _roles("only an administrator manages user accounts", Role.ADMIN, SYSTEM),
    Action.ISSUE_API_TOKEN: _roles("only an administrator issues API tokens", Role.ADMIN, SYSTEM),
    Action.SEED_DEMO: _roles("only an administrator seeds the demo clinic", Role.ADMIN, SYSTEM),
    Action.READ_AUDIT: _roles("only an administrator reads the audit log", Role.ADMIN, SYSTEM),
    Action.READ_SECURITY_LOG: _roles("only an administrator reads the security log", Role.ADMIN, SYSTEM),
    Action.CARE_TEAM_WORKLIST: _roles("the care-team worklists are for clinicians", Role.CLINICIAN),
    Action.READ_AGGREGATES: _roles(
        "aggregate counts are for clinicians and researchers", Role.CLINICIAN, Role.RESEARCHER
    ),
}
assert set(_RULES) == set(Action), "every action has a rule"
assert all(set(r.allowed) <= _ALL_ROLES for r in _RULES.values())


_WHO: Final[Mapping[Subject, str]] = {
    Role.ADMIN: "an administrator",
    Role.CLINICIAN: "a clinician",
    Role.PATIENT: "a patient",
    Role.RESEARCHER: "a researcher",
    SYSTEM: "the operator",
}


def decide(subject: Subject, relation: Relation, action: Action) -> Decision:
    """Allow or refuse ``action`` by ``subject`` on a record it has ``relation`` to, with the reason."""
    rule = _RULES[action]
    if relation in rule.allowed.get(subject, frozenset()):
        who = _WHO[subject]
        where = "" if relation is Relation.NOT_APPLICABLE else f" ({relation.value.replace('_', ' ')})"
        return Decision(True, f"{who} may {action.value.replace('_', ' ')}{where}")
    hide = rule.hides and subject in _LINKED and relation is Relation.NONE
    return Decision(False, rule.refusal, hide=hide)
