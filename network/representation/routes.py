"""Representation pages: the bodies and their seats, "my representatives", and the
coordinators' pages that set bodies and seats up and record who holds them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from network.calendar import services as calendar
from network.calendar.models import Event
from network.core.htmx import form_status, render
from network.core.permissions import authorize, can, load, me, visible
from network.extensions import db
from network.members.models import Area, Theme
from network.members.services import approved_organisations, live_entries
from network.representation import services
from network.representation.forms import BodyForm, SeatForm, TermForm
from network.representation.models import Body, Seat
from network.representation.policies import body_access

bp = Blueprint("representation", __name__)


# --- reading -------------------------------------------------------------------------------------

@bp.get("/bodies")
def bodies():
    found = list(db.session.scalars(visible(select(Body)).order_by(
        Body.archived_at.is_not(None), Body.name)))
    return render("representation/bodies.html", {"bodies": found,
                                                  "can_manage": can("bodies.manage")})


def body_context(body: Body) -> dict:
    return {"body": body, "access": body_access(me(), body),
            "seats": services.live_seats(body_id=body.id),
            "upcoming": calendar.upcoming_where(Event.body_id == body.id, limit=4),
            "held": calendar.held_where(Event.body_id == body.id, limit=4)}


@bp.get("/bodies/<int:body_id>")
@bp.get("/bodies/<int:body_id>-<slug>")
def body(body_id: int, slug: str | None = None):
    found = load(Body, body_id, need="body.view", visible="body.view")
    if slug != found.slug:
        return redirect(services.body_path(found), 301)
    return render("representation/body.html", body_context(found))


@bp.get("/representatives")
def representatives():
    authorize("representatives.view")
    seats = services.seats_for(current_user)
    next_meeting = {}
    for item in calendar.upcoming_where(Event.body_id.in_({s.body_id for s in seats}),
                                        limit=4 * len(seats)) if seats else []:
        next_meeting.setdefault(item.event.body_id, item)
    return render("representation/representatives.html",
                  {"seats": seats, "next_meeting": next_meeting})


# --- setting up ----------------------------------------------------------------------------------

@bp.route("/bodies/new", methods=["GET", "POST"])
def new_body():
    authorize("bodies.manage")
    form = BodyForm()
    if form.validate_on_submit():
        try:
            found = services.create_body(form.values(), current_user)
            db.session.commit()
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            flash(_("“%(name)s” is added: now add its seats.", name=found.name), "success")
            return redirect(services.body_path(found), 303)
    return render("representation/body_form.html", {"form": form, "body": None},
                  status=form_status(form))


@bp.route("/bodies/<int:body_id>/edit", methods=["GET", "POST"])
def edit_body(body_id: int):
    found = load(Body, body_id, need="body.manage", visible="body.view")
    form = BodyForm(obj=found) if request.method == "GET" else BodyForm()
    if request.method == "GET":
        form.audience.data = found.audience.value
    if form.validate_on_submit():
        try:
            services.edit_body(found, form.values(), current_user)
            db.session.commit()
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            flash(_("Saved."), "success")
            return redirect(services.body_path(found), 303)
    return render("representation/body_form.html", {"form": form, "body": found},
                  status=form_status(form))


def seat_form(**kwargs) -> SeatForm:
    return SeatForm(areas=live_entries(Area), themes=live_entries(Theme),
                    organisations=approved_organisations(), **kwargs)


@bp.route("/bodies/<int:body_id>/seats/new", methods=["GET", "POST"])
def new_seat(body_id: int):
    found = load(Body, body_id, need="body.manage", visible="body.view")
    form = seat_form()
    if form.validate_on_submit():
        seat = services.create_seat(found, form.title.data, form.description.data or "",
                                    form.chosen(), current_user)
        db.session.commit()
        flash(_("The seat “%(title)s” is added: now record who holds it.", title=seat.title),
              "success")
        return redirect(services.body_path(found) + f"#s{seat.id}", 303)
    return render("representation/seat_form.html", {"form": form, "body": found, "seat": None},
                  status=form_status(form))


@bp.route("/seats/<int:seat_id>/edit", methods=["GET", "POST"])
def edit_seat(seat_id: int):
    seat = load(Seat, seat_id, need="bodies.manage")
    form = seat_form()
    if request.method == "GET":
        form.process(obj=seat)
        form.areas.data = [str(a.id) for a in seat.areas]
        form.themes.data = [str(t.id) for t in seat.themes]
        form.organisations.data = [str(o.id) for o in seat.organisations]
    if form.validate_on_submit():
        services.edit_seat(seat, form.title.data, form.description.data or "", form.chosen(),
                           current_user)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(services.body_path(seat.body) + f"#s{seat.id}", 303)
    return render("representation/seat_form.html",
                  {"form": form, "body": seat.body, "seat": seat}, status=form_status(form))


@bp.route("/seats/<int:seat_id>/terms/new", methods=["GET", "POST"])
def new_term(seat_id: int):
    seat = load(Seat, seat_id, need="bodies.manage")
    form = TermForm(people=services.people_who_can_hold())
    if form.validate_on_submit():
        try:
            term = services.add_term(seat, form.values(), current_user)
            db.session.commit()
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            flash(_("%(name)s holds “%(seat)s”, and has been told.",
                    name=term.holder.display_name, seat=seat.title), "success")
            return redirect(services.body_path(seat.body) + f"#s{seat.id}", 303)
    return render("representation/term_form.html", {"form": form, "seat": seat},
                  status=form_status(form))
