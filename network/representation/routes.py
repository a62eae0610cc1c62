"""Representation pages: the bodies and their seats, "my representatives", the coordinators'
pages that set bodies and seats up and record who holds them, and a seat's page.

The items raised for a seat (`items`), reports back with their actions and responses
(`reports`) and the accountability record (`accountability`) add their routes to the same
blueprint (`blueprint`)."""

from __future__ import annotations

from flask import abort, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from network.calendar import reads as calendar
from network.core.htmx import render, see_other
from network.core.permissions import authorize, can, load, me, visible
from network.core.submit import submit
from network.extensions import db
from network.members.models import Area, Theme
from network.members.services import approved_organisations, live_entries
from network.representation import (
    accountability,  # noqa: F401  (its routes join the blueprint)
    items,  # noqa: F401  (its routes join the blueprint)
    reads,
    reports,  # noqa: F401  (its routes join the blueprint)
    services,
)
from network.representation.blueprint import bp, load_seat
from network.representation.forms import ArchiveForm, BackItemForm, BodyForm, SeatForm, TermForm
from network.representation.models import Body, Report, Seat, Term
from network.representation.policies import body_access, item_access, seat_access

# --- reading -------------------------------------------------------------------------------------

@bp.get("/bodies")
def bodies():
    found = list(db.session.scalars(visible(select(Body)).order_by(
        Body.archived_at.is_not(None), Body.name)))
    return render("representation/bodies.html", {"bodies": found,
                                                  "can_manage": can("bodies.manage")})


def body_context(body: Body) -> dict:
    held, upcoming = calendar.held_and_upcoming_meetings([body.id], limit=4)
    access = body_access(me(), body)
    context = {"body": body, "access": access, "seats": reads.live_seats(body_id=body.id),
               "upcoming": upcoming, "held": held,
               "former_seats": db.session.scalars(select(Seat).where(
                   Seat.body_id == body.id, Seat.archived_at.is_not(None))
                   .order_by(Seat.title)).all()}
    if access.manage:
        context["archive_form"] = ArchiveForm()
    return context


@bp.get("/bodies/<int:body_id>")
@bp.get("/bodies/<int:body_id>-<slug>")
def body(body_id: int, slug: str | None = None):
    found = load(Body, body_id, need="body.view", visible="body.view",
                 log_in="body.log_in")
    if slug != found.slug:
        return redirect(services.body_path(found), 301)
    return render("representation/body.html", body_context(found))


@bp.get("/representatives")
def representatives():
    authorize("representatives.view")
    page = reads.seats_for(current_user)
    seats = page.items
    next_meeting = {}
    for item in calendar.upcoming_meetings({s.body_id for s in seats},
                                           limit=4 * len(seats)) if seats else []:
        next_meeting.setdefault(item.event.body_id, item)
    return render("representation/representatives.html",
                  {"seats": seats, "page": page, "next_meeting": next_meeting,
                   # they speak for one of the person's organisations (seats_for)
                   "access": {seat.id: seat_access(me(), seat, in_organisation=True)
                              for seat in seats},
                   "latest_report": reads.latest_reports([s.id for s in seats])})


# --- setting up ----------------------------------------------------------------------------------

@bp.route("/bodies/new", methods=["GET", "POST"])
def new_body():
    authorize("bodies.manage")
    form = BodyForm()
    return submit(
        form, lambda: services.create_body(form.values(), current_user),
        page=lambda: render("representation/body_form.html", {"form": form, "body": None}),
        done=lambda found: see_other(services.body_path(found), _(
            "“%(name)s” is added: now add its seats.", name=found.name)))


@bp.route("/bodies/<int:body_id>/edit", methods=["GET", "POST"])
def edit_body(body_id: int):
    found = load(Body, body_id, need="body.manage", visible="body.view",
                 log_in="body.log_in")
    form = BodyForm(obj=found) if request.method == "GET" else BodyForm()
    if request.method == "GET":
        form.audience.data = found.audience.value
    return submit(
        form, lambda: services.edit_body(found, form.values(), current_user),
        page=lambda: render("representation/body_form.html", {"form": form, "body": found}),
        done=lambda saved: see_other(services.body_path(found), _("Saved.")))


def seat_form(**kwargs) -> SeatForm:
    return SeatForm(areas=live_entries(Area), themes=live_entries(Theme),
                    organisations=approved_organisations(), **kwargs)


@bp.route("/bodies/<int:body_id>/seats/new", methods=["GET", "POST"])
def new_seat(body_id: int):
    found = load(Body, body_id, need="body.manage", visible="body.view",
                 log_in="body.log_in")
    form = seat_form()
    return submit(
        form, lambda: services.create_seat(found, form.title.data, form.description.data or "",
                                           form.chosen(), current_user),
        page=lambda: render("representation/seat_form.html",
                            {"form": form, "body": found, "seat": None}),
        done=lambda seat: see_other(services.body_path(found) + f"#s{seat.id}", _(
            "The seat “%(title)s” is added: now record who holds it.", title=seat.title)))


