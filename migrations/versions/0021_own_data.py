"""one's own data: a person's choice to be named on public pages and when their account was
closed; the archives asked for (single-use, expiring links); the privacy page's versions

Revision ID: 0021_own_data
Revises: 0020_board_grow
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_own_data'
down_revision = '0020_board_grow'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_public', sa.Boolean(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'data_export',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_data_export_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_export')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_data_export_token_hash')),
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_export_person_id'), ['person_id'],
                              unique=False)
    op.create_table(
        'privacy_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['person.id'],
                                name=op.f('fk_privacy_notice_created_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice')),
    )


def downgrade():
    op.drop_table('privacy_notice')
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_export_person_id'))
    op.drop_table('data_export')
    # Not in a batch: SQLite (3.35 on) drops a column in place, where a batch would rebuild
    # the table that others point at.
    op.drop_column('person', 'closed_at')
    op.drop_column('person', 'name_public')
