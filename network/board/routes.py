"""Board pages: the board, posting (with matches found while typing), a listing with what
its organisation can do to it, replies as private conversations, hiding, and the bookings of
what can be booked: its calendar, asking for a time, answering, cancelling."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from network.board import services
from network.board.forms import (
    AnswerBookingForm,
    BoardFilterForm,
    BookingForm,
    BookingWindowForm,
    CancelBookingForm,
    EditListingForm,
    HideForm,
    ListingForm,
    MessageForm,
    ReplyForm,
    SettleForm,
    StateForm,
)
from network.board.models import (
    Booking,
    BookingStatus,
    Category,
    Conversation,
    Listing,
    ListingKind,
    ListingStatus,
    Message,
)
from network.board.policies import booking_access, listing_access
from network.core.concurrency import save_versioned, submit_once
from network.core.htmx import form_status, render
from network.core.pagination import page_number, paginate
from network.core.permissions import authorize, load, me, visible
from network.core.time import format_day, local, local_moment, now, today
from network.extensions import db
from network.members.models import Area, Organisation
from network.members.services import approved_organisations, live_entries, organisations_for

bp = Blueprint("board", __name__, url_prefix="/board")


def replying_organisations(person) -> list[Organisation]:
    """Whom a person may write for: their own organisations (a coordinator without one reads
    conversations but opens none in another group's name)."""
    return organisations_for(person, any_for_coordinators=False)


# --- the board ---------------------------------------------------------------------------------

def board_context(form: BoardFilterForm) -> dict:
    query = visible(select(Listing).where(*services.on_board())).options(
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
    return {"form": form, "page": page, "shared": services.shared_this_year(),
            "can_post": me().is_authenticated and bool(organisations_for(me()))}


@bp.get("")
def board():
    authorize("board.view")
    form = BoardFilterForm(request.args, areas=live_entries(Area),
                           organisations=approved_organisations())
    form.validate()
    return render("board/board.html", board_context(form), fragments=("results",),
                  status=form_status(form))


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
    return services.matching(ListingKind(kind), Category(category),
                             int(area) if area else None,
                             f"{form.title.data or ''} {form.description.data or ''}",
                             int(organisation) if organisation else None)


def listing_form_context(form: ListingForm, listing: Listing | None = None,
                         conflict: bool = False) -> dict:
    return {"form": form, "listing": listing, "conflict": conflict,
            "matches": None if listing else matches_for(form)}


@bp.route("/new", methods=["GET", "POST"])
def new_listing():
    """POST with `check` finds matches: htmx as it is typed (#matches alone), or the button
    without JavaScript (the page); GET with the form's fields does the same (an address
    kept); POST posts."""
    authorize("board.post")
    lists = {"organisations": organisations_for(current_user), "areas": live_entries(Area)}
    if request.method == "GET":
        form = ListingForm(request.args, **lists) if request.args else ListingForm(**lists)
        if not form.organisation.data and len(form.organisation.choices) == 1:
            form.organisation.data = form.organisation.choices[0].value
        return render("board/listing_form.html", listing_form_context(form),
                      fragments=("matches",))
    form = ListingForm(**lists)
    if "check" in request.form:  # the button without JavaScript, or htmx as it is typed
        return render("board/listing_form.html", listing_form_context(form),
                      fragments=("matches",))
    if form.validate_on_submit():
        listing = submit_once(
            form.submission.data,
            lambda key: services.existing_submission(key, current_user),
            lambda: services.create_listing(int(form.organisation.data), current_user,
                                            form.values(services.listing_days()),
                                            form.submission.data))
        if listing is None:
            abort(409)
        flash(_("“%(title)s” is on the board.", title=listing.title), "success")
        return redirect(services.listing_path(listing), 303)
    return render("board/listing_form.html", listing_form_context(form),
                  status=form_status(form))


# --- one listing -------------------------------------------------------------------------------

def load_listing(listing_id: int, need: str = "listing.view") -> Listing:
    authorize("board.view")  # a visitor following a link is asked to log in first
    return load(Listing, listing_id, need=need, visible="listing.view")


def listing_context(listing: Listing, settle_form: SettleForm | None = None,
                    reply_form: ReplyForm | None = None, problem: str | None = None) -> dict:
    viewer = me()
    access = listing_access(viewer, listing)
    conversations = []
    if access.manage:
        conversations = list(db.session.scalars(
            select(Conversation).where(Conversation.listing_id == listing.id)
            .options(joinedload(Conversation.organisation).load_only(Organisation.name))
            .order_by(Conversation.last_message_at.desc())))
    own = [o for o in replying_organisations(viewer) if o.id != listing.organisation_id]
    replying_as = own if access.reply else []
    mine = list(db.session.scalars(select(Conversation).where(
        Conversation.listing_id == listing.id,
        Conversation.organisation_id.in_([o.id for o in own])))) if own else []
    return {
        "listing": listing, "access": access, "conversations": conversations,
        "my_conversations": mine,
        "reply_form": reply_form or ReplyForm(organisations=replying_as),
        "can_reply": bool(replying_as),
        "settle_form": settle_form or (settle_form_for(listing) if access.manage else None),
        "state_form": StateForm(), "expired": listing.expires_on < today(),
        "problem": problem,
        "waiting": db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.listing_id == listing.id, Booking.status == BookingStatus.REQUESTED,
            Booking.starts_at > now())) if access.manage and listing.bookable else 0,
        "booking_rules": services.rules_text(listing) if listing.bookable else "",
    }


