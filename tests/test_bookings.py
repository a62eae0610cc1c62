"""Bookable offers: their rules, asking for a time, approving, declining, cancelling, the
resource's calendar, a booking in the shared calendar, and never two approved bookings at
once, even asked for at the same moment; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import secrets
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from network.board import booking_services, services
from network.board.models import Booking, BookingStatus, Listing, ListingStatus
from network.board.policies import board_access, booking_access, listing_access
from network.calendar.models import Event
from network.core.audit import AuditEntry
from network.core.time import format_day, local, local_moment, today
from network.extensions import db
from network.notify.models import Notification
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    make_listing,
)


def body(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def next_tuesday(weeks: int = 1):
    """A Tuesday at least a week away."""
    first = today() + timedelta(days=7)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7 * (weeks - 1))


def hall(world, **rules):
    values = {"bookable": True, "book_from": time(9), "book_until": time(22), **rules}
    return make_listing(world.org_a, world.contact, "Church hall", **values)


def ask(client, listing, world, day=None, starts="18:00", ends="21:00", **changes):
    day = day or next_tuesday()
    data = {"organisation": str(world.org_b.id), "day": day if isinstance(day, str) else
            day.isoformat(),
            "starts": starts, "ends": ends, "purpose": "Beta committee",
            "note": "About 12 of us.", "submission": secrets.token_urlsafe(16), **changes}
    return client.post(f"/board/l/{listing.id}/book",
                       data={k: v for k, v in data.items() if v is not None})


def booking_of(listing, status=None) -> list[Booking]:
    db.session.rollback()
    query = select(Booking).where(Booking.listing_id == listing.id)
    if status:
        query = query.where(Booking.status == status)
    return list(db.session.scalars(query.order_by(Booking.id)))


def test_a_member_asks_for_a_time_and_the_owner_approves_it(client, world, login_as):
    listing = hall(world)
    login_as(world.other_member)
    page = body(client.get(f"/board/l/{listing.id}/bookings"))
    assert "From 09:00 until 22:00." in page and "Alpha Tenants approve each request" in page
    response = ask(client, listing, world, to_calendar="y")
    assert response.status_code == 303
    [booking] = booking_of(listing)
    assert booking.status == BookingStatus.REQUESTED
    assert local(booking.starts_at).time() == time(18) and \
        local(booking.starts_at).date() == next_tuesday()
    assert response.headers["Location"].endswith(f"/board/b/{booking.id}#status")
    told = db.session.scalars(select(Notification).where(
        Notification.person_id == world.contact.id, Notification.kind == "board.booking"))
    assert [n.url for n in told] == [f"/board/b/{booking.id}"]

    login_as(world.contact)
    page = body(client.get(f"/board/l/{listing.id}/bookings"))
    assert "Waiting for your answer" in page and "Beta committee" in page
    listing_page = body(client.get(f"/board/l/{listing.id}-church-hall"))
    assert "1 request waiting for your answer" in listing_page
    answered = client.post(f"/board/b/{booking.id}/answer", data={"answer": "approve"})
    assert answered.status_code == 303
    assert answered.headers["Location"].endswith(f"/board/l/{listing.id}/bookings")
    [booking] = booking_of(listing)
    assert booking.status == BookingStatus.APPROVED and booking.decided_by_id == world.contact.id
    event = db.session.get(Event, booking.event_id)
    assert event.organisation_id == world.org_b.id and event.title == "Beta committee"
    assert event.place == "Church hall, Alpha Tenants"
    assert (event.starts_at, event.ends_at) == (booking.starts_at, booking.ends_at)
    assert count(Notification, Notification.person_id == world.other_member.id,
                 Notification.kind == "board.booking") == 1
    assert count(AuditEntry, AuditEntry.action == "booking.approve") == 1


def test_an_overlapping_time_is_refused_once_another_is_approved(client, world, login_as):
    listing = hall(world, auto_approve=True)
    login_as(world.other_member)
    assert ask(client, listing, world).status_code == 303
    before = count(Booking)
    refused = ask(client, listing, world, starts="20:00", ends="22:00")
    assert refused.status_code == 422
    assert re.search(r'id="starts-error"[^>]*>That time is taken: it is booked [^<]*18:00 to '
                     r'21:00', body(refused))
    assert count(Booking) == before
    assert ask(client, listing, world, starts="21:00", ends="22:00").status_code == 303


@pytest.mark.parametrize(("rules", "changes", "field", "message"), [
    ({}, {"starts": "07:00"}, "starts", "It can be booked from 09:00."),
    ({}, {"ends": "23:00"}, "ends", "It can be booked until 22:00."),
    ({}, {"ends": "17:00"}, "ends", "It must end after it starts, on the same day."),
    ({}, {"day": "2020-01-07"}, "day", "Give a day from today, "),
    ({}, {"day": "1900-01-02"}, "day", "bookings are taken up to a year ahead."),
    ({}, {"day": "9999-01-05"}, "day", "bookings are taken up to a year ahead."),
    ({}, {"day": 366}, "day", "bookings are taken up to a year ahead."),
    ({}, {"day": "2026-02-30"}, "day", "Give a real date"),
    ({}, {"starts": "6pm"}, "starts", "Give a time of day, like 19:00."),
    ({}, {"purpose": ""}, "purpose", "This is needed."),
    ({"notice_days": 14}, {}, "day", "It needs 14 days’ notice"),
    ({"book_days": "56"}, {}, "day", "It can be booked on these days only: Saturday, Sunday."),
    ({"available_until": "soon"}, {}, "day", "It is offered until"),
])
def test_a_time_outside_the_rules_is_refused_beside_its_field(client, world, login_as, rules,
                                                              changes, field, message):
    if rules.get("available_until") == "soon":
        rules["available_until"] = today() + timedelta(days=3)
    if isinstance(changes.get("day"), int):  # that many days from today
        changes = {**changes, "day": today() + timedelta(days=changes["day"])}
    listing = hall(world, **rules)
    login_as(world.other_member)
    before = count(Booking)
    refused = ask(client, listing, world, **changes)
    assert refused.status_code == 422
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*{re.escape(message)}', body(refused)), \
        body(refused)[:3000]
    assert count(Booking) == before


def book_section(page: str) -> str:
    return page[page.index('<section id="book"'):]


@pytest.mark.parametrize("withdrawn", ["closed", "hidden", "matched"])
def test_a_withdrawn_resource_takes_no_bookings(client, world, login_as, withdrawn):
    """Closed, hidden, or marked matched before a bookable offer was shared by its bookings
    (it is off the board: its people open it again to lend it). Someone who filled the form
    before it was withdrawn gets the form back, saying so beside it, not a refusal."""
    listing = hall(world)
    asker, group = ((world.contact, world.org_a) if withdrawn == "hidden" else
                    (world.other_member, world.org_b))
    login_as(asker)
    assert 'id="book"' in body(client.get(f"/board/l/{listing.id}/bookings"))
    if withdrawn == "closed":
        services.settle(listing, ListingStatus.CLOSED, None, world.contact)
    elif withdrawn == "matched":
        listing.status, listing.matched_with_id = ListingStatus.MATCHED, world.org_b.id
    else:
        services.hide(listing, "Not ours to lend.", world.coordinator)
    db.session.commit()
    if withdrawn == "matched":
        page = body(client.get(f"/board/l/{listing.id}-church-hall"))
        assert "It is marked matched, so it takes no bookings" in page
    page = body(client.get(f"/board/l/{listing.id}/bookings"))
    assert "It is not taking bookings now." in page and 'id="book"' not in page
    before = traces()
    bookings = count(Booking)
    refused = ask(client, listing, world, organisation=str(group.id),
                  purpose="Our spring fair")
    assert refused.status_code == 422
    form = book_section(body(refused))
    assert re.search(r'<p class="flash error" role="alert">It is not taking bookings now.</p>'
                     r'\s*<form', form)
    assert 'value="Our spring fair"' in form  # what was typed is kept
    assert body(refused).count("It is not taking bookings now.") == 1
    assert count(Booking) == bookings and traces() == before


def test_a_listing_that_is_not_bookable_has_no_bookings_page(client, world, login_as):
    kit = make_listing(world.org_a, world.contact, "Football kit to lend")
    login_as(world.other_member)
    assert client.get(f"/board/l/{kit.id}/bookings").status_code == 404
    before = count(Booking)
    assert ask(client, kit, world).status_code == 404
    assert count(Booking) == before


def test_only_an_offer_can_be_made_bookable_and_the_rules_are_kept(client, world, login_as):
    login_as(world.other_member)
    data = {"organisation": str(world.org_b.id), "kind": "request", "category": "rooms",
            "title": "Room wanted", "description": "", "area": "", "urgency": "soon",
            "bookable": "y", "notice_days": "0", "submission": "r" * 20}
    refused = client.post("/board/new", data=data)
    assert refused.status_code == 422 and "Only an offer can be booked" in body(refused)
    data.update(kind="offer", title="Our minibus", category="transport", book_days=["0", "4"],
                book_from="10:00", book_until="09:00", submission="s" * 20)
    refused = client.post("/board/new", data=data)
    assert "The latest end must be after the earliest start." in body(refused)
    assert count(Listing, Listing.title == "Our minibus") == 0
    data.update(book_until="16:00", notice_days="2")
    assert client.post("/board/new", data=data).status_code == 303
    db.session.rollback()
    minibus = db.session.scalar(select(Listing).where(Listing.title == "Our minibus"))
    assert (minibus.bookable, minibus.book_days, minibus.book_from, minibus.book_until,
            minibus.notice_days) == (True, "04", time(10), time(16), 2)
    form = body(client.get(f"/board/l/{minibus.id}/edit"))
    assert re.search(r'<input checked[^>]*value="4"', form) or \
        re.search(r'value="4"[^>]*checked', form)
    assert 'value="16:00"' in form and '<option selected value="2">' in form
    # New hours are saved, and the change is in the log (a time in an audit entry was a 500).
    changed = client.post(f"/board/l/{minibus.id}/edit", data={
        **data, "book_until": "18:30", "version": str(minibus.version)})
    assert changed.status_code == 303, body(changed)[:2000]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "listing.edit")
                              .order_by(AuditEntry.id.desc()))
    assert entry.details["book_until"] == ["16:00:00", "18:30:00"]


def test_approving_declines_the_requests_it_overlaps_and_tells_them(client, world, login_as):
    listing = hall(world)
    third = OrganisationFactory(name="Gamma Choir")
    singer = PersonFactory(email="singer@example.org")
    MembershipFactory(person=singer, organisation=third, is_contact=True)
    db.session.commit()
    login_as(world.other_member)
    assert ask(client, listing, world).status_code == 303
    login_as(singer)
    assert ask(client, listing, world, organisation=str(third.id), starts="19:00",
               ends="22:00").status_code == 303
    first, second = booking_of(listing)
    login_as(world.contact)
    answered = client.post(f"/board/b/{second.id}/answer", data={"answer": "approve"},
                           follow_redirects=True)
    assert "1 other request for that time was declined, and told why." in body(answered)
    first, second = booking_of(listing)
    assert (first.status, second.status) == (BookingStatus.DECLINED, BookingStatus.APPROVED)
    assert first.reason == "The time went to another booking."
    assert first.decided_by_id is None and second.decided_by_id == world.contact.id
    told = db.session.scalar(select(Notification).where(
        Notification.person_id == world.other_member.id, Notification.kind == "board.booking"))
    assert told.subject.startswith("Not booked: “Church hall”")
    # The declined one cannot be approved after all: the page says why.
    before = traces()
    refused = client.post(f"/board/b/{first.id}/answer", data={"answer": "approve"})
    assert refused.status_code == 303
    assert refused.headers["Location"].endswith(f"/board/b/{first.id}")
    assert "This request was already declined." in body(client.get(refused.headers["Location"]))
    assert booking_of(listing, BookingStatus.APPROVED) == [second]
    assert traces() == before


def test_approving_a_request_that_overlaps_an_approved_booking_is_refused(client, world, login_as):
    """As when another approval won a moment before the button was pressed."""
    listing = hall(world)
    login_as(world.other_member)
    assert ask(client, listing, world).status_code == 303
    [waiting] = booking_of(listing)
    db.session.add(Booking(listing_id=listing.id, organisation_id=world.org_a.id,
                           requested_by_id=world.contact.id, purpose="Our own meeting",
                           starts_at=waiting.starts_at + timedelta(hours=2),
                           ends_at=waiting.ends_at + timedelta(hours=1),
                           status=BookingStatus.APPROVED))
    db.session.commit()
    login_as(world.contact)
    refused = client.post(f"/board/b/{waiting.id}/answer", data={"answer": "approve"})
    assert refused.status_code == 422
    assert "It overlaps a booking already approved" in body(refused)
    assert booking_of(listing)[0].status == BookingStatus.REQUESTED
    assert count(AuditEntry, AuditEntry.action == "booking.approve") == 0
    assert client.post(f"/board/b/{waiting.id}/answer",
                       data={"answer": "decline", "reason": "We need it that night."}
                       ).status_code == 303
    declined = booking_of(listing)[0]
    assert (declined.status, declined.reason) == (BookingStatus.DECLINED,
                                                  "We need it that night.")


def test_a_cancelled_booking_frees_its_time_and_cancels_its_event(client, world, login_as):
    listing = hall(world, auto_approve=True)
    login_as(world.other_member)
    assert ask(client, listing, world, to_calendar="y").status_code == 303
    [booking] = booking_of(listing)
    assert booking.status == BookingStatus.APPROVED and booking.event_id
    assert client.post(f"/board/b/{booking.id}/cancel",
                       data={"why": "Committee moved online."}).status_code == 303
    [booking] = booking_of(listing)
    assert booking.status == BookingStatus.CANCELLED
    assert db.session.get(Event, booking.event_id).cancelled_at is not None
    assert count(Notification, Notification.person_id == world.contact.id,
                 Notification.subject.like("Cancelled: the booking of “Church hall”%")) == 1
    assert ask(client, listing, world).status_code == 303
    assert len(booking_of(listing, BookingStatus.APPROVED)) == 1


def test_who_booked_is_for_the_two_organisations_and_the_coordinators(client, world, login_as):
    listing = hall(world, auto_approve=True)
    third = OrganisationFactory(name="Gamma Choir")
    singer = PersonFactory(email="singer@example.org")
    MembershipFactory(person=singer, organisation=third)
    db.session.commit()
    login_as(world.other_member)
    assert ask(client, listing, world).status_code == 303
    [booking] = booking_of(listing)
    for person, sees in ((singer, False), (world.associate, False), (world.member, True),
                         (world.coordinator, True), (world.other_member, True)):
        login_as(person)
        page = body(client.get(f"/board/l/{listing.id}/bookings"))
        assert "18:00–21:00" in page
        assert ("Beta committee" in page) is sees
        assert client.get(f"/board/b/{booking.id}").status_code == (200 if sees else 404)


def test_the_calendar_moves_by_four_weeks_and_htmx_gets_the_weeks_alone(client, world, login_as):
    listing = hall(world, auto_approve=True)
    login_as(world.other_member)
    later = next_tuesday(6)
    assert ask(client, listing, world, day=later).status_code == 303
    page = body(client.get(f"/board/l/{listing.id}/bookings"))
    assert "Nothing booked in these weeks" in page
    start = (today() + timedelta(weeks=4)).isoformat()
    assert f'start={start}' in page
    block = body(client.get(f"/board/l/{listing.id}/bookings?start={start}",
                            headers={"HX-Request": "true", "HX-Target": "slots"}))
    assert "18:00–21:00" in block and "<html" not in block and "Ask for a time" not in block


def test_many_asking_for_the_same_time_at_once_end_in_one_booking(app, world):
    """A listing that approves free times on its own: twelve organisations press "Book it"
    at the same moment, each in its own request and database session."""
    listing = hall(world, auto_approve=True)
    clients = []
    for number in range(12):
        group = OrganisationFactory(name=f"Group {number}")
        person = PersonFactory(email=f"racer{number}@example.org")
        MembershipFactory(person=person, organisation=group)
        db.session.commit()
        c = app.test_client()
        assert c.post("/login", data={"email": person.email,
                                      "password": PASSWORD}).status_code == 303
        clients.append((c, group.id))
    listing_id, day = listing.id, next_tuesday().isoformat()
    db.session.rollback()
    barrier = threading.Barrier(len(clients))
    statuses = []

    def race(c, group_id):
        barrier.wait()
        statuses.append(c.post(f"/board/l/{listing_id}/book", data={
            "organisation": str(group_id), "day": day, "starts": "18:00", "ends": "21:00",
            "purpose": "Our meeting", "submission": f"race-{group_id:016d}"}).status_code)

    threads = [threading.Thread(target=race, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303] + [422] * (len(clients) - 1)
    assert count(Booking, Booking.listing_id == listing_id,
                 Booking.status == BookingStatus.APPROVED) == 1
    assert count(Booking, Booking.listing_id == listing_id) == 1


def test_approving_overlapping_requests_at_once_approves_one(app, world):
    """Requests wait for an answer; two of its people approve different ones at the same
    moment, several times over."""
    listing = hall(world)
    day = next_tuesday()
    asked = []
    for number in range(8):
        asked.append(booking_services.request_booking(listing, world.org_b.id, world.other_member, {
            "starts_at": local_moment(day, time(17 + number % 3)),
            "ends_at": local_moment(day, time(20 + number % 2)), "purpose": f"Meeting {number}",
            "note": "", "to_calendar": True}))
    db.session.commit()
    ids = [booking.id for booking in asked]
    approvers = []
    for person in (world.contact, world.member) * 4:
        c = app.test_client()
        assert c.post("/login", data={"email": person.email,
                                      "password": PASSWORD}).status_code == 303
        approvers.append(c)
    db.session.rollback()
    barrier = threading.Barrier(len(ids))
    statuses = []

    def race(c, booking_id):
        barrier.wait()
        statuses.append(c.post(f"/board/b/{booking_id}/answer",
                               data={"answer": "approve"}).status_code)

    threads = [threading.Thread(target=race, args=pair)
               for pair in zip(approvers, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The others find their request declined by the approval that won (303, and told so),
    # or refused as it overlaps it (422).
    assert all(s in (303, 422) for s in statuses), statuses
    approved = booking_of(listing, BookingStatus.APPROVED)
    assert len(approved) == 1
    assert count(Event, Event.title.like("Meeting %")) == 1
    assert len(booking_of(listing, BookingStatus.DECLINED)) == len(ids) - 1


def test_the_calendar_shows_a_time_taken_to_whoever_sees_the_listing_and_a_request_to_its_sides(
        app, world):
    """booking_access's in_calendar decides what the resource's calendar lists."""
    listing = hall(world)
    day = next_tuesday()
    asked = booking_services.request_booking(listing, world.org_b.id, world.other_member, {
        "starts_at": local_moment(day, time(18)), "ends_at": local_moment(day, time(21)),
        "purpose": "Beta committee", "note": "", "to_calendar": False})
    db.session.commit()
    for person, shown in ((world.associate, False), (world.other_member, True),
                          (world.member, True), (world.coordinator, True)):
        assert booking_access(person, asked).in_calendar is shown, person.email
    booking_services.approve(asked, world.contact)
    db.session.commit()
    for person in (world.associate, world.other_member, world.member, world.coordinator):
        assert booking_access(person, asked).in_calendar is True, person.email
    assert booking_access(world.associate, asked).view is False


def test_someone_in_no_organisation_is_told_bookings_are_made_for_organisations(
        client, world, login_as):
    listing = hall(world)
    told = "Bookings are made for member organisations"
    for person, tells in ((world.associate, True), (world.coordinator, False),
                          (world.other_member, False)):
        assert listing_access(person, listing).book_through_a_group is tells, person.email
        login_as(person)
        assert (told in body(client.get(f"/board/l/{listing.id}/bookings"))) is tells
    services.settle(listing, ListingStatus.CLOSED, None, world.contact)
    db.session.commit()
    assert listing_access(world.associate, listing).book_through_a_group is False


def test_everyone_s_bookings_are_listed_for_a_coordinator_in_no_organisation(
        client, world, login_as):
    for person, everyone in ((world.coordinator, True), (world.contact, False),
                             (world.associate, False)):
        assert board_access(person).every_booking is everyone, person.email
        login_as(person)
        page = body(client.get("/board/bookings"))
        assert ("every booking and request on the board" in page) is everyone


def test_each_side_finds_its_bookings_on_one_page(client, world, login_as):
    listing = hall(world)
    third = OrganisationFactory(name="Gamma Choir")
    singer = PersonFactory(email="singer@example.org")
    MembershipFactory(person=singer, organisation=third)
    db.session.commit()
    login_as(world.other_member)
    assert ask(client, listing, world, purpose="Beta committee").status_code == 303
    login_as(singer)
    assert ask(client, listing, world, organisation=str(third.id), day=next_tuesday(2),
               purpose="Choir practice").status_code == 303
    for person, sees in ((world.other_member, {"Beta committee"}),
                         (singer, {"Choir practice"}),
                         (world.contact, {"Beta committee", "Choir practice"}),
                         (world.coordinator, {"Beta committee", "Choir practice"}),
                         (world.associate, set())):
        login_as(person)
        page = body(client.get("/board/bookings"))
        shown = {purpose for purpose in ("Beta committee", "Choir practice") if purpose in page}
        assert shown == sees, person.email


def test_a_free_time_booked_at_once_is_told_to_the_lender(client, world, login_as):
    listing = hall(world, auto_approve=True)
    login_as(world.other_member)
    response = client.get(ask(client, listing, world).headers["Location"])
    assert "Booked: Tuesday" in body(response)
    [booking] = booking_of(listing)
    assert booking.status == BookingStatus.APPROVED and booking.decided_by_id is None
    assert "(a free time, approved on its own)" in body(response)
    told = db.session.scalar(select(Notification).where(
        Notification.person_id == world.contact.id, Notification.kind == "board.booking"))
    assert told.subject.startswith("Beta Youth Club booked “Church hall”: Tuesday")


def test_bookings_that_stand_keep_an_offer_bookable(client, world, login_as):
    login_as(world.contact)
    form = {"organisation": str(world.org_a.id), "kind": "offer", "category": "rooms",
            "title": world.listing.title, "description": "", "area": "", "urgency": "soon",
            "notice_days": "0", "version": str(world.listing.version)}
    refused = client.post(f"/board/l/{world.listing.id}/edit", data=form)
    assert refused.status_code == 422
    assert re.search(r'id="bookable-error"[^>]*>1 booking or request from now on stands',
                     body(refused))
    assert db.session.get(Listing, world.listing.id).bookable is True
    world.booking.status = BookingStatus.DECLINED
    db.session.commit()
    assert client.post(f"/board/l/{world.listing.id}/edit", data=form).status_code == 303
    assert db.session.get(Listing, world.listing.id).bookable is False


def test_the_lender_answers_a_request_and_the_asker_withdraws_it(client, world, login_as):
    """A request waiting is answered by the lending side (approve or decline) and withdrawn
    by the asking side: neither is offered the other's button."""
    login_as(world.contact)
    page = body(client.get(f"/board/b/{world.booking.id}"))
    assert "Your answer" in page and "Withdraw the request" not in page
    login_as(world.other_member)
    page = body(client.get(f"/board/b/{world.booking.id}"))
    assert "Your answer" not in page and "Withdraw the request" in page
    response = client.post(f"/board/b/{world.booking.id}/cancel", data={"why": ""},
                           follow_redirects=True)
    assert "The request is withdrawn." in body(response)
    assert booking_of(world.listing)[0].status == BookingStatus.WITHDRAWN
    assert '<span class="badge warn">Withdrawn</span>' in body(response)
    assert count(Notification, Notification.person_id == world.contact.id,
                 Notification.subject.like("Withdrawn: the request to book “Meeting room "
                                           "to share”%")) == 1


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "2026-02-30", "soon"])
def test_a_calendar_start_it_cannot_show_is_today(client, world, login_as, start):
    login_as(world.other_member)
    response = client.get(f"/board/l/{world.listing.id}/bookings?start={start}")
    assert response.status_code == 200
    assert f"Times taken from {format_day(today())}," in body(response)


