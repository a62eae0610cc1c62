"""calendars brought in: a calendar source (an ICS address or an uploaded file), and the
events imported from it, known in it by their UID and RECURRENCE-ID

Revision ID: 0016_calendar_sources
Revises: 0014_search
Create Date: 2026-12-06 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_calendar_sources'
down_revision = '0014_search'
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
    # Not in a batch: SQLite adds a column in place (its foreign key written in the column's
    # own definition), where a batch would rebuild the table that others point at.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE event ADD COLUMN source_id INTEGER '
                   'CONSTRAINT fk_event_source_id_calendar_source '
                   'REFERENCES calendar_source (id)')
    else:
        op.add_column('event', sa.Column('source_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_event_source_id_calendar_source'), 'event',
                              'calendar_source', ['source_id'], ['id'])
    op.add_column('event', sa.Column('source_key', sa.String(length=64), nullable=True))
    op.create_index('uq_event_source_key', 'event', ['source_id', 'source_key'], unique=True)


def downgrade():
    op.drop_index('uq_event_source_key', table_name='event')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops no column that has a foreign key in place: the table is rebuilt, as
        # 0009's downgrade rebuilds it.
        with op.batch_alter_table('event', schema=None) as batch_op:
            batch_op.drop_column('source_key')
            batch_op.drop_column('source_id')
    else:
        op.drop_column('event', 'source_key')
        op.drop_constraint(op.f('fk_event_source_id_calendar_source'), 'event',
                           type_='foreignkey')
        op.drop_column('event', 'source_id')
    op.drop_table('calendar_source')