@bp.get("/l/<int:listing_id>")
@bp.get("/l/<int:listing_id>-<slug>")
def listing(listing_id: int, slug: str | None = None):
    found = load_listing(listing_id)
    if slug != found.slug:
        return redirect(services.listing_path(found), 301)
    return render("board/listing.html", listing_context(found))


@bp.route("/l/<int:listing_id>/edit", methods=["GET", "POST"])
def edit_listing(listing_id: int):
    found = load_listing(listing_id, need="listing.manage")
    lists = {"organisations": [found.organisation], "areas": live_entries(Area)}
    # Built on the listing, POST too: a day it already has is kept though out of reach now.
    form = EditListingForm(obj=found, **lists)
    if request.method == "GET":
        form.show(found)
    conflict = False
    if request.method == "POST" and found.bookable:
        form.live_bookings = services.live_bookings(found)
    if form.validate_on_submit():
        values = form.values(services.listing_days())
        if form.expires_on.data is None:
            values["expires_on"] = found.expires_on
        if save_versioned(found, form.version,
                          lambda: services.edit_listing(found, values, current_user)):
            flash(_("The listing is saved."), "success")
            return redirect(services.listing_path(found), 303)
        conflict = True
    return render("board/listing_form.html", listing_form_context(form, found, conflict),
                  status=409 if conflict else form_status(form))


@bp.route("/l/<int:listing_id>/settle", methods=["GET", "POST"])
def settle(listing_id: int):
    found = load_listing(listing_id, need="listing.manage")
    if request.method == "GET":
        return redirect(services.listing_path(found) + "#settle", 303)
    form = settle_form_for(found)
    if found.status != ListingStatus.OPEN:
        return already_settled(found)
    if form.validate_on_submit():
        status = ListingStatus(form.outcome.data)
        if not services.settle(found, status, int(form.matched_with.data) if
                               form.matched_with.data else None, current_user):
            return already_settled(found)  # settled a moment before
        db.session.commit()
        flash(_("Marked matched: thank you for sharing.") if status == ListingStatus.MATCHED
              else _("Closed: it is off the board and takes no new bookings. Bookings "
                     "approved stand; requests waiting were declined, and told.")
              if found.bookable_offer else _("Closed: it is off the board."), "success")
        return redirect(services.listing_path(found), 303)
    return render("board/listing.html", listing_context(found, settle_form=form), status=422)


