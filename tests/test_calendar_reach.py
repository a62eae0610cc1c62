"""Dates at the calendar's edges: a far date in an address costs no more than a near one, an
address's odd arguments are no error, the event form takes days within a sensible reach, and
an event from before those rules, however far out, still shows and can be changed or
cancelled. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from network.calendar import recurrence
from network.calendar.recurrence import make_rule, occurrence_key, starts_between
from network.core.audience import Audience
from network.core.time import borough_zone
from tests.factories import make_event
from tests.test_calendar import body, in_days, local


@pytest.fixture
def walked(monkeypatch):
    """How many starts dateutil has walked through in the calendar's expansions: what a far
    date would cost, counted rather than timed."""
    count = {"starts": 0}
    read = recurrence.rrulestr

    def counting(*args, **kwargs):
        rule = read(*args, **kwargs)
        steps = rule._iter

        def walk():
            for moment in steps():
                count["starts"] += 1
                yield moment

        rule._iter = walk
        return rule

    monkeypatch.setattr(recurrence, "rrulestr", counting)
    return count


def never_ending(world, pattern="weekly"):
    return make_event(world.org_a, world.contact, "Weekly drop-in", starts_at=local(in_days(2)),
                      repeats=(pattern, None, None), audience=Audience.PUBLIC)


# --- a far date costs what a near one does ------------------------------------------------------

@pytest.mark.parametrize("pattern", list(recurrence.PATTERNS))
def test_an_occurrence_in_the_year_9999_is_found_without_walking_there(
        client, world, login, walked, pattern):
    event = never_ending(world, pattern)
    far = starts_between(event.recurrence, event.starts_at, datetime(9999, 1, 1, tzinfo=UTC),
                         datetime(9999, 12, 31, tzinfo=UTC))[0]
    walked["starts"] = 0
    page = client.get(f"/calendar/e/{event.id}-weekly-drop-in?at={occurrence_key(far)}")
    assert page.status_code == 200
    assert f'datetime="{far.astimezone(borough_zone()).date().isoformat()}' in body(page)
    # The page finds the occurrence and the next few from today: a few dozen starts, not the
    # 415,000 weeks from now to then.
    assert walked["starts"] < 200


def test_a_far_date_that_is_no_occurrence_is_404_at_the_cost_of_a_near_one(
        client, world, login, walked):
    event = never_ending(world)
    login(world.contact)
    for path in ("", "/edit", "/cancel"):
        walked["starts"] = 0
        response = client.get(f"/calendar/e/{event.id}{path or '-weekly-drop-in'}"
                              f"?at=99991231T000000Z")
        assert response.status_code == 404
        assert walked["starts"] < 20
    walked["starts"] = 0
    assert client.post(f"/calendar/e/{event.id}/rsvp?at=99991231T000000Z",
                       data={"answer": "going"}).status_code == 404
    assert walked["starts"] < 20


def test_the_calendar_views_far_ahead_walk_no_series_from_its_start(client, world, walked):
    for pattern in recurrence.PATTERNS:
        never_ending(world, pattern)
    walked["starts"] = 0
    for address in ("/calendar?start=2199-12-01", "/calendar/week?week=2199-12-25",
                    "/calendar/month?month=2199-12"):
        page = client.get(address)
        assert page.status_code == 200 and "Weekly drop-in" in body(page)
    # Three views of one month of five series: some hundreds of starts, not 9,000 weeks each.
    assert walked["starts"] < 1000


def test_a_rule_read_from_near_a_date_gives_the_same_starts_as_read_from_its_first(app):
    """The jump to a start near the window keeps every rule's days: weekly and fortnightly
    across the clock changes, the 31st and the last Friday of months, 29 February."""
    zone = borough_zone()
    firsts = [datetime(2027, 3, 28, 1, 30, tzinfo=zone), datetime(2027, 1, 31, 19, tzinfo=zone),
              datetime(2028, 2, 29, 10, tzinfo=zone), datetime(2027, 10, 29, 23, tzinfo=zone),
              datetime(2027, 6, 15, 0, 15, tzinfo=zone)]
    for first in firsts:
        for pattern in recurrence.PATTERNS:
            for until in (None, first.date() + timedelta(days=3000)):
                rule = make_rule(pattern, first.astimezone(UTC), until)
                walked_from_first = recurrence.rrulestr(
                    rule, dtstart=first.astimezone(UTC).astimezone(zone))
                for years in (0, 1, 3, 9, 40, 130):
                    start = first + timedelta(days=365 * years + 17)
                    end = start + timedelta(days=800)
                    expected = [moment.astimezone(UTC) for moment in
                                walked_from_first.between(start, end, inc=True)
                                if moment < end][:recurrence.MAX_OCCURRENCES]
                    assert starts_between(rule, first.astimezone(UTC), start, end) == \
                        expected, (rule, first, years)


# --- addresses with odd arguments ----------------------------------------------------------------

@pytest.mark.parametrize("query", ["slug=x", "event_id=5", "_method=POST", "_external=1",
                                   "_scheme=javascript&_external=1", "_anchor=x"])
def test_an_event_address_with_odd_arguments_is_redirected_without_them(client, world, login,
                                                                        query):
    event = world.event
    login(world.member)
    response = client.get(f"/calendar/e/{event.id}?{query}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/calendar/e/{event.id}-{event.slug}"
    at = occurrence_key(event.starts_at)
    kept = client.get(f"/calendar/e/{event.id}?{query}&at={at}")
    assert kept.headers["Location"] == f"/calendar/e/{event.id}-{event.slug}?at={at}"


@pytest.mark.parametrize("view", ["", "/week", "/month"])
@pytest.mark.parametrize("query", ["_method=POST", "_scheme=javascript&_external=1",
                                   "_anchor=x", "endpoint=x", "values=1"])
def test_the_calendar_views_with_odd_arguments_link_without_them(client, world, view, query):
    page = client.get(f"/calendar{view}?{query}&kind=meeting")
    assert page.status_code == 200
    assert "javascript" not in body(page) and "_anchor" not in body(page)
    assert "kind=meeting" in body(page)  # the filters are kept


def test_a_forum_thread_address_with_odd_arguments_is_redirected_without_error(
        client, world, login):
    login(world.member)
    thread = world.thread
    response = client.get(f"/forum/t/{thread.id}?thread_id=9&_method=POST&slug=x&quote=1")
    assert response.status_code == 301
    assert response.headers["Location"].startswith(f"/forum/t/{thread.id}-{thread.slug}?")
    assert "quote=1" in response.headers["Location"]


def test_an_occurrence_address_in_the_year_1_is_404_not_an_error(client, world, login):
    event = world.event
    login(world.contact)
    for path in ("-" + event.slug, "/edit", "/cancel"):
        assert client.get(f"/calendar/e/{event.id}{path}?at=00010101T000000Z"
                          ).status_code == 404
    assert client.post(f"/calendar/e/{event.id}/rsvp?at=00010101T000000Z",
                       data={"answer": "going"}).status_code == 404
