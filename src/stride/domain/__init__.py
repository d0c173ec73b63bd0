"""Pure records of the platform that are not clinical rules: people, roles, teams, the audit chain.

No I/O, no clock, no framework imports. Clinical rules live in ``stride.clinical``.
"""
