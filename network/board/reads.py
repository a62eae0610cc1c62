"""What the board's pages and other features read of it: what is on the board, matches for a
listing being written, what was shared, an organisation's listings, a listing's conversations
and bookings (each through its visibility scope), how a booking's time and a listing's rules
are said, and the addresses of listings and bookings. Nothing here changes anything."""

from __future__ import annotations

import heapq
import re
from datetime import datetime, time

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from network.board.models import (
    Booking,
    BookingStatus,
    Conversation,
    Listing,
    ListingKind,
    ListingStatus,
    Message,
)
from network.core.lines import line
from network.core.links import site_path
from network.core.permissions import visible
from network.core.time import (
    borough_zone,
    format_clock,
    format_day,
    format_weekday,
    now,
    today,
    weekday_name,
)
from network.extensions import db
from network.members.models import Membership, Organisation

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


def shared_this_year(organisation_id: int | None = None) -> int:
    """What was shared since 1 January: listings matched (offered and taken, asked for and
    found) and bookings approved of one organisation's resource by another (a hall lent
    ten times is ten things shared; a booking cancelled since is not). For one organisation:
    given or received."""
    start = datetime(today().year, 1, 1, tzinfo=now().tzinfo)
    matched = select(func.count()).select_from(Listing).where(
        Listing.status == ListingStatus.MATCHED, Listing.settled_at >= start)
    # the resource's owner looked up for each booking of the year by its key (not every
    # listing read into a hash to join them: the board's count grew with the listings)
    owner = select(Listing.organisation_id).where(
        Listing.id == Booking.listing_id).scalar_subquery()
    booked = select(func.count()).select_from(Booking).where(
        Booking.status == BookingStatus.APPROVED, Booking.decided_at >= start,
        Booking.organisation_id != owner)
    if organisation_id is not None:
        matched = matched.where(or_(Listing.organisation_id == organisation_id,
                                    Listing.matched_with_id == organisation_id))
        booked = booked.where(or_(owner == organisation_id,
                                  Booking.organisation_id == organisation_id))
    return db.session.scalar(select(matched.scalar_subquery() + booked.scalar_subquery())) or 0


def shared_between(start: datetime, end: datetime,
                   organisation_id: int | None = None) -> dict[str, float]:
    """What was shared from start until end (the impact record): listings matched then
    (`settled_at`), and approved bookings of one organisation's resource by another that
    began then and have begun by now, with their hours. For one organisation, each given
    (its offer taken, another's request it met; its resource booked) or received (the
    reverse); for the network, each once. Two queries, however long the period."""
    given = or_(and_(Listing.kind == ListingKind.OFFER, Listing.organisation_id == organisation_id),
                and_(Listing.kind == ListingKind.REQUEST,
                     Listing.matched_with_id == organisation_id))
    received = or_(and_(Listing.kind == ListingKind.REQUEST,
                        Listing.organisation_id == organisation_id),
                   and_(Listing.kind == ListingKind.OFFER,
                        Listing.matched_with_id == organisation_id))
    matched = select(func.count(), func.count().filter(given), func.count().filter(received)) \
        .select_from(Listing).where(Listing.status == ListingStatus.MATCHED,
                                    Listing.matched_with_id.is_not(None),
                                    Listing.settled_at >= start, Listing.settled_at < end)
    booked = select(Booking.starts_at, Booking.ends_at, Booking.organisation_id,
                    Listing.organisation_id).join(Listing, Listing.id == Booking.listing_id) \
        .where(Booking.status == BookingStatus.APPROVED,
               Booking.organisation_id != Listing.organisation_id,
               Booking.starts_at >= start, Booking.starts_at < min(end, now()))
    if organisation_id is not None:
        matched = matched.where(or_(Listing.organisation_id == organisation_id,
                                    Listing.matched_with_id == organisation_id))
        booked = booked.where(or_(Listing.organisation_id == organisation_id,
                                  Booking.organisation_id == organisation_id))
    total, gave, took = db.session.execute(matched).one()
    figures = {"matched": total, "matched_given": gave, "matched_received": took,
               "bookings": 0, "bookings_given": 0, "bookings_received": 0,
               "hours": 0.0, "hours_given": 0.0, "hours_received": 0.0}
    for starts_at, ends_at, booker_id, owner_id in db.session.execute(booked):
        hours = (ends_at - starts_at).total_seconds() / 3600
        for side, ours in (("", True), ("_given", owner_id == organisation_id),
                           ("_received", booker_id == organisation_id)):
            if ours:
                figures["bookings" + side] += 1
                figures["hours" + side] += hours
    return figures


def listings_of(organisation_id: int, limit: int = 12) -> list[Listing]:
    """An organisation's listings the person asking may see, newest first: what is on the
    board and its history (matched, closed, expired)."""
    return list(db.session.scalars(visible(select(Listing).where(or_(
        Listing.organisation_id == organisation_id,
        Listing.matched_with_id == organisation_id))).options(
        joinedload(Listing.area), joinedload(Listing.organisation).load_only(Organisation.name))
        .order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit)))


def conversations_about(listing: Listing, organisation_ids=None) -> list[Conversation]:
    """The conversations about a listing the person asking may read, latest first; only
    those of these organisations, if given."""
    query = visible(select(Conversation).where(Conversation.listing_id == listing.id))
    if organisation_ids is not None:
        query = query.where(Conversation.organisation_id.in_(organisation_ids))
    return list(db.session.scalars(query.options(
        joinedload(Conversation.organisation).load_only(Organisation.name))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())))


