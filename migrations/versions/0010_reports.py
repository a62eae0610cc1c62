"""representatives report back: raised items, reports, actions, questions, responses,
reads, papers and reminders

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:57:27.821174

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('said', sa.Text(), nullable=False),
    sa.Column('audience', sa.Enum('public', 'members', 'coordinators', name='audience', native_enum=False, length=24), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', name='reportstate', native_enum=False, length=24), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_report_author_id_person')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_report_event_id_event')),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_report_seat_id_seat')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('seat_id', 'event_id', 'occurrence_start', name=op.f('uq_report_seat_id'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_seat_id'), ['seat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_state'), ['state'], unique=False)

    op.create_table('report_reminder',
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_report_reminder_event_id_event')),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_report_reminder_seat_id_seat')),
    sa.PrimaryKeyConstraint('seat_id', 'event_id', 'occurrence_start', 'stage', name=op.f('pk_report_reminder'))
    )
    op.create_table('raised_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('occurrence_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('meeting_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'taken', 'not_taken', 'answered', name='itemstatus', native_enum=False, length=24), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submission_key', sa.String(length=43), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_raised_item_author_id_person')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_raised_item_event_id_event')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_raised_item_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_raised_item_report_id_report')),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_raised_item_seat_id_seat')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_raised_item')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_raised_item_submission_key'))
    )
    with op.batch_alter_table('raised_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_raised_item_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_raised_item_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_raised_item_seat_id'), ['seat_id'], unique=False)

    op.create_table('report_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='actionstatus', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_action_report_id_report')),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_report_action_seat_id_seat')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_action'))
    )
    with op.batch_alter_table('report_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_action_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_action_seat_id'), ['seat_id'], unique=False)

    op.create_table('report_paper',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_report_paper_file_id_stored_file')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_paper_report_id_report')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_report_paper_uploaded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_paper'))
    )
    with op.batch_alter_table('report_paper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_paper_report_id'), ['report_id'], unique=False)

    op.create_table('report_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_question_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_question'))
    )
    with op.batch_alter_table('report_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_question_report_id'), ['report_id'], unique=False)

    op.create_table('report_read',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_report_read_person_id_person')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_read_report_id_report')),
    sa.PrimaryKeyConstraint('report_id', 'person_id', name=op.f('pk_report_read'))
    )
    op.create_table('report_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('said', sa.Text(), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['person.id'], name=op.f('fk_report_revision_replaced_by_id_person')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_revision_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_revision'))
    )
    with op.batch_alter_table('report_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_revision_report_id'), ['report_id'], unique=False)

    op.create_table('raised_item_support',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['raised_item.id'], name=op.f('fk_raised_item_support_item_id_raised_item')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_raised_item_support_person_id_person')),
    sa.PrimaryKeyConstraint('item_id', 'person_id', name=op.f('pk_raised_item_support'))
    )
    op.create_table('report_action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='actionstatus', native_enum=False, length=24), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['report_action.id'], name=op.f('fk_report_action_update_action_id_report_action')),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_report_action_update_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_action_update'))
    )
    with op.batch_alter_table('report_action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_action_update_action_id'), ['action_id'], unique=False)

    op.create_table('report_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('submission_key', sa.String(length=43), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_report_response_author_id_person')),
    sa.ForeignKeyConstraint(['question_id'], ['report_question.id'], name=op.f('fk_report_response_question_id_report_question')),
    sa.ForeignKeyConstraint(['reply_to_id'], ['report_response.id'], name=op.f('fk_report_response_reply_to_id_report_response')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_response_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_response')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_report_response_submission_key'))
    )
    with op.batch_alter_table('report_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_response_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_report_response_report', ['report_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_response', schema=None) as batch_op:
        batch_op.drop_index('ix_report_response_report')
        batch_op.drop_index(batch_op.f('ix_report_response_author_id'))

    op.drop_table('report_response')
    with op.batch_alter_table('report_action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_action_update_action_id'))

    op.drop_table('report_action_update')
    op.drop_table('raised_item_support')
    with op.batch_alter_table('report_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_revision_report_id'))

    op.drop_table('report_revision')
    op.drop_table('report_read')
    with op.batch_alter_table('report_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_question_report_id'))

    op.drop_table('report_question')
    with op.batch_alter_table('report_paper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_paper_report_id'))

    op.drop_table('report_paper')
    with op.batch_alter_table('report_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_action_seat_id'))
        batch_op.drop_index(batch_op.f('ix_report_action_report_id'))

    op.drop_table('report_action')
    with op.batch_alter_table('raised_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raised_item_seat_id'))
        batch_op.drop_index(batch_op.f('ix_raised_item_report_id'))
        batch_op.drop_index(batch_op.f('ix_raised_item_author_id'))

    op.drop_table('raised_item')
    op.drop_table('report_reminder')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_state'))
        batch_op.drop_index(batch_op.f('ix_report_seat_id'))

    op.drop_table('report')
