"""Board pages: the board, posting (with matches found while typing), a listing with what
its organisation can do to it, replies as private conversations, and hiding. (The bookings of
what can be booked: bookings.py.)"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.board import (
    bookings,  # noqa: F401  (its routes join the blueprint)
    reads,
    services,
)
from network.board.blueprint import bp, load_listing, replying_organisations
from network.board.forms import (
    BoardFilterForm,
    EditListingForm,
    HideForm,
    ListingForm,
    MessageForm,
    ReplyForm,
    SettleForm,
    StateForm,
)
from network.board.models import (
    Category,
    Conversation,
    Listing,
    ListingKind,
    ListingStatus,
)
from network.board.policies import board_access, listing_access
from network.core.htmx import render, see_other
from network.core.pagination import page_number, paginate
from network.core.permissions import authorize, load, me, visible
from network.core.submit import submit, with_status
from network.core.time import format_day, today
from network.members.models import Area, Organisation
from network.members.services import (
    approved_organisations,
    chosen_organisation,
    live_entries,
    organisations_for,
)

# --- the board ---------------------------------------------------------------------------------

def board_context(form: BoardFilterForm) -> dict:
    query = visible(select(Listing).where(*reads.on_board())).options(
        joinedload(Listing.organisation).load_only(Organisation.name),
        joinedload(Listing.area))
    if kind := form.chosen(form.kind):
        query = query.where(Listing.kind == ListingKind(kind))
    if category := form.chosen(form.category):
        query = query.where(Listing.category == Category(category))
    if area := form.chosen(form.area):
        query = query.where(Listing.area_id == int(area))
    if organisation := form.chosen(form.organisation):
        query = query.where(Listing.organisation_id == int(organisation))
    order = ((Listing.expires_on, Listing.id) if form.sort.data == "expiring"
             else (Listing.created_at.desc(), Listing.id.desc()))
    page = paginate(query.order_by(*order), page=page_number())
    return {"form": form, "page": page, "shared": reads.shared_this_year(),
            "access": board_access(me())}


@bp.get("")
def board():
    authorize("board.view")
    form = BoardFilterForm(request.args, areas=live_entries(Area),
                           organisations=chosen_organisation(request.args.get("organisation")))
    form.validate()
    return render("board/board.html", board_context(form), fragments=("results",),
                  status=422 if form.errors else 200)


# --- posting -----------------------------------------------------------------------------------

def matches_for(form: ListingForm) -> list[Listing] | None:
    """What already on the board answers the listing being written (None: not enough said
    yet to look)."""
    kind, category = form.kind.data, form.category.data
    if kind not in ListingKind._value2member_map_ or category not in \
            Category._value2member_map_:
        return None
    area = form.area.data if form.area.data and form.area.data.isdigit() else None
    organisation = form.organisation.data if (form.organisation.data or "").isdigit() else None
    return reads.matching(ListingKind(kind), Category(category),
                            int(area) if area else None,
                            f"{form.title.data or ''} {form.description.data or ''}",
                            int(organisation) if organisation else None)


def listing_form_page(form: ListingForm, listing: Listing | None = None):
    """The form to post a listing (`#matches` alone for htmx as it is typed), or to change
    one."""
    return render("board/listing_form.html", {
        "form": form, "listing": listing, "matches": None if listing else matches_for(form),
        "conflict": listing is not None and form.version.conflicted},
        fragments=() if listing else ("matches",))


@bp.route("/new", methods=["GET", "POST"])
def new_listing():
    """POST with `check` finds matches: htmx as it is typed (#matches alone), or the button
    without JavaScript (the page); GET with the form's fields does the same (an address
    kept); POST posts."""
    authorize("board.post")
    lists = {"organisations": organisations_for(current_user), "areas": live_entries(Area)}
    if request.method == "GET":
        form = ListingForm(request.args or None, **lists)
        if not form.organisation.data and len(form.organisation.choices) == 1:
            form.organisation.data = form.organisation.choices[0].value
        return listing_form_page(form)
    form = ListingForm(**lists)
    if form.check.data:  # the button without JavaScript, or htmx as it is typed
        return listing_form_page(form)
    return submit(
        form, lambda: services.create_listing(int(form.organisation.data), current_user,
                                              form.values(services.listing_days()),
                                              form.submission.data),
        page=lambda: listing_form_page(form),
        done=lambda listing: see_other(reads.listing_path(listing), _(
            "“%(title)s” is on the board.", title=listing.title)),
        once=lambda key: services.existing_submission(key, current_user))


# --- one listing -------------------------------------------------------------------------------

def listing_context(listing: Listing, settle_form: SettleForm | None = None,
                    reply_form: ReplyForm | None = None) -> dict:
    viewer = me()
    access = listing_access(viewer, listing)
    own = [o for o in replying_organisations(viewer) if o.id != listing.organisation_id]
    replying_as = own if access.reply else []
    reply_form = reply_form or ReplyForm(organisations=replying_as)
    return {
        "listing": listing, "access": access,
        "conversations": reads.conversations_about(listing) if access.manage else [],
        "my_conversations": reads.conversations_about(
            listing, [o.id for o in own]) if own else [],
        "reply_form": reply_form, "can_reply": bool(replying_as),
        "settle_form": settle_form or (settle_form_for(listing) if access.manage else None),
        "state_form": StateForm(), "expired": listing.expires_on < today(),
        "problem": reply_form.problem or (settle_form.problem if settle_form else None),
        "waiting": reads.waiting_count(listing) if access.manage and listing.bookable else 0,
        "booking_rules": reads.rules_text(listing) if listing.bookable else "",
    }


@bp.get("/l/<int:listing_id>")
@bp.get("/l/<int:listing_id>-<slug>")
def listing(listing_id: int, slug: str | None = None):
    found = load_listing(listing_id)
    if slug != found.slug:
        return redirect(reads.listing_path(found), 301)
    return render("board/listing.html", listing_context(found))


@bp.route("/l/<int:listing_id>/edit", methods=["GET", "POST"])
def edit_listing(listing_id: int):
    found = load_listing(listing_id, need="listing.manage")
    lists = {"organisations": [found.organisation], "areas": live_entries(Area)}
    # Built on the listing, POST too: a day it already has is kept though out of reach now.
    form = EditListingForm(obj=found, **lists)
    if not form.is_submitted():
        form.show(found)
    elif found.bookable:
        form.live_bookings = reads.live_bookings(found)

    def save():
        values = form.values(services.listing_days())
        if form.expires_on.data is None:
            values["expires_on"] = found.expires_on
        services.edit_listing(found, values, current_user)

    return submit(form, save, page=lambda: listing_form_page(form, found),
                  done=lambda _saved: see_other(reads.listing_path(found),
                                                _("The listing is saved.")),
                  record=found)


@bp.route("/l/<int:listing_id>/settle", methods=["GET", "POST"])
def settle(listing_id: int):
    found = load_listing(listing_id, need="listing.manage")
    if request.method == "GET":
        return redirect(reads.listing_path(found) + "#settle", 303)
    form = settle_form_for(found)
    if found.status != ListingStatus.OPEN:
        return already_settled(found)

    def settled(changed: bool):
        if not changed:  # settled a moment before
            return already_settled(found)
        return see_other(reads.listing_path(found), _(
            "Marked matched: thank you for sharing.") if found.status == ListingStatus.MATCHED
            else _("Closed: it is off the board and takes no new bookings. Bookings "
                   "approved stand; requests waiting were declined, and told.")
            if found.bookable_offer else _("Closed: it is off the board."))

    return submit(form, lambda: services.settle(
        found, ListingStatus(form.outcome.data),
        int(form.matched_with.data) if form.matched_with.data else None, current_user),
        page=lambda: render("board/listing.html", listing_context(found, settle_form=form)),
        done=settled)


def already_settled(listing: Listing):
    return see_other(reads.listing_path(listing), already=_(
        "It is already marked %(status)s.", status=listing.status.label.lower()),
        changed=False)


def settle_form_for(listing: Listing) -> SettleForm:
    """Matched (with whom) or closed; an offer that can be booked is only closed (so the
    organisations it might have matched with are not read: every member organisation)."""
    if listing.bookable_offer:
        return SettleForm(bookable=True)
    return SettleForm(organisations=[o for o in approved_organisations()
                                     if o.id != listing.organisation_id])


@bp.post("/l/<int:listing_id>/state")
def change_state(listing_id: int):
    """Renew (another 60 days), open again, or (coordinators) restore. Asked again, each
    changes nothing and says it is so."""
    form = StateForm()
    found = load_listing(listing_id, need="listing.manage")
    path = reads.listing_path(found)

    def pressed_again():
        flash(_("That did not work: press the button again."), "error")
        return redirect(path, 303)

    def change() -> bool:
        if form.action.data == "restore":
            authorize("listing.hide", found)
            return services.restore(found, current_user)
        if form.action.data == "reopen":
            return services.reopen(found, current_user)
        return found.status == ListingStatus.OPEN and services.renew(found, current_user)

    def said(changed: bool):
        if form.action.data == "restore":
            return see_other(path, _("The listing is back on the board."),
                             already=_("This listing is not hidden."), changed=changed)
        if form.action.data == "reopen":
            return see_other(path, _("It is open and on the board again."),
                             already=_("It is already open."), changed=changed)
        if found.status != ListingStatus.OPEN:
            return see_other(path, already=_(
                "It is marked %(status)s: open it again to put it back on the board.",
                status=found.status.label.lower()), changed=False)
        day = format_day(found.expires_on)
        return see_other(path, _("Renewed: it stays on the board until %(day)s.", day=day),
                         already=_("It is already on the board until %(day)s.", day=day),
                         changed=changed)

    return submit(form, change, page=pressed_again, done=said)


@bp.route("/l/<int:listing_id>/hide", methods=["GET", "POST"])
def hide_listing(listing_id: int):
    found = load_listing(listing_id, need="listing.hide")
    path = reads.listing_path(found)
    already = _("This listing is already hidden.")
    if found.hidden:
        return see_other(path, already=already, changed=False)
    form = HideForm()
    return submit(form, lambda: services.hide(found, form.reason.data, current_user),
                  page=lambda: render("board/hide.html", {"listing": found, "form": form}),
                  done=lambda hidden: see_other(path, _(
                      "The listing is hidden and the person who posted it has been told why."),
                      already=already, changed=hidden))


# --- conversations -----------------------------------------------------------------------------

@bp.get("/l/<int:listing_id>/reply")
def reply_page(listing_id: int):
    """The reply form's address opened again (a reload after a refusal): back to the form."""
    return redirect(reads.listing_path(load_listing(listing_id)) + "#reply", 303)


