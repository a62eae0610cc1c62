"""The calendar as a new user reads it (issue 19): links between the views, the waiting list in
words, a moved occurrence, adding an event from every view, and repeat patterns described as
they fall. Through HTTP where a person would do it, on both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.test_calendar import body, signed_in


def month_link(page: str) -> str:
    return re.search(r'<a href="/calendar/month\?[^"]*month=(\d{4}-\d{2})[^"]*"[^>]*>Month</a>',
                     page).group(1)


# --- the Month link from a week -----------------------------------------------------------------

@pytest.mark.parametrize(("today", "week", "month"), [
    # The issue's: Friday 4 December 2026, its week starting on Monday 30 November.
    ("2026-12-04", "2026-12-04", "2026-12"),
    ("2026-12-04", None, "2026-12"),
    ("2026-12-04", "2026-11-30", "2026-12"),
    # The week of the turn of the year, seen from either side of it.
    ("2026-12-29", None, "2026-12"),
    ("2027-01-01", None, "2027-01"),
    ("2027-01-01", "2026-12-28", "2027-01"),
    # Weeks not holding today: the month of most of their days (their Thursday's).
    ("2027-01-13", "2027-03-29", "2027-04"),  # Monday 29 March to Sunday 4 April
    ("2027-01-13", "2027-03-25", "2027-03"),  # Monday 22 to Sunday 28 March
    ("2027-01-13", "2027-05-31", "2027-06"),  # Monday 31 May to Sunday 6 June
    ("2027-01-13", "2027-04-28", "2027-04"),  # Monday 26 April to Sunday 2 May
])
def test_the_month_link_from_a_week_opens_the_month_it_is_in(client, clock, today, week,
                                                              month):
    clock.set(datetime.fromisoformat(today).replace(hour=12, tzinfo=UTC))
    page = body(client.get("/calendar/week" + (f"?week={week}" if week else "")))
    assert month_link(page) == month


# --- adding an event from any view -------------------------------------------------------------

ADD = '<a class="button" href="/calendar/new">Add an event</a>'


@pytest.mark.parametrize("path", ["/calendar", "/calendar/week", "/calendar/month"])
def test_every_view_offers_to_add_an_event_to_those_who_may(app, client, world, path):
    assert ADD not in body(client.get(path))  # a visitor
    for person, offered in ((world.associate, False), (world.member, True),
                            (world.coordinator, True)):
        assert (ADD in body(signed_in(app, person).get(path))) is offered, person.email
