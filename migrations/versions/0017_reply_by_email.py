"""reply by email: the Message-IDs of mail received (each handled once), the last explanation
sent to each address (one an hour at most), and a person's reply-address generation (raised to
make every reply address already emailed to them stop working)

Revision ID: 0017_reply_by_email
Revises: 0016_calendar_sources
Create Date: 2026-12-06 00:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_reply_by_email'
down_revision = '0016_calendar_sources'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'received_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=300), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=24), nullable=False),
        sa.Column('posted_path', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_received_mail_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_received_mail')),
        sa.UniqueConstraint('message_id', name=op.f('uq_received_mail_message_id')),
    )
    op.create_table(
        'mail_notice',
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('address', name=op.f('pk_mail_notice')),
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_generation', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    # Not in a batch: SQLite (3.35 on) drops a column in place, where a batch would rebuild
    # the table that others point at.
    op.drop_column('person', 'reply_generation')
    op.drop_table('mail_notice')
    op.drop_table('received_mail')