@bp.route("/seats/<int:seat_id>/edit", methods=["GET", "POST"])
def edit_seat(seat_id: int):
    seat = load(Seat, seat_id, need="bodies.manage")
    form = seat_form()
    if request.method == "GET":
        form.process(obj=seat)
        form.areas.data = [str(a.id) for a in seat.areas]
        form.themes.data = [str(t.id) for t in seat.themes]
        form.organisations.data = [str(o.id) for o in seat.organisations]
    return submit(
        form, lambda: services.edit_seat(seat, form.title.data, form.description.data or "",
                                         form.chosen(), current_user),
        page=lambda: render("representation/seat_form.html",
                            {"form": form, "body": seat.body, "seat": seat}),
        done=lambda saved: see_other(services.body_path(seat.body) + f"#s{seat.id}", _("Saved.")))


@bp.route("/seats/<int:seat_id>/terms/new", methods=["GET", "POST"])
def new_term(seat_id: int):
    seat = load(Seat, seat_id, need="bodies.manage")
    form = TermForm(people=reads.people_who_can_hold())
    return submit(
        form, lambda: services.add_term(seat, form.values(), current_user),
        page=lambda: render("representation/term_form.html", {"form": form, "seat": seat}),
        done=lambda term: see_other(services.body_path(seat.body) + f"#s{seat.id}", _(
            "%(name)s holds “%(seat)s”, and has been told.", name=term.holder.name,
            seat=seat.title)))


@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
def edit_term(term_id: int):
    term = load(Term, term_id, need="bodies.manage")
    # Built on the term on POST too: its own days stay acceptable, however far they lie.
    form = TermForm(obj=term, people=reads.people_who_can_hold())
    if request.method == "GET":
        form.holder.data, form.selection.data = str(term.holder_id), term.selection.value
        form.deputy.data = str(term.deputy_id) if term.deputy_id else ""
    return submit(
        form, lambda: services.change_term(term, form.values(), current_user),
        page=lambda: render("representation/term_form.html",
                            {"form": form, "seat": term.seat, "term": term}),
        done=lambda changed: see_other(
            services.body_path(term.seat.body) + f"#s{term.seat_id}", _("Saved."),
            already=_("Nothing changed: the term was already so."), changed=changed))


@bp.post("/bodies/<int:body_id>/archive")
def archive_body(body_id: int):
    found = load(Body, body_id, need="body.manage", visible="body.view",
                 log_in="body.log_in")
    form = ArchiveForm()

    def done(changed: bool):
        if form.archive.data == "1":
            return see_other(services.body_path(found), _(
                "“%(name)s” is archived: its record stays, and you can restore it.",
                name=found.name), already=_("“%(name)s” was already archived.",
                                            name=found.name), changed=changed)
        return see_other(services.body_path(found), _("Restored."), already=_(
            "“%(name)s” was not archived: there is nothing to restore.", name=found.name),
            changed=changed)

    return submit(form, lambda: services.archive(found, form.archive.data == "1", current_user),
                  page=lambda: abort(400), done=done)


@bp.post("/seats/<int:seat_id>/archive")
def archive_seat(seat_id: int):
    found = load(Seat, seat_id, need="bodies.manage")
    form = ArchiveForm()

    def done(changed: bool):
        if form.archive.data == "1":
            return see_other(services.body_path(found.body), _(
                "“%(title)s” is archived: its record stays, and you can restore it.",
                title=found.title), already=_("“%(title)s” was already archived.",
                                              title=found.title), changed=changed)
        return see_other(services.body_path(found.body), _("Restored."), already=_(
            "“%(title)s” was not archived: there is nothing to restore.", title=found.title),
            changed=changed)

    return submit(form, lambda: services.archive(found, form.archive.data == "1", current_user),
                  page=lambda: abort(400), done=done)


# --- a seat: its reports, actions and items raised -----------------------------------------------

def seat_context(seat: Seat) -> dict:
    access = seat_access(me(), seat)
    reports_found = db.session.scalars(
        visible(select(Report).where(Report.seat_id == seat.id))
        .order_by(Report.meeting_at.desc()).limit(12)).all()
    context = {"seat": seat, "body": seat.body, "access": access, "reports": reports_found,
               "speaks_for": reads.speaks_for(seat),
               "meeting": reads.next_meeting(seat),
               "actions": reads.seat_actions(seat.id, open_only=True)}
    if access.items:
        context["items"], context["settled"] = reads.items_of(seat)
        context["item_access"] = {item.id: item_access(me(), item, access)
                                  for item in [*context["items"], *context["settled"]]}
        context["back_form"] = BackItemForm()
    return context


@bp.get("/seats/<int:seat_id>")
def seat(seat_id: int):
    context = seat_context(load_seat(seat_id))
    return render("representation/seat.html", context,
                  fragments=("items",) if context["access"].items else ())
