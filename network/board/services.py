"""Every change to the board: listings posted, changed, matched, closed, renewed, hidden;
conversations opened and answered; expiry notices; bookings asked for, approved, declined and
cancelled. Functions change the session; the route commits once."""

from __future__ import annotations

import heapq
import re
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from network.auth.models import Person
from network.board.models import (
    Booking,
    BookingStatus,
    Conversation,
    Listing,
    ListingKind,
    ListingStatus,
    Message,
)
from network.calendar import services as calendar
from network.calendar.models import Event, EventKind
from network.core import audit
from network.core.audience import Audience
from network.core.forms import Refused
from network.core.links import site_path
from network.core.permissions import visible
from network.core.text import in_subject
from network.core.time import (
    format_clock,
    format_day,
    format_weekday,
    local,
    now,
    today,
    weekday_name,
)
from network.extensions import db
from network.members.models import Organisation
from network.members.services import contacts_of
from network.notify.services import notify

EXPIRY_WARNING = timedelta(days=7)

# Words too common to say two listings are about the same thing.
COMMON_WORDS = frozenset({
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "do", "for", "from", "get", "got", "had", "has", "have",
    "help", "if", "in", "into", "is", "it", "its", "just", "like", "looking", "may", "me",
    "more", "need", "needed", "needs", "new", "no", "not", "of", "on", "one", "or", "our",
    "out", "over", "please", "so", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "to", "up", "us", "use", "used", "very", "want", "wanted",
    "was", "we", "were", "what", "when", "which", "who", "will", "with", "would", "you", "your",
})


def listing_days() -> int:
    return current_app.config["LISTING_DAYS"]


def keywords_of(*texts: str) -> str:
    """The words a listing is matched on: lower case, plurals made singular, the commonest
    left out, each once."""
    found: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"[^\W\d_]{3,}", text.lower()):
            if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
                word = word[:-1]
            if word not in COMMON_WORDS:
                found.setdefault(word)
    words = " ".join(found)
    return words if len(words) <= 1000 else words[:1000].rsplit(" ", 1)[0]


def on_board():
    """The condition for a listing on the board: open, not hidden, not expired."""
    return (Listing.status == ListingStatus.OPEN, Listing.hidden_at.is_(None),
            Listing.expires_on >= today())


def matching(kind: ListingKind, category, area_id: int | None, text: str,
             organisation_id: int | None = None, limit: int = 5) -> list[Listing]:
    """Open listings of the other kind in the same category, ranked by where they are (the
    same area first, then those for anywhere in the borough, then other areas), then by
    words in common, then newest: what a person posting might answer instead. Those with no
    word in common are shown too, last of their area's: a room asked for is a hall offered
    in the same category. (What is on the board, hidden ones not, is for everyone who may
    post.)"""
    words = set(keywords_of(text).split())
    query = select(Listing.id, Listing.keywords, Listing.area_id, Listing.created_at).where(
        Listing.kind == kind.other, Listing.category == category, *on_board())
    if organisation_id:
        query = query.where(Listing.organisation_id != organisation_id)
    scored = ((nearness(area_id, row.area_id),
               len(words.intersection(row.keywords.split())) if words else 0,
               row.created_at, row.id) for row in db.session.execute(query))
    best = [row[-1] for row in heapq.nlargest(limit, scored)]
    if not best:
        return []
    found = {listing.id: listing for listing in db.session.scalars(
        select(Listing).where(Listing.id.in_(best)).options(
            joinedload(Listing.organisation).load_only(Organisation.name),
            joinedload(Listing.area)))}
    return [found[listing_id] for listing_id in best]


