"""Account requests: the language the request was made in

Revision ID: i18n_access_0001
Revises: i18n_0001_user_locale
Create Date: 2026-12-02 00:55:00

The applicant has no account yet, so the decision e-mail (accepted / refused) is written
in the language of the page the request was made on. NULL on older requests: French.
A plain nullable column, added in place on SQLite (no batch rebuild).
"""

import sqlalchemy as sa
from alembic import op

revision = "i18n_access_0001"
down_revision = "i18n_0001_user_locale"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("account_request", sa.Column("locale", sa.String(length=5), nullable=True))


def downgrade():
    op.drop_column("account_request", "locale")
