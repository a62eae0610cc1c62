"""Database queries per page: at most 10, and the same for 10 rows as for many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from network.calendar import services as calendar
from network.calendar.models import Answer
from network.core.audience import Audience
from network.core.audit import AuditEntry
from network.extensions import db
from network.forum.models import Flag, Post, PostState
from network.forum.services import refresh_thread
from network.notify.models import Delivery, Notification
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    first_post,
    make_booking,
    make_event,
    make_listing,
    make_thread,
    start_conversation,
)

BUDGET = 10


def grow_organisations(world, n):
    for _ in range(n):
        OrganisationFactory(area=world.north, themes=[world.housing, world.youth])


def grow_people(world, n):
    for _ in range(n):
        MembershipFactory(organisation=world.org_b)


def grow_members_of_a(world, n):
    for _ in range(n):
        MembershipFactory(organisation=world.org_a)


def grow_audit(world, n):
    db.session.add_all(AuditEntry(action="test.thing", target_type="site", summary=f"Thing {i}",
                                  actor_id=world.coordinator.id, at=datetime.now(UTC))
                       for i in range(n))
    db.session.commit()


def grow_applications(world, n):
    for _ in range(n):
        ApplicationFactory()


def grow_posts(world, n):
    people = [world.member, world.other_member, world.contact]
    db.session.add_all(Post(thread=world.thread, author=people[i % 3], body=f"Post {i} " * 20)
                       for i in range(n))
    db.session.flush()
    refresh_thread(world.thread)
    db.session.commit()


def grow_threads(world, n):
    for i in range(n):
        make_thread(world.category, [world.member, world.contact][i % 2], f"Thread {i}",
                    ["Opening post", "A reply"], authors=[world.member, world.other_member])


def grow_notifications(world, n):
    db.session.add_all(Notification(person_id=world.member.id, kind="forum.reply",
                                    subject=f"Reply {i}", url="/forum",
                                    delivery=Delivery.DAILY) for i in range(n))
    db.session.commit()


def grow_flags(world, n):
    for i in range(n):
        thread = make_thread(world.category, world.member, f"Flagged {i}", ["Rude?"])
        db.session.add(Flag(post_id=first_post(thread).id, person_id=world.contact.id,
                            reason="Rude"))
        held = make_thread(world.category, world.other_member, f"Held {i}", ["New here"],
                           state=PostState.HELD)
        assert held.held
    db.session.commit()


def grow_events(world, n, **values):
    """Events through the month ahead, some recurring, from both organisations."""
    today = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    for i in range(n):
        org, author = ((world.org_a, world.contact) if i % 2 else
                       (world.org_b, world.other_member))
        make_event(org, author, f"Event {i}", starts_at=today + timedelta(days=i % 27, hours=1),
                   repeats=("weekly", None, 4) if i % 5 == 0 else None,
                   themes=[world.housing], **values)


def grow_public_events(world, n):
    grow_events(world, n, audience=Audience.PUBLIC)


def grow_answers(world, n):
    found = calendar.occurrences_of([world.event], world.event.starts_at,
                                    world.event.ends_at)[0]
    for _ in range(n):
        calendar.answer(world.event, found.original_start, PersonFactory(), Answer.GOING)
    db.session.commit()


def grow_listings(world, n):
    from network.board.models import Category, ListingKind

    for i in range(n):
        org, author = ((world.org_a, world.contact) if i % 2 else
                       (world.org_b, world.other_member))
        make_listing(org, author, f"Listing {i}", kind=list(ListingKind)[i % 2],
                     category=list(Category)[i % 10], area_id=world.north.id)


def grow_offers(world, n):
    """Rooms offered by as many organisations, each in an area of its own: what a request
    being written matches."""
    from network.board.models import Category, ListingKind
    from tests.factories import AreaFactory

    for _ in range(n):
        make_listing(OrganisationFactory(), PersonFactory(), "Listing hall",
                     kind=ListingKind.OFFER, category=Category.ROOMS,
                     area_id=AreaFactory().id)


def grow_conversations(world, n):
    for i in range(n):
        org = OrganisationFactory()
        start_conversation(world.listing, org, PersonFactory(), f"Message {i}")


def grow_messages(world, n):
    from network.board.models import Message

    db.session.add_all(Message(conversation_id=world.conversation.id,
                               author_id=[world.contact, world.other_member][i % 2].id,
                               body=f"Message {i} " * 20) for i in range(n))
    db.session.commit()


def grow_bookings(world, n):
    """Requests waiting and times booked, in the four weeks the calendar shows."""
    from network.board.models import BookingStatus

    for i in range(n):
        org = OrganisationFactory()
        make_booking(world.listing, org, PersonFactory(), 2 + i % 25,
                     BookingStatus.APPROVED if i % 2 else BookingStatus.REQUESTED)


def grow_seats(world, n):
    """Seats on the world's body, each speaking for an area, a theme and an organisation,
    each with a past and a present holder and a deputy."""
    from datetime import date

    from network.representation.models import Selection, Term
    from tests.factories import AreaFactory, ThemeFactory, make_seat

    for i in range(n):
        seat = make_seat(world.body, f"Seat {i}", areas=[world.north, AreaFactory()],
                         themes=[ThemeFactory()], organisations=[world.org_a])
        for start, end in ((date(2020, 1, 1), date(2021, 12, 31)),
                           (date(2022, 1, 1), date(2099, 12, 31))):
            db.session.add(Term(seat_id=seat.id, holder_id=PersonFactory().id,
                                deputy_id=PersonFactory().id, selection=Selection.ELECTED,
                                starts_on=start, ends_on=end))
    db.session.commit()


PAGES = [
    ("/", "visitor", grow_organisations),
    ("/organisations", "visitor", grow_organisations),
    ("/organisations?theme={housing}", "member", grow_organisations),
    ("/organisations/{org_a}-alpha-tenants", "member", grow_members_of_a),
    ("/organisations/{org_a}/people", "contact", grow_members_of_a),
    ("/dashboard", "coordinator", grow_applications),
    ("/coordinate/applications", "coordinator", grow_applications),
    ("/coordinate/people", "coordinator", grow_people),
    ("/coordinate/audit", "coordinator", grow_audit),
    ("/forum", "member", grow_threads),
    ("/forum/c/{category}-general", "member", grow_threads),
    ("/forum/t/{thread}-hall-for-hire", "member", grow_posts),
    ("/forum/t/{thread}-hall-for-hire?page=2", "coordinator", grow_posts),
    ("/forum/moderation", "coordinator", grow_flags),
    ("/notifications", "member", grow_notifications),
    ("/", "visitor", grow_public_events),
    ("/calendar/public.ics", "visitor", grow_public_events),
    ("/calendar/e/{event}.ics", "member", grow_answers),
    ("/calendar", "member", grow_events),
    ("/calendar?theme={housing}&mine=y", "member", grow_events),
    ("/calendar", "visitor", grow_events),
    ("/calendar/month", "member", grow_events),
    ("/calendar/week", "member", grow_events),
    ("/calendar/e/{event}-tenants-open-meeting", "contact", grow_answers),
    ("/organisations/{org_a}-alpha-tenants", "member", grow_events),
    ("/organisations/{org_a}-alpha-tenants", "member", grow_listings),
    ("/board", "member", grow_listings),
    ("/board?kind=offer&category=rooms&sort=expiring", "member", grow_listings),
    ("/board/l/{listing}-meeting-room-to-share", "contact", grow_conversations),
    ("/board/l/{listing}-meeting-room-to-share", "other_member", grow_conversations),
    ("/board/c/{conversation}", "contact", grow_messages),
    ("/board/new?kind=request&category=rooms&title=Listing+wanted", "member", grow_offers),
    ("/board/l/{listing}/bookings", "contact", grow_bookings),
    ("/board/l/{listing}/bookings", "other_member", grow_bookings),
    ("/board/l/{listing}-meeting-room-to-share", "contact", grow_bookings),
    ("/board/b/{booking}", "contact", grow_bookings),
    ("/board/bookings", "contact", grow_bookings),
    ("/representatives", "member", grow_seats),
    ("/bodies/{body}-strategic-partnership", "member", grow_seats),
    ("/bodies", "visitor", grow_seats),
]


@pytest.mark.parametrize(("path", "role", "grow"), PAGES)
def test_queries_stay_few_and_constant_as_rows_grow(client, world, login, queries, path, role,
                                                    grow):
    if role != "visitor":
        login(getattr(world, role))
    path = path.format(org_a=world.org_a.id, housing=world.housing.id,
                       category=world.category.id, thread=world.thread.id,
                       event=world.event.id, listing=world.listing.id,
                       conversation=world.conversation.id, booking=world.booking.id,
                       body=world.body.id)
    grow(world, 10 if "page=2" not in path else 30)
    with queries() as few_rows:
        assert client.get(path).status_code == 200
    grow(world, 40)
    with queries() as many_rows:
        assert client.get(path).status_code == 200
    assert len(few_rows) <= BUDGET, few_rows
    assert len(many_rows) == len(few_rows), "\n".join(many_rows)
    print(f"\n  {path} as {role}: {len(few_rows)} queries")


def test_the_query_counter_counts(client, world, queries):
    with queries() as statements:
        client.get("/organisations")
    assert any("FROM organisation" in s for s in statements)
    assert not any(s.startswith(("BEGIN", "COMMIT", "PRAGMA")) for s in statements)
