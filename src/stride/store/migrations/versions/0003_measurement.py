"""measurement: questionnaire responses, safety alerts, schedules, treatment history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "depression_episode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("episode_start", sa.Date(), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_depression_episode_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_depression_episode_recorded_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depression_episode")),
    )
    with op.batch_alter_table("depression_episode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_depression_episode_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "questionnaire_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("severity", sa.String(length=32), nullable=True),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_questionnaire_response_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_questionnaire_response_recorded_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["questionnaire_response.id"],
            name=op.f("fk_questionnaire_response_supersedes_id_questionnaire_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_response")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_questionnaire_response_supersedes_id")),
    )
    with op.batch_alter_table("questionnaire_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_questionnaire_response_patient_instrument",
            ["patient_id", "instrument", "answered_at"],
            unique=False,
        )

    op.create_table(
        "questionnaire_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_questionnaire_schedule_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_questionnaire_schedule_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_schedule")),
        sa.UniqueConstraint("patient_id", "instrument", name="uq_questionnaire_schedule_patient_instrument"),
    )
    op.create_table(
        "treatment_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("drug", sa.String(length=64), nullable=True),
        sa.Column("daily_dose_mg", sa.Float(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("weeks", sa.Float(), nullable=True),
        sa.Column("adherent", sa.Boolean(), nullable=True),
        sa.Column("improvement_pct", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_treatment_entry_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_treatment_entry_recorded_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["treatment_entry.id"],
            name=op.f("fk_treatment_entry_supersedes_id_treatment_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_entry")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_treatment_entry_supersedes_id")),
    )
    with op.batch_alter_table("treatment_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treatment_entry_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "safety_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledgement_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["app_user.id"], name=op.f("fk_safety_alert_acknowledged_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_safety_alert_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["questionnaire_response.id"],
            name=op.f("fk_safety_alert_response_id_questionnaire_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_alert")),
    )
    with op.batch_alter_table("safety_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_alert_patient_id"), ["patient_id"], unique=False)

    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("crisis_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("crisis_phone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("crisis_phone")
        batch_op.drop_column("crisis_text")

    with op.batch_alter_table("safety_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_alert_patient_id"))

    op.drop_table("safety_alert")
    with op.batch_alter_table("treatment_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_entry_patient_id"))

    op.drop_table("treatment_entry")
    op.drop_table("questionnaire_schedule")
    with op.batch_alter_table("questionnaire_response", schema=None) as batch_op:
        batch_op.drop_index("ix_questionnaire_response_patient_instrument")

    op.drop_table("questionnaire_response")
    with op.batch_alter_table("depression_episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_depression_episode_patient_id"))

    op.drop_table("depression_episode")
