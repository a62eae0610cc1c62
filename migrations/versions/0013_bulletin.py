"""the weekly bulletin (its issues and who was sent each), an email's HTML alternative, and
each person's visits to their home page of what is new

Revision ID: 0013_bulletin
Revises: 0012
Create Date: 2026-12-05 21:30:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0013_bulletin'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bulletin_issue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_issue')),
        sa.UniqueConstraint('number', name=op.f('uq_bulletin_issue_number')),
        sa.UniqueConstraint('week', name=op.f('uq_bulletin_issue_week')),
    )
    op.create_table(
        'bulletin_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('email_id', sa.Integer(), nullable=True),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['email_id'], ['outbox_email.id'],
                                name=op.f('fk_bulletin_delivery_email_id_outbox_email')),
        sa.ForeignKeyConstraint(['issue_id'], ['bulletin_issue.id'],
                                name=op.f('fk_bulletin_delivery_issue_id_bulletin_issue')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_bulletin_delivery_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_delivery')),
        sa.UniqueConstraint('issue_id', 'person_id',
                            name=op.f('uq_bulletin_delivery_issue_id')),
    )
    op.create_index(op.f('ix_bulletin_delivery_person_id'), 'bulletin_delivery', ['person_id'],
                    unique=False)
    op.create_table(
        'home_visit',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('since', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_home_visit_person_id_person')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_home_visit')),
    )
    # Not in a batch: SQLite adds a column in place, where a batch would rebuild the table.
    op.add_column('outbox_email', sa.Column('html_body', sa.Text(), nullable=True))


def downgrade():
    # SQLite (3.35 on) drops a column in place.
    op.drop_column('outbox_email', 'html_body')
    op.drop_table('home_visit')
    op.drop_index(op.f('ix_bulletin_delivery_person_id'), table_name='bulletin_delivery')
    op.drop_table('bulletin_delivery')
    op.drop_table('bulletin_issue')
