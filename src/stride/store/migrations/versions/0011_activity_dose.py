"""activity dose: the steps a session counted (logged by hand, or given by the device)

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03 14:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity_session") as batch:
        batch.add_column(sa.Column("steps", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity_session") as batch:
        batch.drop_column("steps")
