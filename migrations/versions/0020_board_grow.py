"""the board bounded at any size: its newest open listings read in order (not all sorted),
and what was shared this year counted from indexes (not every listing and booking read)

Revision ID: 0020_board_grow
Revises: 0019_calendar_grow
Create Date: 2026-12-06 04:45:00

"""
from alembic import op


revision = '0020_board_grow'
down_revision = '0019_calendar_grow'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_newest', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_listing_settled', ['status', 'settled_at'], unique=False)
    with op.batch_alter_table('listing_booking', schema=None) as batch_op:
        batch_op.create_index('ix_listing_booking_decided', ['status', 'decided_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('listing_booking', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_booking_decided')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_settled')
        batch_op.drop_index('ix_listing_newest')
