"""Calendars brought in (calendar/sources.py): real .ics files written here, served by a local
http.server thread on 127.0.0.1 (so these tests allow private addresses, but the one that
shows the refusal) or uploaded through the coordinators' page; imported by the page and by
`flask calendar import`. A series, a time zone across the clocks change, an all-day event,
changes and removals on the next import, nothing twice, every hostile feed refused or cut with
what was there before kept; coordinators alone, and a members' calendar unseen by visitors in
the views, the feeds and search. On both databases."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from network.calendar import fetching, sources
from network.calendar.models import CalendarSource, Event
from network.core.audience import Audience
from network.core.audit import AuditEntry
from network.core.time import local_moment, today
from network.extensions import db
from network.search.models import Kind, SearchDocument

LONDON = ZoneInfo("Europe/London")


# --- writing calendars ---------------------------------------------------------------------------

def stamp(day: date, hour: int = 19, minute: int = 0) -> str:
    return f"{day:%Y%m%d}T{hour:02d}{minute:02d}00"


def vevent(uid: str, summary: str, *lines: str) -> str:
    return "\r\n".join(("BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{summary}",
                        "DTSTAMP:20260101T000000Z", *lines, "END:VEVENT"))


def calendar(*events: str) -> bytes:
    return "\r\n".join(("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Riverside Council//EN",
                        *events, "END:VCALENDAR", "")).encode()


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def clocks_go_forward() -> date:
    """The next last Sunday of March (Europe/London's clocks go forward)."""
    year = today().year + (1 if today() >= date(today().year, 3, 20) else 0)
    last = date(year, 3, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def council_feed() -> tuple[bytes, dict]:
    """The council's committee dates: a weekly committee (from next Tuesday, ten times, one
    week skipped, one extra Thursday), a planning meeting in London time, and an all-day
    consultation day."""
    first = next_weekday(today() + timedelta(days=1), 1)
    skipped = first + timedelta(days=14)
    extra = first + timedelta(days=2)  # an extra meeting, on the Thursday (RDATE)
    one_off = today() + timedelta(days=5)
    all_day = today() + timedelta(days=9)
    body = calendar(
        vevent("committee@council", "Housing committee",
               f"DTSTART;TZID=Europe/London:{stamp(first)}",
               f"DTEND;TZID=Europe/London:{stamp(first, 21)}",
               "RRULE:FREQ=WEEKLY;COUNT=10", f"EXDATE;TZID=Europe/London:{stamp(skipped)}",
               f"RDATE;TZID=Europe/London:{stamp(extra)}",
               "LOCATION:Town Hall\\, Room 2", "URL:https://council.example.org/housing"),
        vevent("planning@council", "Planning meeting",
               f"DTSTART;TZID=Europe/London:{stamp(one_off, 18, 30)}",
               f"DTEND;TZID=Europe/London:{stamp(one_off, 20)}",
               "DESCRIPTION:Applications for the <b>canal</b> side.\\nAll welcome."),
        vevent("consultation@council", "Consultation day", f"DTSTART;VALUE=DATE:{all_day:%Y%m%d}",
               f"DTEND;VALUE=DATE:{all_day + timedelta(days=1):%Y%m%d}"))
    return body, {"first": first, "skipped": skipped, "extra": extra, "one_off": one_off,
                  "all_day": all_day}


# --- a feed server ------------------------------------------------------------------------------

class FeedServer:
    """Answers each path with what `routes` holds: (status, headers, body) where body is bytes
    or an iterable of chunks; `hold` keeps a path's answer waiting until released."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, object]] = {}
        self.on_request = None  # called (in the server's thread) before each answer
        self.hold = threading.Event()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                status, headers, body = server.routes.get(self.path, (404, {}, b""))
                if server.on_request is not None:
                    server.on_request()
                if server.hold.is_set():
                    server.release.wait(10)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for chunk in [body] if isinstance(body, bytes) else body:
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def serve(self, path: str, body, status: int = 200, **headers) -> str:
        self.routes[path] = (status, {"Content-Type": "text/calendar", **headers}, body)
        return self.url(path)

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feeds(app):
    app.config["CALENDAR_IMPORT_ALLOW_PRIVATE"] = True  # the server is on 127.0.0.1
    server = FeedServer()
    yield server
    server.close()


def add(client, **fields):
    data = {"name": "Council committee dates", "url": "", "website": "",
            "audience": "public", "kind": "meeting", **fields}
    return client.post("/calendar/sources", data=data, content_type="multipart/form-data")


def upload(client, world, body: bytes, **fields):
    return add(client, organisation=str(world.org_a.id),
               file=(io.BytesIO(body), "council.ics"), **fields)


def imported(source: CalendarSource | None = None) -> list[Event]:
    query = select(Event).where(Event.source_id.is_not(None)).order_by(Event.starts_at)
    if source is not None:
        query = query.where(Event.source_id == source.id)
    return list(db.session.scalars(query))


def added_sources(world) -> int:
    """Sources added by the test (the world has one, never imported)."""
    return db.session.scalar(select(func.count()).select_from(CalendarSource).where(
        CalendarSource.id != world.calendar_source.id))


def the_source() -> CalendarSource:
    return db.session.scalar(select(CalendarSource).order_by(CalendarSource.id.desc()))


def run_import(app) -> str:
    result = app.test_cli_runner().invoke(args=["calendar", "import"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


# --- bringing a calendar in ---------------------------------------------------------------

def test_a_council_file_uploaded_shows_in_the_calendar_marked_with_its_source(
        app, world, client, login):
    body, days = council_feed()
    login(world.coordinator)
    response = upload(client, world, body, website="https://council.example.org")
    assert response.status_code == 303, response.get_data(as_text=True)
    source = the_source()
    assert (source.added, source.changed, source.removed, source.error) == (12, 0, 0, "")
    events = imported(source)
    committee = [event for event in events if event.title == "Housing committee"]
    # COUNT=10 less the week skipped (EXDATE), and the extra Thursday (RDATE); at 19:00.
    assert len(committee) == 10
    assert days["extra"] in {event.starts_at.astimezone(LONDON).date() for event in committee}
    assert all(event.starts_at.astimezone(LONDON).time() == time(19) for event in committee)
    assert days["skipped"] not in {event.starts_at.astimezone(LONDON).date()
                                   for event in committee}
    assert committee[0].place == "Town Hall, Room 2"
    assert committee[0].online_link == "https://council.example.org/housing"
    planning = next(event for event in events if event.title == "Planning meeting")
    assert planning.starts_at.astimezone(LONDON).time() == time(18, 30)
    assert planning.description == "Applications for the canal side.\nAll welcome."
    whole_day = next(event for event in events if event.title == "Consultation day")
    assert whole_day.all_day
    assert whole_day.starts_at == local_moment(days["all_day"], None)
    assert whole_day.ends_at == local_moment(days["all_day"] + timedelta(days=1), None)
    assert {event.audience for event in events} == {Audience.PUBLIC}
    assert {event.organisation_id for event in events} == {world.org_a.id}

    agenda = client.get("/calendar").get_data(as_text=True)
    assert "Planning meeting" in agenda and "From: Council committee dates" in agenda
    page = client.get(f"/calendar/e/{planning.id}-{planning.slug}").get_data(as_text=True)
    assert 'href="https://council.example.org"' in page  # the source's website
    assert "Council committee dates" in page
    assert "/edit" not in page and "Who is coming" not in page  # read-only, no answers
    assert client.get(f"/calendar/e/{planning.id}/edit").status_code == 403
    assert client.post(f"/calendar/e/{planning.id}/rsvp",
                       data={"answer": "going"}).status_code == 403
    feed = Calendar.from_ical(client.get("/calendar/public.ics").get_data())
    assert "Town Hall, Room 2" in {str(found.get("LOCATION")) for found in feed.walk("VEVENT")}


def test_a_series_in_london_time_keeps_its_wall_clock_across_the_change(app, world, client,
                                                                          login):
    change = clocks_go_forward()
    first = change - timedelta(days=14)
    body = calendar(vevent("forum@council", "Ward forum",
                           f"DTSTART;TZID=Europe/London:{stamp(first)}",
                           f"DTEND;TZID=Europe/London:{stamp(first, 20)}",
                           "RRULE:FREQ=WEEKLY;COUNT=4"))
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    starts = [event.starts_at.astimezone(UTC) for event in imported()]
    assert [moment.astimezone(LONDON).time() for moment in starts] == [time(19)] * 4
    assert [moment.hour for moment in starts] == [19, 19, 18, 18]  # GMT, then BST


def test_a_feed_of_its_own_time_zone_and_floating_times(app, world, client, login):
    """A VTIMEZONE the feed defines itself (not an IANA name), and a time with no zone,
    read as the borough's."""
    day = today() + timedelta(days=20)
    zone = "\r\n".join(("BEGIN:VTIMEZONE", "TZID:Council Standard Time", "BEGIN:STANDARD",
                        "DTSTART:19700101T000000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300",
                        "END:STANDARD", "END:VTIMEZONE"))
    body = calendar(zone, vevent("far@council", "Twinning call",
                                 f"DTSTART;TZID=Council Standard Time:{stamp(day, 12)}"),
                    vevent("floating@council", "Surgery", f"DTSTART:{stamp(day, 10)}",
                           f"DTEND:{stamp(day, 11)}"))
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    found = {event.title: event for event in imported()}
    assert found["Twinning call"].starts_at == datetime.combine(day, time(9), tzinfo=UTC)
    assert found["Surgery"].starts_at == local_moment(day, time(10))


def test_a_changed_a_moved_and_a_removed_event_on_the_next_import_and_nothing_twice(
        app, world, client, login, feeds):
    body, days = council_feed()
    url = feeds.serve("/council.ics", body)
    login(world.coordinator)
    assert add(client, url=url, organisation=str(world.org_a.id)).status_code == 303
    source = the_source()
    before = {event.source_key: event.id for event in imported()}
    assert len(before) == 12

    # Again, unchanged: nothing added, changed or removed; the same rows.
    assert "0 added, 0 changed, 0 removed" in run_import(app)
    assert {event.source_key: event.id for event in imported()} == before

    second = days["first"] + timedelta(days=7)
    changed, _ = council_feed()
    changed = changed.replace(b"SUMMARY:Planning meeting", b"SUMMARY:Planning committee")
    changed = changed.replace(  # the consultation day is gone from the feed
        calendar(vevent("consultation@council", "Consultation day",
                        f"DTSTART;VALUE=DATE:{days['all_day']:%Y%m%d}",
                        f"DTEND;VALUE=DATE:{days['all_day'] + timedelta(days=1):%Y%m%d}"))
        .split(b"PRODID:-//Riverside Council//EN\r\n")[1].split(b"END:VCALENDAR")[0], b"")
    moved = vevent("committee@council", "Housing committee (moved)",
                   f"RECURRENCE-ID;TZID=Europe/London:{stamp(second)}",
                   f"DTSTART;TZID=Europe/London:{stamp(second + timedelta(days=1), 18)}",
                   f"DTEND;TZID=Europe/London:{stamp(second + timedelta(days=1), 20)}")
    feeds.serve("/council.ics", changed.replace(b"END:VCALENDAR", moved.encode()
                                                + b"\r\nEND:VCALENDAR"))
    output = run_import(app)
    assert "0 added, 2 changed, 1 removed" in output, output
    events = imported(source)
    assert len(events) == 11
    assert "Consultation day" not in {event.title for event in events}
    assert "Planning committee" in {event.title for event in events}
    moved_event = next(event for event in events if event.title == "Housing committee (moved)")
    assert moved_event.starts_at == datetime.combine(second + timedelta(days=1), time(18),
                                                     tzinfo=LONDON)
    assert moved_event.id in before.values()  # the same row, changed
    # Search follows: the removed one's document gone, the renamed one's words new.
    documents = set(db.session.scalars(select(SearchDocument.title).where(
        SearchDocument.kind == Kind.EVENT)))
    assert "Planning committee" in documents and "Consultation day" not in documents
    source = db.session.get(CalendarSource, source.id)
    assert (source.added, source.changed, source.removed) == (0, 2, 1)


def test_the_same_uid_twice_in_a_feed_and_the_same_file_twice_make_one_event_each(
        app, world, client, login):
    day = today() + timedelta(days=3)
    twice = vevent("twice@council", "Budget meeting", f"DTSTART:{stamp(day)}Z")
    body = calendar(twice, twice)
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    source = the_source()
    assert len(imported(source)) == 1
    sources.import_source(source)
    db.session.commit()
    assert len(imported(source)) == 1


# --- hostile feeds -------------------------------------------------------------------------------

def a_source_with_events(app, world, client, login, feeds, path="/feed.ics") -> CalendarSource:
    body, _ = council_feed()
    url = feeds.serve(path, body)
    login(world.coordinator)
    assert add(client, url=url, organisation=str(world.org_a.id)).status_code == 303
    return the_source()


def refused_keeping_what_was_there(app, source: CalendarSource, served, message: str,
                                   feeds, path="/feed.ics"):
    before = sorted((event.source_key, event.title) for event in imported(source))
    feeds.routes[path] = served
    output = run_import(app)
    assert message in output, output
    source = db.session.get(CalendarSource, source.id)
    assert message in source.error
    assert sorted((event.source_key, event.title) for event in imported(source)) == before


def test_a_malformed_feed_is_refused_and_the_events_stay(app, world, client, login, feeds):
    source = a_source_with_events(app, world, client, login, feeds)
    refused_keeping_what_was_there(app, source, (200, {}, b"<html>Not today</html>"),
                                   "This is not a calendar file (iCalendar)", feeds)
    page = client.get("/calendar/sources").get_data(as_text=True)
    assert "Last error" in page
    # The parser's own words, and the bytes it choked on, go to the log alone.
    assert "Not today" not in page and "Content line" not in page
    assert "Not today" not in db.session.get(CalendarSource, source.id).error


def test_a_50_mb_body_is_cut_at_the_limit(app, world, client, login, feeds):
    source = a_source_with_events(app, world, client, login, feeds)
    chunk = b"X" * (1024 * 1024)
    refused_keeping_what_was_there(app, source, (200, {}, (chunk for _ in range(50))),
                                   "larger than 5 MB", feeds)
    # Said to be 50 MB: refused before a byte of it is read.
    refused_keeping_what_was_there(app, source, (200, {"Content-Length": str(50 * len(chunk))},
                                                 iter(())), "larger than 5 MB", feeds)


def test_a_million_events_are_refused(app, world, client, login, feeds):
    source = a_source_with_events(app, world, client, login, feeds)
    day = today() + timedelta(days=2)
    one = (vevent("x{n}@spam", "Spam", f"DTSTART:{stamp(day)}Z") + "\r\n").encode()
    million = (one.replace(b"{n}", str(n).encode()) for n in range(1_000_000))
    refused_keeping_what_was_there(app, source, (200, {}, million), "larger than 5 MB", feeds)
    # Under the byte limit, past the number of events a source may have.
    many = calendar(*[vevent(f"x{n}@spam", "Spam", f"DTSTART:{stamp(day)}Z")
                      for n in range(5001)])
    refused_keeping_what_was_there(app, source, (200, {}, many), "more than the 5,000", feeds)


def test_events_in_the_year_9999_and_endless_rules_are_left_out(app, world, client, login):
    day = today() + timedelta(days=4)
    body = calendar(
        vevent("far@spam", "The far future", "DTSTART:99991231T190000Z"),
        vevent("old@spam", "Long ago", "DTSTART:00010101T190000Z"),
        vevent("daily@spam", "Every day for ever", f"DTSTART:{stamp(day)}Z", "RRULE:FREQ=DAILY"),
        vevent("ok@spam", "A real one", f"DTSTART:{stamp(day)}Z"))
    login(world.coordinator)
    response = upload(client, world, body)
    assert response.status_code == 303
    source = the_source()
    titles = [event.title for event in imported(source)]
    assert "The far future" not in titles and "Long ago" not in titles
    assert "A real one" in titles
    assert titles.count("Every day for ever") <= 18 * 31 + 1  # the window ahead, no more
    assert source.left_out == 2
    assert "2 left out" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_more_occurrences_than_a_source_may_have_are_cut_to_the_nearest(app, world, client,
                                                                         login):
    app.config["CALENDAR_IMPORT_MAX_EVENTS"] = 50
    day = today() + timedelta(days=1)
    body = calendar(vevent("hourly@spam", "Every hour", f"DTSTART:{stamp(day, 0)}Z",
                           "RRULE:FREQ=HOURLY"))
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    events = imported()
    assert len(events) == 50
    assert events[0].starts_at == datetime.combine(day, time(0), tzinfo=UTC)
    assert the_source().left_out > 0


def test_markup_and_scripts_in_a_feed_stay_text(app, world, client, login):
    day = today() + timedelta(days=6)
    body = calendar(vevent(
        "xss@spam", "<script>alert(1)</script><b>Budget</b> &amp; <i>cuts</i>\\nsecond line",
        f"DTSTART:{stamp(day)}Z", "URL:javascript:alert(1)",
        "DESCRIPTION:<a href=\"javascript:alert(2)\">click</a> [me](javascript:alert(3))",
        "LOCATION:<img src=x onerror=alert(4)>Hall"))
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    event = imported()[0]
    assert event.title == "Budget & cuts second line"
    assert event.online_link == ""
    assert event.place == "Hall"
    page = client.get(f"/calendar/e/{event.id}-{event.slug}").get_data(as_text=True)
    assert "javascript:" not in page.split("<main", 1)[1].replace(
        "[me](javascript:alert(3))", "")  # the text shows as text, never as a link
    assert 'href="javascript' not in page and "<script>alert" not in page
    assert "onerror" not in page


def test_a_slow_server_is_given_up_on(app, world, client, login, feeds):
    source = a_source_with_events(app, world, client, login, feeds)
    app.config["CALENDAR_IMPORT_TIMEOUT"] = 0.3
    feeds.hold.set()  # the server waits (for release) before it answers
    try:
        refused_keeping_what_was_there(app, source, feeds.routes["/feed.ics"],
                                       "took too long", feeds)
    finally:
        feeds.release.set()


def another_writer_gets_in(app, source_id: int) -> bool:
    """Whether another connection can write to the source's row at once, without waiting."""
    with app.app_context():
        raw = db.engine.raw_connection()
        raw.detach()  # its busy and lock timeouts below must not go back to the pool
        try:
            cursor = raw.cursor()
            if db.engine.dialect.name == "sqlite":
                cursor.execute("PRAGMA busy_timeout = 0")
                cursor.execute("BEGIN IMMEDIATE")  # the write lock, or "database is locked"
                cursor.execute("UPDATE calendar_source SET name = name WHERE id = ?", (source_id,))
            else:
                cursor.execute("SET lock_timeout = '200ms'")
                cursor.execute("UPDATE calendar_source SET name = name WHERE id = %s",
                               (source_id,))
            raw.rollback()
            return True
        except Exception:  # noqa: BLE001 - locked, in either database's words
            raw.rollback()
            return False
        finally:
            raw.close()


def test_the_pages_read_an_address_before_they_write(app, world, client, login, feeds):
    """On SQLite a request that writes holds the write lock from its first statement: a
    calendar's server slow to answer must not hold every other writer up meanwhile."""
    source_id = a_source_with_events(app, world, client, login, feeds).id
    seen = []
    feeds.on_request = lambda: seen.append(another_writer_gets_in(app, source_id))
    assert client.post(f"/calendar/sources/{source_id}/import").status_code == 303
    moved = feeds.serve("/moved.ics", council_feed()[0])
    response = client.post(f"/calendar/sources/{source_id}", data={
        "name": "Council committee dates", "url": moved, "website": "", "audience": "public",
        "kind": "meeting", "organisation": str(world.org_a.id)},
        content_type="multipart/form-data")
    assert response.status_code == 303
    response = add(client, url=feeds.serve("/another.ics", council_feed()[0]),
                   name="Another", organisation=str(world.org_a.id))
    assert response.status_code == 303
    assert seen == [True, True, True]


def test_private_addresses_are_refused_unless_allowed(app, world, client, login, feeds,
                                                      monkeypatch):
    url = feeds.serve("/council.ics", council_feed()[0])
    app.config["CALENDAR_IMPORT_ALLOW_PRIVATE"] = False
    login(world.coordinator)
    response = add(client, url=url, organisation=str(world.org_a.id))
    assert response.status_code == 422
    assert "private network" in response.get_data(as_text=True)
    assert added_sources(world) == 0
    # The test server stands for a server on the internet; it redirects into the network.
    monkeypatch.setattr(fetching, "public_address", lambda address: address == "127.0.0.1")
    redirect = feeds.serve("/moved.ics", b"", 302,
                           Location="http://169.254.169.254/latest/meta-data/")
    response = add(client, url=redirect, organisation=str(world.org_a.id))
    assert response.status_code == 422
    assert "private network" in response.get_data(as_text=True)


def test_only_http_addresses(app, world, client, login):
    login(world.coordinator)
    for url in ("file:///etc/passwd", "javascript:alert(1)", "ftp://council.example.org/x"):
        response = add(client, url=url, organisation=str(world.org_a.id))
        assert response.status_code == 422
        assert "https://" in response.get_data(as_text=True)
    assert fetching.public_address("8.8.8.8") and fetching.public_address("2a00:1450::1")
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1",
                    "fe80::1", "::ffff:127.0.0.1", "100.64.0.1", "0.0.0.0", "224.0.0.1"):  # noqa: S104
        assert not fetching.public_address(address), address


# --- who may, and who sees ------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["visitor", "associate", "member", "contact"])
def test_only_coordinators_bring_calendars_in(app, world, client, login, role):
    if role != "visitor":
        login(getattr(world, role))
    expected = 302 if role == "visitor" else 403
    assert client.get("/calendar/sources").status_code == expected
    response = upload(client, world, council_feed()[0])
    assert response.status_code == expected
    assert added_sources(world) == 0


def test_a_members_calendar_is_not_seen_by_visitors_in_views_feeds_or_search(
        app, world, client, login):
    body, _ = council_feed()
    login(world.coordinator)
    assert upload(client, world, body, audience="members").status_code == 303
    client.get("/logout")
    client.post("/logout")
    visitor = app.test_client()
    for path in ("/calendar", "/calendar/public.ics", "/search?q=planning"):
        assert "planning-meeting" not in visitor.get(path).get_data(as_text=True), path
    planning = next(event for event in imported() if event.title == "Planning meeting")
    assert visitor.get(f"/calendar/e/{planning.id}-{planning.slug}").status_code == 302
    member = app.test_client()
    login(world.member, c=member)
    for path in ("/calendar", "/search?q=planning"):
        assert "planning-meeting" in member.get(path).get_data(as_text=True), path
    private = member.get("/calendar/feed").get_data(as_text=True)
    address = private.split('/calendar/feed/', 1)[1].split('"', 1)[0]
    assert b"Planning meeting" in member.get(f"/calendar/feed/{address}").get_data()


def test_changing_and_removing_a_source(app, world, client, login):
    body, _ = council_feed()
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    source = the_source()
    response = client.post(f"/calendar/sources/{source.id}", data={
        "name": "Committee dates", "website": "", "audience": "members", "kind": "meeting",
        "organisation": str(world.org_b.id), "url": ""}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert {(event.audience, event.organisation_id) for event in imported()} == {
        (Audience.MEMBERS, world.org_b.id)}
    assert client.post(f"/calendar/sources/{source.id}/import").status_code == 303
    assert client.post(f"/calendar/sources/{source.id}/remove").status_code == 303
    db.session.expire_all()
    assert imported() == []
    assert db.session.get(CalendarSource, source.id).removed_at is not None  # kept, marked
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "calendar_source.remove")) is not None
    assert db.session.scalar(select(func.count()).select_from(SearchDocument).where(
        SearchDocument.kind == Kind.EVENT, SearchDocument.title == "Planning meeting")) == 0
    assert client.get(f"/calendar/sources/{source.id}").status_code == 404
    assert f"/calendar/sources/{source.id}" not in client.get("/calendar/sources").get_data(
        as_text=True)


