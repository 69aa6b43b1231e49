"""Social inquiry: per member inquiry, resources, expenses, formulaire A

Revision ID: inquiry_0001
Revises: aid_0001_requests
Create Date: 2026-12-02 06:47:57

New tables only: nothing existing is rebuilt.
"""
from alembic import op
import sqlalchemy as sa


revision = 'inquiry_0001'
down_revision = 'aid_0001_requests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_a',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('main_nationality', sa.String(length=60), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_form_a_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['request_id'], ['aid_request.id'], name=op.f('fk_form_a_request_id_aid_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_a')),
    sa.UniqueConstraint('request_id', name=op.f('uq_form_a_request_id'))
    )
    op.create_table('member_inquiry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('registre_manual', sa.String(length=60), nullable=True),
    sa.Column('category', sa.String(length=12), nullable=True),
    sa.Column('housing', sa.String(length=20), nullable=True),
    sa.Column('homeless', sa.Boolean(), nullable=False),
    sa.Column('student_piis', sa.Boolean(), nullable=False),
    sa.Column('dependent_children', sa.Integer(), nullable=True),
    sa.Column('nationality', sa.String(length=60), nullable=True),
    sa.Column('residence_permit', sa.String(length=12), nullable=True),
    sa.Column('arrival_date', sa.Date(), nullable=True),
    sa.Column('insurability', sa.String(length=12), nullable=True),
    sa.Column('health_insurer', sa.String(length=100), nullable=True),
    sa.Column('informed', sa.Boolean(), nullable=False),
    sa.Column('no_resources', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['household_member.id'], name=op.f('fk_member_inquiry_member_id_household_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_member_inquiry_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['request_id'], ['aid_request.id'], name=op.f('fk_member_inquiry_request_id_aid_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_inquiry')),
    sa.UniqueConstraint('request_id', 'member_id', name='uq_member_inquiry_request_member')
    )
    op.create_index(op.f('ix_member_inquiry_member_id'), 'member_inquiry', ['member_id'], unique=False)

    op.create_table('form_a_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('niss', sa.String(length=11), nullable=False),
    sa.Column('secondary', sa.Boolean(), nullable=False),
    sa.Column('suffix', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=25), nullable=True),
    sa.Column('relation', sa.String(length=15), nullable=True),
    sa.Column('nationality', sa.String(length=60), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_form_a_member_dossier_id_dossier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['form_id'], ['form_a.id'], name=op.f('fk_form_a_member_form_id_form_a'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['household_member.id'], name=op.f('fk_form_a_member_member_id_household_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_a_member')),
    sa.UniqueConstraint('form_id', 'member_id', name='uq_form_a_member')
    )
    op.create_index('ix_form_a_member_niss', 'form_a_member', ['dossier_id', 'niss'], unique=False)

    op.create_table('inquiry_expense',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=25), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('annual_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['inquiry_id'], ['member_inquiry.id'], name=op.f('fk_inquiry_expense_inquiry_id_member_inquiry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_expense'))
    )
    op.create_index(op.f('ix_inquiry_expense_inquiry_id'), 'inquiry_expense', ['inquiry_id'], unique=False)

    op.create_table('inquiry_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=25), nullable=False),
    sa.Column('detail', sa.String(length=150), nullable=True),
    sa.Column('annual_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('counts_for_dis', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['inquiry_id'], ['member_inquiry.id'], name=op.f('fk_inquiry_resource_inquiry_id_member_inquiry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_resource'))
    )
    op.create_index(op.f('ix_inquiry_resource_inquiry_id'), 'inquiry_resource', ['inquiry_id'], unique=False)



def downgrade():
    op.drop_index(op.f('ix_inquiry_resource_inquiry_id'), table_name='inquiry_resource')

    op.drop_table('inquiry_resource')
    op.drop_index(op.f('ix_inquiry_expense_inquiry_id'), table_name='inquiry_expense')

    op.drop_table('inquiry_expense')
    op.drop_index('ix_form_a_member_niss', table_name='form_a_member')

    op.drop_table('form_a_member')
    op.drop_index(op.f('ix_member_inquiry_member_id'), table_name='member_inquiry')

    op.drop_table('member_inquiry')
    op.drop_table('form_a')