# --- shared by its bookings: never "matched", closed to new bookings ------------------------------

def shared_line(client, path: str) -> str:
    return re.search(r"\d+ things? shared this year", body(client.get(path))).group(0)


def test_each_booking_by_another_group_counts_as_something_shared(client, world, login_as,
                                                                  clock):
    """On the board and on both organisations' pages; its own people's bookings, requests
    waiting, and bookings cancelled since are not; last year's are not this year's."""
    listing = hall(world, auto_approve=True)
    pages = ("/board", f"/organisations/{world.org_a.id}-{world.org_a.slug}",
             f"/organisations/{world.org_b.id}-{world.org_b.slug}")
    login_as(world.other_member)
    assert [shared_line(client, page) for page in pages] == ["0 things shared this year"] * 3
    for weeks in (1, 2, 3):
        assert ask(client, listing, world, day=next_tuesday(weeks)).status_code == 303
    first, _second, third = booking_of(listing)
    assert client.post(f"/board/b/{third.id}/cancel", data={"why": ""}).status_code == 303
    login_as(world.contact)
    assert ask(client, listing, world, day=next_tuesday(4),
               organisation=str(world.org_a.id)).status_code == 303  # its own people's
    assert [shared_line(client, page) for page in pages] == ["2 things shared this year"] * 3
    first.decided_at -= timedelta(days=366)  # approved last year
    db.session.commit()
    assert shared_line(client, "/board") == "1 thing shared this year"


