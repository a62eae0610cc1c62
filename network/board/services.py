"""Every change to the board: listings posted, changed, matched, closed, renewed, hidden;
conversations opened and answered; expiry notices. Functions change the session; the route
commits once."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from network.auth.models import Person
from network.board.models import Conversation, Listing, ListingKind, ListingStatus, Message
from network.core import audit
from network.core.links import site_path
from network.core.permissions import visible
from network.core.time import format_day, now, today
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
    """Open listings of the other kind in the same category (in the same area, or with none
    given), ranked by words in common, then newest: what a person posting might answer
    instead. With words typed, only those sharing one. (What is on the board, hidden ones
    not, is for everyone who may post.)"""
    words = set(keywords_of(text).split())
    query = select(Listing.id, Listing.keywords, Listing.created_at).where(
        Listing.kind == kind.other, Listing.category == category, *on_board())
    if area_id:
        query = query.where(or_(Listing.area_id.is_(None), Listing.area_id == area_id))
    if organisation_id:
        query = query.where(Listing.organisation_id != organisation_id)
    scored = []
    for row in db.session.execute(query):
        shared = len(words.intersection(row.keywords.split())) if words else 0
        if shared or not words:
            scored.append((shared, row.created_at, row.id))
    best = [listing_id for _shared, _at, listing_id in sorted(scored, reverse=True)[:limit]]
    if not best:
        return []
    found = {listing.id: listing for listing in db.session.scalars(
        select(Listing).where(Listing.id.in_(best)))}
    return [found[listing_id] for listing_id in best]


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
           by: Person) -> None:
    """Mark it matched (with whom) or closed: it leaves the board."""
    listing.status, listing.settled_at = status, now()
    listing.matched_with_id = matched_with_id if status == ListingStatus.MATCHED else None
    if listing.matched_with_id is not None:
        for person in contacts_of(listing.matched_with_id):
            notify(person, "board.listing", _(
                "“%(title)s” is marked shared with your organisation: thank you for sharing",
                title=listing.title), listing_path(listing))
    audit.record(f"listing.{status.value}", listing,
                 f"Marked “{listing.title}” {status.value}", actor=by,
                 matched_with=matched_with_id)


def reopen(listing: Listing, by: Person) -> None:
    listing.status, listing.settled_at, listing.matched_with_id = ListingStatus.OPEN, None, None
    if listing.expires_on < today():
        renew(listing, by)
    audit.record("listing.reopen", listing, f"Opened “{listing.title}” again", actor=by)


def renew(listing: Listing, by: Person) -> None:
    listing.expires_on = today() + timedelta(days=listing_days())
    listing.expiry_warned_at = None
    audit.record("listing.renew", listing, f"Renewed “{listing.title}” to "
                                           f"{listing.expires_on.isoformat()}", actor=by)


def hide(listing: Listing, reason: str, by: Person) -> None:
    listing.hidden_at, listing.hidden_reason, listing.hidden_by_id = now(), reason, by.id
    audit.record("listing.hide", listing, f"Hid “{listing.title}”", actor=by, reason=reason)
    notify(listing.created_by, "board.listing",
           _("Your listing “%(title)s” was hidden by a coordinator: %(reason)s",
             title=listing.title, reason=reason),
           listing_path(listing))


def restore(listing: Listing, by: Person) -> None:
    listing.hidden_at, listing.hidden_reason, listing.hidden_by_id = None, "", None
    audit.record("listing.restore", listing, f"Restored “{listing.title}”", actor=by)
    notify(listing.created_by, "board.listing",
           _("Your listing “%(title)s” is back on the board", title=listing.title),
           listing_path(listing))


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
                 "still open", title=listing.title, day=format_day(listing.expires_on)),
               listing_path(listing))
        told += 1
    return told


def shared_this_year(organisation_id: int | None = None) -> int:
    """Listings matched since 1 January: offered and taken, asked for and found."""
    start = date(today().year, 1, 1)
    query = select(func.count()).select_from(Listing).where(
        Listing.status == ListingStatus.MATCHED,
        Listing.settled_at >= datetime(start.year, 1, 1, tzinfo=now().tzinfo))
    if organisation_id is not None:
        query = query.where(or_(Listing.organisation_id == organisation_id,
                                Listing.matched_with_id == organisation_id))
    return db.session.scalar(query) or 0


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
               _("%(name)s wrote about “%(title)s”", name=author.display_name,
                 title=listing.title),
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
