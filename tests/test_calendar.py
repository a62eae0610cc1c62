"""The shared calendar, as its users meet it: recurring events in the borough's time, single
occurrences cancelled and moved, series split, answers with places and a waiting list, the
event form's refusals, short notice and closing dates, notifications and who may do what.
Everything through HTTP where a person would do it, on both databases."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from network.calendar.models import Answer, Event, Follow, Rsvp
from network.calendar.reads import occurrences_of
from network.calendar.recurrence import MAX_OCCURRENCES, occurrence_key
from network.core.audience import Audience
from network.core.time import format_when, now, today
from network.extensions import db
from network.notify.models import Notification
from tests.factories import PASSWORD, MembershipFactory, PersonFactory, make_event

LONDON = ZoneInfo("Europe/London")
YEAR = now().year + 1  # wholly in the future, whatever day the tests run
KEY = "calendar-submission-key-0001"


def local(day: date, hour: int = 19, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def last_sunday(year: int, month: int) -> date:
    last = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


SPRING, AUTUMN = last_sunday(YEAR, 3), last_sunday(YEAR, 10)  # the clocks change


def in_days(days: int) -> date:
    return today() + timedelta(days=days)


@pytest.fixture
def login(client):
    """Log in as this person, out of whoever was logged in before."""

    def log_in(person):
        client.post("/logout")
        response = client.post("/login", data={"email": person.email, "password": PASSWORD})
        assert response.status_code == 303
        return response

    return log_in


def signed_in(app, person):
    """A client of its own, logged in as this person (logging in again does not switch)."""
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def body(response) -> str:
    return response.get_data(as_text=True)


def shown(event_or_events, start: datetime, end: datetime):
    db.session.rollback()
    events = event_or_events if isinstance(event_or_events, list) else [event_or_events]
    return occurrences_of([db.session.get(Event, e.id) for e in events], start, end)


def year_window():
    return local(date(YEAR, 1, 1), 0), local(date(YEAR + 1, 1, 1), 0)


def times_on_page(page: str) -> list[tuple[datetime, str]]:
    """Each occurrence's start on an agenda or week page: (the moment, the clock shown)."""
    return [(datetime.fromisoformat(moment), clock) for moment, clock in
            re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page)]


def event_form(world, day: date, **changes) -> dict:
    data = {"organisation": str(world.org_a.id), "title": "Tenants' forum", "kind": "meeting",
            "starts_on": day.isoformat(), "starts_time": "19:00", "ends_time": "21:00",
            "audience": "members", "area": "", "description": "", "place": "Community hall",
            "rsvp": "y", "repeat": "", "repeat_end": "never", "submission": KEY}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def edit_form(world, event, occurrence, scope="all", **changes) -> dict:
    """The edit form as it opens on one occurrence, with some fields changed."""
    from network.calendar.recurrence import read_rule

    db.session.rollback()
    event = db.session.get(Event, event.id)
    starts = occurrence.starts_at.astimezone(LONDON)
    ends = occurrence.ends_at.astimezone(LONDON)
    data = event_form(world, starts.date(), title=event.title, starts_time=f"{starts:%H:%M}",
                      ends_time=f"{ends:%H:%M}", place=occurrence.place,
                      organisation=str(event.organisation_id), kind=event.kind.value,
                      audience=event.audience.value,
                      capacity=str(event.capacity) if event.capacity else "",
                      rsvp="y" if event.rsvp else None, scope=scope,
                      version=str(event.version))
    if event.recurring:
        rule = read_rule(event.recurrence)
        data.update(repeat=rule["pattern"],
                    repeat_end="until" if rule["until"] else
                    "count" if rule["count"] else "never",
                    repeat_until=rule["until"].isoformat() if rule["until"] else "",
                    repeat_count=str(rule["count"]) if rule["count"] else "")
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def notifications(person, kind: str) -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification).where(
        Notification.person_id == person.id, Notification.kind == kind)
        .order_by(Notification.id)))


# --- recurrence --------------------------------------------------------------------------------

