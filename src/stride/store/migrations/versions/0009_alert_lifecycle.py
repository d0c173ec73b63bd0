"""alert lifecycle: acknowledged alerts stay open until a clinician resolves them with a decision

Revision ID: 0009
Revises: 0011
Create Date: 2026-12-03 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("safety_alert") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="open"))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_safety_alert_resolved_by_app_user"), "app_user", ["resolved_by"], ["id"]
        )
        batch.add_column(sa.Column("decision", sa.String(32), nullable=True))
        batch.add_column(sa.Column("resolution_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("next_review_on", sa.Date(), nullable=True))
    # Alerts acknowledged before this revision are acknowledged, not resolved: the care team still
    # records a decision for them.
    op.execute("UPDATE safety_alert SET state = 'acknowledged' WHERE acknowledged_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("safety_alert") as batch:
        batch.drop_constraint(op.f("fk_safety_alert_resolved_by_app_user"), type_="foreignkey")
        for name in (
            "next_review_on",
            "resolution_reason",
            "decision",
            "resolved_by",
            "resolved_at",
            "state",
        ):
            batch.drop_column(name)
