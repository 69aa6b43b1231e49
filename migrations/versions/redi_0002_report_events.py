"""REDI: the history of a report's workflow steps (« Historique »)

Revision ID: redi_0002_report_events
Revises: trust_finlock
Create Date: 2026-12-01 23:40:00

A new table only: nothing existing is rebuilt (on SQLite a batch rebuild of
``redi_campaign`` would cascade into its lines).
"""

import sqlalchemy as sa
from alembic import op

revision = "redi_0002_report_events"
down_revision = "trust_finlock"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "redi_report_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=10), nullable=False),
        sa.Column("to_status", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["redi_campaign.id"],
            name=op.f("fk_redi_report_event_campaign_id_redi_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_redi_report_event_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redi_report_event")),
    )
    op.create_index(
        "ix_redi_report_event_campaign", "redi_report_event", ["campaign_id", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_redi_report_event_campaign", table_name="redi_report_event")
    op.drop_table("redi_report_event")