def nearness(wanted: int | None, area_id: int | None) -> int:
    """2 in the area asked about (or no area asked about), 1 for anywhere in the borough,
    0 in another area: the areas have no map, so "nearby" is all the borough, ranked below."""
    if wanted is None or area_id == wanted:
        return 2
    return 1 if area_id is None else 0


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
            notify(person, "board.listing", _(
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
           _("Your listing “%(title)s” was hidden by a coordinator",
             title=in_subject(listing.title)), listing_path(listing), detail=reason)
    return True


def restore(listing: Listing, by: Person) -> bool:
    if not listing.hidden:
        return False
    listing.hidden_at, listing.hidden_reason, listing.hidden_by_id = None, "", None
    audit.record("listing.restore", listing, f"Restored “{listing.title}”", actor=by)
    notify(listing.created_by, "board.listing",
           _("Your listing “%(title)s” is back on the board", title=in_subject(listing.title)),
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
               _("Your listing “%(title)s” leaves the board on %(day)s: renew it if it is "
                 "still open", title=in_subject(listing.title), day=format_day(listing.expires_on)),
               listing_path(listing))
        told += 1
    return told


def shared_this_year(organisation_id: int | None = None) -> int:
    """What was shared since 1 January: listings matched (offered and taken, asked for and
    found) and bookings approved of one organisation's resource by another (a hall lent
    ten times is ten things shared; a booking cancelled since is not). For one organisation:
    given or received."""
    start = datetime(today().year, 1, 1, tzinfo=now().tzinfo)
    matched = select(func.count()).select_from(Listing).where(
        Listing.status == ListingStatus.MATCHED, Listing.settled_at >= start)
    booked = select(func.count()).select_from(Booking).join(
        Listing, Listing.id == Booking.listing_id).where(
        Booking.status == BookingStatus.APPROVED, Booking.decided_at >= start,
        Booking.organisation_id != Listing.organisation_id)
    if organisation_id is not None:
        matched = matched.where(or_(Listing.organisation_id == organisation_id,
                                    Listing.matched_with_id == organisation_id))
        booked = booked.where(or_(Listing.organisation_id == organisation_id,
                                  Booking.organisation_id == organisation_id))
    return db.session.scalar(select(matched.scalar_subquery() + booked.scalar_subquery())) or 0


def listings_of(organisation_id: int, limit: int = 12) -> list[Listing]:
    """An organisation's listings the person asking may see, newest first: what is on the
    board and its history (matched, closed, expired)."""
    return list(db.session.scalars(visible(select(Listing).where(or_(
        Listing.organisation_id == organisation_id,
        Listing.matched_with_id == organisation_id))).options(
        joinedload(Listing.area), joinedload(Listing.organisation).load_only(Organisation.name))
        .order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit)))


def listing_path(listing: Listing) -> str:
    return site_path("board.listing", listing_id=listing.id, slug=listing.slug)


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
               _("%(name)s wrote about “%(title)s”", name=in_subject(author.display_name),
                 title=in_subject(listing.title)),
               site_path("board.conversation", conversation_id=conversation.id)
               + f"#m{message.id}")
    return message


def people_of(conversation: Conversation) -> set[Person]:
    """Who takes part: the listing's author, whoever wrote in it, and both organisations'
    contacts."""
    writers = set(db.session.scalars(select(Person).join(
        Message, Message.author_id == Person.id).where(
        Message.conversation_id == conversation.id)))
    contacts = contacts_of(conversation.organisation_id, conversation.listing.organisation_id)
    return writers | set(contacts) | {conversation.listing.created_by}


# --- bookings ----------------------------------------------------------------------------------

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


def weekday_names(listing: Listing) -> str:
    return ", ".join(weekday_name(int(day)) for day in listing.book_days)


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
                               clock=listing.book_from.strftime("%H:%M")), "starts")
    if listing.book_until and end.time() > listing.book_until:
        raise BookingRefused(_("It can be booked until %(clock)s.",
                               clock=listing.book_until.strftime("%H:%M")), "ends")
    if listing.notice_days and start.date() < earliest_day(listing):
        raise BookingRefused(_(
            "It needs %(days)s days’ notice: choose %(day)s or later.",
            days=listing.notice_days, day=format_weekday(earliest_day(listing))), "day")


def earliest_day(listing: Listing):
    """Days of notice are counted in days: two days' notice on Monday is Wednesday."""
    return today() + timedelta(days=listing.notice_days)


def rules_text(listing: Listing) -> str:
    """"On Monday, Tuesday. From 09:00 until 22:00. Book at least 2 days ahead. Riverside
    Tenants approve each request." """
    rules = []
    if listing.book_days:
        rules.append(_("On %(days)s.", days=weekday_names(listing)))
    if listing.book_from or listing.book_until:
        rules.append(_("From %(start)s until %(end)s.",
                       start=listing.book_from.strftime("%H:%M") if listing.book_from
                       else "00:00",
                       end=listing.book_until.strftime("%H:%M") if listing.book_until
                       else "24:00"))
    if listing.available_from or listing.available_until:
        rules.append(_("Offered %(span)s.", span=offered_span(listing)))
    if listing.notice_days:
        rules.append(ngettext("Book at least %(num)d day ahead.",
                              "Book at least %(num)d days ahead.", listing.notice_days))
    rules.append(_("A free time is booked at once.") if listing.auto_approve else
                 _("%(org)s approve each request.", org=listing.organisation.name))
    return " ".join(rules)


def offered_span(listing: Listing) -> str:
    if listing.available_from and listing.available_until:
        return _("from %(start)s until %(end)s", start=format_day(listing.available_from),
                 end=format_day(listing.available_until))
    if listing.available_from:
        return _("from %(start)s", start=format_day(listing.available_from))
    return _("until %(end)s", end=format_day(listing.available_until))