def test_a_bookable_offer_is_closed_not_matched_and_its_bookings_approved_stand(
        client, world, login_as):
    listing = hall(world)
    login_as(world.other_member)
    assert ask(client, listing, world).status_code == 303
    assert ask(client, listing, world, day=next_tuesday(2)).status_code == 303
    approved, waiting = booking_of(listing)
    login_as(world.contact)
    assert client.post(f"/board/b/{approved.id}/answer",
                       data={"answer": "approve"}).status_code == 303
    page = body(client.get(f"/board/l/{listing.id}-church-hall"))
    assert "Each booking by another group counts as something shared." in page
    assert "With which organisation" not in page and "Close it: no new bookings" in page
    before = count(AuditEntry)
    refused = client.post(f"/board/l/{listing.id}/settle", data={
        "outcome": "matched", "matched_with": str(world.org_b.id)})
    assert refused.status_code == 422
    assert "Its bookings are what it shares: it can be closed, not marked matched." in \
        body(refused)
    assert db.session.get(Listing, listing.id).status == ListingStatus.OPEN
    assert count(AuditEntry) == before
    closed = client.post(f"/board/l/{listing.id}/settle", data={"outcome": "closed"},
                         follow_redirects=True)
    assert "Closed: it is off the board and takes no new bookings." in body(closed)
    assert "It takes no new bookings now: the bookings approved stand." in body(closed)
    approved, waiting = booking_of(listing)
    assert approved.status == BookingStatus.APPROVED
    assert (waiting.status, waiting.reason) == (BookingStatus.DECLINED,
                                                "It is no longer taking bookings.")
    assert count(Notification, Notification.person_id == world.other_member.id,
                 Notification.subject.like("Not booked: “Church hall”%")) == 1
    login_as(world.other_member)
    refused = ask(client, listing, world, day=next_tuesday(3))
    assert refused.status_code == 422 and "It is not taking bookings now." in body(refused)
    assert len(booking_of(listing)) == 2
    login_as(world.contact)
    assert client.post(f"/board/l/{listing.id}/state",
                       data={"action": "reopen"}).status_code == 303
    login_as(world.other_member)
    assert ask(client, listing, world, day=next_tuesday(3)).status_code == 303