def already_settled(listing: Listing):
    flash(_("It is already marked %(status)s.", status=listing.status.label.lower()), "info")
    return redirect(services.listing_path(listing), 303)


def settle_form_for(listing: Listing) -> SettleForm:
    """Matched (with whom) or closed; an offer that can be booked is only closed."""
    return SettleForm(organisations=[o for o in approved_organisations()
                                     if o.id != listing.organisation_id],
                      bookable=listing.bookable_offer)


@bp.post("/l/<int:listing_id>/state")
def change_state(listing_id: int):
    """Renew (another 60 days), open again, or (coordinators) restore. Asked again, each
    changes nothing and says it is so."""
    form = StateForm()
    found = load_listing(listing_id, need="listing.manage")
    if not form.validate_on_submit():
        flash(_("That did not work: press the button again."), "error")
        return redirect(services.listing_path(found), 303)
    action = form.action.data
    if action == "restore":
        authorize("listing.hide", found)
        if services.restore(found, current_user):
            flash(_("The listing is back on the board."), "success")
        else:
            flash(_("This listing is not hidden."), "info")
    elif action == "renew" and found.status != ListingStatus.OPEN:
        flash(_("It is marked %(status)s: open it again to put it back on the board.",
                status=found.status.label.lower()), "info")
    elif action == "renew":
        renewed = services.renew(found, current_user)
        flash(_("Renewed: it stays on the board until %(day)s.", day=format_day(
            found.expires_on)) if renewed else _("It is already on the board until %(day)s.",
                                                 day=format_day(found.expires_on)),
              "success" if renewed else "info")
    elif action == "reopen":
        if services.reopen(found, current_user):
            flash(_("It is open and on the board again."), "success")
        else:
            flash(_("It is already open."), "info")
    db.session.commit()
    return redirect(services.listing_path(found), 303)


@bp.route("/l/<int:listing_id>/hide", methods=["GET", "POST"])
def hide_listing(listing_id: int):
    found = load_listing(listing_id, need="listing.hide")
    if found.hidden:
        flash(_("This listing is already hidden."), "info")
        return redirect(services.listing_path(found), 303)
    form = HideForm()
    if form.validate_on_submit():
        if services.hide(found, form.reason.data, current_user):
            db.session.commit()
            flash(_("The listing is hidden and the person who posted it has been told why."),
                  "success")
        else:
            flash(_("This listing is already hidden."), "info")
        return redirect(services.listing_path(found), 303)
    return render("board/hide.html", {"listing": found, "form": form},
                  status=form_status(form))


# --- conversations -----------------------------------------------------------------------------

@bp.get("/l/<int:listing_id>/reply")
def reply_page(listing_id: int):
    """The reply form's address opened again (a reload after a refusal): back to the form."""
    return redirect(services.listing_path(load_listing(listing_id)) + "#reply", 303)


@bp.post("/l/<int:listing_id>/reply")
def reply(listing_id: int):
    found = load_listing(listing_id)
    authorize("listing.reply", found)
    replying_as = [o for o in replying_organisations(current_user)
                   if o.id != found.organisation_id]
    form = ReplyForm(organisations=replying_as)
    if not replying_as:
        return render("board/listing.html", listing_context(found, problem=_(
            "This is your own organisation’s listing: replies to it are listed here for you "
            "to answer.")), status=422)
    if form.validate_on_submit():
        message = submit_once(
            form.submission.data,
            lambda key: services.existing_message(key, current_user),
            lambda: services.reply(found, int(form.organisation.data), current_user,
                                   form.body.data, form.submission.data))
        if message is None:
            abort(409)
        flash(_("Sent. Only your two organisations and the coordinators can read it."),
              "success")
        return redirect(url_for("board.conversation", conversation_id=message.conversation_id,
                                _anchor=f"m{message.id}"), 303)
    return render("board/listing.html", listing_context(found, reply_form=form), status=422)