def test_a_weekly_1900_meeting_stays_at_1900_local_across_both_clock_changes(app, world):
    first, last = SPRING - timedelta(days=21), AUTUMN + timedelta(days=21)  # Sundays
    event = make_event(world.org_a, world.contact, "Sunday circle", starts_at=local(first),
                       repeats=("weekly", last, None))
    found = shown(event, *year_window())
    days = [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    assert [item.starts_at for item in found] == [local(day).astimezone(UTC) for day in days]
    assert all(item.starts_at.astimezone(LONDON).hour == 19 for item in found)
    by_day = {item.starts_at.astimezone(LONDON).date(): item.starts_at for item in found}
    assert by_day[SPRING - timedelta(days=7)].hour == 19  # GMT: 19:00 is 19:00 UTC
    assert by_day[SPRING].hour == 18  # on the day the clocks go forward, BST
    assert by_day[AUTUMN - timedelta(days=7)].hour == 18
    assert by_day[AUTUMN].hour == 19  # on the day they go back
    assert all(item.ends_at - item.starts_at == timedelta(hours=2) for item in found)


@pytest.mark.parametrize("change", ["spring", "autumn"])
def test_the_agenda_week_and_month_show_a_weekly_meeting_at_1900_across_a_clock_change(
        client, world, login, change):
    sunday = SPRING if change == "spring" else AUTUMN
    from network.calendar.models import EventKind

    # A training session, and only those shown: the world's fortnightly meeting may fall in
    # the same weeks, by the day the clock is set to.
    event = make_event(world.org_a, world.contact, "Sunday circle", kind=EventKind.TRAINING,
                       starts_at=local(sunday - timedelta(days=70)), repeats=("weekly", None, 30))
    login(world.member)
    expected = [local(sunday + timedelta(days=7 * n)) for n in range(-1, 3)]
    agenda = body(client.get(f"/calendar?start={(sunday - timedelta(days=7)).isoformat()}"
                             "&kind=training"))
    on_agenda = times_on_page(agenda)
    assert [moment for moment, _ in on_agenda] == expected
    assert {clock for _, clock in on_agenda} == {"19:00"}
    week = body(client.get(f"/calendar/week?week={sunday.isoformat()}&kind=training"))
    assert times_on_page(week) == [(local(sunday), "19:00")]
    month = body(client.get(f"/calendar/month?month={sunday:%Y-%m}"))
    linked = re.findall(rf"/calendar/e/{event.id}-sunday-circle\?at=(\w+)\">(\d\d:\d\d) Sunday",
                        month)
    assert (occurrence_key(local(sunday)), "19:00") in linked
    assert {clock for _, clock in linked} == {"19:00"}


def _starts(event, years=3):
    start, _ = year_window()
    return [item.starts_at.astimezone(LONDON) for item in
            shown(event, start, start + timedelta(days=366 * years))]


def test_a_fortnightly_meeting_comes_every_other_week(app, world):
    first = date(YEAR, 1, 7)
    event = make_event(world.org_a, world.contact, starts_at=local(first),
                       repeats=("fortnightly", None, 5))
    assert _starts(event) == [local(first + timedelta(days=14 * n)) for n in range(5)]


def test_a_monthly_meeting_by_date_keeps_its_date(app, world):
    event = make_event(world.org_a, world.contact, starts_at=local(date(YEAR, 1, 15)),
                       repeats=("monthly_date", None, 12))
    assert _starts(event) == [local(date(YEAR, month, 15)) for month in range(1, 13)]


def test_a_monthly_meeting_on_the_second_tuesday_stays_on_the_second_tuesday(app, world):
    january = date(YEAR, 1, 1)
    second_tuesday = january + timedelta(days=(1 - january.weekday()) % 7 + 7)
    event = make_event(world.org_a, world.contact, starts_at=local(second_tuesday),
                       repeats=("monthly_weekday", None, 12))
    found = _starts(event)
    assert [moment.month for moment in found] == list(range(1, 13))
    assert all(moment.weekday() == 1 and 8 <= moment.day <= 14 and moment.hour == 19
               for moment in found)


def test_a_yearly_event_comes_on_the_same_day_each_year(app, world):
    event = make_event(world.org_a, world.contact, "AGM", starts_at=local(date(YEAR, 6, 10)),
                       repeats=("yearly", None, 3))
    assert _starts(event, years=4) == [local(date(YEAR + n, 6, 10)) for n in range(3)]


def test_a_series_until_a_date_includes_that_day_and_stops_there(app, world):
    first = date(YEAR, 2, 3)
    event = make_event(world.org_a, world.contact, starts_at=local(first),
                       repeats=("weekly", first + timedelta(days=21), None))
    assert _starts(event) == [local(first + timedelta(days=7 * n)) for n in range(4)]


def test_a_series_of_a_number_of_times_stops_after_that_many(app, world):
    first = date(YEAR, 2, 3)
    event = make_event(world.org_a, world.contact, starts_at=local(first),
                       repeats=("weekly", None, 3))
    assert _starts(event) == [local(first + timedelta(days=7 * n)) for n in range(3)]


def test_a_series_with_no_end_is_listed_in_bounded_windows(client, world, login):
    first = date(YEAR, 2, 3)
    events = [make_event(world.org_a, world.contact, f"Forever {n}", starts_at=local(first),
                         repeats=("weekly", None, None)) for n in range(5)]
    assert events[0].repeat_until is None
    far = shown(events[0], local(date(YEAR + 30, 1, 1)), local(date(YEAR + 30, 2, 1)))
    assert len(far) in (4, 5) and all(item.starts_at.astimezone(LONDON).hour == 19
                                      for item in far)
    everything = shown(events[0], local(first), local(date(YEAR + 200, 1, 1)))
    assert len(everything) == MAX_OCCURRENCES
    login(world.member)
    agenda = client.get(f"/calendar?start={first.isoformat()}")
    month = client.get(f"/calendar/month?month={first:%Y-%m}")
    assert agenda.status_code == month.status_code == 200
    assert body(agenda).count(">Forever ") == 4 * 5
    # (How long a window of a never-ending rule takes is bench.recurrence's to measure.)


def test_a_monthly_series_made_through_the_form_repeats_on_the_second_tuesday(client, world,
                                                                            login):
    january = date(YEAR, 1, 1)
    second_tuesday = january + timedelta(days=(1 - january.weekday()) % 7 + 7)
    login(world.contact)
    response = client.post("/calendar/new", data=event_form(
        world, second_tuesday, repeat="monthly_weekday", repeat_end="until",
        repeat_until=date(YEAR, 6, 30).isoformat()))
    assert response.status_code == 303, body(response)[:3000]
    event = db.session.scalar(select(Event).where(Event.title == "Tenants' forum"))
    assert [moment.month for moment in _starts(event)] == [1, 2, 3, 4, 5, 6]
    page = body(client.get(response.headers["Location"]))
    assert "Every month on the second Tuesday, until 30 June" in page


def test_an_event_with_no_day_is_asked_for_its_day(client, world, login):
    # It said "Give a real date, like 2026-12-03." of an empty field, unlike every other form.
    login(world.contact)
    response = client.post("/calendar/new", data=event_form(world, today(), starts_on=""))
    assert response.status_code == 422
    page = body(response)
    assert "Give the day, like 2026-12-08." in page and "Give a real date" not in page
    assert db.session.scalar(select(Event).where(Event.title == "Tenants' forum")) is None


# --- single occurrences, and series split ------------------------------------------------------

def weekly(world, count=6, first=None, **values):
    first = first or in_days(10)
    return make_event(world.org_a, world.contact, "Tenants' forum", starts_at=local(first),
                      repeats=("weekly", None, count), **values)


def all_of(*events):
    return shown(list(events), local(in_days(0), 0), local(in_days(400), 0))


def test_one_occurrence_cancelled_is_marked_and_the_others_stay(client, world, login):
    event = weekly(world)
    third = all_of(event)[2]
    login(world.contact)
    response = client.post(f"/calendar/e/{event.id}/cancel?at={third.key}",
                           data={"reason": "The hall is flooded.", "scope": "this"})
    assert response.status_code == 303, body(response)[:3000]
    found = all_of(event)
    assert [item.cancelled for item in found] == [False, False, True, False, False, False]
    page = body(client.get(f"/calendar/e/{event.id}-tenants-forum?at={third.key}"))
    assert "The hall is flooded." in page and "Cancelled" in page
    agenda = body(client.get(f"/calendar?start={in_days(0).isoformat()}"))
    assert agenda.count("badge warn\">Cancelled") == 1


def test_one_occurrence_moved_shows_at_its_new_time_and_the_others_do_not_move(client, world,
                                                                              login):
    event = weekly(world)
    second = all_of(event)[1]
    login(world.contact)
    response = client.post(f"/calendar/e/{event.id}/edit?at={second.key}", data=edit_form(
        world, event, second, scope="this", starts_time="18:00", ends_time="20:00",
        place="The library"))
    assert response.status_code == 303, body(response)[:3000]
    found = all_of(event)
    assert len(found) == 6
    moved = found[1]
    assert moved.moved and moved.original_start == second.original_start
    assert moved.starts_at == second.starts_at - timedelta(hours=1)
    assert moved.place == "The library"
    assert [item.starts_at.astimezone(LONDON).hour for item in found] == [19, 18, 19, 19, 19, 19]
    page = body(client.get(f"/calendar/e/{event.id}-tenants-forum?at={second.key}"))
    assert "18:00" in page and "Moved from" in page and "The library" in page


def test_changing_this_and_following_splits_the_series_without_a_duplicate(client, world,
                                                                           login):
    event = weekly(world, count=6)
    before = all_of(event)
    login(world.member)
    for item in (before[0], before[3]):  # answers before the split, either side of it
        assert client.post(f"/calendar/e/{event.id}/rsvp?at={item.key}",
                           data={"answer": "going"}).status_code == 303
    login(world.contact)
    response = client.post(f"/calendar/e/{event.id}/edit?at={before[2].key}", data=edit_form(
        world, event, before[2], scope="following", starts_time="18:30", ends_time="20:30"))
    assert response.status_code == 303, body(response)[:3000]
    rest = db.session.scalar(select(Event).where(Event.continues_id == event.id))
    assert rest is not None
    old, new = all_of(event), all_of(rest)
    assert [item.starts_at for item in old] == [item.starts_at for item in before[:2]]
    assert [item.starts_at for item in new] == [
        item.starts_at + timedelta(minutes=-30) for item in before[2:]]
    # The answers after the split went with their occurrences to the new series.
    db.session.rollback()
    answers = {(row.event_id, row.occurrence_start) for row in
               db.session.scalars(select(Rsvp).where(Rsvp.person_id == world.member.id))}
    assert answers == {(event.id, before[0].original_start),
                       (rest.id, new[1].original_start)}
    login(world.member)
    page = body(client.get(f"/calendar/e/{rest.id}-tenants-forum?at={new[1].key}"))
    assert "Your answer: Going." in page and "18:30" in page


def test_cancelling_this_and_following_ends_the_series_before_it(client, world, login):
    event = weekly(world, count=6)
    before = all_of(event)
    login(world.contact)
    response = client.post(f"/calendar/e/{event.id}/cancel?at={before[4].key}",
                           data={"reason": "The group is taking a break.",
                                 "scope": "following"})
    assert response.status_code == 303, body(response)[:3000]
    assert [item.starts_at for item in all_of(event) if not item.cancelled] == \
        [item.starts_at for item in before[:4]]


def test_an_address_for_a_time_the_series_has_no_occurrence_at_is_404(client, world, login):
    event = weekly(world)
    login(world.contact)
    wrong = occurrence_key(all_of(event)[0].starts_at + timedelta(hours=1))
    assert client.get(f"/calendar/e/{event.id}-tenants-forum?at={wrong}").status_code == 404
    assert client.post(f"/calendar/e/{event.id}/cancel?at={wrong}",
                       data={"reason": "x", "scope": "this"}).status_code == 404
    assert client.get(f"/calendar/e/{event.id}-tenants-forum?at=nonsense").status_code == 404


# --- answers -----------------------------------------------------------------------------------

def answer(client, event, reply, at=None):
    suffix = f"?at={at}" if at else ""
    return client.post(f"/calendar/e/{event.id}/rsvp{suffix}", data={"answer": reply})


def people(world, n):
    found = [PersonFactory() for _ in range(n)]
    for person in found:
        MembershipFactory(person=person, organisation=world.org_b)
    return found


def test_answers_are_counted_and_the_list_is_for_the_organiser_and_coordinators(
        client, world, login):
    event = make_event(world.org_a, world.contact, "Open meeting")
    path = f"/calendar/e/{event.id}-open-meeting"
    for person, reply in ((world.member, "going"), (world.other_member, "maybe"),
                          (world.associate, "not_going")):
        login(person)
        assert answer(client, event, reply).status_code == 303
    page = body(client.get(path))
    assert "1 going" in page and "Your answer: Can" in page
    assert "Mo Member" not in page  # the associate does not see who is coming
    for person in (world.contact, world.coordinator):
        login(person)
        page = body(client.get(path))
        assert "Mo Member: going" in page and "Otto Other: maybe" in page
        assert "Ana Associate: can" in page
    login(world.other_member)
    assert "Mo Member" not in body(client.get(path))


def test_answering_again_changes_the_answer_rather_than_adding_one(client, world, login):
    event = make_event(world.org_a, world.contact, "Open meeting")
    login(world.member)
    answer(client, event, "going")
    answer(client, event, "maybe")
    rows = db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id)).all()
    assert [(row.person_id, row.answer) for row in rows] == [(world.member.id, Answer.MAYBE)]


