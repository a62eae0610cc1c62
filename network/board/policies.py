"""Rules of the board: everyone signed in reads it; members post for their organisations and
reply to others'; an organisation's members (and coordinators) manage its listings; a
conversation is for its two organisations and the coordinators alone; coordinators hide.
Members book what can be booked; who booked, and why, is for the two organisations and the
coordinators: everyone else sees the time taken."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, false, or_, true
from sqlalchemy.orm import aliased

from network.board.models import Booking, BookingStatus, Conversation, Listing, ListingStatus
from network.core.permissions import coordinator, policies_from, policy, scope, signed_in
from network.core.time import now
from network.members.services import organisations_for


def in_an_organisation(person) -> bool:
    return signed_in(person) and person.is_member and bool(person.organisation_ids)


@policy("board.view")
def view_board(person, _) -> bool:
    return signed_in(person)


@policy("board.post")
def post_listings(person, _) -> bool:
    """Members of a member organisation, and coordinators (for any organisation)."""
    return coordinator(person) or in_an_organisation(person)


@dataclass(frozen=True, slots=True)
class BoardAccess:
    """What one person may do on the board as a whole, decided once for its pages."""

    post: bool  # offer or ask for something: they act for an organisation
    bookings: bool  # the list of bookings: theirs, or (coordinators) everyone's
    every_booking: bool  # that list is everyone's: a coordinator in no organisation


def board_access(person) -> BoardAccess:
    post = post_listings(person, None) and bool(organisations_for(person))
    return BoardAccess(post=post, bookings=post or coordinator(person),
                       every_booking=coordinator(person) and not person.organisation_ids)


@scope(Listing)
def listings_seen(person):
    if not signed_in(person):
        return false()
    if coordinator(person):
        return true()
    return or_(Listing.hidden_at.is_(None), Listing.organisation_id.in_(person.organisation_ids))


def between_organisations(person, model):
    """Rows of `model` (with organisation_id, the other side, and listing_id) that are the
    person's organisations' business, on either side; coordinators see them all."""
    if not signed_in(person):
        return false()
    if coordinator(person):
        return true()
    mine = person.organisation_ids
    # EXISTS by the row's listing, not IN (every listing of theirs): PostgreSQL hashed all of
    # an organisation's listings (hundreds at a large size) for the one a listing's page asks
    # about; EXISTS lets it look the few rows' listings up by key, or hash them for many rows.
    # (An alias: a query that joins the listing too must not correlate it away.)
    theirs = aliased(Listing)
    return or_(model.organisation_id.in_(mine), exists().where(
        theirs.id == model.listing_id, theirs.organisation_id.in_(mine)))


@scope(Conversation)
def conversations_seen(person):
    return between_organisations(person, Conversation)


@dataclass(frozen=True, slots=True)
class ListingAccess:
    """What one person may do with one listing, decided once for its page."""

    view: bool
    manage: bool  # change, mark matched or closed, renew, see every conversation
    reply: bool  # open a conversation as another organisation
    own: bool  # one of the listing's organisation's people
    hide: bool
    ask: bool  # ask for a time of a bookable offer, for one of one's organisations (its own
    # included), whatever its state: one closed since the form was opened is told so
    book: bool  # ... and it takes bookings now: the form is offered
    reply_through_a_group: bool  # could answer it, but acts for no organisation: told how
    book_through_a_group: bool  # could book it, but acts for no organisation: told how


def listing_access(person, listing: Listing) -> ListingAccess:
    own = signed_in(person) and listing.organisation_id in person.organisation_ids
    view = signed_in(person) and (not listing.hidden or own or coordinator(person))
    manage = view and (coordinator(person) or (own and person.is_member))
    answerable = view and not listing.hidden and listing.status == ListingStatus.OPEN
    reply = answerable and in_an_organisation(person)
    ask = view and listing.bookable_offer and in_an_organisation(person)
    in_none = signed_in(person) and not person.organisation_ids
    return ListingAccess(view=view, manage=manage, reply=reply, own=own,
                         hide=view and coordinator(person), ask=ask,
                         book=ask and listing.takes_bookings,
                         reply_through_a_group=answerable and in_none,
                         book_through_a_group=(view and listing.takes_bookings and in_none
                                               and not coordinator(person)))


policies_from(listing_access, {"listing.view": "view", "listing.manage": "manage",
                               "listing.reply": "reply", "listing.hide": "hide",
                               "listing.ask": "ask", "listing.book": "book"})


@policy("conversation.view", "conversation.write")
def take_part(person, conversation: Conversation) -> bool:
    if not signed_in(person):
        return False
    if coordinator(person):
        return True
    mine = person.organisation_ids
    return conversation.organisation_id in mine or conversation.listing.organisation_id in mine


@scope(Booking)
def bookings_seen(person):
    """Whose bookings a person reads in full: their organisations' and those of their
    organisations' listings (coordinators: all)."""
    return between_organisations(person, Booking)


@dataclass(frozen=True, slots=True)
class BookingAccess:
    view: bool  # who, why and the answer
    answer: bool  # speak for the lending side: its members, whatever the booking's state
    decide: bool  # approve or decline this request now
    call_off: bool  # speak for a side that may cancel: the asking side's members, the
    # listing's managers (coordinators included), whatever the booking's state
    cancel: bool  # withdraw a request (the asking side), call off a booking (either side,
    # and coordinators)
    in_calendar: bool  # in the listing's calendar: a time approved for whoever sees the
    # listing, a request for those who see it in full


def booking_access(person, booking: Booking, listing: ListingAccess | None = None
                   ) -> BookingAccess:
    listing = listing or listing_access(person, booking.listing)
    booker = signed_in(person) and booking.organisation_id in person.organisation_ids
    view = coordinator(person) or booker or (listing.own and listing.view)
    live = (booking.status in (BookingStatus.REQUESTED, BookingStatus.APPROVED)
            and booking.ends_at > now())
    answer = listing.own and person.is_member
    decide = answer and booking.status == BookingStatus.REQUESTED and booking.ends_at > now()
    call_off = view and ((booker and person.is_member) or listing.manage)
    cancel = call_off and live and ((booker and person.is_member) or (
        booking.status == BookingStatus.APPROVED))
    in_calendar = listing.view and (booking.status == BookingStatus.APPROVED or view)
    return BookingAccess(view=view, answer=answer, decide=decide, call_off=call_off,
                         cancel=cancel, in_calendar=in_calendar)


policies_from(booking_access, {"booking.view": "view", "booking.answer": "answer",
                               "booking.decide": "decide", "booking.call_off": "call_off",
                               "booking.cancel": "cancel"})