def test_the_service_will_not_mark_a_bookable_offer_matched(app, world):
    listing = hall(world)
    with pytest.raises(ValueError):
        services.settle(listing, ListingStatus.MATCHED, world.org_b.id, world.contact)


# --- answering again -----------------------------------------------------------------------------

def traces() -> tuple[int, int, int]:
    """Rows a change leaves: notifications, emails queued, audit entries."""
    from network.core.mail import OutboxEmail

    return count(Notification), count(OutboxEmail), count(AuditEntry)


@pytest.mark.parametrize(("who", "action", "data", "already"), [
    ("contact", "answer", {"answer": "approve"}, "This booking was already approved."),
    ("contact", "answer", {"answer": "decline", "reason": "Busy."},
     "This request was already declined."),
    ("other_member", "cancel", {"why": "Plans\r\nchanged."},
     "You had already withdrawn this request."),
    ("approved", "cancel", {"why": "Moved online."}, "This booking was already cancelled."),
    ("coordinator", "cancel", {"why": "Closed for works."},
     "This booking was already cancelled."),
], ids=["approve", "decline", "withdraw", "cancel", "coordinator-cancels"])
def test_answering_or_cancelling_again_changes_nothing_tells_no_one_and_says_so(
        client, world, login_as, who, action, data, already):
    listing = hall(world)
    login_as(world.other_member)
    assert ask(client, listing, world, to_calendar="y").status_code == 303
    [booking] = booking_of(listing)
    if who in ("approved", "coordinator"):
        login_as(world.contact)
        client.post(f"/board/b/{booking.id}/answer", data={"answer": "approve"})
    login_as(world.other_member if who == "approved" else getattr(world, who))
    first = client.post(f"/board/b/{booking.id}/{action}", data=data)
    assert first.status_code == 303
    done = traces()
    [booking] = booking_of(listing)
    state = (booking.status, booking.decided_at, booking.reason, booking.event_id)
    again = client.post(f"/board/b/{booking.id}/{action}", data=data)
    assert again.status_code == 303
    assert traces() == done
    [booking] = booking_of(listing)
    assert (booking.status, booking.decided_at, booking.reason, booking.event_id) == state
    assert already in body(client.get(again.headers["Location"]))


