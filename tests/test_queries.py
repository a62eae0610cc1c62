"""Database queries per page: at most 10, and the same for 10 rows as for many."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.calendar import attendance, feeds, reads
from network.calendar.models import Answer
from network.core.audience import Audience
from network.core.audit import AuditEntry
from network.core.time import now
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
                                  actor_id=world.coordinator.id, at=now())
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
    today = now().replace(hour=17, minute=0, second=0, microsecond=0)
    for i in range(n):
        org, author = ((world.org_a, world.contact) if i % 2 else
                       (world.org_b, world.other_member))
        make_event(org, author, f"Event {i}", starts_at=today + timedelta(days=i % 27, hours=1),
                   repeats=("weekly", None, 4) if i % 5 == 0 else None,
                   themes=[world.housing], **values)


def grow_public_events(world, n):
    grow_events(world, n, audience=Audience.PUBLIC)


def grow_answers(world, n):
    found = reads.occurrences_of([world.event], world.event.starts_at,
                                    world.event.ends_at)[0]
    for _ in range(n):
        attendance.answer(world.event, found.original_start, PersonFactory(), Answer.GOING)
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


def grow_report(world, n):
    """Responses (a third of them replies) with their authors, reads, actions with updates,
    questions and raised items answered on the world's report."""
    from network.representation import reporting as representation
    from network.representation.models import (
        ActionStatus,
        ItemStatus,
        Question,
        RaisedItem,
        ReportRead,
        Response,
    )

    report = world.report
    for i in range(n):
        author = PersonFactory()
        response = Response(report_id=report.id, author_id=author.id, body=f"Response {i}")
        db.session.add(response)
        db.session.flush()
        if i % 3 == 0:
            db.session.add(Response(report_id=report.id, author_id=world.member.id,
                                    reply_to_id=response.id, body="Thank you."))
        db.session.add(ReportRead(report_id=report.id, person_id=author.id))
        if i % 3 == 1:
            action = representation.add_action(report, f"Action {i}", "Council",
                                               now().date(), world.member)
            representation.update_action(action, ActionStatus.IN_PROGRESS, "Started.",
                                         world.member)
            db.session.add(Question(report_id=report.id, text=f"Question {i}",
                                    respond_by=now().date()))
            db.session.add(RaisedItem(seat_id=world.seat.id, author_id=author.id,
                                      title=f"Item {i}", status=ItemStatus.ANSWERED,
                                      reply="Answered.", report_id=report.id))
    db.session.commit()


def grow_items(world, n):
    """Items raised for the world's seat, each backed by two people, half of them answered."""
    from network.representation.models import ItemStatus, ItemSupport, RaisedItem

    for i in range(n):
        item = RaisedItem(seat_id=world.seat.id, author_id=PersonFactory().id,
                          organisation_id=world.org_a.id, title=f"Item {i}",
                          status=ItemStatus.ANSWERED if i % 2 else ItemStatus.OPEN,
                          reply="Answered." if i % 2 else "",
                          replied_at=now() if i % 2 else None)
        db.session.add(item)
        db.session.flush()
        db.session.add_all([ItemSupport(item_id=item.id, person_id=PersonFactory().id)
                            for _ in range(2)])
    db.session.commit()


def grow_meetings(world, n):
    """Meetings of the world's body over the seat's term, each reported by its seat."""
    from network.representation.models import Report, ReportState

    for i in range(n):
        event = make_event(world.org_a, world.member, f"Board {i}", body_id=world.body.id,
                           starts_at=now() - timedelta(days=1 + i % 95, hours=i))
        db.session.add(Report(seat_id=world.seat.id, event_id=event.id,
                              occurrence_start=event.starts_at, meeting_at=event.starts_at,
                              author_id=world.member.id, summary="What happened.",
                              state=ReportState.PUBLISHED,
                              published_at=event.starts_at + timedelta(days=i % 20)))
    db.session.commit()


def grow_duties(world, n):
    """What waits for the world's seat holder: seats of their own on the world's body,
    meetings held this term (some reported), items raised and not yet marked, and actions
    past their day (on the world's seat and the new ones)."""
    from network.representation.models import (
        Action,
        RaisedItem,
        Report,
        ReportState,
        Selection,
        Term,
    )
    from tests.factories import make_seat

    for i in range(n):
        seat = make_seat(world.body, f"Held seat {i}")
        db.session.add(Term(seat_id=seat.id, holder_id=world.member.id,
                            selection=Selection.ELECTED, starts_on=now().date() - timedelta(
                                days=200), ends_on=now().date() + timedelta(days=200)))
        event = make_event(world.org_a, world.member, f"Board {i}", body_id=world.body.id,
                           starts_at=now() - timedelta(days=1 + i % 90, hours=i))
        if i % 2:
            db.session.add(Report(seat_id=world.seat.id, event_id=event.id,
                                  occurrence_start=event.starts_at, meeting_at=event.starts_at,
                                  author_id=world.member.id, summary="What happened.",
                                  state=ReportState.PUBLISHED,
                                  published_at=event.starts_at + timedelta(days=3)))
        db.session.add(RaisedItem(seat_id=world.seat.id, author_id=world.contact.id,
                                  title=f"Item {i}"))
        for seat_id in (world.seat.id, seat.id):
            db.session.add(Action(seat_id=seat_id, report_id=world.report.id, what=f"Action {i}",
                                  owner="Council", due_on=now().date() - timedelta(days=1 + i)))
    db.session.commit()


