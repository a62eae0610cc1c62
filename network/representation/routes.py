"""Representation pages: the bodies and their seats, "my representatives", and the
coordinators' pages that set bodies and seats up and record who holds them; a seat's page
with the items raised for it, reports back and their actions and responses.

The accountability pages (`representation/record.py`) add their routes to the same
blueprint."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from network.calendar import reading as calendar
from network.calendar.recurrence import occurrence_key
from network.core import files
from network.core.audience import Audience
from network.core.concurrency import save_versioned, submit_once
from network.core.forms import EmptyForm
from network.core.htmx import form_status, render
from network.core.links import absolute_url
from network.core.permissions import authorize, can, load, me, visible
from network.core.text import one_line
from network.extensions import db
from network.members.models import Area, Theme
from network.members.services import approved_organisations, live_entries, organisations_for
from network.representation import services
from network.representation.forms import (
    ActionForm,
    ActionUpdateForm,
    ArchiveForm,
    BackItemForm,
    BodyForm,
    HideResponseForm,
    ItemForm,
    MarkItemForm,
    QuestionForm,
    ReportPaperForm,
    ResponseForm,
    SeatForm,
    StartReportForm,
    TermForm,
    report_form,
)
from network.representation.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Body,
    ItemStatus,
    RaisedItem,
    Report,
    ReportPaper,
    Seat,
    Term,
)
from network.representation.models import Response as ReportResponse
from network.representation.policies import (
    body_access,
    item_access,
    named_responses,
    report_access,
    report_items,
    representatives_of,
    seat_access,
)

bp = Blueprint("representation", __name__)


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
    context = {"body": body, "access": access, "seats": services.live_seats(body_id=body.id),
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
    seats = services.seats_for(current_user)
    next_meeting = {}
    for item in calendar.upcoming_meetings({s.body_id for s in seats},
                                           limit=4 * len(seats)) if seats else []:
        next_meeting.setdefault(item.event.body_id, item)
    return render("representation/representatives.html",
                  {"seats": seats, "next_meeting": next_meeting,
                   "latest_report": services.latest_reports([s.id for s in seats])})


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
    found = load(Body, body_id, need="body.manage", visible="body.view",
                 log_in="body.log_in")
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
    found = load(Body, body_id, need="body.manage", visible="body.view",
                 log_in="body.log_in")
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


@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
def edit_term(term_id: int):
    term = load(Term, term_id, need="bodies.manage")
    # Built on the term on POST too: its own days stay acceptable, however far they lie.
    form = TermForm(obj=term, people=services.people_who_can_hold())
    if request.method == "GET":
        form.holder.data, form.selection.data = str(term.holder_id), term.selection.value
        form.deputy.data = str(term.deputy_id) if term.deputy_id else ""
    if form.validate_on_submit():
        try:
            changed = services.change_term(term, form.values(), current_user)
            db.session.commit()
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            if changed:
                flash(_("Saved."), "success")
            else:
                flash(_("Nothing changed: the term was already so."), "info")
            return redirect(services.body_path(term.seat.body) + f"#s{term.seat_id}", 303)
    return render("representation/term_form.html", {"form": form, "seat": term.seat,
                                                    "term": term}, status=form_status(form))


@bp.post("/bodies/<int:body_id>/archive")
def archive_body(body_id: int):
    found = load(Body, body_id, need="body.manage", visible="body.view",
                 log_in="body.log_in")
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    archiving = form.archive.data == "1"
    if services.archive(found, archiving, current_user):
        db.session.commit()
        flash(_("“%(name)s” is archived: its record stays, and you can restore it.",
                name=found.name) if archiving else _("Restored."), "success")
    else:
        flash(_("“%(name)s” was already archived.", name=found.name) if archiving else
              _("“%(name)s” was not archived: there is nothing to restore.", name=found.name),
              "info")
    return redirect(services.body_path(found), 303)


@bp.post("/seats/<int:seat_id>/archive")
def archive_seat(seat_id: int):
    found = load(Seat, seat_id, need="bodies.manage")
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    archiving = form.archive.data == "1"
    if services.archive(found, archiving, current_user):
        db.session.commit()
        flash(_("“%(title)s” is archived: its record stays, and you can restore it.",
                title=found.title) if archiving else _("Restored."), "success")
    else:
        flash(_("“%(title)s” was already archived.", title=found.title) if archiving else
              _("“%(title)s” was not archived: there is nothing to restore.",
                title=found.title), "info")
    return redirect(services.body_path(found.body), 303)


# --- a seat: items raised, reports, actions ------------------------------------------------------

def load_seat(seat_id: int, need: str = "seat.view") -> Seat:
    return load(Seat, seat_id, need=need, visible="seat.view", log_in="seat.log_in", options=(
        joinedload(Seat.body),
        selectinload(Seat.terms).options(joinedload(Term.holder), joinedload(Term.deputy))))


def seat_context(seat: Seat) -> dict:
    access = seat_access(me(), seat)
    reports = db.session.scalars(visible(select(Report).where(Report.seat_id == seat.id))
                                 .order_by(Report.meeting_at.desc()).limit(12)).all()
    context = {"seat": seat, "body": seat.body, "access": access, "reports": reports,
               "speaks_for": services.speaks_for(seat),
               "meeting": services.next_meeting(seat),
               "actions": services.seat_actions(seat.id, open_only=True)}
    if access.items:
        context["items"], context["settled"] = services.items_of(seat)
        context["item_access"] = {item.id: item_access(me(), item, access)
                                  for item in [*context["items"], *context["settled"]]}
        context["back_form"] = BackItemForm()
    return context


@bp.get("/seats/<int:seat_id>")
def seat(seat_id: int):
    context = seat_context(load_seat(seat_id))
    return render("representation/seat.html", context,
                  fragments=("items",) if context["access"].items else ())


@bp.route("/seats/<int:seat_id>/items", methods=["GET", "POST"])
def raise_item(seat_id: int):
    found = load_seat(seat_id, need="seat.raise")
    form = ItemForm(organisations=organisations_for(current_user, any_for_coordinators=False))
    if form.validate_on_submit():
        item = submit_once(form.submission.data,
                           lambda key: services.existing_item(key, current_user),
                           lambda: services.raise_item(found, current_user, form.title.data,
                                                       form.body.data or "",
                                                       int(form.organisation.data),
                                                       form.submission.data))
        if item is None:
            abort(409)
        flash(_("Your item is raised: %(name)s is told.", name=found.current_term.holder
                .display_name) if found.current_term else _("Your item is raised."), "success")
        return redirect(services.seat_path(found, f"i{item.id}"), 303)
    return render("representation/item_form.html",
                  {"seat": found, "form": form, "meeting": services.next_meeting(found)},
                  status=form_status(form))


def load_item(item_id: int, need: str) -> RaisedItem:
    return load(RaisedItem, item_id, need=need, visible="item.view", log_in="item.log_in")


@bp.post("/items/<int:item_id>/back")
def back_item(item_id: int):
    item = load_item(item_id, "item.back")
    form = BackItemForm()
    if not form.validate_on_submit():
        abort(400)
    backing = form.back.data == "1"
    if not services.back_item(item, current_user, backing):
        flash(_("You already back it.") if backing else _("You were not backing it."), "info")
    else:
        db.session.commit()
        flash(_("Thank you: %(name)s sees that it matters to you too.",
                name=item.seat.current_term.holder.display_name) if backing
              and item.seat.current_term else _("Saved."), "success")
    return redirect(services.seat_path(item.seat, f"i{item.id}"), 303)


@bp.route("/items/<int:item_id>/answer", methods=["GET", "POST"])
def answer_item(item_id: int):
    item = load_item(item_id, "item.answer")
    form = MarkItemForm(obj=item) if request.method == "GET" else MarkItemForm()
    if request.method == "GET":
        form.status.data = item.status.value
    if form.validate_on_submit():
        try:
            changed = services.mark_item(item, ItemStatus(form.status.data),
                                         form.reply.data or "", current_user)
            db.session.commit()
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            if changed:
                flash(_("Saved: who raised it is told."), "success")
            else:
                flash(_("It was already marked so: nobody is told again."), "info")
            return redirect(services.seat_path(item.seat, f"i{item.id}"), 303)
    return render("representation/item_answer.html", {"item": item, "form": form},
                  status=form_status(form))


# --- reports back --------------------------------------------------------------------------------

@bp.route("/seats/<int:seat_id>/reports/new", methods=["GET", "POST"])
def new_report(seat_id: int):
    found = load_seat(seat_id, need="seat.write")
    meetings = services.meetings_to_report(found)
    form = StartReportForm(meetings=meetings)
    if form.validate_on_submit():
        meeting = next(m for m in meetings if form.meeting.data ==
                       f"{m.event.id}-{occurrence_key(m.original_start)}")
        report = services.start_report(found, meeting, current_user)
        db.session.commit()
        return redirect(url_for("representation.edit_report", report_id=report.id), 303)
    return render("representation/report_new.html", {"seat": found, "form": form,
                                                      "meetings": meetings},
                  status=form_status(form))


def load_report(report_id: int, need: str = "report.view") -> Report:
    return load(Report, report_id, need=need, visible="report.view", log_in="report.log_in",
                options=(joinedload(Report.seat).options(joinedload(Seat.body),
                                                         selectinload(Seat.terms)),
                         joinedload(Report.author), joinedload(Report.questions)))


def report_context(report: Report, **forms) -> dict:
    access = report_access(me(), report)
    responses = services.responses_of(report)
    context = {
        "report": report, "seat": report.seat, "body": report.seat.body, "access": access,
        "items": report_items(access, services.items_for(report)),
        "papers": services.papers_of(report), "actions": services.report_actions(report),
        "responses": responses, "replies": services.replies_by_response(responses),
        "top": services.top_responses(responses),
        "named": named_responses(access, report, responses),
        "representatives": representatives_of(report)}
    context["reads"], context["read"] = services.reads_of(report, me())
    if access.respond:
        context["response_form"] = forms.get("response_form") or ResponseForm(
            questions=[q for q in report.questions if q.open])
    if access.write:
        context["action_form"] = forms.get("action_form") or ActionForm()
        context["question_form"] = forms.get("question_form") or QuestionForm()
        context["paper_form"] = forms.get("paper_form") or ReportPaperForm()
        context["publish_form"] = forms.get("publish_form") or EmptyForm()
    return context


def report_blocks(context: dict) -> tuple[str, ...]:
    """The blocks of a report's page htmx may ask for: those the page shows."""
    return (*(("responses",) if context["report"].published else ()),
            *(("respond",) if "response_form" in context else ()))


