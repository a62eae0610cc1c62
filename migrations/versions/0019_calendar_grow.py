"""calendar, on PostgreSQL: a GiST index of one-off events' spans, so a view finds the events
under way when it begins from those on, not by walking back through every event begun before;
and an index of series alone by start, so a view's series are not looked for among every
one-off event begun before its end (docs/decisions.md, 2026-12-06, the calendar's views).
SQLite has neither: its queries walk.

Revision ID: 0019_calendar_grow
Revises: 0018_jobs
Create Date: 2026-12-06 04:50:00

"""
from alembic import op


revision = '0019_calendar_grow'
down_revision = '0018_jobs'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # greatest(): a row ending before it starts (none should) is not refused by the index.
        op.execute("CREATE INDEX ix_event_under_way ON event USING gist "
                   "(tstzrange(starts_at, greatest(ends_at, starts_at))) "
                   "WHERE recurrence IS NULL")
        op.execute("CREATE INDEX ix_event_series ON event (starts_at, repeat_until) "
                   "WHERE recurrence IS NOT NULL")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_event_series")
        op.execute("DROP INDEX ix_event_under_way")
