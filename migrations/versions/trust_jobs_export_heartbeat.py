"""Export jobs: heartbeat, attempts and failure reason (stale jobs are detected)

Revision ID: trust_jobs
Revises: trust_auth
Create Date: 2026-12-01 20:30:00

``water_export_job`` has no child table, so the batch rebuild on SQLite loses nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "trust_jobs"
down_revision = "trust_auth"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("water_export_job") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("error", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("water_export_job") as batch:
        batch.drop_column("error")
        batch.drop_column("attempts")
        batch.drop_column("heartbeat_at")