@bp.get("/reports/<int:report_id>")
def report(report_id: int):
    context = report_context(load_report(report_id))
    return render("representation/report.html", context, fragments=report_blocks(context))


@bp.get("/reports/<int:report_id>.txt")
def report_text(report_id: int):
    found = load_report(report_id)
    context = report_context(found)
    body = render_template("representation/report.txt", **context,
                           link=absolute_url("representation.report", report_id=found.id))
    filename = one_line(f"report-{found.meeting_at.date().isoformat()}-{found.seat.body.slug}.txt")
    response = Response(body, mimetype="text/plain")
    response.headers.set("Content-Disposition", "inline", filename=filename)
    return response


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
def edit_report(report_id: int):
    found = load_report(report_id, need="report.write")
    items = services.items_for(found)
    public = found.seat.body.audience == Audience.PUBLIC
    if request.method == "GET":
        form = report_form(items, public, obj=found)
        form.audience.data = found.audience.value
        for item in items:
            form[f"answer_{item.id}"].data = item.reply if item.status != ItemStatus.NOT_TAKEN \
                else ""
    else:
        form = report_form(items, public)
    conflict = False
    if form.validate_on_submit():
        try:
            saved = save_versioned(found, form.version, lambda: services.write_report(
                found, form.values(), form.answers(), current_user))
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            if saved:
                flash(_("Saved.") if found.published else
                      _("Saved as a draft: only you, the deputy and coordinators see it. "
                        "Add actions, questions and papers below, then publish."), "success")
                return redirect(services.report_path(found), 303)
            conflict = True
    return render("representation/report_form.html",
                  {"report": found, "form": form, "items": items, "conflict": conflict},
                  status=409 if conflict else form_status(form))


