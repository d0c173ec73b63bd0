"""security log: refusals, failed and throttled log-ins, folded per minute, apart from the audit chain

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "security_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("client_addr", sa.String(64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(63), nullable=True),
        sa.Column("method", sa.String(8), nullable=True),
        sa.Column("resource", sa.String(255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_event")),
    )
    with op.batch_alter_table("security_event") as batch:
        batch.create_index("ix_security_event_kind_at", ["kind", "at"], unique=False)
        batch.create_index(batch.f("ix_security_event_last_at"), ["last_at"], unique=False)
        batch.create_index(batch.f("ix_security_event_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("security_event") as batch:
        batch.drop_index(batch.f("ix_security_event_user_id"))
        batch.drop_index(batch.f("ix_security_event_last_at"))
        batch.drop_index("ix_security_event_kind_at")
    op.drop_table("security_event")
