"""calendars brought in: a calendar source (an ICS address or an uploaded file), and the
events imported from it, known in it by their UID and RECURRENCE-ID

Revision ID: 0016_calendar_sources
Revises: 0015_person_locale
Create Date: 2026-12-06 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_calendar_sources'
down_revision = '0015_person_locale'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('uploaded', sa.Text(), nullable=True),
        sa.Column('website', sa.String(length=300), nullable=False),
        sa.Column('audience', sa.Enum('public', 'members', 'coordinators', name='audience',
                                      native_enum=False, length=24), nullable=False),
        sa.Column('kind', sa.Enum('meeting', 'training', 'consultation', 'social',
                                  'conference', 'deadline', name='eventkind',
                                  native_enum=False, length=24), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('removed', sa.Integer(), nullable=False),
        sa.Column('left_out', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['person.id'],
                                name=op.f('fk_calendar_source_created_by_id_person')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_calendar_source_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_source')),
    )
    # Not in a batch, and with no foreign key: SQLite adds and drops such columns in place,
    # where a batch would rebuild the table that others point at (and fail once they do).
    op.add_column('event', sa.Column('source_id', sa.Integer(), nullable=True))
    op.add_column('event', sa.Column('source_key', sa.String(length=64), nullable=True))
    op.create_index('uq_event_source_key', 'event', ['source_id', 'source_key'], unique=True)


def downgrade():
    op.drop_index('uq_event_source_key', table_name='event')
    op.drop_column('event', 'source_key')
    op.drop_column('event', 'source_id')
    op.drop_table('calendar_source')
