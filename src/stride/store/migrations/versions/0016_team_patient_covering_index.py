"""team patient covering index: (patient_id, team_id) instead of (patient_id), so the access check
of each patient on a list page reads the index alone, not the row after it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Created before the old one is dropped: the foreign key to patient is never left unindexed.
    op.create_index("ix_team_patient_patient_team", "team_patient", ["patient_id", "team_id"])
    op.drop_index("ix_team_patient_patient_id", table_name="team_patient")


def downgrade() -> None:
    op.create_index("ix_team_patient_patient_id", "team_patient", ["patient_id"])
    op.drop_index("ix_team_patient_patient_team", table_name="team_patient")
