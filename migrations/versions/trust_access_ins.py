"""organisation: one CPAS per INS code

Revision ID: trust_access
Revises: social_0001
Create Date: 2026-12-01 20:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "trust_access"
down_revision = "social_0001"
branch_labels = None
depends_on = None


def upgrade():
    organisation = sa.table("organisation", sa.column("id"), sa.column("ins_code"))
    # An empty code means "none": store NULL so that it does not collide with another empty one.
    op.execute(organisation.update().where(organisation.c.ins_code == "").values(ins_code=None))
    duplicates = (
        op.get_bind()
        .execute(
            sa.select(organisation.c.ins_code)
            .where(organisation.c.ins_code.is_not(None))
            .group_by(organisation.c.ins_code)
            .having(sa.func.count() > 1)
        )
        .scalars()
        .all()
    )
    if duplicates:
        # Which CPAS really has the code is for a person to decide, not for a migration.
        raise RuntimeError(
            "Several organisations share an INS code; correct their fiche signalétique "
            f"before upgrading: {', '.join(sorted(duplicates))}"
        )
    # A unique index, created in place: a unique constraint would make SQLite rebuild
    # `organisation` (batch mode), and dropping the old table fails with « FOREIGN KEY
    # constraint failed » as soon as any row of another table references it.
    op.create_index("uq_organisation_ins_code", "organisation", ["ins_code"], unique=True)


def downgrade():
    op.drop_index("uq_organisation_ins_code", table_name="organisation")
