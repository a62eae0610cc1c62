"""Calendar feeds as a calendar program reads them: parsed with icalendar and expanded with
recurring-ical-events, they hold exactly the occurrences the site shows (cancelled ones
marked, moved ones where they went), in the borough's time across both clock changes; the
private feed's address is a secret that a reset ends."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from network.calendar.models import Event
from network.core.audience import Audience
from network.core.time import now
from network.extensions import db
from tests.factories import PASSWORD, make_event
from tests.test_calendar import (
    AUTUMN,
    LONDON,
    SPRING,
    YEAR,
    body,
    edit_form,
    in_days,
    local,
    shown,
    year_window,
)


@pytest.fixture
def login(client):
    """Log in as this person, out of whoever was logged in before."""

    def log_in(person):
        client.post("/logout")
        assert client.post("/login", data={"email": person.email,
                                           "password": PASSWORD}).status_code == 303

    return log_in


def parse(response) -> Calendar:
    assert response.status_code == 200, body(response)[:500]
    assert response.headers["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.get_data())


def expanded(calendar: Calendar, start: datetime, end: datetime) -> list[tuple]:
    """(UTC start, cancelled, summary) of each occurrence a calendar program would show."""
    return sorted((component["DTSTART"].dt.astimezone(UTC),
                   str(component.get("STATUS", "")) == "CANCELLED", str(component["SUMMARY"]))
                  for component in recurring_ical_events.of(calendar).between(start, end))


def on_site(events, start: datetime, end: datetime) -> list[tuple]:
    return sorted((item.starts_at, item.cancelled, item.event.title)
                  for item in shown(events, start, end))


def sunday_series(world, audience=Audience.PUBLIC, title="Sunday circle"):
    """A weekly 19:00 series through both clock changes of next year."""
    return make_event(world.org_a, world.contact, title,
                      starts_at=local(SPRING - timedelta(days=21)),
                      repeats=("weekly", AUTUMN + timedelta(days=21), None), audience=audience)


def test_the_public_feed_expands_to_exactly_what_the_site_shows_across_both_clock_changes(
        client, world, login):
    event = sunday_series(world)
    fortnightly = make_event(world.org_a, world.contact, "Advice surgery",
                             starts_at=local(date(YEAR, 3, 16), 10),
                             repeats=("fortnightly", None, 20), audience=Audience.PUBLIC)
    one_off = make_event(world.org_a, world.contact, "Summer fair",
                         starts_at=local(date(YEAR, 7, 3), 12), audience=Audience.PUBLIC)
    items = shown(event, *year_window())
    on_the_change = next(item for item in items
                         if item.starts_at.astimezone(LONDON).date() == SPRING)
    autumn_change = next(item for item in items
                         if item.starts_at.astimezone(LONDON).date() == AUTUMN)
    login(world.contact)
    assert client.post(f"/calendar/e/{event.id}/cancel?at={on_the_change.key}",
                       data={"reason": "Easter.", "scope": "this"}).status_code == 303
    assert client.post(f"/calendar/e/{event.id}/edit?at={autumn_change.key}", data=edit_form(
        world, event, autumn_change, scope="this", starts_on=(AUTUMN + timedelta(days=1))
        .isoformat(), starts_time="18:00", ends_time="20:00")).status_code == 303
    calendar = parse(client.get("/calendar/public.ics"))
    start, end = year_window()
    feed = expanded(calendar, start, end)
    site = on_site([event, fortnightly, one_off], start, end)
    assert feed == site
    moved = [moment for moment, _, title in feed if title == "Sunday circle"
             and moment.astimezone(LONDON).date() == AUTUMN + timedelta(days=1)]
    assert moved == [local(AUTUMN + timedelta(days=1), 18).astimezone(UTC)]
    assert (local(SPRING).astimezone(UTC), True, "Sunday circle") in feed
    sundays = [moment.astimezone(LONDON) for moment, _, title in feed
               if title == "Sunday circle" and moment.astimezone(LONDON).weekday() == 6]
    weeks = ((AUTUMN - SPRING).days + 42) // 7 + 1
    assert len(sundays) == weeks - 1  # all but the one moved to the Monday
    assert {moment.hour for moment in sundays} == {19}


def test_the_feed_time_zone_agrees_with_the_zone_database_on_the_dates_used(client, world):
    sunday_series(world)
    calendar = parse(client.get("/calendar/public.ics"))
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/London"]
    from_feed = zones[0].to_tz()
    event = next(c for c in calendar.walk("VEVENT") if "RECURRENCE-ID" not in c)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    for day in (SPRING - timedelta(days=1), SPRING, SPRING + timedelta(days=1),
                date(YEAR, 7, 1), AUTUMN - timedelta(days=1), AUTUMN,
                AUTUMN + timedelta(days=1), date(YEAR, 12, 25)):
        for hour in (0, 12, 19):
            moment = datetime(day.year, day.month, day.day, hour)  # noqa: DTZ001 -- wall time
            assert moment.replace(tzinfo=from_feed).utcoffset() == \
                moment.replace(tzinfo=LONDON).utcoffset(), moment


def test_a_changed_event_has_a_higher_sequence_and_a_cancelled_one_says_so(client, world,
                                                                           login):
    event = make_event(world.org_a, world.contact, "Open meeting", starts_at=local(in_days(9)),
                       audience=Audience.PUBLIC)
    path = f"/calendar/e/{event.id}.ics"

    def master():
        found = parse(client.get(path)).walk("VEVENT")
        assert len(found) == 1
        return found[0]

    before = master()
    assert str(before["STATUS"]) == "CONFIRMED"
    login(world.contact)
    found = shown(event, local(in_days(0), 0), local(in_days(30), 0))[0]
    assert client.post(f"/calendar/e/{event.id}/edit", data=edit_form(
        world, event, found, starts_time="18:00", ends_time="20:00")).status_code == 303
    after = master()
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTART"].dt == local(in_days(9), 18)
    assert client.post(f"/calendar/e/{event.id}/cancel",
                       data={"reason": "No room.", "scope": "all"}).status_code == 303
    cancelled = master()
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(after["SEQUENCE"])


def test_an_occurrence_changed_comes_as_its_own_event_with_a_higher_sequence(client, world,
                                                                            login):
    event = make_event(world.org_a, world.contact, "Forum", starts_at=local(in_days(9)),
                       repeats=("weekly", None, 4), audience=Audience.PUBLIC)
    second = shown(event, local(in_days(0), 0), local(in_days(60), 0))[1]
    before = parse(client.get(f"/calendar/e/{event.id}.ics")).walk("VEVENT")
    login(world.contact)
    assert client.post(f"/calendar/e/{event.id}/cancel?at={second.key}",
                       data={"reason": "Holiday.", "scope": "this"}).status_code == 303
    after = parse(client.get(f"/calendar/e/{event.id}.ics")).walk("VEVENT")
    assert len(before) == 1 and len(after) == 2
    exception = next(c for c in after if "RECURRENCE-ID" in c)
    assert exception["RECURRENCE-ID"].dt == second.original_start
    assert str(exception["STATUS"]) == "CANCELLED"
    assert int(exception["SEQUENCE"]) > int(before[0]["SEQUENCE"])
    assert str(exception["UID"]) == str(before[0]["UID"])


def test_the_public_feed_never_holds_members_events(client, world):
    sunday_series(world, audience=Audience.MEMBERS, title="Members only natter")
    sunday_series(world, title="Open circle")
    feed = client.get("/calendar/public.ics")
    assert "Members only natter" not in body(feed)
    titles = {str(c["SUMMARY"]) for c in parse(feed).walk("VEVENT")}
    assert titles == {"Open circle"}


def feed_address(client) -> str:
    page = body(client.get("/calendar/feed"))
    found = re.search(r"https?://[^/\s\"<]+(/calendar/feed/\d+/[0-9a-f]+\.ics)", page)
    assert found, page
    return found.group(1)


def test_the_private_feed_holds_what_its_person_may_see_and_dies_when_reset(client, world,
                                                                          login, app):
    sunday_series(world, audience=Audience.MEMBERS, title="Members only natter")
    sunday_series(world, title="Open circle")
    login(world.member)
    address = feed_address(client)
    client.post("/logout")
    feed = client.get(address)  # a calendar program, not logged in
    assert feed.headers["Cache-Control"].startswith("private")
    assert {str(c["SUMMARY"]) for c in parse(feed).walk("VEVENT")} == \
        {"Members only natter", "Open circle", world.event.title, world.report.event.title}
    start, end = year_window()
    assert expanded(parse(feed), start, end) == on_site(
        list(db.session.scalars(select(Event))), start, end)
    login(world.member)
    unconfirmed = client.post("/calendar/feed")
    assert unconfirmed.status_code == 422 and "Tick the box" in body(unconfirmed)
    assert client.get(address).status_code == 200  # nothing changed
    assert client.post("/calendar/feed", data={"confirm": "y"}).status_code == 303
    new_address = feed_address(client)
    assert new_address != address
    client.post("/logout")
    old = client.get(address)
    assert old.status_code == 404 and "Members only natter" not in body(old)
    assert client.get(new_address).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "0" * 32, "%C3%A9" * 16, "a" * 5000, "%00"])
def test_a_malformed_token_is_404(client, world, login, token):
    sunday_series(world, audience=Audience.MEMBERS, title="Members only natter")
    response = client.get(f"/calendar/feed/{world.member.id}/{token}.ics")
    assert response.status_code == 404
    assert "Members only natter" not in body(response)


def test_someone_elses_token_is_404(client, world, login):
    sunday_series(world, audience=Audience.MEMBERS, title="Members only natter")
    login(world.other_member)
    token = feed_address(client).rsplit("/", 1)[1]
    client.post("/logout")
    assert client.get(f"/calendar/feed/{world.other_member.id}/{token}").status_code == 200
    response = client.get(f"/calendar/feed/{world.member.id}/{token}")
    assert response.status_code == 404 and "Members only natter" not in body(response)
    assert client.get(f"/calendar/feed/999999/{token}").status_code == 404


def test_a_members_event_download_is_not_for_visitors(client, world, login):
    event = sunday_series(world, audience=Audience.MEMBERS, title="Members only natter")
    response = client.get(f"/calendar/e/{event.id}.ics")
    assert response.status_code != 200 and "Members only natter" not in body(response)
    login(world.member)
    calendar = parse(client.get(f"/calendar/e/{event.id}.ics"))
    start, end = year_window()
    assert expanded(calendar, start, end) == on_site([event], start, end)


def test_a_feed_says_what_the_pages_mark(client, world):
    """Short notice and a consultation's closing date travel with the event."""
    from network.calendar.models import EventKind
    from network.core.time import borough_zone

    soon = now().astimezone(borough_zone()) + timedelta(days=2)
    make_event(world.org_a, world.contact, "Urgent meeting", audience=Audience.PUBLIC,
               starts_at=soon)
    make_event(world.org_a, world.contact, "Towpath consultation", audience=Audience.PUBLIC,
               kind=EventKind.CONSULTATION, starts_at=soon + timedelta(days=20),
               closes_at=soon + timedelta(days=30))
    found = {str(c["SUMMARY"]): str(c["DESCRIPTION"])
             for c in parse(client.get("/calendar/public.ics")).walk("VEVENT")}
    assert found["Urgent meeting"].startswith("Called at short notice.")
    assert found["Towpath consultation"].startswith("Responses close on ")
