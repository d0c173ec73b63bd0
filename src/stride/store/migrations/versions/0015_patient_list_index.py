"""patient list index: the list's order (family name, given name, id), so a page is read from it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_patient_family_given_id", "patient", ["family_name", "given_name", "id"])


def downgrade() -> None:
    op.drop_index("ix_patient_family_given_id", table_name="patient")
