"""Optimistic locking for the user's profile assignment and for account requests

Revision ID: trust_finlock
Revises: trust_perf
Create Date: 2026-12-01 21:35:00

Columns are added and dropped in place (no batch rebuild on SQLite: rebuilding
``user_account`` with foreign_keys=ON would cascade into ``user_profile``).
"""

import sqlalchemy as sa
from alembic import op

revision = "trust_finlock"
down_revision = "trust_perf"
branch_labels = None
depends_on = None

TABLES = ("user_account", "account_request")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        op.add_column(table, sa.Column("updated_at", sa.DateTime(), nullable=True))
        op.add_column(table, sa.Column("updated_by_id", sa.Integer(), nullable=True))


def downgrade():
    for table in TABLES:
        op.drop_column(table, "updated_by_id")
        op.drop_column(table, "updated_at")
        op.drop_column(table, "version")
