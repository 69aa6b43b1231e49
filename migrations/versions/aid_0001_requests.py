"""Aid requests: the request of a dossier and its events

Revision ID: aid_0001_requests
Revises: i18n_access_0001
Create Date: 2026-12-02 06:30:23

New tables, and an index on the household snapshot's ``request_id`` (the slot it has had
since the dossiers), added in place: nothing existing is rebuilt. The events are
append-only: a trigger refuses any UPDATE of ``aid_request_event`` (as for the audit).
"""

import sqlalchemy as sa
from alembic import op

revision = "aid_0001_requests"
down_revision = "i18n_access_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "aid_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("nature", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("report_at", sa.DateTime(), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("proposal_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("origin_id", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=True),
        sa.Column("integration_ok", sa.Boolean(), nullable=True),
        sa.Column("integration_message", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_aid_request_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
            name=op.f("fk_aid_request_dossier_id_dossier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_aid_request_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["origin_id"],
            ["aid_request.id"],
            name=op.f("fk_aid_request_origin_id_aid_request"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_request")),
        sa.UniqueConstraint("dossier_id", "number", name="uq_aid_request_dossier_number"),
    )
    op.create_index(
        "ix_aid_request_history",
        "aid_request",
        ["dossier_id", "archived", "status", "number"],
        unique=False,
    )
    op.create_index(op.f("ix_aid_request_origin_id"), "aid_request", ["origin_id"], unique=False)
    op.create_index(
        "ix_aid_request_status",
        "aid_request",
        ["organisation_id", "status", "request_date"],
        unique=False,
    )

    op.create_table(
        "aid_request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("other_number", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["aid_request.id"],
            name=op.f("fk_aid_request_event_request_id_aid_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_aid_request_event_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_request_event")),
    )
    op.create_index(
        "ix_aid_request_event_request", "aid_request_event", ["request_id", "at"], unique=False
    )

    op.create_index(
        op.f("ix_household_snapshot_request_id"), "household_snapshot", ["request_id"], unique=False
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """CREATE FUNCTION aid_request_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'aid_request_event is append-only'; END; $$ LANGUAGE plpgsql"""
        )
        op.execute(
            """CREATE TRIGGER aid_request_event_no_update BEFORE UPDATE ON aid_request_event
            FOR EACH ROW EXECUTE FUNCTION aid_request_event_append_only()"""
        )
    else:
        op.execute(
            """CREATE TRIGGER aid_request_event_no_update BEFORE UPDATE ON aid_request_event
            BEGIN SELECT RAISE(ABORT, 'aid_request_event is append-only'); END"""
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS aid_request_event_no_update ON aid_request_event")
        op.execute("DROP FUNCTION IF EXISTS aid_request_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS aid_request_event_no_update")
    op.drop_index(op.f("ix_household_snapshot_request_id"), table_name="household_snapshot")

    op.drop_index("ix_aid_request_event_request", table_name="aid_request_event")

    op.drop_table("aid_request_event")
    op.drop_index("ix_aid_request_status", table_name="aid_request")
    op.drop_index(op.f("ix_aid_request_origin_id"), table_name="aid_request")
    op.drop_index("ix_aid_request_history", table_name="aid_request")

    op.drop_table("aid_request")