def slot_text(booking: Booking) -> str:
    """"Tuesday 8 December 2026, 18:00 to 21:00"."""
    return _("%(day)s, %(start)s to %(end)s", day=format_weekday(booking.starts_at),
             start=format_clock(booking.starts_at), end=format_clock(booking.ends_at))


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
            notify(person, "board.booking", _(
                "%(org)s booked “%(title)s”: %(slot)s",
                org=in_subject(booking.organisation.name), title=in_subject(listing.title),
                slot=slot_text(booking)), booking_path(booking))
    else:
        for person in owners_of(listing) - {by}:
            notify(person, "board.booking", _(
                "%(org)s ask to book “%(title)s”: %(slot)s",
                org=in_subject(booking.organisation.name), title=in_subject(listing.title),
                slot=slot_text(booking)), booking_path(booking))
    return booking


def existing_booking(key: str, by: Person) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.submission_key == key,
                                                   Booking.requested_by_id == by.id))


def displaced_by(booking: Booking) -> list[Booking]:
    """The requests that approving it would decline: waiting for times it overlaps."""
    return overlapping(booking.listing_id, booking.starts_at, booking.ends_at,
                       status=BookingStatus.REQUESTED, but=booking.id)


def approve(booking: Booking, by: Person | None) -> bool:
    """Approve a request if its time is still free (by None: the listing approves free
    times on its own); the requests it overlaps are then declined and told. The booker's
    wish for a calendar event is granted now. False if it was approved already."""
    listing = booking.listing
    lock(listing)
    db.session.refresh(booking)
    if booking.status == BookingStatus.APPROVED:
        return False
    if booking.status != BookingStatus.REQUESTED:
        raise BookingRefused(_("It was answered already: %(status)s.",
                               status=booking.status.label.lower()))
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
        notify(person, "board.booking", _("Booked: “%(title)s”, %(slot)s",
                                          title=in_subject(listing.title),
                                          slot=slot_text(booking)), booking_path(booking))
    return True


def decline(booking: Booking, reason: str, by: Person | None) -> bool:
    """Say no to a request (by None: it overlapped one just approved). False if it was
    declined already."""
    lock(booking.listing)
    db.session.refresh(booking)
    if booking.status == BookingStatus.DECLINED:
        return False
    if booking.status != BookingStatus.REQUESTED:
        raise BookingRefused(_("It was answered already: %(status)s.",
                               status=booking.status.label.lower()))
    booking.status, booking.reason = BookingStatus.DECLINED, reason
    booking.decided_by_id, booking.decided_at = by.id if by else None, now()
    audit.record("booking.decline", booking, f"Declined a booking of “{booking.listing.title}”",
                 actor=by, reason=reason)
    for person in bookers_of(booking) - {by}:
        notify(person, "board.booking", _(
            "Not booked: “%(title)s”, %(slot)s", title=in_subject(booking.listing.title),
            slot=slot_text(booking)), booking_path(booking), detail=reason)
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
    subject = (_("Cancelled: the booking of “%(title)s”, %(slot)s",
                 title=in_subject(booking.listing.title), slot=slot_text(booking))
               if was_approved else
               _("Withdrawn: the request to book “%(title)s”, %(slot)s",
                 title=in_subject(booking.listing.title), slot=slot_text(booking)))
    for person in told - {by}:
        notify(person, "board.booking", subject, booking_path(booking), detail=reason)
    return True


def place_of(listing: Listing) -> str:
    """What a calendar event booked on it gives as its place: the listing, whose it is and
    its area ("Community hall for meetings, Riverside Tenants' Federation, Northbank")."""
    parts = [listing.title, listing.organisation.name, *([listing.area.name] if listing.area
                                                          else [])]
    return ", ".join(parts)[:200]


def live_bookings(listing: Listing) -> int:
    """Requests and bookings of it that have not ended."""
    return db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.listing_id == listing.id, Booking.ends_at > now(),
        Booking.status.in_([BookingStatus.REQUESTED, BookingStatus.APPROVED]))) or 0


def owners_of(listing: Listing) -> set[Person]:
    return set(contacts_of(listing.organisation_id)) | {listing.created_by}


def bookers_of(booking: Booking) -> set[Person]:
    return set(contacts_of(booking.organisation_id)) | {booking.requested_by}


def bookings_between(listing: Listing, start: datetime, end: datetime) -> list[Booking]:
    """Approved and waiting bookings of a listing in a window, earliest first (the page shows
    each person what is theirs to see of them)."""
    return list(db.session.scalars(select(Booking).where(
        Booking.listing_id == listing.id, Booking.starts_at < end, Booking.ends_at > start,
        Booking.status.in_([BookingStatus.APPROVED, BookingStatus.REQUESTED]))
        .options(joinedload(Booking.organisation).load_only(Organisation.name))
        .order_by(Booking.starts_at, Booking.id)))


def booking_path(booking: Booking) -> str:
    return site_path("board.booking", booking_id=booking.id)
