"""a person's language: the code of the catalogue they chose (pl, en_GB), or none (the
cookie, the browser, then English decide); and the language an application was made in

Revision ID: 0015_person_locale
Revises: 0014_search
Create Date: 2026-12-06 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_person_locale'
down_revision = '0014_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=20), nullable=True))
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column('application', 'locale')
    # Not in a batch: SQLite (3.35 on) drops a column in place, where a batch would rebuild
    # the table that others point at.
    op.drop_column('person', 'locale')
