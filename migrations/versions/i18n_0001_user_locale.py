"""Users: the interface language is « not chosen yet » until the user picks one

Revision ID: i18n_0001_user_locale
Revises: redi_0002_report_events
Create Date: 2026-12-02 00:45:00

``user_account.locale`` was NOT NULL with "fr" for everyone, so a user who never chose
could not follow the browser's Accept-Language. The language now lives in the nullable
``chosen_locale`` (NULL: not chosen yet). Adding and dropping a plain column is done in
place on SQLite (no batch rebuild of ``user_account``, whose children would cascade).
Every stored value is kept: existing users see the language they saw before.
"""

import sqlalchemy as sa
from alembic import op

revision = "i18n_0001_user_locale"
down_revision = "redi_0002_report_events"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_account", sa.Column("chosen_locale", sa.String(length=5), nullable=True))
    op.execute("UPDATE user_account SET chosen_locale = locale")
    op.drop_column("user_account", "locale")


def downgrade():
    op.add_column(
        "user_account",
        sa.Column("locale", sa.String(length=5), nullable=False, server_default="fr"),
    )
    op.execute("UPDATE user_account SET locale = COALESCE(chosen_locale, 'fr')")
    op.drop_column("user_account", "chosen_locale")
