"""The calendar as a new user reads it (issue 19): links between the views, the waiting list in
words, a moved occurrence, adding an event from every view, and repeat patterns described as
they fall. Through HTTP where a person would do it, on both databases."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from network.core.time import format_day
from network.demo import DEMO_PASSWORD
from tests.factories import make_event
from tests.test_calendar import (
    LONDON,
    all_of,
    answer,
    body,
    edit_form,
    in_days,
    local,
    people,
    signed_in,
)
from tests.urls import EVENT_STATES, demo_event_pages


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


# --- a moved occurrence -------------------------------------------------------------------------

def next_weekday(weekday: int, after_days: int = 8) -> date:
    day = in_days(after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def test_an_occurrence_moved_to_another_weekday_says_so_and_what_the_series_does(
        client, world, login):
    tuesday = next_weekday(1)
    series = make_event(world.org_a, world.contact, "Tenants' forum", starts_at=local(tuesday),
                        repeats=("fortnightly", None, 6))
    second = all_of(series)[1]
    login(world.contact)
    wednesday = tuesday + timedelta(days=15)
    response = client.post(f"/calendar/e/{series.id}/edit?at={second.key}", data=edit_form(
        world, series, second, scope="this", starts_on=wednesday.isoformat()))
    assert response.status_code == 303, body(response)[:3000]
    facts = re.search(r'<dl class="facts">.*?</dd>', body(client.get(
        f"/calendar/e/{series.id}-tenants-forum?at={second.key}")), re.S).group(0)
    shown = re.sub(r"<[^>]+>", "", facts)
    assert f"Wednesday {format_day(wednesday)}, 19:00" in shown
    assert (f"Moved from Tuesday {format_day(tuesday + timedelta(days=14))}, 19:00; the series "
            "meets every two weeks on Tuesday, 6 times.") in shown
    assert "Every two weeks" not in shown  # never as if it were this occurrence's own rule
    # The others say how the series repeats, as before.
    other = body(client.get(f"/calendar/e/{series.id}-tenants-forum"))
    assert "Every two weeks on Tuesday, 6 times" in other and "Moved from" not in other


# --- the waiting list ---------------------------------------------------------------------------

def rsvp_block(page: str) -> str:
    return re.search(r'<section id="rsvp".*?</section>', page, re.S).group(0)


def going_button(page: str) -> tuple[str, str]:
    """The first answer button: (its words, aria-pressed)."""
    found = re.search(r'<button name="answer" value="going"[^>]*aria-pressed="(\w+)">([^<]+)<',
                      page)
    return found.group(2), found.group(1)


def going_line(page: str) -> str:
    return re.search(r'<p class="going" id="going">([^<]*)</p>', page).group(1)


def test_the_waiting_list_says_who_is_where_and_who_has_a_place(app, world):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=2)
    path = f"/calendar/e/{event.id}-workshop"
    first, second, third, fourth, looking = people(world, 5)
    clients = {person.id: signed_in(app, person) for person in (first, second, third, fourth,
                                                               looking)}

    def page(person) -> str:
        return rsvp_block(body(clients[person.id].get(path)))

    for person in (first, second, third, fourth):
        response = answer(clients[person.id], event, "going")
        assert response.status_code == 303
    after = body(clients[fourth.id].get(path))  # with the message after answering
    assert after.count("waiting list") == 1 and "Your answer is saved." in after
    assert "You are on the waiting list (number 2)." in after

    # Two have places, two wait, in the order they answered.
    assert going_line(page(looking)) == "2 going · 2 places · full, 2 waiting"
    assert going_button(page(looking)) == ("Wait for a place", "false")
    assert going_button(page(first)) == ("Going", "true")
    assert "Your answer: Going. You have a place." in page(first)
    for person, place in ((third, 1), (fourth, 2)):
        shown = page(person)
        assert f"You are on the waiting list (number {place})." in shown
        assert going_button(shown) == ("Wait for a place", "true")
        assert "Your answer: Going" not in shown

    # A place comes free: the third has it and is told so; the fourth is next in line.
    assert answer(clients[first.id], event, "not_going").status_code == 303
    shown = page(third)
    assert "Your answer: Going. You have a place." in shown and "waiting list" not in shown
    assert going_button(shown) == ("Going", "true")
    assert going_line(shown) == "2 going · 2 places · full, 1 waiting"
    assert "You are on the waiting list (number 1)." in page(fourth)

    # Another: nobody waits now, and a place given up is open to anyone.
    assert answer(clients[second.id], event, "maybe").status_code == 303
    assert going_line(page(looking)) == "2 going · 2 places · full"
    assert "You have a place." in page(fourth)
    assert answer(clients[third.id], event, "not_going").status_code == 303
    assert going_line(page(looking)) == "1 going · 2 places"
    assert going_button(page(looking)) == ("Going", "false")


def test_joining_the_waiting_list_in_place_says_it_once_and_announces_it(app, world):
    """The flash said "The event is full: you are on the waiting list, and will be told..."
    and the panel under it "You are on the waiting list (number 1). You will be told...".
    Now the panel alone says it, and (with htmx) it is what is announced and focused."""
    event = make_event(world.org_a, world.contact, "Workshop", capacity=1)
    first, second = people(world, 2)
    answer(signed_in(app, first), event, "going")
    block = body(signed_in(app, second).post(
        f"/calendar/e/{event.id}/rsvp", data={"answer": "going"},
        headers={"HX-Request": "true", "HX-Target": "rsvp"}))
    text = re.sub(r"<[^>]+>", "", block)
    assert text.count("waiting list") == 1 and "The event is full" not in block
    said = "You are on the waiting list (number 1). You will be told if a place comes free."
    assert f'<p class="panel" data-announce="{said}" tabindex="-1">{said}</p>' in block
    assert "data-announce" not in block.replace(f'data-announce="{said}"', "")


def test_someone_with_a_place_is_told_that_changing_their_answer_gives_it_away(app, world):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=1)
    first, second = people(world, 2)
    with_place = signed_in(app, first)
    answer(with_place, event, "going")
    path = f"/calendar/e/{event.id}-workshop"
    warning = "If you change your answer, your place goes to the next person waiting."
    assert warning not in body(with_place.get(path))  # full, but nobody waits
    answer(signed_in(app, second), event, "going")
    assert "Your answer: Going. You have a place. " + warning in rsvp_block(
        body(with_place.get(path)))
    assert warning not in body(signed_in(app, second).get(path))  # the one waiting
    assert warning not in body(signed_in(app, world.member).get(path))  # no answer


def test_the_organiser_sees_the_same_counts_as_everyone(app, world):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=1)
    first, second = people(world, 2)
    for person in (first, second):
        answer(signed_in(app, person), event, "going")
    path = f"/calendar/e/{event.id}-workshop"
    for person in (world.contact, world.coordinator, world.member):
        assert going_line(body(signed_in(app, person).get(path))) == \
            "1 going · 1 place · full, 1 waiting"


# --- every kind of event page -------------------------------------------------------------------

def test_every_kind_of_event_page_names_its_parts_by_headings_it_has(demo_app):
    """aria-labelledby and aria-describedby name ids on the page: an event that does not ask
    who is coming named a heading it did not write (axe's aria-prohibited-attr)."""
    pages = demo_event_pages()
    assert set(pages) == set(EVENT_STATES)
    visitor, admin = demo_app.test_client(), demo_app.test_client()
    assert admin.post("/login", data={"email": "admin@example.org",
                                      "password": DEMO_PASSWORD}).status_code == 303
    seen = 0
    for state, path in pages.items():
        for who, client in (("visitor", visitor), ("admin", admin)):
            response = client.get(path)
            if who == "visitor" and response.status_code == 302:
                continue  # a members' event: log in first
            assert response.status_code == 200, (state, who)
            page, seen = body(response), seen + 1
            ids = set(re.findall(r'\sid="([^"]+)"', page))
            named = re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', page)
            missing = [name for names in named for name in names.split() if name not in ids]
            assert not missing, f"{state} as {who}: {missing}"
    assert seen >= len(pages) + 5


# --- repeat patterns in words --------------------------------------------------------------------

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
NAMED_DAY = re.compile(rf"(?:\b({'|'.join(ORDINALS)}) )?\b({'|'.join(WEEKDAYS)})\b")


def days_named(text: str) -> list[tuple[int | None, int]]:
    """(nth of the month or None, weekday) for each day of the week the words name."""
    return [(ORDINALS[nth] if nth else None, WEEKDAYS.index(day))
            for nth, day in NAMED_DAY.findall(text)]


def falls_on(moment: datetime, nth: int | None, weekday: int) -> bool:
    day = moment.astimezone(LONDON).date()
    if day.weekday() != weekday:
        return False
    if nth is None:
        return True
    if nth == -1:
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == nth


def first_days() -> list[datetime]:
    """Starts on every day of a year (each weekday in each week of a month, the 29th to 31st,
    29 February), at 19:00, and just after midnight and late at night on the days the clocks
    change (when the borough's date and UTC's differ)."""
    first = date(2028, 1, 1)
    days = [local(first + timedelta(days=n)) for n in range(366)]
    for day in (date(2028, 3, 26), date(2028, 10, 29), date(2028, 6, 30), date(2028, 12, 31)):
        days += [local(day, 0, 30), local(day, 23, 30)]
    return days


def test_every_repeat_pattern_is_described_by_the_days_it_falls_on(sqlite_app):
    from network.calendar.recurrence import PATTERNS, describe, make_rule, starts_between

    wrong = []
    for pattern in PATTERNS:
        for start in first_days():
            rule = make_rule(pattern, start, count=13)
            words = describe(rule, start)
            starts = starts_between(rule, start, start, start + timedelta(days=366 * 60))
            local_start = start.astimezone(LONDON)
            if starts[0] != start or len(starts) != 13:
                wrong.append(f"{pattern} from {local_start}: {len(starts)} from {starts[0]}")
            named = days_named(words)
            if pattern in ("weekly", "fortnightly", "monthly_weekday"):
                if [weekday for _nth, weekday in named] != [local_start.weekday()]:
                    wrong.append(f"{pattern} from {local_start:%A %d %B %Y}: “{words}”")
                elif not all(falls_on(moment, *named[0]) for moment in starts):
                    wrong.append(f"{pattern} from {local_start}: “{words}”, but "
                                 f"{[f'{m.astimezone(LONDON):%a %d %b}' for m in starts]}")
            else:
                assert named == [], words
            on = {(moment.astimezone(LONDON).month, moment.astimezone(LONDON).day)
                  for moment in starts}
            if pattern == "monthly_date":
                date_named = int(re.search(r"the (\d+)", words).group(1))
                skips = ("(in months that have one)" in words) == (local_start.day > 28)
                if {day for _month, day in on} != {date_named} or not skips:
                    wrong.append(f"{pattern} from {local_start}: “{words}”, but {sorted(on)}")
            if pattern == "yearly":
                named = f"Every year on {local_start.day} {local_start:%B}"
                leap = ("(in leap years)" in words) == ((local_start.month, local_start.day)
                                                        == (2, 29))
                if not words.startswith(named) or len(on) != 1 or not leap:
                    wrong.append(f"{pattern} from {local_start}: “{words}”, but {sorted(on)}")
            if pattern in ("weekly", "fortnightly"):
                every = 7 if pattern == "weekly" else 14
                apart = [(moment.astimezone(LONDON).date() - local_start.date()).days
                         for moment in starts]
                if apart != list(range(0, 13 * every, every)):
                    wrong.append(f"{pattern} from {local_start}: days apart {apart}")
    assert not wrong, f"{len(wrong)} descriptions that do not say when:\n" + "\n".join(wrong[:20])


@pytest.mark.parametrize("weekday", range(7), ids=WEEKDAYS)
def test_the_demo_meets_on_the_days_its_words_say_whatever_day_it_is_loaded(
        sqlite_app, clock, weekday):
    """"Every other Thursday" fell on the weekday three days after the demo was loaded. Every
    day of the week the demo's events, a body's "meets" and a moved occurrence's note name
    is the day their dates fall on."""
    from network.calendar.models import Event, OccurrenceChange
    from network.calendar.reads import occurrences_of
    from network.calendar.recurrence import describe
    from network.demo import load_demo
    from network.extensions import db
    from network.representation.models import Body

    monday = date(2027, 1, 11)
    clock.set(local(monday + timedelta(days=weekday), 10))
    load_demo()
    wrong, checked = [], 0
    for event in db.session.scalars(db.select(Event)):
        found = occurrences_of([event], event.starts_at, event.starts_at + timedelta(days=400))
        starts = [item.original_start for item in found]
        body = db.session.get(Body, event.body_id) if event.body_id else None
        words = [event.description, event.title, body.meets if body else ""]
        if event.recurring:
            words.append(describe(event.recurrence, event.starts_at))
        for nth, named in (day for text in words for day in days_named(text)):
            checked += 1
            late = [f"{moment.astimezone(LONDON):%A %d %B}" for moment in starts
                    if not falls_on(moment, nth, named)]
            if late:
                wrong.append(f"“{event.title}” says {WEEKDAYS[named]} but falls on {late}")
    for change in db.session.scalars(db.select(OccurrenceChange).where(
            OccurrenceChange.starts_at.is_not(None))):
        for nth, named in days_named(change.note):
            checked += 1
            if not falls_on(change.starts_at, nth, named):
                wrong.append(f"“{change.note}”, but moved to "
                             f"{change.starts_at.astimezone(LONDON):%A %d %B}")
    assert checked >= 5  # the Federation's words, rule and move; the breakfast; the board
    assert not wrong, "\n".join(wrong)
