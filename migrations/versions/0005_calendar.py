"""the shared calendar: events, changes to occurrences, RSVPs, papers (stored files), feed keys, follows

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 13:50:32.379275

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file'))
    )
    op.create_table('calendar_feed_key',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('reset_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_calendar_feed_key_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_calendar_feed_key'))
    )
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('meeting', 'training', 'consultation', 'social', 'conference', 'deadline', name='eventkind', native_enum=False, length=24), nullable=False),
    sa.Column('audience', sa.Enum('public', 'members', 'coordinators', name='audience', native_enum=False, length=24), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('all_day', sa.Boolean(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('online_link', sa.String(length=300), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('rsvp', sa.Boolean(), nullable=False),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('hearing_loop', sa.Boolean(), nullable=False),
    sa.Column('interpreter', sa.Boolean(), nullable=False),
    sa.Column('childcare', sa.Boolean(), nullable=False),
    sa.Column('travel_expenses', sa.Boolean(), nullable=False),
    sa.Column('access_note', sa.String(length=300), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recurrence', sa.String(length=200), nullable=True),
    sa.Column('repeat_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('continues_id', sa.Integer(), nullable=True),
    sa.Column('short_notice', sa.Boolean(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=43), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_event_area_id_area')),
    sa.ForeignKeyConstraint(['continues_id'], ['event.id'], name=op.f('fk_event_continues_id_event')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_event_created_by_id_person')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_event_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_event_submission_key'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_area_id'), ['area_id'], unique=False)
        batch_op.create_index('ix_event_listing', ['starts_at', 'repeat_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('follow',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_follow_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_follow_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', 'organisation_id', name=op.f('pk_follow'))
    )
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('event_occurrence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('original_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_occurrence_event_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_occurrence')),
    sa.UniqueConstraint('event_id', 'original_start', name=op.f('uq_event_occurrence_event_id'))
    )
    op.create_table('event_paper',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_paper_event_id_event')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_event_paper_file_id_stored_file')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['event_paper.id'], name=op.f('fk_event_paper_replaced_by_id_event_paper')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_event_paper_uploaded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_paper'))
    )
    with op.batch_alter_table('event_paper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_paper_event_id'), ['event_id'], unique=False)

    op.create_table('event_theme',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_theme_event_id_event')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_event_theme_theme_id_theme')),
    sa.PrimaryKeyConstraint('event_id', 'theme_id', name=op.f('pk_event_theme'))
    )
    with op.batch_alter_table('event_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_theme_theme_id'), ['theme_id'], unique=False)

    op.create_table('rsvp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('going', 'maybe', 'not_going', name='answer', native_enum=False, length=24), nullable=False),
    sa.Column('waiting', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_rsvp_event_id_event')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_rsvp_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvp')),
    sa.UniqueConstraint('event_id', 'occurrence_start', 'person_id', name=op.f('uq_rsvp_event_id'))
    )
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.create_index('ix_rsvp_person', ['person_id', 'occurrence_start'], unique=False)



def downgrade():
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.drop_index('ix_rsvp_person')

    op.drop_table('rsvp')
    with op.batch_alter_table('event_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_theme_theme_id'))

    op.drop_table('event_theme')
    with op.batch_alter_table('event_paper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_paper_event_id'))

    op.drop_table('event_paper')
    op.drop_table('event_occurrence')
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_organisation_id'))

    op.drop_table('follow')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_organisation_id'))
        batch_op.drop_index('ix_event_listing')
        batch_op.drop_index(batch_op.f('ix_event_area_id'))

    op.drop_table('event')
    op.drop_table('calendar_feed_key')
    op.drop_table('stored_file')
