"""a notification's detail: the reason or note that goes with it, shown under its one-line
subject on the site and in the body of its email

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('detail')
