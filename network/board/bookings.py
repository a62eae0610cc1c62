"""The bookings of what can be booked: its calendar, asking for a time, answering, cancelling,
and the list of a person's bookings."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.board import booking_services, reading
from network.board.blueprint import bp, load_listing, replying_organisations
from network.board.forms import (
    AnswerBookingForm,
    BookingForm,
    BookingWindowForm,
    CancelBookingForm,
)
from network.board.models import Booking, BookingStatus, Listing
from network.board.policies import board_access, booking_access, listing_access
from network.core.htmx import render, see_other
from network.core.pagination import paginate
from network.core.permissions import authorize, load, me, visible
from network.core.submit import submit, with_status
from network.core.time import local, local_moment, now, today
from network.members.models import Organisation

BOOKING_WEEKS = 4


def bookings_context(listing: Listing, window: BookingWindowForm,
                     form: BookingForm | None = None) -> dict:
    """A bookable listing's calendar (four weeks of approved times, and the requests the
    viewer may see), the requests waiting for its people's answer, and the form to ask."""
    viewer = me()
    access = listing_access(viewer, listing)
    first = window.start.data or today()
    start, end = local_moment(first, None), local_moment(first + timedelta(weeks=BOOKING_WEEKS),
                                                         None)
    days: dict = {}
    for booking in reading.bookings_between(listing, start, end):
        seen = booking_access(viewer, booking, access)
        if seen.in_calendar:
            days.setdefault(local(booking.starts_at).date(), []).append((booking, seen))
    bookers = replying_organisations(viewer) if access.book else []
    return {
        "listing": listing, "access": access, "days": days, "first": first,
        "earlier": first - timedelta(weeks=BOOKING_WEEKS),
        "later": first + timedelta(weeks=BOOKING_WEEKS), "weeks": BOOKING_WEEKS,
        "waiting": reading.waiting_for_answer(listing) if access.manage else [],
        "answer_form": AnswerBookingForm(),
        "form": form or (BookingForm(organisations=bookers) if bookers else None),
        "problem": form.problem if form else None,
        "rules": reading.rules_text(listing),
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

    def page():
        return render("board/bookings.html", bookings_context(found, window, form))

    if not found.takes_bookings:  # closed or hidden since the form was opened
        form.problem = _("It is not taking bookings now.")
        return with_status(page(), 422)

    def booked(booking: Booking):
        return see_other(reading.booking_path(booking) + "#status", _(
            "Booked: %(slot)s.", slot=reading.slot_text(booking))
            if booking.status == BookingStatus.APPROVED else _(
            "Asked: %(org)s will answer, and you will be told.", org=found.organisation.name))

    return submit(
        form, lambda: booking_services.request_booking(
            found, int(form.organisation.data), current_user, form.values(),
            form.submission.data),
        page=page, done=booked,
        once=lambda key: booking_services.existing_booking(key, current_user))


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
        "page": paginate(query), "mine": set(me().organisation_ids),
        "access": board_access(me())}, fragments=("results",))


# --- one booking -------------------------------------------------------------------------------

def load_booking(booking_id: int, need: str = "booking.view") -> Booking:
    authorize("board.view")
    return load(Booking, booking_id, need=need, visible="booking.view",
                options=(joinedload(Booking.listing), joinedload(Booking.organisation)))


def booking_page(booking: Booking, answer_form: AnswerBookingForm | None = None,
                 cancel_form: CancelBookingForm | None = None):
    cancel_form = cancel_form or CancelBookingForm()
    if booking.organisation_id == booking.listing.organisation_id:
        cancel_form.why.label.text = _("Why (for the record)")
    answer_form = answer_form or AnswerBookingForm()
    return render("board/booking.html", {
        "booking": booking, "listing": booking.listing,
        "access": booking_access(me(), booking),
        "problem": answer_form.problem or cancel_form.problem,
        "answer_form": answer_form, "cancel_form": cancel_form,
        "slot": reading.slot_text(booking), "calendar": calendar_path(booking)})


@bp.get("/b/<int:booking_id>")
def booking(booking_id: int):
    return booking_page(load_booking(booking_id))


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
    declined = []

    def answer() -> bool:
        if form.answer.data == "approve":
            declined.extend(booking_services.displaced_by(found))
            return booking_services.approve(found, current_user)
        return booking_services.decline(found, form.reason.data or "", current_user)

    def page():
        # Refused (rolled back): answered or withdrawn a moment before, or a time now taken.
        if form.problem and not booking_access(me(), found).decide:
            return answered_since(found, form.answer.data)
        return booking_page(found, answer_form=form)

    def answered(changed: bool):
        if not changed:  # answered the same way a moment before
            return answered_since(found, form.answer.data)
        if found.status != BookingStatus.APPROVED:
            return see_other(calendar_path(found), _(
                "Declined: %(org)s have been told.", org=found.organisation.name))
        flash(_("Approved: %(org)s, %(slot)s.", org=found.organisation.name,
                slot=reading.slot_text(found)), "success")
        if declined:
            flash(ngettext("%(num)d other request for that time was declined, and told why.",
                           "%(num)d other requests for that time were declined, and told why.",
                           len(declined)), "info")
        return see_other(calendar_path(found))

    return submit(form, answer, page=page, done=answered)


def answered_since(booking: Booking, answer: str | None):
    """Back to the booking, saying what became of it: the lending side's buttons were pressed
    on a page opened before it was answered, withdrawn or cancelled, or before its time
    passed."""
    if booking.status == BookingStatus.APPROVED and answer == "decline":
        message = _("This booking was already approved: cancel it if it cannot go ahead.")
    else:
        message = what_became_of(booking, asking=False)
    return see_other(reading.booking_path(booking), already=message, changed=False)


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
    withdrawn = found.status == BookingStatus.REQUESTED

    def page():
        # Refused (rolled back): declined a moment before.
        if form.problem and not booking_access(me(), found).cancel:
            return called_off_since(found)
        return booking_page(found, cancel_form=form)

    def called_off(changed: bool):
        if not changed:  # called off a moment before
            return called_off_since(found)
        return see_other(reading.booking_path(found), _("The request is withdrawn.")
                         if withdrawn else _("The booking is cancelled.")
                         if found.organisation_id == found.listing.organisation_id
                         else _("The booking is cancelled, and the other organisation has "
                                "been told."))

    return submit(form, lambda: booking_services.cancel_booking(
        found, form.why.data or "", current_user), page=page, done=called_off)


def called_off_since(booking: Booking):
    asking = booking.organisation_id in me().organisation_ids
    return see_other(reading.booking_path(booking),
                     already=what_became_of(booking, asking=asking), changed=False)
