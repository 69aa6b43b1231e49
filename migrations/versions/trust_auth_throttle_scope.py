"""Throttle scopes: password-reset e-mails and account requests counted like sign-ins

Revision ID: trust_auth
Revises: trust_access
Create Date: 2026-12-01 20:15:00

``login_attempt`` has no child table, so the batch rebuild on SQLite loses nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "trust_auth"
down_revision = "trust_access"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_attempt") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(length=20), server_default="login", nullable=False)
        )
        batch.drop_index("ix_login_attempt_account_at")
        batch.drop_index("ix_login_attempt_ip_at")
        batch.create_index("ix_login_attempt_scope_account_at", ["scope", "account_key", "at"])
        batch.create_index("ix_login_attempt_scope_ip_at", ["scope", "ip", "at"])


def downgrade():
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_index("ix_login_attempt_scope_ip_at")
        batch.drop_index("ix_login_attempt_scope_account_at")
        batch.create_index("ix_login_attempt_ip_at", ["ip", "at"])
        batch.create_index("ix_login_attempt_account_at", ["account_key", "at"])
        batch.drop_column("scope")