def in_another_tab(listing, world, booking, change: str) -> None:
    """What happened to a request while a page showing it as waiting stayed open."""
    if change == "declined":
        booking_services.decline(booking, "Busy that night.", world.contact)
    elif change == "withdrawn":
        booking_services.cancel_booking(booking, "", world.other_member)
    elif change == "approved":
        booking_services.approve(booking, world.member)
    elif change == "cancelled":
        booking_services.approve(booking, world.member)
        db.session.commit()
        booking_services.cancel_booking(booking, "Moved online.", world.other_member)
    db.session.commit()


@pytest.mark.parametrize(("change", "answer", "told"), [
    ("declined", "approve", "This request was already declined."),
    ("declined", "decline", "This request was already declined."),
    ("withdrawn", "approve", "This request was withdrawn by those who asked."),
    ("withdrawn", "decline", "This request was withdrawn by those who asked."),
    ("approved", "approve", "This booking was already approved."),
    ("approved", "decline", "This booking was already approved: cancel it if it cannot go "
                            "ahead."),
    ("cancelled", "approve", "This booking was already cancelled."),
    ("passed", "approve", "Its time has passed: it can no longer be changed."),
])
def test_an_answer_to_a_request_that_changed_meanwhile_says_what_became_of_it(
        client, world, login_as, clock, change, answer, told):
    """The lender's contact, with the request open in a second tab: the first tab (or the
    asker) answered or withdrew it meanwhile. Nothing changes, no one is told, and the page
    says what became of it: no refusal, as the button was theirs to press."""
    listing = hall(world)
    login_as(world.other_member)
    assert ask(client, listing, world, to_calendar="y").status_code == 303
    [booking] = booking_of(listing)
    login_as(world.contact)
    assert "Your answer" in body(client.get(f"/board/b/{booking.id}"))
    if change == "passed":
        clock.advance(days=30)
        login_as(world.contact)
    else:
        in_another_tab(listing, world, booking, change)
    [booking] = booking_of(listing)
    state, before = (booking.status, booking.decided_at, booking.event_id), traces()
    response = client.post(f"/board/b/{booking.id}/answer",
                           data={"answer": answer, "reason": "No room."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/board/b/{booking.id}")
    page = body(client.get(response.headers["Location"]))
    assert f'<p class="flash info">{told}</p>' in page
    [booking] = booking_of(listing)
    assert (booking.status, booking.decided_at, booking.event_id) == state
    assert traces() == before


@pytest.mark.parametrize(("change", "who", "told"), [
    ("declined", "other_member", "This request was already declined."),
    ("withdrawn", "other_member", "You had already withdrawn this request."),
    ("withdrawn", "coordinator", "This request was withdrawn by those who asked."),
    ("cancelled", "contact", "This booking was already cancelled."),
    ("passed", "other_member", "Its time has passed: it can no longer be changed."),
])
def test_calling_off_a_booking_that_changed_meanwhile_says_what_became_of_it(
        client, world, login_as, clock, change, who, told):
    listing = hall(world)
    login_as(world.other_member)
    assert ask(client, listing, world).status_code == 303
    [booking] = booking_of(listing)
    if change == "passed":
        in_another_tab(listing, world, booking, "approved")
        clock.advance(days=30)
    else:
        in_another_tab(listing, world, booking, change)
    login_as(getattr(world, who))
    [booking] = booking_of(listing)
    state, before = (booking.status, booking.decided_at, booking.reason), traces()
    response = client.post(f"/board/b/{booking.id}/cancel", data={"why": "Plans changed."})
    assert response.status_code == 303
    page = body(client.get(response.headers["Location"]))
    assert f'<p class="flash info">{told}</p>' in page
    [booking] = booking_of(listing)
    assert (booking.status, booking.decided_at, booking.reason) == state
    assert traces() == before


def test_who_may_not_answer_or_withdraw_is_still_refused(client, world, login_as):
    listing = hall(world)
    login_as(world.other_member)
    assert ask(client, listing, world).status_code == 303
    [booking] = booking_of(listing)
    login_as(world.member)  # the lending side declines a request; it never withdraws it
    assert client.post(f"/board/b/{booking.id}/cancel", data={}).status_code == 403
    login_as(world.coordinator)  # coordinators call bookings off; the lenders answer
    assert client.post(f"/board/b/{booking.id}/answer",
                       data={"answer": "approve"}).status_code == 403
    login_as(world.other_member)  # the asking side does not answer its own request
    assert client.post(f"/board/b/{booking.id}/answer",
                       data={"answer": "approve"}).status_code == 403
    login_as(world.contact)
    client.post(f"/board/b/{booking.id}/answer", data={"answer": "decline"})
    login_as(world.associate)  # who cannot see it: still not there
    assert client.post(f"/board/b/{booking.id}/cancel", data={}).status_code == 404
    assert client.post(f"/board/b/{booking.id}/answer", data={}).status_code == 404
    login_as(world.other_member)
    assert client.post(f"/board/b/{booking.id}/answer",
                       data={"answer": "approve"}).status_code == 403
    assert booking_of(listing)[0].status == BookingStatus.DECLINED


def test_the_booking_services_change_nothing_the_second_time(app, world):
    """As when two people press the same button at once: the second finds it done."""
    listing = hall(world)
    day = next_tuesday()
    asked = [booking_services.request_booking(listing, world.org_b.id, world.other_member, {
        "starts_at": local_moment(day + timedelta(weeks=weeks), time(18)),
        "ends_at": local_moment(day + timedelta(weeks=weeks), time(20)),
        "purpose": "Meeting", "note": "", "to_calendar": True}) for weeks in (0, 1)]
    db.session.commit()
    for change, args in (
            (booking_services.approve, (asked[0], world.contact)),
            (booking_services.cancel_booking, (asked[0], "", world.other_member)),
            (booking_services.decline, (asked[1], "", world.contact))):
        assert change(*args) is True, change.__name__
        db.session.commit()
        before = traces()
        assert change(*args) is False, change.__name__
        db.session.commit()
        assert traces() == before, change.__name__


# --- the demo's hall -----------------------------------------------------------------------------

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@pytest.mark.parametrize("weekday", range(7), ids=WEEKDAYS)
def test_the_demo_books_no_room_at_a_time_an_event_is_held_in_it_whatever_day_it_is_loaded(
        sqlite_app, clock, weekday):
    """The Youth Project's evening in the Northbank hall fell on the Federation's open meeting
    in the same hall (Thursday 10 December, loaded on Friday 4th): the demo builds its season
    from the day it is loaded, so every day of the week is tried. A booking asked for or
    approved, and any occurrence of an event placed in the room it books (its own calendar
    event apart), never overlap."""
    from network.calendar.models import Event
    from network.calendar.reads import occurrences_of
    from network.demo import load_demo
    from network.demo.board import ROOMS

    monday = date(2027, 1, 11)
    clock.set(datetime.combine(monday + timedelta(days=weekday), time(10),
                               tzinfo=ZoneInfo("Europe/London")))
    load_demo()
    events = list(db.session.scalars(select(Event)))
    clashes, checked = [], 0
    for title, room in ROOMS.items():
        listing = db.session.scalar(select(Listing).where(Listing.title == title))
        bookings = booking_of(listing, BookingStatus.APPROVED) + booking_of(
            listing, BookingStatus.REQUESTED)
        own = {booking.event_id for booking in bookings}
        places = {room, booking_services.place_of(listing)}
        held = [occurrence for occurrence in occurrences_of(
            [event for event in events if event.id not in own], clock.now(),
            clock.now() + timedelta(days=400))
            if occurrence.place in places and not occurrence.cancelled]
        assert held, f"no event of the demo is placed in {room}: is ROOMS out of date?"
        for booking in bookings:
            checked += 1
            clashes += [f"{booking.purpose} {local(booking.starts_at):%a %d %b %H:%M}-"
                        f"{local(booking.ends_at):%H:%M}, {found.event.title} "
                        f"{local(found.starts_at):%a %d %b %H:%M}-{local(found.ends_at):%H:%M}"
                        for found in held if found.starts_at < booking.ends_at
                        and booking.starts_at < found.ends_at]
    assert checked >= 2  # the Youth Project's evening, the Guild's morning
    assert not clashes, "\n".join(clashes)