def test_past_the_places_people_wait_and_the_first_waiting_moves_up_and_is_told(
        client, world, login):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=2)
    first, second, third, fourth = people(world, 4)
    for person in (first, second, third, fourth):
        login(person)
        assert answer(client, event, "going").status_code == 303
    login(third)
    page = body(client.get(f"/calendar/e/{event.id}-workshop"))
    assert "You are on the waiting list" in page and "2 going" in page
    db.session.rollback()
    waiting = {row.person_id: row.waiting for row in
               db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id))}
    assert waiting == {first.id: False, second.id: False, third.id: True, fourth.id: True}
    login(first)
    assert answer(client, event, "not_going").status_code == 303
    db.session.rollback()
    waiting = {row.person_id: row.waiting for row in
               db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id))}
    assert waiting == {first.id: False, second.id: False, third.id: False, fourth.id: True}
    told = notifications(third, "calendar.changed")
    assert len(told) == 1 and "A place came free" in told[0].subject
    assert notifications(fourth, "calendar.changed") == []


def test_answers_to_a_past_or_cancelled_occurrence_are_refused_and_change_nothing(
        client, world, login):
    past = make_event(world.org_a, world.contact, "Last week",
                      starts_at=local(in_days(-7)))
    series = weekly(world)
    cancelled = all_of(series)[1]
    login(world.contact)
    client.post(f"/calendar/e/{series.id}/cancel?at={cancelled.key}",
                data={"reason": "Holiday.", "scope": "this"})
    login(world.member)
    refused = answer(client, past, "going")
    assert refused.status_code == 422 and "already started" in body(refused)
    refused = answer(client, series, "going", at=cancelled.key)
    assert refused.status_code == 422 and "cancelled" in body(refused)
    assert count(Rsvp) == 0


