"""The board's blueprint, and what its route modules share: loading a listing with its access
checked, and whom a person writes or books for."""

from __future__ import annotations

from flask import Blueprint

from network.board.models import Listing
from network.core.permissions import authorize, load
from network.members.models import Organisation
from network.members.services import organisations_for

bp = Blueprint("board", __name__, url_prefix="/board")


def replying_organisations(person) -> list[Organisation]:
    """Whom a person may write for: their own organisations (a coordinator without one reads
    conversations but opens none in another group's name)."""
    return organisations_for(person, any_for_coordinators=False)


def load_listing(listing_id: int, need: str = "listing.view") -> Listing:
    authorize("board.view")  # a visitor following a link is asked to log in first
    return load(Listing, listing_id, need=need, visible="listing.view")
