"""The home page of what is new for me: since my last visit, what waits for me, this week."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from network.board.models import Category, ListingKind
from network.calendar import attendance
from network.calendar.models import Answer
from network.core.time import now, today
from network.extensions import db
from network.forum.models import Post, ThreadRead, ThreadWatch
from network.forum.services import refresh_thread
from network.home.models import Visit
from network.representation import reporting
from network.representation.models import ReportReminder
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    make_event,
    make_listing,
    make_report,
    make_thread,
)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def section(page: str, heading: str) -> str:
    """The text under one h2 of the page, to the next."""
    return page.split(heading, 1)[1].split(" h2 ", 1)[0] if heading in page else ""


def links(response) -> list[str]:
    return re.findall(r'href="([^"]+)"', response.get_data(as_text=True))


def test_visitors_keep_the_public_home(client, world):
    page = text(client.get("/"))
    assert "Apply to join" in page and "What is new for you" not in page


def test_a_member_sees_what_is_new_what_waits_and_this_week(client, world, login, clock):
    member = world.member
    # A reply the member has not read in a thread they watch (they started it).
    unread = world.post
    # A request from another organisation that answers the member's organisation's offer.
    fitting = make_listing(world.org_b, world.other_member, "Room wanted for a youth club",
                           kind=ListingKind.REQUEST, category=Category.ROOMS)
    elsewhere = make_listing(world.org_b, world.other_member, "Laptops wanted",
                             kind=ListingKind.REQUEST, category=Category.ICT,
                             area_id=world.south.id)
    # A report from the seat for the member's area, by someone else, not yet read.
    seat_report = make_report(world.seat, world.contact, world.org_a, days_ago=3)
    question = reporting.add_question(seat_report, "Who can come to the next meeting?",
                                      today() + timedelta(days=5))
    # A place waited for at an event of one place.
    full = make_event(world.org_b, world.other_member, "Small workshop", capacity=1,
                      starts_at=now() + timedelta(days=3))
    attendance.answer(full, full.starts_at, world.other_member, Answer.GOING)
    attendance.answer(full, full.starts_at, member, Answer.GOING)
    # A report overdue, reminded.
    overdue = make_report(world.seat, member, world.org_a, days_ago=30, published=False)
    db.session.add(ReportReminder(seat_id=world.seat.id, event_id=overdue.event_id,
                                  occurrence_start=overdue.occurrence_start, stage=1))
    db.session.commit()
    login(member)
    response = client.get("/")
    page = text(response)
    new = section(page, "In the last month")
    assert "Threads you watch with unread posts" in new and world.thread.title in new
    assert "Room wanted for a youth club" in new and "Laptops wanted" not in new
    assert "New reports from your representatives" in new
    waiting = section(page, "Waiting for you")
    assert world.listing.title in waiting  # the request to book the member's room
    assert world.item.title in waiting  # raised for the seat the member holds
    assert "Reports back that are overdue" in waiting
    assert "Small workshop" in waiting  # on its waiting list
    assert "Who can come to the next meeting?" in waiting
    found = links(response)
    for path in (f"/forum/t/{world.thread.id}/unread", f"/board/l/{fitting.id}-",
                 f"/reports/{seat_report.id}", f"/board/b/{world.booking.id}",
                 f"/seats/{world.seat.id}#i{world.item.id}", f"/seats/{world.seat.id}/reports/new",
                 f"/calendar/e/{full.id}-small-workshop",
                 f"/reports/{seat_report.id}#q{question.id}"):
        assert any(link.startswith(path) for link in found), path
    assert all(f"/board/l/{elsewhere.id}" not in link for link in found)
    # The item's line lands on the item itself, not the top of the seat's items.
    seat_page = client.get(f"/seats/{world.seat.id}").get_data(as_text=True)
    assert f'id="i{world.item.id}"' in seat_page
    assert unread.thread_id == world.thread.id


def test_reading_things_takes_them_off_the_page(client, world, login):
    login(world.member)
    assert world.thread.title in section(text(client.get("/")), "In the last month")
    client.get(f"/forum/t/{world.thread.id}-{world.thread.slug}")  # read to the end
    assert world.thread.title not in section(text(client.get("/")), "In the last month")


def test_this_weeks_events_are_those_the_member_may_see(client, world, login):
    make_event(world.org_a, world.contact, "Members' supper", starts_at=now() + timedelta(days=2))
    make_event(world.org_a, world.contact, "Next month's supper",
               starts_at=now() + timedelta(days=20))
    login(world.member)
    week = section(text(client.get("/")), "This week")
    assert "Members&#39; supper" in week or "Members' supper" in week
    assert "Next month" not in week


def test_since_my_last_visit_moves_after_an_hour_away(client, world, login, clock):
    login(world.member)
    client.get("/")
    visit = db.session.get(Visit, world.member.id)
    first = visit.seen_at
    assert visit.since is None
    clock.advance(minutes=30)
    make_listing(world.org_b, world.other_member, "Chairs wanted", kind=ListingKind.REQUEST)
    # Within the visit, "new" still starts where it did: the chairs are new.
    assert "Chairs wanted" in text(client.get("/"))
    clock.advance(minutes=40)  # within an hour of the last look
    db.session.expire_all()
    assert db.session.get(Visit, world.member.id).since is None
    assert "Chairs wanted" in text(client.get("/"))
    clock.advance(hours=2)  # away for two hours: a new visit, since the last look
    page = text(client.get("/"))
    db.session.expire_all()
    visit = db.session.get(Visit, world.member.id)
    assert abs(visit.since - (first + timedelta(minutes=70))) < timedelta(seconds=5)
    assert "Since your last visit" in page and "Chairs wanted" not in page
    make_listing(world.org_b, world.other_member, "Tables wanted", kind=ListingKind.REQUEST)
    assert "Tables wanted" in text(client.get("/"))


def test_each_kind_shows_five_and_says_how_many_more(client, world, login):
    from network.representation.models import RaisedItem

    for i in range(12):
        db.session.add(RaisedItem(seat_id=world.seat.id, author_id=world.contact.id,
                                  title=f"Extra item {i:02d}"))
    db.session.commit()
    login(world.member)
    page = text(client.get("/"))
    waiting = section(page, "Waiting for you")
    assert waiting.count("Extra item") == 4  # the world's own item is the oldest: 5 shown
    assert "8 more" in waiting


def test_what_the_member_may_not_see_stays_off(client, world, login):
    from network.core.audience import Audience
    from tests.factories import CategoryFactory

    secret = CategoryFactory(name="Coordinators only", audience=Audience.COORDINATORS)
    thread = make_thread(secret, world.coordinator, "Secret plans", ["One.", "Two."],
                         authors=[world.coordinator, world.coordinator])
    db.session.add(ThreadWatch(person_id=world.member.id, thread_id=thread.id))
    hidden = make_listing(world.org_b, world.other_member, "Hidden room wanted",
                          kind=ListingKind.REQUEST)
    hidden.hidden_at = now()
    db.session.commit()
    login(world.member)
    page = text(client.get("/"))
    assert "Secret plans" not in page and "Hidden room wanted" not in page


def test_someone_in_no_organisation_is_told_there_is_nothing(client, world, login):
    loner = PersonFactory(email="loner@example.org", display_name="Lou Loner")
    login(loner)
    page = text(client.get("/"))
    assert "Nothing new for you since then." in page
    assert "Nothing is waiting for you." in page


def test_a_reply_in_a_watched_thread_shows_until_read(client, world, login, clock):
    newcomer = PersonFactory(email="new@example.org", display_name="Nell New")
    MembershipFactory(person=newcomer, organisation=world.org_b)
    thread = make_thread(world.category, newcomer, "Fresh thread", ["Hello."])
    db.session.add(ThreadRead(person_id=newcomer.id, thread_id=thread.id,
                              last_read_post_id=thread.last_post_id))  # as starting it does
    db.session.commit()
    login(newcomer)
    assert "Fresh thread" not in text(client.get("/"))  # their own post: read
    clock.advance(minutes=10)
    db.session.add(Post(thread_id=thread.id, author_id=world.other_member.id, body="Hi!"))
    db.session.flush()
    refresh_thread(db.session.get(type(thread), thread.id))
    db.session.commit()
    assert "Fresh thread" in text(client.get("/"))
    assert db.session.scalar(select(Visit.person_id).where(
        Visit.person_id == newcomer.id)) == newcomer.id
