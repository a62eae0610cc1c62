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
    # A one-off within the feed's year ahead (its window: stretch.FEED_AHEAD).
    one_off = make_event(world.org_a, world.contact, "Summer fair",
                         starts_at=local(in_days(300), 12), audience=Audience.PUBLIC)
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
    start, end = now(), year_window()[1]  # the series run on past the window: their rules
    feed = expanded(calendar, start, end)
    site = on_site([event, fortnightly, one_off], start, end)
    assert feed == site and "Summer fair" in {title for _, _, title in feed}
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


def test_an_occurrence_cancelled_or_moved_carries_its_reason_and_its_own_address(
        app, client, world, login):
    """The feed said an occurrence was cancelled or moved, but not why ("Room flooded"), and
    its URL was the series'. Now each changed occurrence's DESCRIPTION opens with what its
    page says, cleaned as the feed cleans text, and its URL is its own page (?at=)."""
    from network.calendar.models import OccurrenceChange

    event = make_event(world.org_a, world.contact, "Forum", starts_at=local(in_days(9)),
                       repeats=("weekly", None, 4), audience=Audience.PUBLIC)
    second, third = shown(event, local(in_days(0), 0), local(in_days(60), 0))[1:3]
    login(world.contact)
    assert client.post(f"/calendar/e/{event.id}/cancel?at={second.key}", data={
        "reason": "Room flooded.\r\nSee the new date.", "scope": "this"}).status_code == 303
    assert client.post(f"/calendar/e/{event.id}/edit?at={third.key}", data=edit_form(
        world, event, third, scope="this", starts_time="18:00",
        ends_time="20:00")).status_code == 303
    moved = db.session.scalar(select(OccurrenceChange).where(
        OccurrenceChange.original_start == third.original_start))
    moved.note = "Moved to the Wednesday:\u2028the centre is closed\x07 on Tuesday."  # as the demo
    db.session.commit()

    series = f"{app.config['BASE_URL']}/calendar/e/{event.id}-forum"
    for address in ("/calendar/public.ics", f"/calendar/e/{event.id}.ics"):
        found = {str(c.get("RECURRENCE-ID").dt.astimezone(UTC)) if "RECURRENCE-ID" in c
                 else "series": c for c in parse(client.get(address)).walk("VEVENT")
                 if str(c["SUMMARY"]) == "Forum"}
        cancelled = found[str(second.original_start)]
        assert str(cancelled["STATUS"]) == "CANCELLED"
        assert str(cancelled["DESCRIPTION"]).startswith(
            "Cancelled. Room flooded.\nSee the new date.\n\n")
        assert str(cancelled["URL"]) == f"{series}?at={second.key}"
        shifted = found[str(third.original_start)]
        assert str(shifted["DESCRIPTION"]).startswith(
            "Moved to the Wednesday:\nthe centre is closed on Tuesday.\n\n")
        assert str(shifted["URL"]) == f"{series}?at={third.key}"
        assert str(shifted["DESCRIPTION"]).endswith(f"{series}?at={third.key}")
        assert str(found["series"]["URL"]) == series
        assert not str(found["series"]["DESCRIPTION"]).startswith(("Cancelled", "Moved"))


def test_an_event_cancelled_whole_says_why_in_the_feed(client, world, login):
    one_off = make_event(world.org_a, world.contact, "Summer fair", audience=Audience.PUBLIC)
    series = make_event(world.org_a, world.contact, "Forum", audience=Audience.PUBLIC,
                        repeats=("weekly", None, 4))
    second = shown(series, local(in_days(0), 0), local(in_days(60), 0))[1]
    login(world.contact)
    client.post(f"/calendar/e/{series.id}/cancel?at={second.key}",
                data={"reason": "Holiday.", "scope": "this"})
    for event in (one_off, series):
        assert client.post(f"/calendar/e/{event.id}/cancel",
                           data={"reason": "No room.", "scope": "all"}).status_code == 303
    found = parse(client.get("/calendar/public.ics")).walk("VEVENT")
    masters = {str(c["SUMMARY"]): str(c["DESCRIPTION"]) for c in found
               if "RECURRENCE-ID" not in c}
    assert masters["Summer fair"].startswith("Cancelled. No room.\n\n")
    assert masters["Forum"].startswith("Cancelled. No room.\n\n")
    [one] = [c for c in found if "RECURRENCE-ID" in c]  # its own reason, as its page says
    assert str(one["DESCRIPTION"]).startswith("Cancelled. Holiday.\n\n")