@bp.post("/l/<int:listing_id>/reply")
def reply(listing_id: int):
    found = load_listing(listing_id)
    authorize("listing.reply", found)
    replying_as = [o for o in replying_organisations(current_user)
                   if o.id != found.organisation_id]
    form = ReplyForm(organisations=replying_as)

    def page():
        return render("board/listing.html", listing_context(found, reply_form=form))

    if not replying_as:
        form.problem = _("This is your own organisation’s listing: replies to it are listed "
                         "here for you to answer.")
        return with_status(page(), 422)
    return submit(
        form, lambda: services.reply(found, int(form.organisation.data), current_user,
                                     form.body.data, form.submission.data),
        page=page,
        done=lambda message: see_other(url_for(
            "board.conversation", conversation_id=message.conversation_id,
            _anchor=f"m{message.id}"), _(
            "Sent. Only your two organisations and the coordinators can read it.")),
        once=lambda key: services.existing_message(key, current_user))


def conversation_context(conversation: Conversation, form: MessageForm) -> dict:
    return {"conversation": conversation, "listing": conversation.listing,
            "messages": reads.messages_in(conversation), "form": form}


@bp.route("/c/<int:conversation_id>", methods=["GET", "POST"])
def conversation(conversation_id: int):
    authorize("board.view")
    found = load(Conversation, conversation_id, need="conversation.view",
                 visible="conversation.view",
                 options=(joinedload(Conversation.listing), joinedload(
                     Conversation.organisation).load_only(Organisation.name)))
    form = MessageForm()
    return submit(
        form, lambda: services.add_message(found, current_user, form.body.data,
                                           form.submission.data),
        page=lambda: render("board/conversation.html", conversation_context(found, form)),
        done=lambda message: see_other(url_for("board.conversation", conversation_id=found.id,
                                               _anchor=f"m{message.id}")),
        once=lambda key: services.existing_message(key, current_user))