def conversation_context(conversation: Conversation, form: MessageForm | None = None) -> dict:
    messages = list(db.session.scalars(
        select(Message).where(Message.conversation_id == conversation.id)
        .options(joinedload(Message.author)).order_by(Message.created_at, Message.id)))
    return {"conversation": conversation, "listing": conversation.listing,
            "messages": messages, "form": form or MessageForm()}


@bp.route("/c/<int:conversation_id>", methods=["GET", "POST"])
def conversation(conversation_id: int):
    authorize("board.view")
    found = load(Conversation, conversation_id, need="conversation.view",
                 visible="conversation.view",
                 options=(joinedload(Conversation.listing), joinedload(
                     Conversation.organisation).load_only(Organisation.name)))
    form = MessageForm()
    if form.validate_on_submit():
        message = submit_once(
            form.submission.data,
            lambda key: services.existing_message(key, current_user),
            lambda: services.add_message(found, current_user, form.body.data,
                                         form.submission.data))
        if message is None:
            abort(409)
        return redirect(url_for("board.conversation", conversation_id=found.id,
                                _anchor=f"m{message.id}"), 303)
    return render("board/conversation.html", conversation_context(found, form),
                  status=form_status(form))


# --- bookings ----------------------------------------------------------------------------------

BOOKING_WEEKS = 4


def bookings_context(listing: Listing, window: BookingWindowForm,
                     form: BookingForm | None = None, problem: str | None = None) -> dict:
    """A bookable listing's calendar (four weeks of approved times, and the requests the
    viewer may see), the requests waiting for its people's answer, and the form to ask."""
    viewer = me()
    access = listing_access(viewer, listing)
    first = window.start.data or today()
    start, end = local_moment(first, None), local_moment(first + timedelta(weeks=BOOKING_WEEKS),
                                                         None)
    days: dict = {}
    for booking in services.bookings_between(listing, start, end):
        seen = booking_access(viewer, booking, access)
        if booking.status == BookingStatus.APPROVED or seen.view:
            days.setdefault(local(booking.starts_at).date(), []).append((booking, seen))
    waiting = list(db.session.scalars(select(Booking).where(
        Booking.listing_id == listing.id, Booking.status == BookingStatus.REQUESTED,
        Booking.starts_at > now()).options(
        joinedload(Booking.organisation).load_only(Organisation.name))
        .order_by(Booking.starts_at))) if access.manage else []
    bookers = replying_organisations(viewer) if access.book else []
    return {
        "listing": listing, "access": access, "days": days, "first": first,
        "earlier": first - timedelta(weeks=BOOKING_WEEKS),
        "later": first + timedelta(weeks=BOOKING_WEEKS), "weeks": BOOKING_WEEKS,
        "waiting": waiting, "answer_form": AnswerBookingForm(),
        "form": form or (BookingForm(organisations=bookers) if bookers else None),
        "problem": problem,
        "rules": services.rules_text(listing),
    }


def load_bookable(listing_id: int) -> Listing:
    found = load_listing(listing_id)
    if not found.bookable:
        abort(404)
    return found


@bp.get("/l/<int:listing_id>/bookings")
def bookings(listing_id: int):
    """The resource's calendar: ?start= moves it, htmx fills #slots."""
    found = load_bookable(listing_id)
    window = BookingWindowForm(request.args)
    window.validate()
    return render("board/bookings.html", bookings_context(found, window),
                  fragments=("slots",))


@bp.get("/l/<int:listing_id>/book")
def book_page(listing_id: int):
    """The booking form's address opened again (a reload after a refusal): back to the form."""
    return redirect(url_for("board.bookings", listing_id=load_bookable(listing_id).id,
                            _anchor="book"), 303)