def test_places_cannot_go_below_the_people_already_going(client, world, login):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=5)
    for person in people(world, 3):
        login(person)
        answer(client, event, "going")
    login(world.contact)
    found = all_of(event)[0]
    refused = client.post(f"/calendar/e/{event.id}/edit",
                          data=edit_form(world, event, found, capacity="2"))
    assert refused.status_code == 422
    assert re.search(r'id="capacity-error"[^>]*>[^<]*3 people are already going',
                     body(refused)) or "3 people are already going" in body(refused)
    db.session.rollback()
    assert db.session.get(Event, event.id).capacity == 5
    assert client.post(f"/calendar/e/{event.id}/edit",
                       data=edit_form(world, event, found, capacity="3")).status_code == 303


def test_concurrent_answers_for_the_last_place_never_go_over_capacity(app, world):
    db.session.commit()
    event = make_event(world.org_a, world.contact, "Workshop", capacity=3)
    crowd = people(world, 10)
    clients = []
    for person in crowd:
        c = app.test_client()
        assert c.post("/login", data={"email": person.email,
                                      "password": "correct horse battery"}).status_code == 303
        clients.append(c)
    for c in clients[:2]:  # one place left
        assert answer(c, event, "going").status_code == 303
    event_id = event.id
    db.session.rollback()  # the test's own reads hold no lock meanwhile
    racers = clients[2:]
    barrier = threading.Barrier(len(racers))
    statuses = []

    def race(c):  # each request in its own app context and session, as in a server
        barrier.wait()
        statuses.append(c.post(f"/calendar/e/{event_id}/rsvp",
                               data={"answer": "going"}).status_code)

    threads = [threading.Thread(target=race, args=(c,)) for c in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * len(racers)
    assert count(Rsvp, Rsvp.event_id == event.id, Rsvp.waiting.is_(False),
                 Rsvp.answer == Answer.GOING) == 3
    assert count(Rsvp, Rsvp.event_id == event.id, Rsvp.waiting.is_(True)) == len(racers) - 1


# --- the event form's refusals -----------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_time": "18:00"}, "ends_time", "It must end after it starts."),
    ({"starts_on": f"{YEAR}-02-30"}, "starts_on", "Give a real date"),
    ({"repeat": "weekly", "repeat_end": "count", "repeat_count": "0"}, "repeat_count",
     "From 2 to 500 times."),
    ({"repeat": "weekly", "repeat_end": "until", "repeat_until": f"{YEAR}-03-01"},
     "repeat_until", "The last date must be on or after the first."),
    ({"capacity": "0"}, "capacity", "Give a number of places from 1 to 100,000."),
    ({"title": "x" * 121}, "title", "Keep this to 120 characters or fewer."),
    ({"place": "x" * 201}, "place", "Keep this to 200 characters or fewer."),
    ({"description": "x" * 5001}, "description", "Keep this to 5000 characters or fewer."),
    ({"ends_on": f"{YEAR}-03-09"}, "ends_on", "It must end on or after the day it starts."),
    ({"starts_time": "", "ends_time": ""}, "starts_time", "Give the time it starts"),
    ({"kind": "consultation", "closes_on": "2020-01-01"}, "closes_on",
     "Give a closing day from today"),
], ids=["end-before-start", "impossible-date", "count-0", "until-before-start", "capacity-0",
        "long-title", "long-place", "long-description", "ends-on-before", "no-time",
        "consultation-closed-already"])
