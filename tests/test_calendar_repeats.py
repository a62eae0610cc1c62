"""A calendar change sent again changes nothing and tells no one: cancelling what is cancelled
(an event, one occurrence, this and the following), the same answer again, following an
organisation already followed, a place that came free. The page says it was so already.
Each is done twice and the rows that tell people counted. On both databases."""

from __future__ import annotations

import pytest

from network.calendar.models import Answer, Event, Follow, Rsvp
from network.core.audit import AuditEntry
from network.core.mail import OutboxEmail
from network.extensions import db
from network.notify.models import Notification
from tests.factories import make_event
from tests.test_calendar import all_of, body, count, edit_form, people, signed_in, weekly


def told() -> tuple[int, int, int]:
    """What a change leaves behind for people: notifications, queued mail, audit entries."""
    return count(Notification), count(OutboxEmail), count(AuditEntry)


def flashed(client, response) -> str:
    assert response.status_code == 303, body(response)[:2000]
    return body(client.get(response.headers["Location"]))


@pytest.fixture
def answered(app, world):
    """A weekly series of six with three people going to each of its first four dates."""
    event = weekly(world)
    crowd = people(world, 3)
    for person in crowd:
        c = signed_in(app, person)
        for item in all_of(event)[:4]:
            assert c.post(f"/calendar/e/{event.id}/rsvp?at={item.key}",
                          data={"answer": "going"}).status_code == 303
    return event


@pytest.mark.parametrize("scope", ["all", "this", "following"])
def test_cancelling_again_changes_nothing_and_tells_no_one(app, world, answered, scope):
    event = answered
    third = all_of(event)[2]
    organiser = signed_in(app, world.contact)
    address = f"/calendar/e/{event.id}/cancel?at={third.key}"
    form = {"reason": "The hall is flooded.", "scope": scope}
    first = organiser.post(address, data=form)
    assert "Cancelled, and the people who said they would come are told." in \
        flashed(organiser, first)
    after_first = told()
    assert after_first[0] > 0  # people were told, once
    version = db.session.get(Event, event.id).version
    for _ in range(3):
        again = organiser.post(address, data=form)
        page = flashed(organiser, again)
        assert told() == after_first
        assert {"all": "This event was already cancelled.",
                "this": "This occurrence was already cancelled.",
                "following": "The series already ends before this date"}[scope] in page
    db.session.rollback()
    assert db.session.get(Event, event.id).version == version


def test_cancelling_one_date_of_a_cancelled_event_tells_no_one(app, world, answered):
    event = answered
    organiser = signed_in(app, world.contact)
    organiser.post(f"/calendar/e/{event.id}/cancel", data={"reason": "Over.", "scope": "all"})
    before = told()
    for scope in ("this", "following", "all"):
        second = all_of(event)[1]
        again = organiser.post(f"/calendar/e/{event.id}/cancel?at={second.key}",
                               data={"reason": "Over.", "scope": scope})
        assert "This event was already cancelled." in flashed(organiser, again)
    assert told() == before


def test_after_this_and_the_following_are_cancelled_the_page_is_the_series(app, world,
                                                                          answered):
    event = answered
    third = all_of(event)[2]
    organiser = signed_in(app, world.contact)
    done = organiser.post(f"/calendar/e/{event.id}/cancel?at={third.key}",
                          data={"reason": "A break.", "scope": "following"})
    assert done.status_code == 303
    assert organiser.get(done.headers["Location"]).status_code == 200


def test_the_same_answer_again_changes_nothing_and_says_so(app, world):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=1)
    first, second = people(world, 2)
    for person, waiting in ((first, False), (second, True)):
        c = signed_in(app, person)
        assert "Your answer is saved." in flashed(c, c.post(
            f"/calendar/e/{event.id}/rsvp", data={"answer": "going"})) or waiting
        before, rows = told(), count(Rsvp)
        answered_at = db.session.scalar(db.select(Rsvp.answered_at).where(
            Rsvp.person_id == person.id))
        again = c.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "going"})
        assert "That was already your answer." in flashed(c, again)
        assert (told(), count(Rsvp)) == (before, rows)
        row = db.session.scalar(db.select(Rsvp).where(Rsvp.person_id == person.id))
        assert (row.answered_at, row.waiting) == (answered_at, waiting)
        htmx = c.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "going"},
                      headers={"HX-Request": "true", "HX-Target": "rsvp"})
        assert htmx.status_code == 200 and "That was already your answer." in body(htmx)


def test_a_place_that_came_free_is_given_and_told_once(app, world):
    event = make_event(world.org_a, world.contact, "Workshop", capacity=1)
    holder, waiter = people(world, 2)
    holding, waiting = signed_in(app, holder), signed_in(app, waiter)
    holding.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "going"})
    waiting.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "going"})
    for _ in range(2):  # the place given up, and given up again
        holding.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "not_going"})
    organiser = signed_in(app, world.contact)
    found = all_of(event)[0]
    for _ in range(2):  # the organiser saves the event twice: no one waits any more
        saved = organiser.post(f"/calendar/e/{event.id}/edit",
                               data=edit_form(world, event, found, capacity="2"))
        assert saved.status_code == 303
    came_free = [n for n in db.session.scalars(db.select(Notification).where(
        Notification.person_id == waiter.id)) if "A place came free" in n.subject]
    assert len(came_free) == 1
    assert count(Rsvp, Rsvp.waiting.is_(True)) == 0
    assert count(Rsvp, Rsvp.person_id == waiter.id, Rsvp.answer == Answer.GOING) == 1


def test_one_date_saved_unchanged_tells_no_one(app, world, answered):
    event = answered
    second = all_of(event)[1]
    organiser = signed_in(app, world.contact)
    before = told()
    saved = organiser.post(f"/calendar/e/{event.id}/edit?at={second.key}",
                           data=edit_form(world, event, second, scope="this"))
    assert saved.status_code == 303, body(saved)[:2000]
    assert told()[:2] == before[:2]
    assert all_of(event)[1] == second


def test_following_an_organisation_again_changes_nothing_and_says_so(app, world):
    c = signed_in(app, world.member)
    address = f"/calendar/follow/{world.org_b.id}"
    assert "You will hear of" in flashed(c, c.post(address, data={"follow": "1"}))
    before = (told(), count(Follow))
    assert "You already follow" in flashed(c, c.post(address, data={"follow": "1"}))
    assert (told(), count(Follow)) == before
    assert "You will no longer hear of" in flashed(c, c.post(address, data={"follow": "0"}))
    assert "You were not following" in flashed(c, c.post(address, data={"follow": "0"}))
    assert count(Follow, Follow.person_id == world.member.id) == 0