@bp.post("/l/<int:listing_id>/book")
def book(listing_id: int):
    found = load_bookable(listing_id)
    authorize("listing.ask", found)
    window = BookingWindowForm()
    form = BookingForm(organisations=replying_organisations(current_user))
    if not found.takes_bookings:  # closed or hidden since the form was opened
        return render("board/bookings.html", bookings_context(
            found, window, form, problem=_("It is not taking bookings now.")), status=422)
    if form.validate_on_submit():
        try:
            booking = submit_once(
                form.submission.data,
                lambda key: services.existing_booking(key, current_user),
                lambda: services.request_booking(found, int(form.organisation.data),
                                                 current_user, form.values(),
                                                 form.submission.data))
        except services.BookingRefused as refused:
            db.session.rollback()
            form.refused(refused)
            return render("board/bookings.html", bookings_context(
                found, window, form, problem=form.problem), status=422)
        if booking is None:
            abort(409)
        flash(_("Booked: %(slot)s.", slot=services.slot_text(booking))
              if booking.status == BookingStatus.APPROVED else
              _("Asked: %(org)s will answer, and you will be told.",
                org=found.organisation.name), "success")
        return redirect(services.booking_path(booking) + "#status", 303)
    return render("board/bookings.html", bookings_context(found, window, form),
                  status=form_status(form))


@bp.get("/bookings")
def my_bookings():
    """What a person's organisations have booked or asked for, and what others asked of the
    things they lend, from now on (coordinators: everyone's)."""
    authorize("board.view")
    query = visible(select(Booking).where(Booking.ends_at > now())).options(
        joinedload(Booking.listing).load_only(Listing.title, Listing.organisation_id),
        joinedload(Booking.organisation).load_only(Organisation.name)).order_by(
        Booking.starts_at, Booking.id)
    return render("board/my_bookings.html", {
        "page": paginate(query), "mine": set(me().organisation_ids)}, fragments=("results",))


def load_booking(booking_id: int, need: str = "booking.view") -> Booking:
    authorize("board.view")
    return load(Booking, booking_id, need=need, visible="booking.view",
                options=(joinedload(Booking.listing), joinedload(Booking.organisation)))


def booking_context(booking: Booking, answer_form: AnswerBookingForm | None = None,
                    cancel_form: CancelBookingForm | None = None,
                    problem: str | None = None) -> dict:
    cancel_form = cancel_form or CancelBookingForm()
    if booking.organisation_id == booking.listing.organisation_id:
        cancel_form.why.label.text = _("Why (for the record)")
    return {"booking": booking, "listing": booking.listing,
            "access": booking_access(me(), booking), "problem": problem,
            "answer_form": answer_form or AnswerBookingForm(),
            "cancel_form": cancel_form,
            "slot": services.slot_text(booking), "calendar": calendar_path(booking)}


@bp.get("/b/<int:booking_id>")
def booking(booking_id: int):
    return render("board/booking.html", booking_context(load_booking(booking_id)))


def calendar_path(booking: Booking) -> str:
    """The resource's calendar with the booking in it: from today while it is in the first
    four weeks, else from its day."""
    day = local(booking.starts_at).date()
    if today() <= day < today() + timedelta(weeks=BOOKING_WEEKS):
        return url_for("board.bookings", listing_id=booking.listing_id)
    return url_for("board.bookings", listing_id=booking.listing_id, start=day.isoformat())


