"""Water dashboard: closed_ym (YYYYMM of closed_at) in the stats indexes

Revision ID: trust_perf
Revises: trust_locking
Create Date: 2026-12-01 20:20:00

The dashboard's monthly figures grouped by strftime/EXTRACT(month) over every settled FSE
request; the month now has its own column, backfilled here and kept by the model. The
column is added and dropped in place (no batch rebuild on SQLite: rebuilding water_request
with foreign_keys=ON would delete its ON DELETE CASCADE children).
"""

import sqlalchemy as sa
from alembic import op

revision = "trust_perf"
down_revision = "trust_locking"
branch_labels = None
depends_on = None

STATS = {
    "ix_water_request_stats_cpas": "cpas_id",
    "ix_water_request_stats_distributor": "distributor_id",
}


def _stats_indexes(month_column: str) -> None:
    for name, scope in STATS.items():
        op.drop_index(name, table_name="water_request")
        op.create_index(
            name,
            "water_request",
            [scope, "year", "kind", "status", month_column, "granted_amount", "requested_amount"],
        )


def upgrade():
    op.add_column("water_request", sa.Column("closed_ym", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        month = "CAST(strftime('%Y%m', closed_at) AS INTEGER)"
    else:
        month = (
            "CAST(EXTRACT(YEAR FROM closed_at) * 100 + EXTRACT(MONTH FROM closed_at) AS INTEGER)"
        )
    op.execute(f"UPDATE water_request SET closed_ym = {month} WHERE closed_at IS NOT NULL")
    _stats_indexes("closed_ym")


def downgrade():
    _stats_indexes("closed_at")
    op.drop_column("water_request", "closed_ym")
