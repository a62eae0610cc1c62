"""a body's meetings: calendar events linked to the body

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:32:44.332856

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_body_id'), ['body_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_event_body_id_body'), 'body', ['body_id'], ['id'])


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_body_id_body'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_event_body_id'))
        batch_op.drop_column('body_id')

