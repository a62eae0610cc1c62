"""Bookings of what can be booked: asked for (within the listing's rules and a free time),
approved, declined and cancelled, each told to the other side. Functions change the session;
the route commits once."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.auth.models import Person
from network.board.models import Booking, BookingStatus, Listing
from network.board.reads import (
    booking_path,
    clock_of,
    listing_path,
    offered_span,
    slot_text,
    weekday_names,
)
from network.calendar import services as calendar
from network.calendar.models import Event, EventKind
from network.core import audit
from network.core.audience import Audience
from network.core.forms import Refused
from network.core.i18n import later
from network.core.text import in_subject
from network.core.time import format_weekday, local, now, today
from network.extensions import db
from network.members.services import contacts_of
from network.notify.services import notify

FURTHEST_BOOKING = timedelta(days=366)


class BookingRefused(Refused):
    """A time that cannot be booked, or an answer that cannot be given."""


def lock(listing: Listing) -> None:
    """Serialise bookings of one listing on PostgreSQL (SQLite's writers are serial already):
    what is read after this is what the last approval left."""
    db.session.execute(select(Listing.id).where(Listing.id == listing.id).with_for_update())


def overlapping(listing_id: int, starts_at: datetime, ends_at: datetime,
                status: BookingStatus = BookingStatus.APPROVED,
                but: int | None = None) -> list[Booking]:
    query = select(Booking).where(Booking.listing_id == listing_id, Booking.status == status,
                                  Booking.starts_at < ends_at, Booking.ends_at > starts_at)
    if but is not None:
        query = query.where(Booking.id != but)
    return list(db.session.scalars(query.order_by(Booking.starts_at)))


def check_rules(listing: Listing, starts_at: datetime, ends_at: datetime) -> None:
    """The listing's own rules, and time's: refused with the field to correct."""
    if not listing.takes_bookings:
        raise BookingRefused(_("“%(title)s” is not taking bookings now.", title=listing.title))
    if ends_at <= starts_at:
        raise BookingRefused(_("It must end after it starts."), "ends")
    moment = now()
    if starts_at < moment:
        raise BookingRefused(_("That time has passed: choose a time from now on."), "day")
    if starts_at > moment + FURTHEST_BOOKING:
        raise BookingRefused(_("Bookings can be made up to a year ahead."), "day")
    start, end = local(starts_at), local(ends_at)
    if listing.available_from and start.date() < listing.available_from or \
            listing.available_until and end.date() > listing.available_until:
        raise BookingRefused(_("It is offered %(span)s: choose a day then.",
                               span=offered_span(listing)), "day")
    if listing.book_days and str(start.weekday()) not in listing.book_days:
        raise BookingRefused(_("It can be booked on these days only: %(days)s.",
                               days=weekday_names(listing)), "day")
    if listing.book_from and start.time() < listing.book_from:
        raise BookingRefused(_("It can be booked from %(clock)s.",
                               clock=clock_of(listing.book_from)), "starts")
    if listing.book_until and end.time() > listing.book_until:
        raise BookingRefused(_("It can be booked until %(clock)s.",
                               clock=clock_of(listing.book_until)), "ends")
    if listing.notice_days and start.date() < earliest_day(listing):
        raise BookingRefused(_(
            "It needs %(days)s days’ notice: choose %(day)s or later.",
            days=listing.notice_days, day=format_weekday(earliest_day(listing))), "day")


def earliest_day(listing: Listing):
    """Days of notice are counted in days: two days' notice on Monday is Wednesday."""
    return today() + timedelta(days=listing.notice_days)


def refuse_clash(listing: Listing, starts_at: datetime, ends_at: datetime) -> None:
    taken = overlapping(listing.id, starts_at, ends_at)
    if taken:
        raise BookingRefused(_("That time is taken: it is booked %(slot)s. Choose a time "
                               "that is free in the calendar.", slot=slot_text(taken[0])),
                             "starts")


def request_booking(listing: Listing, organisation_id: int, by: Person, values: dict,
                    submission_key: str | None = None) -> Booking:
    """Ask for a time. The listing's own organisation, and listings that approve on their own,
    have it at once if it is free; others ask its people, who are told."""
    check_rules(listing, values["starts_at"], values["ends_at"])
    lock(listing)
    refuse_clash(listing, values["starts_at"], values["ends_at"])
    booking = Booking(listing_id=listing.id, organisation_id=organisation_id,
                      requested_by_id=by.id, submission_key=submission_key, **values)
    db.session.add(booking)
    db.session.flush()
    audit.record("booking.request", booking, f"Asked to book “{listing.title}” "
                 f"{booking.starts_at.isoformat()} to {booking.ends_at.isoformat()}", actor=by)
    if organisation_id == listing.organisation_id:
        approve(booking, by)  # its own people take their own hall
    elif listing.auto_approve:
        approve(booking, None)
        for person in owners_of(listing) - {by}:
            notify(person, "board.booking", _l(
                "%(org)s booked “%(title)s”: %(slot)s",
                org=in_subject(booking.organisation.name), title=in_subject(listing.title),
                slot=later(slot_text, booking)), booking_path(booking))
    else:
        for person in owners_of(listing) - {by}:
            notify(person, "board.booking", _l(
                "%(org)s ask to book “%(title)s”: %(slot)s",
                org=in_subject(booking.organisation.name), title=in_subject(listing.title),
                slot=later(slot_text, booking)), booking_path(booking))
    return booking


def existing_booking(key: str, by: Person) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.submission_key == key,
                                                   Booking.requested_by_id == by.id))


