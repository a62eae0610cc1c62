"""Rules of the board: everyone signed in reads it; members post for their organisations and
reply to others'; an organisation's members (and coordinators) manage its listings; a
conversation is for its two organisations and the coordinators alone; coordinators hide."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select, true

from network.board.models import Conversation, Listing, ListingStatus
from network.core.permissions import coordinator, policies_from, policy, scope, signed_in


def in_an_organisation(person) -> bool:
    return signed_in(person) and person.is_member and bool(person.organisation_ids)


@policy("board.view")
def view_board(person, _) -> bool:
    return signed_in(person)


@policy("board.post")
def post_listings(person, _) -> bool:
    """Members of a member organisation, and coordinators (for any organisation)."""
    return coordinator(person) or in_an_organisation(person)


@scope(Listing)
def listings_seen(person):
    if not signed_in(person):
        return false()
    if coordinator(person):
        return true()
    return or_(Listing.hidden_at.is_(None), Listing.organisation_id.in_(person.organisation_ids))


@scope(Conversation)
def conversations_seen(person):
    if not signed_in(person):
        return false()
    if coordinator(person):
        return true()
    mine = person.organisation_ids
    return or_(Conversation.organisation_id.in_(mine), Conversation.listing_id.in_(
        select(Listing.id).where(Listing.organisation_id.in_(mine))))


@dataclass(frozen=True, slots=True)
class ListingAccess:
    """What one person may do with one listing, decided once for its page."""

    view: bool
    manage: bool  # change, mark matched or closed, renew, see every conversation
    reply: bool  # open a conversation as another organisation
    own: bool  # one of the listing's organisation's people
    hide: bool


def listing_access(person, listing: Listing) -> ListingAccess:
    own = signed_in(person) and listing.organisation_id in person.organisation_ids
    view = signed_in(person) and (not listing.hidden or own or coordinator(person))
    manage = view and (coordinator(person) or (own and person.is_member))
    reply = (view and in_an_organisation(person) and not listing.hidden
             and listing.status == ListingStatus.OPEN)
    return ListingAccess(view=view, manage=manage, reply=reply, own=own,
                         hide=view and coordinator(person))


policies_from(listing_access, {"listing.view": "view", "listing.manage": "manage",
                               "listing.reply": "reply", "listing.hide": "hide"})


@policy("conversation.view", "conversation.write")
def take_part(person, conversation: Conversation) -> bool:
    if not signed_in(person):
        return False
    if coordinator(person):
        return True
    mine = person.organisation_ids
    return conversation.organisation_id in mine or conversation.listing.organisation_id in mine