@bp.post("/b/<int:booking_id>/answer")
def answer_booking(booking_id: int):
    """Approve or decline for the lending side. Asked of a request answered, withdrawn or
    passed since the page was opened (or the same answer again), it changes nothing and says
    what became of it."""
    found = load_booking(booking_id, need="booking.answer")
    form = AnswerBookingForm()
    if not booking_access(me(), found).decide:
        return answered_since(found, form.answer.data)
    if not form.validate_on_submit():
        return render("board/booking.html", booking_context(found, form), status=422)
    declined = 0
    try:
        if form.answer.data == "approve":
            declined = len(services.displaced_by(found))
            changed = services.approve(found, current_user)
        else:
            changed = services.decline(found, form.reason.data or "", current_user)
        db.session.commit()
    except services.BookingRefused as refused:
        db.session.rollback()
        found = load_booking(booking_id)
        if not booking_access(me(), found).decide:  # answered or withdrawn a moment before
            return answered_since(found, form.answer.data)
        return render("board/booking.html", booking_context(
            found, form, problem=refused.message), status=422)
    if not changed:  # answered the same way a moment before
        return answered_since(found, form.answer.data)
    if found.status == BookingStatus.APPROVED:
        flash(_("Approved: %(org)s, %(slot)s.", org=found.organisation.name,
                slot=services.slot_text(found)), "success")
        if declined:
            flash(ngettext("%(num)d other request for that time was declined, and told why.",
                           "%(num)d other requests for that time were declined, and told why.",
                           declined), "info")
    else:
        flash(_("Declined: %(org)s have been told.", org=found.organisation.name), "success")
    return redirect(calendar_path(found), 303)


def answered_since(booking: Booking, answer: str | None):
    """Back to the booking, saying what became of it: the lending side's buttons were pressed
    on a page opened before it was answered, withdrawn or cancelled, or before its time
    passed."""
    if booking.status == BookingStatus.APPROVED and answer == "decline":
        message = _("This booking was already approved: cancel it if it cannot go ahead.")
    else:
        message = what_became_of(booking, asking=False)
    flash(message, "info")
    return redirect(services.booking_path(booking), 303)


def what_became_of(booking: Booking, asking: bool) -> str:
    """What a person pressing a button on a booking no longer waiting, or no longer to come,
    is told (asking: they speak for the organisation that asked for it)."""
    if booking.status == BookingStatus.APPROVED and booking.ends_at > now():
        return _("This booking was already approved.")
    if booking.status == BookingStatus.DECLINED:
        return _("This request was already declined.")
    if booking.status == BookingStatus.WITHDRAWN:
        return (_("You had already withdrawn this request.") if asking else
                _("This request was withdrawn by those who asked."))
    if booking.status == BookingStatus.CANCELLED:
        return _("This booking was already cancelled.")
    return _("Its time has passed: it can no longer be changed.")


@bp.post("/b/<int:booking_id>/cancel")
def cancel_booking(booking_id: int):
    """Withdraw a request or cancel a booking. Asked of one declined, called off or passed
    since the page was opened (or again), it changes nothing and says what became of it; the
    lending side never withdraws a request (it declines it)."""
    found = load_booking(booking_id, need="booking.call_off")
    if not booking_access(me(), found).cancel:
        if found.status == BookingStatus.REQUESTED and found.ends_at > now():
            abort(403)
        return called_off_since(found)
    form = CancelBookingForm()
    if not form.validate_on_submit():
        return render("board/booking.html", booking_context(found, cancel_form=form),
                      status=422)
    withdrawn = found.status == BookingStatus.REQUESTED
    try:
        changed = services.cancel_booking(found, form.why.data or "", current_user)
        db.session.commit()
    except services.BookingRefused as refused:
        db.session.rollback()
        found = load_booking(booking_id)
        if not booking_access(me(), found).cancel:  # declined a moment before
            return called_off_since(found)
        return render("board/booking.html", booking_context(
            found, cancel_form=form, problem=refused.message), status=422)
    if not changed:  # called off a moment before
        return called_off_since(found)
    flash(_("The request is withdrawn.") if withdrawn else
          _("The booking is cancelled.") if found.organisation_id == found.listing.organisation_id
          else _("The booking is cancelled, and the other organisation has been told."),
          "success")
    return redirect(services.booking_path(found), 303)


def called_off_since(booking: Booking):
    asking = booking.organisation_id in me().organisation_ids
    flash(what_became_of(booking, asking=asking), "info")
    return redirect(services.booking_path(booking), 303)