def test_a_file_that_is_not_a_calendar_is_refused_beside_its_field(app, world, client, login):
    login(world.coordinator)
    response = upload(client, world, b"\x89PNG\r\n\x1a\nnot a calendar")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This is not a calendar file (iCalendar): nothing was brought in" in page
    assert "PNG" not in page and "Content line" not in page
    assert added_sources(world) == 0
    response = add(client, organisation=str(world.org_a.id))
    assert response.status_code == 422
    assert "Give its address, or choose a file." in response.get_data(as_text=True)


def test_a_new_file_for_a_calendar_from_a_file_changes_its_events(app, world, client, login):
    body, days = council_feed()
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    source = the_source()
    shorter = body.replace(b"SUMMARY:Planning meeting", b"SUMMARY:Planning meeting (agenda out)")
    shorter = shorter.split(b"BEGIN:VEVENT\r\nUID:consultation@council")[0] + b"END:VCALENDAR\r\n"
    response = client.post(f"/calendar/sources/{source.id}", data={
        "name": source.name, "website": "", "audience": "public", "kind": "meeting",
        "organisation": str(world.org_a.id), "file": (io.BytesIO(shorter), "council.ics")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "0 added, 1 changed, 1 removed" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    # An address is no way to change a calendar that came from a file.
    response = client.post(f"/calendar/sources/{source.id}", data={
        "name": source.name, "website": "", "audience": "public", "kind": "meeting",
        "organisation": str(world.org_a.id), "url": "https://council.example.org/x.ics"},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "came from a file" in response.get_data(as_text=True)


# --- what a new user found --------------------------------------------------------------------

def weekly(first: date, hour: int, minute: int = 0, moved: date | None = None,
           moved_hour: int = 19) -> bytes:
    """A committee meeting weekly, six times, at this time; the second week's changed (its
    RECURRENCE-ID the original start at `moved_hour`) to the day after."""
    events = [vevent("weekly@council", "Licensing committee",
                     f"DTSTART;TZID=Europe/London:{stamp(first, hour, minute)}",
                     f"DTEND;TZID=Europe/London:{stamp(first, hour + 2, minute)}",
                     "RRULE:FREQ=WEEKLY;COUNT=6")]
    if moved is not None:
        events.append(vevent("weekly@council", "Licensing committee (moved)",
                             f"RECURRENCE-ID;TZID=Europe/London:{stamp(moved, moved_hour)}",
                             f"DTSTART;TZID=Europe/London:{stamp(moved + timedelta(days=1), 10)}",
                             f"DTEND;TZID=Europe/London:{stamp(moved + timedelta(days=1), 12)}"))
    return calendar(*events)


def test_a_series_whose_time_changes_keeps_its_occurrences_their_rows_and_addresses(
        app, world, client, login, feeds):
    first = next_weekday(today() + timedelta(days=1), 2)
    second = first + timedelta(days=7)
    url = feeds.serve("/weekly.ics", weekly(first, 19, moved=second))
    login(world.coordinator)
    assert add(client, url=url, organisation=str(world.org_a.id)).status_code == 303
    before = {event.id: event.uid for event in imported()}
    assert len(before) == 6
    address = next(f"/calendar/e/{event.id}-{event.slug}" for event in imported())

    # 19:00 becomes 18:30; the changed week's RECURRENCE-ID follows (18:30), as feeds write it.
    feeds.serve("/weekly.ics", weekly(first, 18, 30, moved=second, moved_hour=18))
    output = run_import(app)
    assert "0 added, 5 changed, 0 removed" in output, output  # the moved one is as it was
    events = imported()
    assert {event.id: event.uid for event in events} == before
    series = [event for event in events if event.title == "Licensing committee"]
    assert {event.starts_at.astimezone(LONDON).time() for event in series} == {time(18, 30)}
    moved = next(event for event in events if event.title == "Licensing committee (moved)")
    assert moved.starts_at == datetime.combine(second + timedelta(days=1), time(10),
                                               tzinfo=LONDON)
    assert client.get(address).status_code == 200


def test_a_series_meeting_twice_a_day_keeps_both(app, world, client, login):
    day = today() + timedelta(days=3)
    body = calendar(vevent("surgery@council", "Surgery", f"DTSTART:{stamp(day, 9)}",
                           f"DTEND:{stamp(day, 10)}", "RRULE:FREQ=DAILY;COUNT=6;BYHOUR=9,18"))
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    assert len(imported()) == 6


def test_events_kept_by_their_former_keys_are_rekeyed_not_removed_and_added(
        app, world, client, login, feeds):
    source = a_source_with_events(app, world, client, login, feeds)
    before = {event.id: event.source_key for event in imported(source)}
    committee = [event for event in imported(source) if event.title == "Housing committee"]
    for event in committee:  # as imports kept them before: the UID and the UTC moment
        event.source_key = hashlib.sha256(
            f"committee@council\n{event.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
            .encode()).hexdigest()
    db.session.commit()
    assert "0 added, 0 changed, 0 removed" in run_import(app)
    assert {event.id: event.source_key for event in imported(source)} == before


def test_a_calendar_that_had_events_coming_back_empty_is_refused(app, world, client, login,
                                                                 feeds):
    source = a_source_with_events(app, world, client, login, feeds)
    refused_keeping_what_was_there(app, source, (200, {}, calendar()),
                                   "The calendar came back empty, where it had 12 events",
                                   feeds)
    assert "came back empty" in client.get("/calendar/sources").get_data(as_text=True)
    # A calendar that never had events may be empty.
    assert upload(client, world, calendar(), name="Quiet calendar").status_code == 303
    quiet = the_source()
    assert sources.import_source(quiet).error == ""


def test_a_sudden_drop_to_a_tenth_is_refused(app, world, client, login, feeds):
    first = today() + timedelta(days=1)
    many = calendar(vevent("daily@council", "Drop-in", f"DTSTART:{stamp(first, 10)}",
                           "RRULE:FREQ=DAILY;COUNT=30"))
    url = feeds.serve("/many.ics", many)
    login(world.coordinator)
    assert add(client, url=url, organisation=str(world.org_a.id)).status_code == 303
    source = the_source()
    assert len(imported(source)) == 30
    few = many.replace(b"COUNT=30", b"COUNT=2")
    refused_keeping_what_was_there(app, source, (200, {"Content-Type": "text/calendar"}, few),
                                   "came back with 2 events of the 30 it had", feeds,
                                   path="/many.ics")
    feeds.serve("/many.ics", many.replace(b"COUNT=30", b"COUNT=20"))  # a third gone: fine
    assert "0 added, 0 changed, 10 removed" in run_import(app)


def test_the_month_marks_imported_events_and_every_view_links_coordinators_to_the_sources(
        app, world, client, login):
    body, days = council_feed()
    login(world.coordinator)
    assert upload(client, world, body).status_code == 303
    month = client.get(f"/calendar/month?month={days['one_off']:%Y-%m}").get_data(as_text=True)
    assert '<small class="from">From: Council committee dates</small>' in month
    for view in ("/calendar", "/calendar/week", "/calendar/month"):
        assert 'href="/calendar/sources"' in client.get(view).get_data(as_text=True), view
    member = app.test_client()
    login(world.member, c=member)
    for view in ("/calendar", "/calendar/week", "/calendar/month"):
        assert 'href="/calendar/sources"' not in member.get(view).get_data(as_text=True), view


def test_the_organisation_must_be_chosen_and_a_file_sources_edit_page_says_what_its_file_is(
        app, world, client, login):
    body, _ = council_feed()
    login(world.coordinator)
    page = client.get("/calendar/sources").get_data(as_text=True)
    assert '<option selected value="">Choose one</option>' in page \
        or '<option value="" selected>Choose one</option>' in page
    response = add(client, organisation="", file=(io.BytesIO(body), "council.ics"))
    assert response.status_code == 422
    assert "Choose the organisation they show as." in response.get_data(as_text=True)
    assert added_sources(world) == 0
    assert upload(client, world, body).status_code == 303
    page = client.get(f"/calendar/sources/{the_source().id}").get_data(as_text=True)
    assert "A new .ics file (leave it empty to keep the one it has)" in page
    assert "Or an .ics file" not in page
