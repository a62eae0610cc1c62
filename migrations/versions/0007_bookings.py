"""bookable offers: their rules, and the bookings asked for, approved, declined, cancelled

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:48:37.516619

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('listing_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('to_calendar', sa.Boolean(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('requested', 'approved', 'declined', 'cancelled', name='bookingstatus', native_enum=False, length=24), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('submission_key', sa.String(length=43), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_listing_booking_decided_by_id_person')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_listing_booking_event_id_event')),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_listing_booking_listing_id_listing')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_listing_booking_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_listing_booking_requested_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_booking')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_listing_booking_submission_key'))
    )
    with op.batch_alter_table('listing_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_booking_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_listing_booking_slots', ['listing_id', 'status', 'starts_at'], unique=False)

    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bookable', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('book_days', sa.String(length=7), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('book_from', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('book_until', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('notice_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('auto_approve', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_column('auto_approve')
        batch_op.drop_column('notice_days')
        batch_op.drop_column('book_until')
        batch_op.drop_column('book_from')
        batch_op.drop_column('book_days')
        batch_op.drop_column('bookable')

    with op.batch_alter_table('listing_booking', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_booking_slots')
        batch_op.drop_index(batch_op.f('ix_listing_booking_organisation_id'))

    op.drop_table('listing_booking')
