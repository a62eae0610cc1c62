"""A series is expanded over the window a view shows alone, not widened by MOVE_LIMIT each
side (four months more than a month's grid to find the few occurrences moved into it); the
occurrences found are the same as the widened expansion's (docs/decisions.md, 2026-12-06,
the calendar's views); and, on PostgreSQL, a view's parts that would walk back through every
event begun before use the indexes that spare them. Budget 4 s (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, text

from network.calendar import recurrence, stretch
from network.calendar.models import Event, EventKind
from network.calendar.recurrence import MOVE_LIMIT, make_rule, occurrences, starts_between
from network.core.audience import Audience
from network.extensions import db

FIRST = datetime(2026, 1, 5, 19, tzinfo=UTC)  # a Monday evening
WEEK = timedelta(days=7)


def change(original, moved_by=None, cancelled=False):
    return SimpleNamespace(original_start=original, cancelled=cancelled, place=None, note="",
                           starts_at=None if moved_by is None else original + moved_by,
                           ends_at=None if moved_by is None else original + moved_by
                           + timedelta(hours=2))


def series(changes):
    return SimpleNamespace(recurrence=make_rule("weekly", FIRST), starts_at=FIRST,
                           ends_at=FIRST + timedelta(hours=2), cancelled_at=None, place="Hall",
                           changes=changes)


def widened(event, start, end):
    """What occurrences() found before: the rule expanded MOVE_LIMIT past each side."""
    duration = event.ends_at - event.starts_at
    changes = {one.original_start: one for one in event.changes}
    found = []
    for original in starts_between(event.recurrence, event.starts_at,
                                   start - duration - MOVE_LIMIT, end + MOVE_LIMIT):
        one = changes.get(original)
        at = one.starts_at if one and one.starts_at else original
        until = one.ends_at if one and one.starts_at else original + duration
        if at < end and until > start:
            found.append((original, at, bool(one and one.cancelled)))
    return sorted(found, key=lambda item: item[1])


def test_a_month_walks_the_month_alone(app, monkeypatch):
    walked = []
    real = recurrence.starts_between

    def counting(rule, first, start, end):
        found = real(rule, first, start, end)
        walked.append(len(found))
        return found

    monkeypatch.setattr(recurrence, "starts_between", counting)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with app.test_request_context():
        found = occurrences(series([]), start, start + 5 * WEEK)
    assert len(found) == 5
    assert walked == [5]  # the widened window walked 23 (two months more on each side)


@pytest.mark.parametrize("moved_by", [-8 * WEEK, -5 * WEEK, -1 * WEEK, timedelta(hours=3),
                                      1 * WEEK, 5 * WEEK, 8 * WEEK])
def test_moved_occurrences_are_found_as_before(app, moved_by):
    start = datetime(2026, 6, 1, tzinfo=UTC)
    end = start + 5 * WEEK
    around = [FIRST + n * WEEK for n in range(8, 40)]  # weeks before, in and after the window
    changes = [change(original, moved_by) for original in around[::3]]
    changes += [change(around[22], cancelled=True),
                change(datetime(2026, 6, 3, 19, tzinfo=UTC), moved_by)]  # not of the rule
    event = series(changes)
    with app.test_request_context():
        for view in [(start, end), (start + 2 * WEEK, start + 3 * WEEK), (start, start)]:
            got = [(one.original_start, one.starts_at, one.cancelled)
                   for one in occurrences(event, *view)]
            assert got == widened(event, *view)


def plan(query) -> str:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    return "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())


def test_a_views_under_way_and_series_parts_use_their_indexes(app, world):
    """On PostgreSQL (migration 0019): the events under way when a view begins are found by
    the GiST index of spans, and its series by the index of series, not by walking back
    through the one-off events begun before (at the large borough's size: 15,627 rows
    filtered out for none found, and 8,108 for the series)."""
    if db.engine.dialect.name == "sqlite":  # a GiST index has no SQLite twin: none made
        names = set(db.session.scalars(text("SELECT name FROM sqlite_master")))
        assert {stretch.UNDER_WAY_INDEX, stretch.SERIES_INDEX}.isdisjoint(names)
        assert "ix_event_listing" in names  # the plans SQLite keeps use its older index
        return
    held = datetime(2025, 1, 6, 10, tzinfo=UTC)
    db.session.execute(insert(Event), [
        {"organisation_id": world.org_a.id, "created_by_id": world.contact.id,
         "title": f"Held {n}", "kind": EventKind.MEETING, "audience": Audience.PUBLIC,
         "starts_at": held + timedelta(hours=n), "ends_at": held + timedelta(hours=n, minutes=50),
         "place": "Hall"} for n in range(2000)])
    db.session.commit()
    db.session.execute(text("ANALYZE event"))
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with app.test_request_context():
        under_way = plan(stretch._under_way((), start, 4))
        series = plan(stretch._series((), start, start + 5 * WEEK))
    assert stretch.UNDER_WAY_INDEX in under_way and "Seq Scan" not in under_way
    assert stretch.SERIES_INDEX in series and "Seq Scan" not in series