PAGES = [
    ("/", "visitor", grow_organisations),
    ("/organisations", "visitor", grow_organisations),
    ("/organisations?theme={housing}", "member", grow_organisations),
    ("/organisations/{org_a}-alpha-tenants", "member", grow_members_of_a),
    ("/organisations/{org_a}/people", "contact", grow_members_of_a),
    ("/dashboard", "coordinator", grow_applications),
    ("/dashboard", "member", grow_duties),
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
    ("/reports/{report}", "member", grow_report),
    ("/reports/{report}", "contact", grow_report),
    ("/seats/{seat}", "member", grow_items),
    ("/seats/{seat}", "contact", grow_items),
    ("/actions/{action}", "member", grow_report),
    ("/bodies/{body}/accountability", "member", grow_seats),
    ("/bodies/{body}/accountability", "coordinator", grow_meetings),
    ("/seats/{seat}/accountability", "member", grow_meetings),
    ("/seats/{seat}/accountability", "contact", grow_items),
    ("/organisations/{org_a}/shared?start=2026-01-13&end=2027-01-13", "contact", grow_meetings),
    ("/shared", "coordinator", grow_answers),
    ("/shared", "coordinator", grow_bookings),
    ("/search?q=post", "member", grow_posts),
    ("/search?q=thread OR post&page=2", "member", grow_threads),
    ("/search?q=event", "visitor", grow_public_events),
    ("/search?q=listing&kind=listing&area={north}", "other_member", grow_listings),
    ("/search?q=item", "contact", grow_items),
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
                       body=world.body.id, report=world.report.id, seat=world.seat.id,
                       action=world.report_action.id, bulletin=world.bulletin_issue.number,
                       north=world.north.id)
    grow(world, 10 if "page=2" not in path else 30)
    feeds.built.clear()  # each feed made afresh, not one kept from an earlier request
    with queries() as few_rows:
        assert client.get(path).status_code == 200
    grow(world, 40)
    feeds.built.clear()
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


def grow_whats_new(world, n):
    """Everything the member's home page shows, n more of each: watched threads with unread
    posts, fitting listings, reports for their seat's area, booking requests to answer,
    items to mark, overdue reports reminded, waiting lists, questions, this week's events."""
    from network.board.models import Category, ListingKind
    from network.forum.models import ThreadWatch
    from network.home.models import Visit
    from network.representation.models import (
        Question,
        RaisedItem,
        ReportReminder,
    )
    from tests.factories import make_report

    if db.session.get(Visit, world.member.id) is None:  # a visit under way, nothing to note
        db.session.add(Visit(person_id=world.member.id, started_at=now(), seen_at=now(),
                             since=now() - timedelta(days=30)))
    for i in range(n):
        thread = make_thread(world.category, world.other_member, f"Busy {i}", ["One.", "Two."])
        db.session.add(ThreadWatch(person_id=world.member.id, thread_id=thread.id))
        make_listing(world.org_b, world.other_member, f"Room wanted {i}",
                     kind=ListingKind.REQUEST, category=Category.ROOMS)
        report = make_report(world.seat, world.contact, world.org_a, days_ago=1 + i % 20)
        db.session.add(Question(report_id=report.id, text=f"Question {i}",
                                respond_by=now().date() + timedelta(days=3)))
        make_booking(world.listing, world.org_b, world.other_member, 3 + i % 50)
        db.session.add(RaisedItem(seat_id=world.seat.id, author_id=world.contact.id,
                                  title=f"Item {i}"))
        overdue = make_report(world.seat, world.member, world.org_a, days_ago=20 + i,
                              published=False)
        db.session.add(ReportReminder(seat_id=world.seat.id, event_id=overdue.event_id,
                                      occurrence_start=overdue.occurrence_start, stage=1))
        event = make_event(world.org_b, world.other_member, f"Full {i}", capacity=1,
                           starts_at=now() + timedelta(days=1 + i % 6, hours=i))
        attendance.answer(event, event.starts_at, world.other_member, Answer.GOING)
        attendance.answer(event, event.starts_at, world.member, Answer.GOING)
        db.session.commit()


def grow_bulletin(world, n):
    """What an issue holds, n more of each: events this fortnight, consultations closing,
    new listings, reports published, open questions, busy threads."""
    from network.calendar.models import EventKind
    from network.representation.models import Question
    from tests.factories import make_report

    for i in range(n):
        make_event(world.org_a, world.contact, f"Fortnight {i}",
                   starts_at=now() + timedelta(days=1 + i % 13, hours=i % 5))
        make_event(world.org_a, world.contact, f"Consultation {i}", kind=EventKind.CONSULTATION,
                   audience=Audience.PUBLIC, starts_at=now() + timedelta(days=1),
                   closes_at=now() + timedelta(days=2 + i % 10))
        make_listing(world.org_b, world.other_member, f"Offer {i}")
        report = make_report(world.seat, world.member, world.org_a, days_ago=1 + i % 5)
        db.session.add(Question(report_id=report.id, text=f"Question {i}",
                                respond_by=now().date() + timedelta(days=3)))
        make_thread(world.category, world.other_member, f"Busy {i}", ["One.", "Two."])
    db.session.commit()


PAGES += [
    ("/", "member", grow_whats_new),
    ("/bulletin", "member", grow_bulletin),
    ("/bulletin", "visitor", grow_bulletin),
    ("/bulletin/{bulletin}", "contact", grow_bulletin),
]
