"""Dates at the calendar's edges: a far date in an address costs no more than a near one, an
address's odd arguments are no error, the event form takes days within a sensible reach, and
an event from before those rules, however far out, still shows and can be changed or
cancelled. On both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from network.calendar import recurrence
from network.calendar.models import Event, EventKind
from network.calendar.recurrence import make_rule, occurrence, occurrence_key, starts_between
from network.core.audience import Audience
from network.core.time import borough_zone
from network.extensions import db
from tests.factories import dated, make_event
from tests.test_calendar import (
    KEY,
    LONDON,
    body,
    count,
    edit_form,
    event_form,
    in_days,
    local,
)


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
    # The header's Log in link and the footer's language switch bring a visitor back to this
    # very address (their next, checked as any next is: a path on this site); every other
    # link keeps only the calendar's own arguments.
    links = re.sub(r'href="/login\?next=[^"]*"|name="next" value="[^"]*"', "", body(page))
    assert "javascript" not in links and "_anchor" not in links
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


# --- days within reach ----------------------------------------------------------------------

def refused_beside(response, field: str, message: str) -> None:
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</', body(response), re.S)
    assert error and message in error.group(1), (field, body(response)[:300])


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"starts_on": "9999-12-31"}, "starts_on", "Give a day from "),
    ({"starts_on": "0001-01-01"}, "starts_on", "Give a day from "),
    ({"starts_on": "1900-01-01"}, "starts_on", "Give a day from "),
    ({"starts_on": "{iso+3651}"}, "starts_on", "Give a day from "),  # ten years and a day
    ({"starts_on": "{iso-366}"}, "starts_on", "Give a day from "),  # a year and a day ago
    ({"ends_on": "9999-12-31"}, "ends_on", "Give a day from "),
    ({"repeat": "weekly", "repeat_end": "until", "repeat_until": "9999-12-31"},
     "repeat_until", "Give a day from "),
    ({"repeat": "weekly", "repeat_end": "until", "repeat_until": "{iso+3700}"},
     "repeat_until", "A series can run for up to ten years"),
    ({"kind": "consultation", "closes_on": "{iso-1}"}, "closes_on",
     "Give a closing day from today to "),
    ({"kind": "consultation", "closes_on": "9999-12-31"}, "closes_on",
     "Give a closing day from today to "),
], ids=["9999", "year-1", "1900", "ten-years-on", "a-year-ago", "ends-9999", "until-9999",
        "until-beyond-ten-years-of-start", "closes-yesterday", "closes-9999"])
def test_an_event_with_a_day_out_of_reach_is_refused_beside_the_field(
        client, world, login, clock, changes, field, message):
    login(world.contact)
    before = count(Event)
    data = event_form(world, clock.today() + timedelta(days=20),
                      **{key: dated(value) for key, value in changes.items()})
    refused_beside(client.post("/calendar/new", data=data), field, message)
    assert count(Event) == before


def test_the_days_at_the_ends_of_the_reach_are_taken(client, world, login, clock):
    login(world.contact)
    first, last = clock.today() - timedelta(days=365), clock.today() + timedelta(days=3650)
    for day, title in ((first, "Held last year"), (last, "Ten years on")):
        response = client.post("/calendar/new", data=event_form(
            world, day, title=title, submission=f"{KEY}-{day}"))
        assert response.status_code == 303, body(response)[:2000]
    consultation = client.post("/calendar/new", data=event_form(
        world, clock.today(), title="Closing today", kind="consultation",
        closes_on=clock.today().isoformat(), submission=f"{KEY}-closing"))
    assert consultation.status_code == 303


def test_the_date_pickers_offer_only_the_days_in_reach(client, world, login, clock):
    login(world.contact)
    page = body(client.get("/calendar/new"))
    today = clock.today()
    start = f'min="{(today - timedelta(days=365)).isoformat()}"'
    assert re.search(rf'<input[^>]*id="starts_on"[^>]*{start}', page)
    assert re.search(rf'<input[^>]*id="closes_on"[^>]*min="{today.isoformat()}"', page)
    assert re.search(rf'<input[^>]*id="repeat_until"[^>]*max="'
                     rf'{(today + timedelta(days=3650 + 3653)).isoformat()}"', page)


# --- events from before the rules ------------------------------------------------------------

OUT_OF_REACH = {
    "the year 9999": (datetime(9999, 12, 31, 19, tzinfo=LONDON), None),
    "the year 1": (datetime(1, 1, 1, 19, tzinfo=LONDON), None),
    "1900, weekly": (datetime(1900, 1, 2, 19, tzinfo=LONDON), ("weekly", None, 6)),
    "9999, weekly with no end": (datetime(9999, 11, 2, 19, tzinfo=LONDON),
                                 ("weekly", None, None)),
    "1900, a consultation": (datetime(1900, 1, 2, 19, tzinfo=LONDON), None),
}


@pytest.mark.parametrize("when", list(OUT_OF_REACH))
def test_an_event_from_before_the_rules_shows_and_can_be_changed_and_cancelled(
        client, world, login, when):
    starts_at, repeats = OUT_OF_REACH[when]
    extra = {"kind": EventKind.CONSULTATION,
             "closes_at": starts_at.astimezone(UTC)} if "consultation" in when else {}
    event = make_event(world.org_a, world.contact, "Far out", starts_at=starts_at,
                       repeats=repeats, audience=Audience.PUBLIC, **extra)
    at = f"?at={occurrence_key(event.starts_at)}" if repeats else ""
    assert client.get(f"/calendar/e/{event.id}-far-out{at}").status_code == 200  # a visitor
    assert client.get(f"/calendar/e/{event.id}.ics").status_code == 200
    login(world.coordinator)
    page = client.get(f"/calendar/e/{event.id}-far-out{at}")
    assert page.status_code == 200 and "Far out" in body(page)
    assert client.get(f"/calendar/e/{event.id}/edit{at}").status_code == 200
    assert client.get(f"/calendar/e/{event.id}/cancel{at}").status_code == 200
    found = occurrence(db.session.get(Event, event.id), event.starts_at)
    data = edit_form(world, event, found, scope="this" if repeats else "all",
                     title="Far out, corrected")
    if extra:
        data["closes_on"] = starts_at.date().isoformat()
    changed = client.post(f"/calendar/e/{event.id}/edit{at}", data=data)
    assert changed.status_code == 303, body(changed)[:3000]
    cancelled = client.post(f"/calendar/e/{event.id}/cancel{at}",
                            data={"reason": "Entered by mistake.", "scope": "all"})
    assert cancelled.status_code == 303, body(cancelled)[:3000]
    db.session.rollback()
    assert db.session.get(Event, event.id).cancelled_at is not None
    assert "Cancelled" in body(client.get(cancelled.headers["Location"]))


def test_an_old_event_keeps_its_day_but_cannot_be_moved_to_another_out_of_reach(
        client, world, login):
    event = make_event(world.org_a, world.contact, "Far out",
                       starts_at=datetime(1900, 1, 2, 19, tzinfo=LONDON))
    login(world.contact)
    found = occurrence(db.session.get(Event, event.id), event.starts_at)
    refused_beside(client.post(f"/calendar/e/{event.id}/edit", data=edit_form(
        world, event, found, starts_on="1900-01-03")), "starts_on", "Give a day from ")


def test_a_series_begun_part_way_through_a_second_keeps_its_first_occurrence(app, world):
    """dateutil drops a first start's microseconds: the window that starts at the first start
    must still hold that first occurrence (a monthly board's first meeting went missing)."""
    first = datetime(2026, 1, 14, 10, 0, 0, 123456, tzinfo=UTC)  # GMT: wall time is UTC
    rule = make_rule("monthly_date", first)
    starts = starts_between(rule, first, first - timedelta(days=1), first + timedelta(days=70))
    assert starts == [first.replace(microsecond=0) + timedelta(days=days)
                      for days in (0, 31, 59)]
    assert recurrence.is_occurrence(rule, first, first.replace(microsecond=0))


@pytest.mark.parametrize("pattern", list(recurrence.PATTERNS))
def test_the_last_year_python_can_count_ends_a_rule_without_error(app, pattern):
    """A weekly rule on Sundays has its last start in 9999 on 26 December: dateutil raised
    "year 10000 is out of range" looking for the next (a 500 on the event's far page)."""
    first = datetime(2028, 1, 2, 19, tzinfo=UTC)  # a Sunday, 29 February's year
    rule = make_rule(pattern, first)
    starts = starts_between(rule, first, datetime(9999, 1, 1, tzinfo=UTC),
                            recurrence.LATEST)
    assert starts and all(start.year == 9999 for start in starts)


def test_an_occurrence_that_would_end_after_the_year_9999_is_left_out(client, world, login):
    """A weekly three-hour meeting at 22:00 from 24 December 9999: the next would end in the
    year 10000, which Python cannot count (OverflowError: a 500 on the event's page). It is
    beyond what can be shown, as one in the year 10000 would be."""
    event = make_event(world.org_a, world.contact, "Far out", hours=3,
                       starts_at=datetime(9999, 12, 24, 22, tzinfo=LONDON),
                       repeats=("weekly", None, None), audience=Audience.PUBLIC)
    last = occurrence_key(datetime(9999, 12, 31, 22, tzinfo=UTC))
    found = recurrence.occurrences(event, event.starts_at, recurrence.LATEST)
    assert [one.original_start for one in found] == [event.starts_at]
    login(world.contact)
    assert client.get(f"/calendar/e/{event.id}-far-out").status_code == 200
    assert client.get(f"/calendar/e/{event.id}.ics").status_code == 200
    assert client.get("/calendar/public.ics").status_code == 200
    for page in ("-far-out", "/edit", "/cancel"):
        assert client.get(f"/calendar/e/{event.id}{page}?at={last}").status_code == 404


def test_an_event_the_boroughs_clocks_cannot_show_is_not_found_and_no_error(make_app):
    """In a borough east of UTC, the last hours of 9999 (UTC) are in the year 10000 there: an
    event stored then has no wall time (OverflowError: a 500 on its page and in the feeds). It
    is as one beyond reach: not found, and left out of the feeds."""
    from tests.factories import PASSWORD, build_world

    app = make_app(TIME_ZONE="Asia/Tokyo")
    with app.app_context():
        world = build_world()
        event = make_event(world.org_a, world.contact, "Far out", audience=Audience.PUBLIC,
                           starts_at=datetime(9999, 12, 31, 16, tzinfo=UTC))
        weekly = make_event(world.org_a, world.contact, "Weekly", audience=Audience.PUBLIC,
                            starts_at=datetime(9999, 12, 24, 12, tzinfo=UTC),
                            repeats=("weekly", None, None))
        client = app.test_client()
        client.post("/login", data={"email": world.contact.email, "password": PASSWORD})
        for page in ("-far-out", "/edit", "/cancel"):
            assert client.get(f"/calendar/e/{event.id}{page}").status_code == 404
        assert client.get(f"/calendar/e/{weekly.id}-weekly").status_code == 200  # its first
        last = occurrence_key(datetime(9999, 12, 31, 12, tzinfo=UTC))  # 21:00 on the 31st
        assert client.get(f"/calendar/e/{weekly.id}-weekly?at={last}").status_code == 200
        assert "SUMMARY:Far out" not in body(client.get(f"/calendar/e/{event.id}.ics"))
        assert client.get("/calendar/public.ics").status_code == 200
        db.session.remove()
