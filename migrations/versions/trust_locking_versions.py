"""Optimistic locking: version, updated_at, updated_by_id on every editable record

Revision ID: trust_locking
Revises: trust_jobs
Create Date: 2026-12-01 20:10:00

Columns are added and dropped in place (no batch rebuild on SQLite: rebuilding ``dossier``
or ``redi_campaign`` with foreign_keys=ON would delete their ON DELETE CASCADE children).
"""

import sqlalchemy as sa
from alembic import op

revision = "trust_locking"
down_revision = "trust_jobs"
branch_labels = None
depends_on = None

#: Tables that get the three columns; water_request already has its version.
VERSIONED = (
    "profile",
    "dossier",
    "household_member",
    "centre_profile",
    "social_worker",
    "redi_campaign",
    "redi_line",
    "drawing_right",
)


def upgrade():
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    for table in (*VERSIONED, "water_request"):
        if table != "centre_profile":  # it has its own updated_at already
            op.add_column(table, sa.Column("updated_at", sa.DateTime(), nullable=True))
        op.add_column(table, sa.Column("updated_by_id", sa.Integer(), nullable=True))


def downgrade():
    for table in (*VERSIONED, "water_request"):
        op.drop_column(table, "updated_by_id")
        if table != "centre_profile":
            op.drop_column(table, "updated_at")
    for table in VERSIONED:
        op.drop_column(table, "version")
