"""an event keeps its feed UID: the ones feeds gave so far (event-N@host, from BASE_URL),
then a UUID for each new event

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:00:00

"""
from urllib.parse import urlsplit

from alembic import op
import sqlalchemy as sa
from flask import current_app


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def feed_host() -> str:
    """The host (and port) the feeds named in their UIDs until now: BASE_URL's, as it is
    while upgrading. Subscribers' calendars keep these events as they are."""
    return urlsplit(current_app.config.get("BASE_URL") or "http://localhost").netloc


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=255), nullable=True))
    op.execute(sa.text("UPDATE event SET uid = 'event-' || CAST(id AS VARCHAR(20)) || '@' "
                       "|| :host").bindparams(host=feed_host()))
    op.create_index(op.f('ix_event_uid'), 'event', ['uid'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_event_uid'), table_name='event')
    # Not in a batch: SQLite (3.35 on) drops a column in place, where a batch would rebuild
    # the table that others point at, and fail once they do.
    op.drop_column('event', 'uid')
