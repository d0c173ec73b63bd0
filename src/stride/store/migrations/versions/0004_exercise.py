"""exercise: screenings and versioned exercise plans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "screening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("restrictions", sa.Text(), nullable=False),
        sa.Column("screened_at", sa.DateTime(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("screened_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_screening_patient_id_patient")),
        sa.ForeignKeyConstraint(
            ["screened_by"], ["app_user.id"], name=op.f("fk_screening_screened_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening")),
    )
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "exercise_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_exercise_plan_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_exercise_plan_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screening.id"], name=op.f("fk_exercise_plan_screening_id_screening")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["exercise_plan.id"], name=op.f("fk_exercise_plan_supersedes_id_exercise_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_plan")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_exercise_plan_supersedes_id")),
    )
    with op.batch_alter_table("exercise_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exercise_plan_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exercise_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_plan_patient_id"))

    op.drop_table("exercise_plan")
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_patient_id"))

    op.drop_table("screening")