def test_the_event_form_refuses_bad_input_beside_the_field_and_saves_nothing(
        client, world, login, changes, field, message):
    login(world.contact)
    before = count(Event)
    response = client.post("/calendar/new", data=event_form(world, date(YEAR, 3, 10),
                                                            **changes))
    assert response.status_code == 422
    page = body(response)
    assert message in page
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</', page, re.S)
    assert error and message.split(" ")[0] in error.group(1), page[:200]
    assert count(Event) == before


# --- short notice and closing dates ------------------------------------------------------------

def test_a_meeting_set_at_short_notice_says_so_on_the_agenda_and_its_page(client, world, login):
    login(world.contact)
    soon = client.post("/calendar/new", data=event_form(world, in_days(3), title="Soon"))
    later = client.post("/calendar/new", data=event_form(world, in_days(10), title="Later",
                                                         submission=KEY + "x"))
    assert soon.status_code == later.status_code == 303
    agenda = body(client.get("/calendar"))
    soon_item = re.search(r'<li class="event">.*?Soon</a>(.*?)</li>', agenda, re.S).group(1)
    later_item = re.search(r'<li class="event">.*?Later</a>(.*?)</li>', agenda, re.S).group(1)
    assert "Short notice" in soon_item and "Short notice" not in later_item
    assert "Short notice" in body(client.get(soon.headers["Location"]))
    assert "Short notice" not in body(client.get(later.headers["Location"]))


def test_the_notice_period_is_a_setting(make_app, world):
    app = make_app(NOTICE_PERIOD_DAYS=14)
    with app.test_request_context():
        event = make_event(world.org_a, world.contact, starts_at=local(in_days(10)))
        assert event.short_notice


def test_a_consultation_shows_its_closing_date_and_the_days_left(client, world, login):
    login(world.contact)
    closes = in_days(5)
    response = client.post("/calendar/new", data=event_form(
        world, in_days(2), title="Library consultation", kind="consultation",
        closes_on=closes.isoformat()))
    assert response.status_code == 303, body(response)[:3000]
    page = body(client.get(response.headers["Location"]))
    assert "Closes in 5 days" in page
    assert f"{closes.day} " in page and closes.strftime("%B") in page
    assert "Closes in 5 days" in body(client.get("/calendar"))


# --- notifications -----------------------------------------------------------------------------

def test_people_going_are_told_when_the_event_changes_or_is_cancelled(client, world, login):
    event = make_event(world.org_a, world.contact, "Open meeting", starts_at=local(in_days(9)))
    login(world.member)
    answer(client, event, "going")
    login(world.contact)
    found = all_of(event)[0]
    assert client.post(f"/calendar/e/{event.id}/edit", data=edit_form(
        world, event, found, starts_time="18:00", ends_time="20:00")).status_code == 303
    changed = notifications(world.member, "calendar.changed")
    assert len(changed) == 1 and "has changed" in changed[0].subject
    assert "18:00" in changed[0].subject  # what it is now, not just "check"
    assert notifications(world.contact, "calendar.changed") == []
    assert client.post(f"/calendar/e/{event.id}/cancel",
                       data={"reason": "No room.", "scope": "all"}).status_code == 303
    told = notifications(world.member, "calendar.changed")
    assert len(told) == 2
    assert told[1].subject == f"Cancelled: “Open meeting” on {format_when(event.starts_at)}"
    assert told[1].detail == "No room."  # the reason, under the subject and in the body


def test_the_reminder_comes_the_day_before_and_only_once(app, client, world, login):
    from tests.test_cli import cli

    tomorrow = make_event(world.org_a, world.contact, "Tomorrow's meeting",
                          starts_at=now() + timedelta(hours=20))
    next_week = make_event(world.org_a, world.contact, "Next week's meeting",
                           starts_at=now() + timedelta(days=6))
    login(world.member)
    answer(client, tomorrow, "going")
    answer(client, next_week, "going")
    for _ in range(2):
        result = cli(app, "calendar", "remind")
        assert result.exit_code == 0, result.output
    reminders = notifications(world.member, "calendar.reminder")
    assert [r.subject.startswith("Tomorrow: “Tomorrow's meeting”") for r in reminders] == [True]


