"""adverse events record the cardiac warning signs ticked on the report

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-04 18:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Events reported before this revision had no tick boxes: none recorded, not "none present".
    with op.batch_alter_table("adverse_event") as batch:
        batch.add_column(sa.Column("warning_signs", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("adverse_event") as batch:
        batch.drop_column("warning_signs")
