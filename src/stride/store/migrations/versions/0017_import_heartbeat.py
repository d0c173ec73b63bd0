"""import heartbeat: when the job running an import last wrote progress, so that a consumer starting
beside others re-queues only the imports whose job has fallen silent, not one another is running

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity_import") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity_import") as batch:
        batch.drop_column("heartbeat_at")