def report_write(report_id: int, form_name: str, form, change,
                 anchor: str = "") -> ResponseReturnValue:
    """A form on a report's page for its writers: the change and one commit, or the page
    again with the refusal beside the field. `change` gives the message to show, and
    whether anything changed ("success") or it was already so ("info")."""
    found = load_report(report_id, need="report.write")
    if form.validate_on_submit():
        try:
            message, category = change(found)
            db.session.commit()
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            flash(message, category)
            return redirect(services.report_path(found, anchor), 303)
    return render("representation/report.html", report_context(found, **{form_name: form}),
                  status=form_status(form) if form.errors else 422)


@bp.post("/reports/<int:report_id>/actions")
def add_action(report_id: int):
    form = ActionForm()
    return report_write(report_id, "action_form", form, lambda found: (
        services.add_action(found, form.what.data, form.owner.data, form.due_on.data,
                            current_user), (_("The action is added."), "success"))[1],
        "actions")


@bp.post("/reports/<int:report_id>/questions")
def add_question(report_id: int):
    form = QuestionForm()
    return report_write(report_id, "question_form", form, lambda found: (
        services.add_question(found, form.text.data, form.respond_by.data),
        (_("The question is added."), "success"))[1], "questions")


@bp.post("/reports/<int:report_id>/papers")
@files.accepts_uploads
def add_report_paper(report_id: int):
    form = ReportPaperForm()
    return report_write(report_id, "paper_form", form, lambda found: (
        services.add_paper(found, form.file.data, form.title.data, current_user),
        (_("“%(title)s” is attached.", title=form.title.data), "success"))[1], "papers")


