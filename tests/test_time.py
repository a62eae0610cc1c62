"""Dates on screen: the borough's time, in the locale's words, as Babel's patterns write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import format_date, format_datetime

from network.core.time import (
    format_clock,
    format_day,
    format_dayname,
    format_month,
    format_weekday,
    format_when,
    local,
)


@pytest.mark.parametrize("moment", [
    datetime(2026, 1, 5, 9, 7, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # the clocks go forward at 01:00 UTC
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 9, 30, 23, 30, tzinfo=UTC),  # the next day in London
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST, before they go back
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, after
    datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
])
def test_dates_read_as_babel_writes_them_in_the_boroughs_time(sqlite_app, moment):
    with sqlite_app.test_request_context():
        assert format_when(moment) == format_datetime(local(moment), "d MMM yyyy, HH:mm")
        assert format_day(moment) == format_date(local(moment).date(), "d MMMM yyyy")
        assert format_day(moment.date()) == format_date(moment.date(), "d MMMM yyyy")
        assert format_clock(moment) == format_datetime(local(moment), "HH:mm")
        assert format_weekday(moment) == format_date(local(moment).date(), "EEEE d MMMM yyyy")
        day = local(moment).date()
        assert format_month(day) == format_date(day, "MMMM yyyy")
        assert format_dayname(day) == format_date(day, "EEE")


def test_no_date_is_an_empty_string(sqlite_app):
    with sqlite_app.test_request_context():
        assert format_when(None) == format_day(None) == ""
        assert format_day(date(2026, 9, 1)) == "1 September 2026"