def test_a_feed_that_says_more_of_the_same_rows_has_another_etag(client, world, monkeypatch):
    """Calendar programs that polled before the feed carried reasons are sent it again."""
    from network.calendar import feeds

    make_event(world.org_a, world.contact, "Forum", audience=Audience.PUBLIC)
    before = client.get("/calendar/public.ics").headers["ETag"]
    monkeypatch.setattr(feeds, "FEED_FORMAT", feeds.FEED_FORMAT + 1)
    assert client.get("/calendar/public.ics", headers={"If-None-Match": before}).status_code \
        == 200


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


# --- a person's words in a feed ------------------------------------------------------------------

def test_a_persons_text_reaches_a_feed_as_one_line_where_it_must_be_one(client, world, app):
    """Titles and places from before forms cleaned them (inserted directly), and a calendar
    name with iCalendar's own separators: each one line, escaped; the description keeps its
    line breaks and loses what is not text."""
    app.config["SITE_NAME"] = "Riverside, North; South\\West\nand\u2028East"
    world.org_a.name = "Alpha\u2029Tenants\r\nAssociation"
    event = make_event(world.org_a, world.contact, "Open\u2028day,\rwith;\nfriends\x0b",
                       audience=Audience.PUBLIC, starts_at=local(in_days(9)),
                       place="Hall\u2029Room 2\x1f",  # PostgreSQL refuses NUL
                       description="First\u2028second\u2029third\x07.")
    for address in ("/calendar/public.ics", f"/calendar/e/{event.id}.ics"):
        response = client.get(address)
        raw = response.get_data()
        for forbidden in ("\u2028", "\u2029", "\x0b", "\x1f", "\x07"):
            assert forbidden.encode() not in raw, (address, forbidden)
        lines = raw.decode().split("\r\n")
        calendar = parse(response)
        vevent = next(c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]).startswith("Open"))
        assert str(vevent["SUMMARY"]) == "Open day, with; friends"
        assert str(vevent["LOCATION"]) == "Hall Room 2"
        assert "First\nsecond\n\nthird." in str(vevent["DESCRIPTION"])
        assert "Alpha Tenants Association" in str(vevent["DESCRIPTION"])
        name = next(line for line in lines if line.startswith("X-WR-CALNAME:"))
        if address.endswith("public.ics"):
            assert name == ("X-WR-CALNAME:Riverside\\, North\\; South\\\\West and East: "
                            "public events")
        else:
            assert name == "X-WR-CALNAME:Open day\\, with\\; friends"


# --- UIDs that do not move with the site -----------------------------------------------------

def uids(client, address="/calendar/public.ics") -> dict[str, str]:
    return {str(c["SUMMARY"]): str(c["UID"]) for c in parse(client.get(address)).walk("VEVENT")}


def test_an_events_uid_stays_when_the_site_moves_to_another_address(client, world, app):
    sunday_series(world, title="Open circle")
    before = uids(client)
    assert "localhost" not in before["Open circle"]
    app.config["BASE_URL"] = "https://network.riverside.example"
    after = parse(client.get("/calendar/public.ics"))
    assert uids(client) == before
    assert "https://network.riverside.example/calendar/e/" in str(
        after.walk("VEVENT")[0]["URL"])


def test_events_from_before_the_upgrade_keep_the_uid_their_subscribers_have(app, world):
    """Migration 0012 gives the events already there the UID feeds gave them until now:
    event-N@ BASE_URL's host (here http://localhost), so no subscriber sees them twice."""
    from flask_migrate import downgrade, upgrade

    from network.auth.models import Person
    from network.members.models import Organisation

    sunday_series(world, title="Open circle")
    ids = list(db.session.scalars(select(Event.id).order_by(Event.id)))
    organisation_id, person_id = world.org_a.id, world.contact.id
    db.session.remove()
    downgrade(revision="0010")
    upgrade()
    assert list(db.session.execute(select(Event.id, Event.uid).order_by(Event.id))) == \
        [(event_id, f"event-{event_id}@localhost") for event_id in ids]
    new = make_event(db.session.get(Organisation, organisation_id),
                     db.session.get(Person, person_id), "After the upgrade")
    assert re.fullmatch(r"[0-9a-f-]{36}", new.uid)