def test_following_an_organisation_brings_news_of_its_new_events(client, world, login):
    login(world.member)
    page = body(client.get(f"/organisations/{world.org_b.id}-beta-youth-club"))
    assert "Tell me of its new events" in page
    assert client.post(f"/calendar/follow/{world.org_b.id}",
                       data={"follow": "1"}).status_code == 303
    assert count(Follow, Follow.person_id == world.member.id) == 1
    login(world.other_member)
    assert client.post("/calendar/new", data=event_form(
        world, in_days(20), organisation=str(world.org_b.id),
        title="Youth open day")).status_code == 303
    told = notifications(world.member, "calendar.new_event")
    assert len(told) == 1 and "Youth open day" in told[0].subject
    assert notifications(world.contact, "calendar.new_event") == []
    login(world.member)
    client.post(f"/calendar/follow/{world.org_b.id}", data={"follow": "0"})
    login(world.other_member)
    client.post("/calendar/new", data=event_form(
        world, in_days(21), organisation=str(world.org_b.id), title="Another",
        submission=KEY + "2"))
    assert len(notifications(world.member, "calendar.new_event")) == 1


# --- who may do what ---------------------------------------------------------------------------

def test_a_member_of_another_organisation_cannot_edit_or_cancel_your_events(client, world,
                                                                           login):
    event = weekly(world)
    found = all_of(event)[0]
    login(world.other_member)
    assert client.get(f"/calendar/e/{event.id}/edit").status_code == 403
    assert client.post(f"/calendar/e/{event.id}/edit?at={found.key}", data=edit_form(
        world, event, found, title="Taken over")).status_code == 403
    assert client.post(f"/calendar/e/{event.id}/cancel?at={found.key}",
                       data={"reason": "Mine now", "scope": "all"}).status_code == 403
    db.session.rollback()
    event = db.session.get(Event, event.id)
    assert event.title == "Tenants' forum" and event.cancelled_at is None
    assert all(not item.cancelled for item in all_of(event))


def test_visitors_see_public_events_but_never_members_events(client, world):
    make_event(world.org_a, world.contact, "Members only natter",
               starts_at=local(in_days(5)))
    public = make_event(world.org_a, world.contact, "Open day for all",
                        starts_at=local(in_days(6)), audience=Audience.PUBLIC)
    secret = db.session.scalar(select(Event).where(Event.title == "Members only natter"))
    for path in ("/calendar", "/", f"/calendar/week?week={in_days(5).isoformat()}",
                 f"/calendar/month?month={in_days(5):%Y-%m}"):
        page = body(client.get(path))
        assert "Members only natter" not in page, path
    assert "Open day for all" in body(client.get("/calendar"))
    assert "Open day for all" in body(client.get("/"))
    visitor_view = client.get(f"/calendar/e/{secret.id}-members-only-natter")
    assert visitor_view.status_code in (302, 303, 404)
    assert "Members only natter" not in body(visitor_view)
    assert client.get(f"/calendar/e/{public.id}-open-day-for-all").status_code == 200


def test_answers_stay_with_a_one_off_event_when_its_time_changes(client, world, login):
    event = make_event(world.org_a, world.contact, "Open meeting", starts_at=local(in_days(9)))
    login(world.member)
    answer(client, event, "going")
    login(world.contact)
    found = all_of(event)[0]
    assert client.post(f"/calendar/e/{event.id}/edit", data=edit_form(
        world, event, found, starts_on=in_days(10).isoformat(), starts_time="18:00",
        ends_time="20:00")).status_code == 303
    login(world.member)
    page = body(client.get(f"/calendar/e/{event.id}-open-meeting"))
    assert "1 going" in page and "Your answer: Going." in page


def test_answers_stay_with_their_occurrences_when_a_whole_series_moves(client, world, login):
    event = weekly(world, count=4)
    before = all_of(event)
    login(world.member)
    answer(client, event, "going", at=before[2].key)
    login(world.contact)
    response = client.post(f"/calendar/e/{event.id}/edit?at={before[1].key}", data=edit_form(
        world, event, before[1], scope="all", starts_time="18:00", ends_time="20:00"))
    assert response.status_code == 303, body(response)[:3000]
    after = all_of(event)
    assert [item.starts_at for item in after] == \
        [item.starts_at - timedelta(hours=1) for item in before]
    login(world.member)
    page = body(client.get(f"/calendar/e/{event.id}-tenants-forum?at={after[2].key}"))
    assert "1 going" in page and "Your answer: Going." in page


def test_removing_the_limit_on_places_lets_everyone_waiting_in(client, world, login):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=1)
    first, second = people(world, 2)
    for person in (first, second):
        login(person)
        answer(client, event, "going")
    login(world.contact)
    assert client.post(f"/calendar/e/{event.id}/edit", data=edit_form(
        world, event, all_of(event)[0], capacity="")).status_code == 303
    assert count(Rsvp, Rsvp.waiting.is_(True)) == 0
    assert len(notifications(second, "calendar.changed")) == 1


def test_a_series_may_not_run_past_ten_years(client, world, login):
    from network.calendar.models import Event

    login(world.contact)
    before = count(Event)
    first = in_days(30)
    response = client.post("/calendar/new", data=event_form(
        world, first, repeat="weekly", repeat_end="until",
        repeat_until=(first + timedelta(days=3660)).isoformat()))  # ten years and a week
    assert response.status_code == 422
    assert "up to ten years" in response.get_data(as_text=True)
    assert count(Event) == before


