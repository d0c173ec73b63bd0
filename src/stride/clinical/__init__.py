"""Pure clinical rules, one package per clinical concept, each with its cited rule data in ``data/``.

- :mod:`stride.clinical.measurement` — instruments, scoring, outcomes over repeated measures.
- :mod:`stride.clinical.trd` — the TRD definition and the Maudsley Staging Method.
- :mod:`stride.clinical.safety` — the pre-exercise screen and the psychiatric safety net.
- :mod:`stride.clinical.prescription` — intensity, the protocol library, the prescription engine.
- :mod:`stride.clinical.review` — the weekly review: a patient-week's facts to a cited proposal.

Each package's ``__init__`` is its public face. They run one way (review above prescription above safety above
measurement; TRD alone), checked by import-linter. Data several layers share stays in
``stride/data``. Frozen dataclasses and functions; no I/O beyond reading package data, no clock,
no framework.
"""