def messages_in(conversation: Conversation) -> list[Message]:
    """A conversation's messages, oldest first (whoever may read the conversation reads
    them all)."""
    return list(db.session.scalars(
        select(Message).where(Message.conversation_id == conversation.id)
        .options(joinedload(Message.author)).order_by(Message.created_at, Message.id)))


# --- bookings ----------------------------------------------------------------------------------

def waiting_for_answer(listing: Listing) -> list[Booking]:
    """The requests to book it, from now on, that the person asking may see, earliest first."""
    return list(db.session.scalars(visible(select(Booking).where(
        Booking.listing_id == listing.id, Booking.status == BookingStatus.REQUESTED,
        Booking.starts_at > now())).options(
        joinedload(Booking.organisation).load_only(Organisation.name))
        .order_by(Booking.starts_at, Booking.id)))


def waiting_count(listing: Listing) -> int:
    return db.session.scalar(visible(select(func.count()).select_from(Booking).where(
        Booking.listing_id == listing.id, Booking.status == BookingStatus.REQUESTED,
        Booking.starts_at > now()), Booking)) or 0


def bookings_between(listing: Listing, start: datetime, end: datetime) -> list[Booking]:
    """Approved and waiting bookings of a listing in a window, earliest first (the page shows
    each person what is theirs to see of them: booking_access's `in_calendar`)."""
    return list(db.session.scalars(select(Booking).where(
        Booking.listing_id == listing.id, Booking.starts_at < end, Booking.ends_at > start,
        Booking.status.in_([BookingStatus.APPROVED, BookingStatus.REQUESTED]))
        .options(joinedload(Booking.organisation).load_only(Organisation.name))
        .order_by(Booking.starts_at, Booking.id)))


def live_bookings(listing: Listing) -> int:
    """Requests and bookings of it that have not ended."""
    return db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.listing_id == listing.id, Booking.ends_at > now(),
        Booking.status.in_([BookingStatus.REQUESTED, BookingStatus.APPROVED]))) or 0


def clock_of(value: time) -> str:
    """A time of day as the site writes one (format_clock: 19:00)."""
    return format_clock(datetime.combine(today(), value, tzinfo=borough_zone()))


def weekday_names(listing: Listing) -> str:
    return ", ".join(weekday_name(int(day)) for day in listing.book_days)


def rules_text(listing: Listing) -> str:
    """"On Monday, Tuesday. From 09:00 until 22:00. Book at least 2 days ahead. Riverside
    Tenants approve each request." """
    rules = []
    if listing.book_days:
        rules.append(_("On %(days)s.", days=weekday_names(listing)))
    if listing.book_from or listing.book_until:
        rules.append(_("From %(start)s until %(end)s.",
                       start=clock_of(listing.book_from) if listing.book_from else "00:00",
                       end=clock_of(listing.book_until) if listing.book_until else "24:00"))
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


def listing_path(listing: Listing) -> str:
    return site_path("board.listing", listing_id=listing.id, slug=listing.slug)


def booking_path(booking: Booking) -> str:
    return site_path("board.booking", booking_id=booking.id)



# --- for the home page and the bulletin ----------------------------------------------------------

def _organisations_of(person):
    return select(Membership.organisation_id).where(Membership.person_id == person.id,
                                                    Membership.left_at.is_(None))


def fitting(person, since: datetime) -> Select:
    """Listings put on the board since then by other organisations that fit the person's
    own: of the other kind in a category one of their organisations has a listing on the
    board in (the board's matching), or in one of their organisations' areas. Those that
    answer a listing of theirs first, then the newest; as lines (core.lines)."""
    theirs = _organisations_of(person)
    own = aliased(Listing)

    def categories_of_theirs(kind: ListingKind):
        # Not correlated: read once, not once per listing (that read every listing on the
        # board for each one: its cost grew with the square of the board).
        return select(own.category).where(own.organisation_id.in_(theirs), own.kind == kind,
                                          own.status == ListingStatus.OPEN,
                                          own.hidden_at.is_(None), own.expires_on >= today())

    answers = or_(*(and_(Listing.kind == kind,
                         Listing.category.in_(categories_of_theirs(kind.other)))
                    for kind in ListingKind))
    areas = select(Organisation.area_id).where(Organisation.id.in_(theirs),
                                               Organisation.area_id.is_not(None))
    return visible(select(*line(
        "listing", Listing.id, Listing.title, at=Listing.created_at, note=Listing.kind,
        order=(answers.desc(), Listing.created_at.desc(), Listing.id.desc())))
        .where(*on_board(), Listing.created_at >= since, Listing.organisation_id.not_in(theirs),
               or_(answers, Listing.area_id.in_(areas))), Listing, person=person)


def bookings_to_answer(person) -> Select:
    """Requests to book what the person's organisations lend, from now on, waiting for an
    answer, the soonest first; as lines."""
    return visible(select(*line(
        "booking", Booking.id, Listing.title, at=Booking.starts_at,
        order=(Booking.starts_at, Booking.id)))
        .join(Listing, Listing.id == Booking.listing_id)
        .where(Booking.status == BookingStatus.REQUESTED, Booking.starts_at > now(),
               Listing.organisation_id.in_(_organisations_of(person))), Booking, person=person)


def new_listings(person, since: datetime, limit: int) -> list[Listing]:
    """Offers and requests put on the board since then that the person may see, newest
    first (for the bulletin)."""
    return list(db.session.scalars(visible(
        select(Listing).where(*on_board(), Listing.created_at >= since)
        .options(joinedload(Listing.organisation).load_only(Organisation.name),
                 joinedload(Listing.area))
        .order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit),
        Listing, person=person)))