def test_opened_on_one_date_the_change_and_cancel_forms_start_on_that_date_alone(
        client, world, login):
    series = make_event(world.org_a, world.contact, "Fortnightly forum",
                        repeats=("fortnightly", None, 4))
    second = occurrences_of([series], series.starts_at, series.starts_at
                            + timedelta(days=20))[1]
    login(world.contact)
    for form in ("edit", "cancel"):
        page = body(client.get(f"/calendar/e/{series.id}/{form}?at={second.key}"))
        chosen = re.search(r'<select[^>]*name="scope".*?<option selected value="(\w+)"', page,
                           re.S)
        assert chosen and chosen.group(1) == "this", form
    # A reason and the button, nothing else chosen: one date is cancelled, not the series.
    response = client.post(f"/calendar/e/{series.id}/cancel?at={second.key}",
                           data={"reason": "The hall is closed."})
    assert response.status_code == 303
    shown = occurrences_of([db.session.get(Event, series.id)], series.starts_at,
                           series.starts_at + timedelta(days=60))
    assert [item.cancelled for item in shown] == [False, True, False, False]


@pytest.mark.parametrize("path", [
    "/calendar?start=9999-12-20", "/calendar/month?month=9999-12", "/calendar/week?week=0001-01-01",
    "/calendar?start=2026-13-45", "/calendar/month?month=0000-00", "/calendar/week?week=9999-12-31",
])
def test_a_day_out_of_reach_in_the_address_shows_the_weeks_from_today(client, world, path):
    response = client.get(path)
    assert response.status_code == 200
    assert str(today().year) in body(response)


def test_switching_views_keeps_the_stretch_of_time_and_the_filters(client, world):
    month = body(client.get(f"/calendar/month?month={YEAR}-01&kind=meeting"))
    listed = re.search(r'<a href="(/calendar\?[^"]*)"[^>]*>List</a>', month).group(1)
    assert f"start={YEAR}-01-01" in listed and "kind=meeting" in listed
    assert "month=" not in listed
    week = body(client.get(f"/calendar/week?week={YEAR}-01-13"))
    monthly = re.search(r'<a href="(/calendar/month\?[^"]*)"[^>]*>Month</a>', week).group(1)
    assert f"month={YEAR}-01" in monthly


def test_the_answer_address_opened_again_leads_back_to_the_answers(client, world, login):
    event = make_event(world.org_a, world.contact, "Open meeting", starts_at=local(in_days(9)))
    login(world.member)
    response = client.get(f"/calendar/e/{event.id}/rsvp")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/calendar/e/{event.id}-open-meeting#rsvp")


def test_a_meeting_written_down_after_it_was_held_is_not_short_notice(app, world):
    held = make_event(world.org_a, world.contact, "Last week's meeting",
                      starts_at=local(in_days(-7)))
    assert not held.short_notice


def test_a_cancelled_event_shows_no_places_and_a_visitor_is_told_why_to_log_in(
        client, world, login):
    event = make_event(world.org_a, world.contact, "Open meeting", starts_at=local(in_days(9)),
                       capacity=1)
    login(world.member)
    answer(client, event, "going")
    login(world.contact)
    client.post(f"/calendar/e/{event.id}/cancel", data={"reason": "No room.", "scope": "all"})
    page = body(client.get(f"/calendar/e/{event.id}-open-meeting"))
    assert "Cancelled" in page and "full: a waiting list" not in page and "1 going" not in page
    client.post("/logout")
    login_page = client.get(f"/calendar/e/{event.id}-open-meeting", follow_redirects=True)
    assert "That page is for members of the network" in body(login_page)


def test_a_series_split_points_forward_to_its_continuation(client, world, login):
    series = make_event(world.org_a, world.contact, "Weekly forum", starts_at=local(in_days(3)),
                        repeats=("weekly", None, 6))
    third = all_of(series)[2]
    login(world.contact)
    assert client.post(f"/calendar/e/{series.id}/edit?at={third.key}", data=edit_form(
        world, series, third, scope="following", starts_time="18:00",
        ends_time="20:00")).status_code == 303
    rest = db.session.scalar(select(Event).where(Event.continues_id == series.id))
    page = body(client.get(f"/calendar/e/{series.id}-weekly-forum"))
    assert f'href="/calendar/e/{rest.id}-weekly-forum"' in page


def test_only_mine_shows_the_dates_i_answered_not_the_whole_series(client, world, login):
    series = make_event(world.org_b, world.other_member, "Youth club open evening",
                        starts_at=local(in_days(3)), repeats=("weekly", None, 4))
    login(world.member)  # of org_a, not org_b
    second = all_of(series)[1]
    answer(client, series, "going", at=second.key)
    page = body(client.get(f"/calendar?mine=y&start={in_days(0).isoformat()}"))
    assert page.count(">Youth club open evening<") == 1
    answer(client, series, "not_going", at=second.key)
    page = body(client.get(f"/calendar?mine=y&start={in_days(0).isoformat()}"))
    assert ">Youth club open evening<" not in page


# --- what is cancelled: what the organiser is offered, and the words -------------------------

def cancel_links(page: str, event) -> list[str]:
    return re.findall(rf'href="(/calendar/e/{event.id}/cancel[^"]*)"', page)


