"""the sharing board: listings, the conversations replies open, their messages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:14:06.812781

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('offer', 'request', name='listingkind', native_enum=False, length=24), nullable=False),
    sa.Column('category', sa.Enum('rooms', 'equipment', 'ict', 'people', 'skills', 'training', 'transport', 'funding', 'information', 'other', name='category', native_enum=False, length=24), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('available_until', sa.Date(), nullable=True),
    sa.Column('urgency', sa.Enum('whenever', 'soon', 'urgent', name='urgency', native_enum=False, length=24), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'matched', 'closed', name='listingstatus', native_enum=False, length=24), nullable=False),
    sa.Column('matched_with_id', sa.Integer(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('keywords', sa.String(length=1000), nullable=False),
    sa.Column('expiry_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('submission_key', sa.String(length=43), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_listing_area_id_area')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_listing_created_by_id_person')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['person.id'], name=op.f('fk_listing_hidden_by_id_person')),
    sa.ForeignKeyConstraint(['matched_with_id'], ['organisation.id'], name=op.f('fk_listing_matched_with_id_organisation')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_listing_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_listing_submission_key'))
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_board', ['status', 'expires_on', 'created_at'], unique=False)
        batch_op.create_index('ix_listing_matching', ['category', 'kind', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('listing_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_listing_conversation_listing_id_listing')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_listing_conversation_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['started_by_id'], ['person.id'], name=op.f('fk_listing_conversation_started_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_conversation')),
    sa.UniqueConstraint('listing_id', 'organisation_id', name=op.f('uq_listing_conversation_listing_id'))
    )
    with op.batch_alter_table('listing_conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_conversation_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_conversation_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('listing_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('submission_key', sa.String(length=43), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_listing_message_author_id_person')),
    sa.ForeignKeyConstraint(['conversation_id'], ['listing_conversation.id'], name=op.f('fk_listing_message_conversation_id_listing_conversation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_message')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_listing_message_submission_key'))
    )
    with op.batch_alter_table('listing_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_message_conversation_id'), ['conversation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('listing_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_message_conversation_id'))

    op.drop_table('listing_message')
    with op.batch_alter_table('listing_conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_conversation_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_listing_conversation_listing_id'))

    op.drop_table('listing_conversation')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_organisation_id'))
        batch_op.drop_index('ix_listing_matching')
        batch_op.drop_index('ix_listing_board')

    op.drop_table('listing')