@bp.post("/reports/<int:report_id>/publish")
def publish_report(report_id: int):
    form = EmptyForm()

    def publish(found: Report) -> tuple[str, str]:
        told = services.publish(found, current_user)
        if told is None:
            return _("This report was already published: nobody is told again."), "info"
        return _("Published: %(count)d people it speaks for are told.", count=told), "success"

    return report_write(report_id, "publish_form", form, publish)


@bp.get("/report-papers/<int:paper_id>/<filename>")
def report_paper(paper_id: int, filename: str):
    found = db.session.get(ReportPaper, paper_id)
    if found is None:
        abort(404)
    load_report(found.report_id)
    if filename != found.filename:
        return redirect(url_for("representation.report_paper", paper_id=found.id,
                                filename=found.filename), 301)
    return files.download(db.session.get(files.StoredFile, found.file_id), found.filename)


def load_action(action_id: int, need: str) -> tuple[Action, Report]:
    found = db.session.get(Action, action_id, options=(selectinload(Action.updates)
                                                       .joinedload(ActionUpdate.by),))
    if found is None:
        abort(404)
    return found, load_report(found.report_id, need=need)


def action_context(action: Action, report: Report, form: ActionUpdateForm | None = None):
    access = report_access(me(), report)
    if access.write and form is None:
        form = ActionUpdateForm(status=action.status.value)
    return {"action": action, "report": report, "access": access, "form": form}


@bp.get("/actions/<int:action_id>")
def action(action_id: int):
    return render("representation/action.html", action_context(*load_action(action_id,
                                                                            "report.view")))


@bp.post("/actions/<int:action_id>")
def update_action(action_id: int):
    found, report_found = load_action(action_id, "report.write")
    form = ActionUpdateForm()
    if form.validate_on_submit():
        try:
            services.update_action(found, ActionStatus(form.status.data), form.note.data or "",
                                   current_user)
            db.session.commit()
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            flash(_("The action is updated."), "success")
            return redirect(url_for("representation.action", action_id=found.id), 303)
    return render("representation/action.html", action_context(found, report_found, form),
                  status=form_status(form) if form.errors else 422)


# --- responses -----------------------------------------------------------------------------------

@bp.post("/reports/<int:report_id>/responses")
def respond(report_id: int):
    found = load_report(report_id, need="report.respond")
    responses = services.responses_of(found)
    form = ResponseForm(questions=[q for q in found.questions if q.open], responses=responses)
    if form.validate_on_submit():
        question = next((q for q in found.questions if str(q.id) == form.question.data), None)
        reply_to = next((r for r in responses if str(r.id) == form.reply_to.data), None)
        try:
            response = submit_once(form.submission.data,
                                   lambda key: services.existing_response(key, current_user),
                                   lambda: services.respond(found, current_user, form.body.data,
                                                            question, reply_to,
                                                            form.submission.data))
        except services.RepresentationError as error:
            db.session.rollback()
            form.refused(error)
        else:
            if response is None:
                abort(409)
            flash(_("Your response is sent."), "success")
            return redirect(services.report_path(found, f"r{response.id}"), 303)
    context = report_context(found, response_form=form)
    return render("representation/report.html", context, fragments=report_blocks(context),
                  status=422)


@bp.post("/reports/<int:report_id>/read")
def mark_read(report_id: int):
    found = load_report(report_id, need="report.read")
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.mark_read(found, current_user):
        db.session.commit()
        flash(_("Thank you: %(name)s can see the report reached you.",
                name=found.author.display_name), "success")
    else:
        flash(_("You had already said you read it. Thank you."), "info")
    return redirect(services.report_path(found, "read"), 303)


@bp.route("/report-responses/<int:response_id>/hide", methods=["GET", "POST"])
def hide_response(response_id: int):
    found = db.session.get(ReportResponse, response_id)
    if found is None:
        abort(404)
    report_found = load_report(found.report_id, need="report.moderate")
    form = HideResponseForm()
    if form.validate_on_submit():
        if services.hide_response(found, form.reason.data, current_user):
            db.session.commit()
            flash(_("The response is hidden; its author sees why."), "success")
        else:
            flash(_("This response was already hidden."), "info")
        return redirect(services.report_path(report_found, f"r{found.id}"), 303)
    return render("representation/response_hide.html", {"response": found,
                                                         "report": report_found,
                                                         "form": form},
                  status=form_status(form))


from network.representation import record  # noqa: E402, F401
