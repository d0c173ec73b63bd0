"""device summary: the file's own session summary beside the one from the samples

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("device_duration_s", "device_distance_m", "device_avg_hr", "device_max_hr")


def upgrade() -> None:
    with op.batch_alter_table("activity_session") as batch:
        for name in _COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity_session") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