def displaced_by(booking: Booking) -> list[Booking]:
    """The requests that approving it would decline: waiting for times it overlaps."""
    return overlapping(booking.listing_id, booking.starts_at, booking.ends_at,
                       status=BookingStatus.REQUESTED, but=booking.id)


def _still_to_answer(booking: Booking, answer: BookingStatus) -> bool:
    """The booking read afresh under the listing's lock: False if it already has this answer,
    refused if it has another."""
    lock(booking.listing)
    db.session.refresh(booking)
    if booking.status == answer:
        return False
    if booking.status != BookingStatus.REQUESTED:
        raise BookingRefused(_("It was answered already: %(status)s.",
                               status=booking.status.label.lower()))
    return True


def approve(booking: Booking, by: Person | None) -> bool:
    """Approve a request if its time is still free (by None: the listing approves free
    times on its own); the requests it overlaps are then declined and told. The booker's
    wish for a calendar event is granted now. False if it was approved already."""
    listing = booking.listing
    if not _still_to_answer(booking, BookingStatus.APPROVED):
        return False
    if booking.starts_at < now():
        raise BookingRefused(_("That time has passed."))
    taken = overlapping(listing.id, booking.starts_at, booking.ends_at, but=booking.id)
    if taken:
        raise BookingRefused(_("It overlaps a booking already approved (%(slot)s): decline "
                               "it, or ask them for another time.", slot=slot_text(taken[0])))
    booking.status, booking.decided_by_id, booking.decided_at = (
        BookingStatus.APPROVED, by.id if by else None, now())
    for other in displaced_by(booking):
        decline(other, _("The time went to another booking."), None)
    if booking.to_calendar:
        booking.event_id = calendar.create_event(booking.organisation_id, booking.requested_by, {
            "title": booking.purpose, "kind": EventKind.MEETING, "audience": Audience.MEMBERS,
            "description": _("Booked through the sharing board: [%(title)s](%(path)s)",
                             title=listing.title.replace("]", ")"),
                             path=listing_path(listing)),
            "starts_at": booking.starts_at, "ends_at": booking.ends_at,
            "place": place_of(listing),
            "area_id": listing.area_id}, [], None).id
    audit.record("booking.approve", booking, f"Approved a booking of “{listing.title}”"
                 + ("" if by else " (a free time, approved on its own)"), actor=by)
    for person in bookers_of(booking) - {by}:
        notify(person, "board.booking", _l("Booked: “%(title)s”, %(slot)s",
                                          title=in_subject(listing.title),
                                          slot=later(slot_text, booking)), booking_path(booking))
    return True


def decline(booking: Booking, reason: str, by: Person | None) -> bool:
    """Say no to a request (by None: it overlapped one just approved). False if it was
    declined already."""
    if not _still_to_answer(booking, BookingStatus.DECLINED):
        return False
    booking.status, booking.reason = BookingStatus.DECLINED, reason
    booking.decided_by_id, booking.decided_at = by.id if by else None, now()
    audit.record("booking.decline", booking, f"Declined a booking of “{booking.listing.title}”",
                 actor=by, reason=reason)
    for person in bookers_of(booking) - {by}:
        notify(person, "board.booking", _l(
            "Not booked: “%(title)s”, %(slot)s", title=in_subject(booking.listing.title),
            slot=later(slot_text, booking)), booking_path(booking), detail=reason)
    return True


CALLED_OFF = (BookingStatus.CANCELLED, BookingStatus.WITHDRAWN)


def cancel_booking(booking: Booking, reason: str, by: Person) -> bool:
    """Call off a booking (cancelled) or a request waiting (withdrawn: only the asking side
    does that); its calendar event is cancelled with it, and the other side is told. False if
    it was called off already."""
    lock(booking.listing)
    db.session.refresh(booking)
    if booking.status in CALLED_OFF:
        return False
    if booking.status == BookingStatus.DECLINED:
        raise BookingRefused(_("It was answered already: %(status)s.",
                               status=booking.status.label.lower()))
    was_approved = booking.status == BookingStatus.APPROVED
    booking.status = BookingStatus.CANCELLED if was_approved else BookingStatus.WITHDRAWN
    booking.reason, booking.decided_by_id, booking.decided_at = reason, by.id, now()
    if booking.event_id is not None:
        event = db.session.get(Event, booking.event_id)
        if event.cancelled_at is None:
            calendar.cancel(event, "all", None, reason, by)
    audit.record("booking.cancel", booking, (
        f"Cancelled a booking of “{booking.listing.title}”" if was_approved else
        f"Withdrew a request to book “{booking.listing.title}”"), actor=by, reason=reason)
    told = bookers_of(booking) | (owners_of(booking.listing) if was_approved or
                                  by.id == booking.requested_by_id else set())
    subject = (_l("Cancelled: the booking of “%(title)s”, %(slot)s",
                 title=in_subject(booking.listing.title), slot=later(slot_text, booking))
               if was_approved else
               _l("Withdrawn: the request to book “%(title)s”, %(slot)s",
                 title=in_subject(booking.listing.title), slot=later(slot_text, booking)))
    for person in told - {by}:
        notify(person, "board.booking", subject, booking_path(booking), detail=reason)
    return True


def place_of(listing: Listing) -> str:
    """What a calendar event booked on it gives as its place: the listing, whose it is and
    its area ("Community hall for meetings, Riverside Tenants' Federation, Northbank")."""
    parts = [listing.title, listing.organisation.name, *([listing.area.name] if listing.area
                                                          else [])]
    return ", ".join(parts)[:200]


def owners_of(listing: Listing) -> set[Person]:
    return set(contacts_of(listing.organisation_id)) | {listing.created_by}


def bookers_of(booking: Booking) -> set[Person]:
    return set(contacts_of(booking.organisation_id)) | {booking.requested_by}
