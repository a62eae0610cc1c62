"""indexes for long lists: held threads by category, organisations by status and name,
people by name

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_thread', schema=None) as batch_op:
        batch_op.create_index('ix_forum_thread_held', ['category_id'], unique=False,
                              sqlite_where=sa.text('held IS 1'),
                              postgresql_where=sa.text('held'))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_listing', ['status', 'name'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_display_name'), ['display_name'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_display_name'))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_listing')
    with op.batch_alter_table('forum_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_thread_held', sqlite_where=sa.text('held IS 1'),
                            postgresql_where=sa.text('held'))