# --- asking "has it changed?" ---------------------------------------------------------------------

def conditional(client, address, response, **headers):
    sent = {}
    if "etag" in headers:
        sent["If-None-Match"] = response.headers["ETag"]
    if "since" in headers:
        sent["If-Modified-Since"] = response.headers["Last-Modified"]
    return client.get(address, headers=sent)


@pytest.mark.parametrize("feed", ["public", "private", "event"])
def test_a_feed_unchanged_since_the_last_poll_answers_304_from_two_queries(
        client, world, login, clock, queries, monkeypatch, feed):
    from network.calendar import feeds

    event = make_event(world.org_a, world.contact, "Forum", starts_at=local(in_days(9)),
                       repeats=("weekly", None, 4), audience=Audience.PUBLIC)
    address = {"public": "/calendar/public.ics", "event": f"/calendar/e/{event.id}.ics"}.get(feed)
    if address is None:
        login(world.member)
        address = feed_address(client)
        client.post("/logout")
    first = client.get(address)
    assert first.status_code == 200
    assert first.headers["ETag"].startswith('W/"') and first.headers["Last-Modified"]
    with monkeypatch.context() as patched:
        patched.setattr(feeds, "feed", lambda *_args: pytest.fail("a feed built for a 304"))
        for how in ({"etag": 1}, {"since": 1}, {"etag": 1, "since": 1}):
            with queries() as statements:
                again = conditional(client, address, first, **how)
            assert again.status_code == 304 and again.get_data() == b""
            assert again.headers["ETag"] == first.headers["ETag"]
            assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
            # The rows the feed is made of, read as tuples for their digest (and its person
            # and key, or the event asked for): no event built, no feed built.
            assert len(statements) <= 4, statements

    clock.advance(minutes=1)  # Last-Modified counts whole seconds
    login(world.contact)
    second = shown(event, local(in_days(0), 0), local(in_days(60), 0))[1]
    assert client.post(f"/calendar/e/{event.id}/cancel?at={second.key}",
                       data={"reason": "Holiday.", "scope": "this"}).status_code == 303
    client.post("/logout")
    for how in ({"etag": 1}, {"since": 1}):
        changed = conditional(client, address, first, **how)
        assert changed.status_code == 200 and "STATUS:CANCELLED" in body(changed)
        assert changed.headers["ETag"] != first.headers["ETag"]
        assert changed.headers["Last-Modified"] != first.headers["Last-Modified"]
    assert conditional(client, address, changed, since=1).status_code == 304

    world.org_a.name = "Alpha Tenants and Residents"  # said in each event's description
    db.session.commit()
    renamed = conditional(client, address, changed, etag=1)
    assert renamed.status_code == 200 and "Alpha Tenants and Residents" in body(renamed)

    clock.advance(days=1)  # the feed's window moves on: asked again once a day
    assert conditional(client, address, renamed, etag=1).status_code == 200
    assert conditional(client, address, renamed, since=1).status_code == 200


def test_a_new_event_and_a_changed_one_change_the_public_feeds_etag(client, world, login):
    first = client.get("/calendar/public.ics")
    event = make_event(world.org_a, world.contact, "Fair", starts_at=local(in_days(9)),
                       audience=Audience.PUBLIC)
    added = conditional(client, "/calendar/public.ics", first, etag=1)
    assert added.status_code == 200 and "Fair" in body(added)
    login(world.contact)
    found = shown(event, local(in_days(0), 0), local(in_days(60), 0))[0]
    assert client.post(f"/calendar/e/{event.id}/edit", data=edit_form(
        world, event, found, title="Summer fair")).status_code == 303
    changed = conditional(client, "/calendar/public.ics", added, etag=1, since=1)
    assert changed.status_code == 200 and "Summer fair" in body(changed)
