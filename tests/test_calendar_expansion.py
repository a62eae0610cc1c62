"""A series is expanded over the window a view shows alone, not widened by MOVE_LIMIT each
side (four months more than a month's grid to find the few occurrences moved into it); the
occurrences found are the same as the widened expansion's (docs/decisions.md, 2026-12-06,
the calendar's views). Plain objects, no database: budget 1 s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from network.calendar import recurrence
from network.calendar.recurrence import MOVE_LIMIT, make_rule, occurrences, starts_between

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
