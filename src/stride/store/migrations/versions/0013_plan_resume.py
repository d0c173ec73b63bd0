"""plan resume: a clinician resumes a plan that a resolved safety alert held, with the reason

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_resume",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("paused_from", sa.Date(), nullable=False),
        sa.Column("resumed_on", sa.Date(), nullable=False),
        sa.Column("from_week", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resumed_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_plan_resume_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["exercise_plan.id"], name=op.f("fk_plan_resume_plan_id_exercise_plan")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["safety_alert.id"], name=op.f("fk_plan_resume_alert_id_safety_alert")
        ),
        sa.ForeignKeyConstraint(
            ["resumed_by"], ["app_user.id"], name=op.f("fk_plan_resume_resumed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_resume")),
    )
    with op.batch_alter_table("plan_resume", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_resume_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_resume", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_resume_patient_id"))
    op.drop_table("plan_resume")