def test_a_cancelled_occurrence_offers_no_cancel_and_its_cancel_page_says_so(
        client, world, login):
    event = weekly(world)
    second, third = all_of(event)[1:3]
    login(world.contact)
    client.post(f"/calendar/e/{event.id}/cancel?at={third.key}",
                data={"reason": "The hall is flooded.", "scope": "this"})
    cancelled = body(client.get(f"/calendar/e/{event.id}-tenants-forum?at={third.key}"))
    assert cancel_links(cancelled, event) == []
    still_on = body(client.get(f"/calendar/e/{event.id}-tenants-forum?at={second.key}"))
    assert len(cancel_links(still_on, event)) == 1

    page = client.get(f"/calendar/e/{event.id}/cancel?at={third.key}")
    assert page.status_code == 200
    assert "This occurrence is already cancelled." in body(page)
    assert "The hall is flooded." in body(page)
    assert 'name="reason"' not in body(page) and "Cancel it" not in body(page)
    assert 'name="reason"' in body(client.get(f"/calendar/e/{event.id}/cancel?at={second.key}"))


@pytest.mark.parametrize("repeats", [None, ("weekly", None, 6)], ids=["one-off", "series"])
def test_a_cancelled_event_offers_no_cancel_and_its_cancel_page_says_so(
        client, world, login, repeats):
    event = make_event(world.org_a, world.contact, "Open meeting", repeats=repeats)
    login(world.contact)
    client.post(f"/calendar/e/{event.id}/cancel", data={"reason": "No room.", "scope": "all"})
    key = all_of(event)[1].key if repeats else None
    at = f"?at={key}" if key else ""
    assert cancel_links(body(client.get(f"/calendar/e/{event.id}-open-meeting{at}")),
                        event) == []
    page = body(client.get(f"/calendar/e/{event.id}/cancel{at}"))
    assert "This event is already cancelled." in page and "No room." in page
    assert 'name="reason"' not in page and "Cancel it" not in page


def test_a_reason_keeps_its_lines_on_the_event_page(client, world, login):
    event = weekly(world)
    third = all_of(event)[2]
    login(world.contact)
    client.post(f"/calendar/e/{event.id}/cancel?at={third.key}",
                data={"reason": "Room flooded.\r\nSee the new date.", "scope": "this"})
    page = body(client.get(f"/calendar/e/{event.id}-tenants-forum?at={third.key}"))
    assert re.search(r'Cancelled\. <span class="lines">Room flooded\.\r?\nSee the new date\.'
                     r"</span>", page)
    from pathlib import Path

    css = (Path(__file__).parents[1] / "static/css/site.css").read_text()
    assert re.search(r"^\.lines \{ white-space: pre-line;", css, re.MULTILINE)


def test_a_one_off_event_cancelled_is_told_with_its_day(client, world, login):
    event = make_event(world.org_a, world.contact, "Small room workshop")
    login(world.member)
    answer(client, event, "going")
    login(world.contact)
    client.post(f"/calendar/e/{event.id}/cancel", data={"reason": "Ill.", "scope": "all"})
    [told] = notifications(world.member, "calendar.changed")
    assert told.subject == f"Cancelled: “Small room workshop” on {format_when(event.starts_at)}"


def test_cancelling_without_a_reason_says_what_is_needed(client, world, login):
    event = make_event(world.org_a, world.contact, "Open meeting")
    login(world.contact)
    refused = client.post(f"/calendar/e/{event.id}/cancel", data={"reason": " ", "scope": "all"})
    assert refused.status_code == 422
    assert "Say why, so the people who were coming know." in body(refused)
    assert "This is needed." not in body(refused)
    db.session.rollback()
    assert db.session.get(Event, event.id).cancelled_at is None


def test_a_series_links_to_its_continuation_only_for_those_who_may_see_it(client, world,
                                                                          login):
    """A public series continued (from some date on) as a members' series: a visitor on the
    first's page is not shown the second's title or address; a member is."""
    first = weekly(world, count=3, audience=Audience.PUBLIC)
    rest = make_event(world.org_a, world.contact, "Tenants' forum, members only",
                      starts_at=local(in_days(40)), repeats=("weekly", None, 3),
                      continues_id=first.id)
    page = body(client.get(f"/calendar/e/{first.id}-tenants-forum"))
    assert "It continues from" not in page and f"/calendar/e/{rest.id}-" not in page
    login(world.member)
    page = body(client.get(f"/calendar/e/{first.id}-tenants-forum"))
    assert "It continues from" in page and f"/calendar/e/{rest.id}-" in page


def test_the_pages_flags_are_decided_in_the_policy(world):
    """What the event page and the views offer is read off their access objects."""
    from network.calendar.policies import calendar_access, event_access
    from network.core.permissions import Visitor

    event = weekly(world, count=2, audience=Audience.PUBLIC)
    visitor, member, organiser = Visitor(), world.other_member, world.contact  # of org_b
    assert event_access(visitor, event).log_in_to_answer
    assert not event_access(member, event).log_in_to_answer
    assert event_access(organiser, event).change and not event_access(member, event).change
    event.cancelled_at = now()
    assert not event_access(organiser, event).change
    assert event_access(organiser, event).organise  # the cancelled event's papers, answers
    assert calendar_access(member).own_feed and calendar_access(member).only_mine
    assert not calendar_access(visitor).own_feed and not calendar_access(visitor).only_mine
    assert not calendar_access(visitor).add
    db.session.rollback()
