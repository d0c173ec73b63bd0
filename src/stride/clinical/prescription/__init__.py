"""Prescription: the FITT-VP exercise plan, from a standard protocol, at an intensity the patient can use.

- ``engine.py`` — ``prescribe(inp) -> PrescriptionResult``: screens, ranks the protocols
  (``ranking.py``), builds the weeks (``weeks.py`` progression, ``sessions.py``, ``schedule.py``)
  and explains each choice (``explain.py``); its input is parsed by ``input.py``, its plan is the
  model of ``model.py``, its rules are ``rules.py`` (``data/prescription.toml``).
- ``intensity.py`` — HRmax, Karvonen zones, RPE and talk test (``data/intensity.toml``), through
  ``intensity_schema.py`` to ``intensity_model.py``.
- ``protocols.py`` — the protocol library (``data/protocols/<id>.toml``) and its CERT report,
  through ``protocol_schema.py`` and ``protocol_library.py`` (``data/protocol_library.toml``) to
  ``protocol_model.py``.
"""

from __future__ import annotations

from stride.clinical.prescription.engine import (
    RECOMMEND,
    AdherenceItem,
    AppliedRestriction,
    CurrentActivity,
    Plan,
    PlanSession,
    PlanTarget,
    PlanWeek,
    Preferences,
    PrescriptionInput,
    PrescriptionResult,
    PrescriptionRules,
    RankedProtocol,
    Rationale,
    Refusal,
    StrengthSet,
    parse_prescription_input,
    plan_from_dict,
    plan_to_dict,
    prescribe,
    prescription_input_to_json,
    prescription_rules,
    rank_protocols,
    refusal_to_dict,
)
from stride.clinical.prescription.intensity import (
    CLASS_IDS,
    ZONE_CLASSES,
    Zones,
    hr_zones,
    hrmax,
    intensity_class,
    intensity_rules,
    vigorous_upper,
)
from stride.clinical.prescription.protocol_model import SETTINGS
from stride.clinical.prescription.protocols import (
    Protocol,
    cert_report,
    get_protocol,
    protocol_ids,
    weekly_targets,
)
from stride.clinical.prescription.rules import SYMPTOMS_MOOD

__all__ = [
    "CLASS_IDS",
    "RECOMMEND",
    "SETTINGS",
    "SYMPTOMS_MOOD",
    "ZONE_CLASSES",
    "AdherenceItem",
    "AppliedRestriction",
    "CurrentActivity",
    "Plan",
    "PlanSession",
    "PlanTarget",
    "PlanWeek",
    "Preferences",
    "PrescriptionInput",
    "PrescriptionResult",
    "PrescriptionRules",
    "Protocol",
    "RankedProtocol",
    "Rationale",
    "Refusal",
    "StrengthSet",
    "Zones",
    "cert_report",
    "get_protocol",
    "hr_zones",
    "hrmax",
    "intensity_class",
    "intensity_rules",
    "parse_prescription_input",
    "plan_from_dict",
    "plan_to_dict",
    "prescribe",
    "prescription_input_to_json",
    "prescription_rules",
    "protocol_ids",
    "rank_protocols",
    "refusal_to_dict",
    "vigorous_upper",
    "weekly_targets",
]
