"""Every change to the board's listings: posted, changed, matched, closed, renewed, hidden;
conversations opened and answered; expiry notices. (Bookings: booking_services; what is read:
reads.) Functions change the session; the route commits once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.auth.models import Person
from network.board.booking_services import decline
from network.board.models import (
    Booking,
    BookingStatus,
    Conversation,
    Listing,
    ListingStatus,
    Message,
)
from network.board.reads import keywords_of, listing_path, on_board

# The organisation page (members/routes.py) reads these as the board's services.
from network.core import audit
from network.core.i18n import later
from network.core.links import site_path
from network.core.permissions import can
from network.core.text import in_subject
from network.core.time import format_day, now, today
from network.extensions import db
from network.members.services import contacts_of
from network.notify.replies import Topic
from network.notify.services import notify

EXPIRY_WARNING = timedelta(days=7)


def listing_days() -> int:
    return current_app.config["LISTING_DAYS"]


# --- listings ------------------------------------------------------------------------------------

def create_listing(organisation_id: int, author: Person, values: dict,
                   submission_key: str | None = None) -> Listing:
    listing = Listing(organisation_id=organisation_id, created_by_id=author.id,
                      submission_key=submission_key, **values)
    listing.keywords = keywords_of(listing.title, listing.description)
    db.session.add(listing)
    db.session.flush()
    audit.record("listing.create", listing, f"Posted the {listing.kind.value} "
                                            f"“{listing.title}”", actor=author)
    return listing


def existing_submission(key: str, author: Person) -> Listing | None:
    return db.session.scalar(select(Listing).where(Listing.submission_key == key,
                                                   Listing.created_by_id == author.id))


def edit_listing(listing: Listing, values: dict, by: Person) -> None:
    changed = audit.changes(listing, list(values), values)
    for name, value in values.items():
        setattr(listing, name, value)
    listing.keywords = keywords_of(listing.title, listing.description)
    listing.updated_at = now()
    if changed:
        audit.record("listing.edit", listing, f"Changed “{listing.title}”", actor=by,
                     **changed)


def settle(listing: Listing, status: ListingStatus, matched_with_id: int | None,
           by: Person) -> bool:
    """Mark it matched (with whom) or closed: it leaves the board. An offer that can be booked
    is shared by its bookings, so it is only closed: it takes no new bookings, the requests
    waiting are declined (and told), and the bookings approved stand. False if it was settled
    already."""
    if listing.status != ListingStatus.OPEN:
        return False
    if status == ListingStatus.MATCHED and listing.bookable_offer:
        raise ValueError("a bookable offer is shared by its bookings, not matched")
    listing.status, listing.settled_at = status, now()
    listing.matched_with_id = matched_with_id if status == ListingStatus.MATCHED else None
    if listing.matched_with_id is not None:
        for person in contacts_of(listing.matched_with_id):
            notify(person, "board.listing", _l(
                "“%(title)s” is marked shared with your organisation: thank you for sharing",
                title=in_subject(listing.title)), listing_path(listing))
    audit.record(f"listing.{status.value}", listing,
                 f"Marked “{listing.title}” {status.value}", actor=by,
                 matched_with=matched_with_id)
    if listing.bookable_offer:
        for waiting in list(db.session.scalars(select(Booking).where(
                Booking.listing_id == listing.id, Booking.status == BookingStatus.REQUESTED,
                Booking.ends_at > now()).order_by(Booking.starts_at))):
            decline(waiting, _("It is no longer taking bookings."), by)
    return True


def reopen(listing: Listing, by: Person) -> bool:
    """Open it again (and on the board, renewed if its day has passed); False if open."""
    if listing.status == ListingStatus.OPEN:
        return False
    listing.status, listing.settled_at, listing.matched_with_id = ListingStatus.OPEN, None, None
    if listing.expires_on < today():
        renew(listing, by)
    audit.record("listing.reopen", listing, f"Opened “{listing.title}” again", actor=by)
    return True


def renewed_day() -> date:
    return today() + timedelta(days=listing_days())


def renew(listing: Listing, by: Person) -> bool:
    """On the board until 60 days from today; False if it already stays as long or longer
    (renewing never shortens it)."""
    if listing.expires_on >= renewed_day():
        return False
    listing.expires_on = renewed_day()
    listing.expiry_warned_at = None
    audit.record("listing.renew", listing, f"Renewed “{listing.title}” to "
                                           f"{listing.expires_on.isoformat()}", actor=by)
    return True


def hide(listing: Listing, reason: str, by: Person) -> bool:
    if listing.hidden:
        return False
    listing.hidden_at, listing.hidden_reason, listing.hidden_by_id = now(), reason, by.id
    audit.record("listing.hide", listing, f"Hid “{listing.title}”", actor=by, reason=reason)
    notify(listing.created_by, "board.listing",
           _l("Your listing “%(title)s” was hidden by a coordinator",
             title=in_subject(listing.title)), listing_path(listing), detail=reason)
    return True


def restore(listing: Listing, by: Person) -> bool:
    if not listing.hidden:
        return False
    listing.hidden_at, listing.hidden_reason, listing.hidden_by_id = None, "", None
    audit.record("listing.restore", listing, f"Restored “{listing.title}”", actor=by)
    notify(listing.created_by, "board.listing",
           _l("Your listing “%(title)s” is back on the board", title=in_subject(listing.title)),
           listing_path(listing))
    return True


def warn_expiring(moment: datetime | None = None) -> int:
    """Tell the people who posted listings that leave the board within a week (once each)."""
    moment = moment or now()
    soon = (moment + EXPIRY_WARNING).date()
    due = db.session.scalars(select(Listing).where(
        *on_board(), Listing.expires_on <= soon, Listing.expiry_warned_at.is_(None)))
    told = 0
    for listing in due:
        listing.expiry_warned_at = moment
        notify(listing.created_by, "board.listing",
               _l("Your listing “%(title)s” leaves the board on %(day)s: renew it if it is "
                 "still open", title=in_subject(listing.title),
                 day=later(format_day, listing.expires_on)),
               listing_path(listing))
        told += 1
    return told


# --- conversations -----------------------------------------------------------------------------

def conversation_for(listing: Listing, organisation_id: int) -> Conversation | None:
    return db.session.scalar(select(Conversation).where(
        Conversation.listing_id == listing.id, Conversation.organisation_id == organisation_id))


def reply(listing: Listing, organisation_id: int, author: Person, body: str,
          submission_key: str | None = None) -> Message:
    """A message from the replying organisation: the first opens their conversation."""
    conversation = conversation_for(listing, organisation_id)
    if conversation is None:
        conversation = Conversation(listing_id=listing.id, organisation_id=organisation_id,
                                    started_by_id=author.id)
        db.session.add(conversation)
        db.session.flush()
    return add_message(conversation, author, body, submission_key)


def existing_message(key: str, author: Person) -> Message | None:
    return db.session.scalar(select(Message).where(Message.submission_key == key,
                                                   Message.author_id == author.id))


def add_message(conversation: Conversation, author: Person, body: str,
                submission_key: str | None = None) -> Message:
    message = Message(conversation_id=conversation.id, author_id=author.id, body=body,
                      submission_key=submission_key)
    conversation.last_message_at = now()
    db.session.add(message)
    db.session.flush()
    listing = conversation.listing
    for person in people_of(conversation) - {author}:
        notify(person, "board.reply",
               _l("%(name)s wrote about “%(title)s”", name=in_subject(author.name),
                 title=in_subject(listing.title)),
               site_path("board.conversation", conversation_id=conversation.id)
               + f"#m{message.id}", about=conversation_topic(conversation, person),
               quote=body if can("conversation.view", conversation, person) else "")
    return message


def conversation_topic(conversation: Conversation, person: Person) -> Topic:
    """A conversation, as its messages' email is about it: replied to while one takes part."""
    return Topic("conversation", conversation.id, f"board-conversation-{conversation.id}",
                 lambda: can("conversation.write", conversation, person))


def people_of(conversation: Conversation) -> set[Person]:
    """Who takes part: the listing's author, whoever wrote in it, and both organisations'
    contacts."""
    writers = set(db.session.scalars(select(Person).join(
        Message, Message.author_id == Person.id).where(
        Message.conversation_id == conversation.id)))
    contacts = contacts_of(conversation.organisation_id, conversation.listing.organisation_id)
    return writers | set(contacts) | {conversation.listing.created_by}
