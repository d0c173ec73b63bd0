"""The access policy, triple by triple: every (subject, relation, action) against a table written out
here by hand from the rules in the issue and the README, not derived from the module's own table."""

from __future__ import annotations

import itertools
import re

import pytest

from stride.domain.access_policy import SUBJECTS, SYSTEM, Action, Decision, Relation, Subject, decide
from stride.domain.accounts import Role

A, C, P, R, S = Role.ADMIN, Role.CLINICIAN, Role.PATIENT, Role.RESEARCHER, SYSTEM
OWN, TEAM, NONE, NA = Relation.OWN, Relation.CARE_TEAM, Relation.NONE, Relation.NOT_APPLICABLE
EVERY = (OWN, TEAM, NONE, NA)


def everywhere(*subjects: Subject) -> set[tuple[Subject, Relation]]:
    return {(s, r) for s in subjects for r in EVERY}


# action -> the (subject, relation) pairs allowed; every other pair is refused.
ALLOWED: dict[Action, set[tuple[Subject, Relation]]] = {
    Action.READ_PATIENT: everywhere(A, S) | {(C, TEAM), (P, OWN)},
    Action.EDIT_PATIENT: everywhere(A, S) | {(C, TEAM)},
    Action.READ_CLINICAL: {(C, TEAM), (P, OWN)},
    Action.WRITE_CLINICAL: {(C, TEAM)},
    Action.SUBMIT_SELF_REPORT: {(C, TEAM), (P, OWN)},
    Action.LOG_ACTIVITY: {(C, TEAM), (P, OWN)},
    Action.IMPORT_ACTIVITY: everywhere(S) | {(C, TEAM), (P, OWN)},
    Action.READ_IMPORT: everywhere(S) | {(C, TEAM), (P, OWN)},
    Action.READ_TEAM: everywhere(A, S) | {(C, TEAM)},
    Action.REGISTER_PATIENT: everywhere(A, S, C),
    Action.LIST_PATIENTS: everywhere(A, S, C),
    Action.LIST_TEAMS: everywhere(A, S, C),
    Action.MANAGE_TEAMS: everywhere(A, S),
    Action.MANAGE_USERS: everywhere(A, S),
    Action.ISSUE_API_TOKEN: everywhere(A, S),
    Action.SEED_DEMO: everywhere(A, S),
    Action.READ_AUDIT: everywhere(A, S),
    Action.READ_SECURITY_LOG: everywhere(A, S),
    Action.CARE_TEAM_WORKLIST: everywhere(C),
    Action.READ_AGGREGATES: everywhere(C, R),
}

# Refusals answered as "not there" (404): a clinician or patient refused a patient's record they have
# no link to (another team's patient, someone else's record, an id that does not exist).
PATIENT_RECORD_ACTIONS = {
    Action.READ_PATIENT,
    Action.EDIT_PATIENT,
    Action.READ_CLINICAL,
    Action.WRITE_CLINICAL,
    Action.SUBMIT_SELF_REPORT,
    Action.LOG_ACTIVITY,
    Action.IMPORT_ACTIVITY,
    Action.READ_IMPORT,
}

TRIPLES = list(itertools.product((A, C, P, R, S), EVERY, Action))


def test_the_expected_table_covers_every_action_and_subject() -> None:
    assert set(ALLOWED) == set(Action)
    assert set(SUBJECTS) == {A, C, P, R, S}
    assert set(Relation) == set(EVERY)


@pytest.mark.parametrize(("subject", "relation", "action"), TRIPLES)
def test_every_triple_is_decided_as_the_table_says(
    subject: Subject, relation: Relation, action: Action
) -> None:
    decision = decide(subject, relation, action)
    assert decision.allowed is ((subject, relation) in ALLOWED[action])
    hidden = (
        not decision.allowed and action in PATIENT_RECORD_ACTIONS and subject in (C, P) and relation is NONE
    )
    assert decision.hide is hidden


def test_reasons_are_human_sentences() -> None:
    for subject, relation, action in TRIPLES:
        reason = decide(subject, relation, action).reason
        where = (subject, relation, action)
        assert re.fullmatch(r"[a-z][A-Za-z' (),-]*[a-z)]", reason), where  # words, joins a sentence
        assert len(reason.split()) >= 4, where


def test_a_refusal_says_why_and_an_allowance_who() -> None:
    assert decide(Role.ADMIN, Relation.NONE, Action.READ_CLINICAL) == Decision(
        False, "clinical data is for the patient and their care team only"
    )
    assert decide(Role.CLINICIAN, Relation.NONE, Action.WRITE_CLINICAL).hide
    assert not decide(Role.PATIENT, Relation.OWN, Action.WRITE_CLINICAL).hide  # they see their record
    assert decide(Role.CLINICIAN, Relation.CARE_TEAM, Action.WRITE_CLINICAL).reason == (
        "a clinician may write clinical (care team)"
    )
    assert (
        decide(SYSTEM, Relation.NOT_APPLICABLE, Action.MANAGE_USERS).reason == "the operator may manage users"
    )
