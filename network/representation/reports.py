"""A seat's reports back: starting one for a meeting held, writing and publishing it, its
actions, questions and papers, the plain-text copy; members' responses, hiding one, and
"I have read it"."""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from network.calendar.recurrence import occurrence_key
from network.core import files
from network.core.audience import Audience
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.links import absolute_url
from network.core.permissions import load, me
from network.core.submit import submit
from network.core.text import one_line
from network.extensions import db
from network.members.reads import named
from network.representation import reads, reporting, services
from network.representation.blueprint import bp, load_report, load_seat
from network.representation.forms import (
    ActionForm,
    ActionUpdateForm,
    HideResponseForm,
    QuestionForm,
    ReplyToForm,
    ResponseForm,
    StartReportForm,
    report_form,
)
from network.representation.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ItemStatus,
    Report,
    ReportPaper,
)
from network.representation.models import Response as ReportResponse
from network.representation.policies import (
    named_responses,
    report_access,
    report_items,
    representatives_of,
    response_access,
)

# --- reports back --------------------------------------------------------------------------------

@bp.route("/seats/<int:seat_id>/reports/new", methods=["GET", "POST"])
def new_report(seat_id: int):
    found = load_seat(seat_id, need="seat.write")
    meetings = reads.meetings_to_report(found)
    form = StartReportForm(meetings=meetings)

    def start() -> Report:
        meeting = next(m for m in meetings if form.meeting.data ==
                       f"{m.event.id}-{occurrence_key(m.original_start)}")
        return reporting.start_report(found, meeting, current_user)

    return submit(form, start, page=lambda: render("representation/report_new.html", {
        "seat": found, "form": form, "meetings": meetings}),
        done=lambda report: see_other(url_for("representation.edit_report",
                                              report_id=report.id)))


def report_context(report: Report, reply_to: str | None = None, **forms) -> dict:
    """`reply_to`: the response a reply is being written to (the form's own field once sent)."""
    access = report_access(me(), report)
    responses = reads.responses_of(report)
    context = {
        "report": report, "seat": report.seat, "body": report.seat.body, "access": access,
        "items": report_items(access, reads.items_for(report)),
        "papers": reads.papers_of(report), "actions": reads.report_actions(report),
        "responses": responses, "replies": reads.replies_by_response(responses),
        "top": reads.top_responses(responses),
        "named": named_responses(access, report, responses),
        "response_access": {response.id: response_access(me(), response, access)
                            for response in responses},
        "representatives": representatives_of(report)}
    context["reads"], context["read"] = reads.reads_of(report, me())
    if access.respond:
        form = context["response_form"] = forms.get("response_form") or ResponseForm(
            questions=[q for q in report.questions if q.open])
        wanted = form.reply_to.data or reply_to
        context["replying"] = next((r for r in responses if str(r.id) == wanted), None)
    if access.write:
        context["action_form"] = forms.get("action_form") or ActionForm()
        context["question_form"] = forms.get("question_form") or QuestionForm()
        context["paper_form"] = forms.get("paper_form") or files.PaperForm()
        context["publish_form"] = forms.get("publish_form") or EmptyForm()
    return context


def report_blocks(context: dict) -> tuple[str, ...]:
    """The blocks of a report's page htmx may ask for: those the page shows."""
    return (*(("responses",) if context["report"].published else ()),
            *(("respond",) if "response_form" in context else ()))


@bp.get("/reports/<int:report_id>")
def report(report_id: int):
    context = report_context(load_report(report_id),
                             reply_to=ReplyToForm(request.args).reply_to.data)
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
    items = reads.items_for(found)
    public = found.seat.body.audience == Audience.PUBLIC
    if request.method == "GET":
        form = report_form(items, public, obj=found)
        form.audience.data = found.audience.value
        for item in items:
            form[f"answer_{item.id}"].data = item.reply if item.status != ItemStatus.NOT_TAKEN \
                else ""
    else:
        form = report_form(items, public)
    return submit(
        form, lambda: reporting.write_report(found, form.values(), form.answers(), current_user),
        record=found,
        page=lambda: render("representation/report_form.html",
                            {"report": found, "form": form, "items": items}),
        done=lambda saved: see_other(services.report_path(found), _("Saved.") if found.published
                                     else _("Saved as a draft: only you, the deputy and "
                                            "coordinators see it. Add actions, questions and "
                                            "papers below, then publish.")))


def report_page(found: Report, **forms):
    """The report's page again, with a form of its writers' sent back."""
    return render("representation/report.html", report_context(found, **forms))


@bp.post("/reports/<int:report_id>/actions")
def add_action(report_id: int):
    found = load_report(report_id, need="report.write")
    form = ActionForm()
    return submit(form, lambda: reporting.add_action(found, form.what.data, form.owner.data,
                                                     form.due_on.data, current_user),
                  page=lambda: report_page(found, action_form=form),
                  done=lambda added: see_other(services.report_path(found, "actions"),
                                               _("The action is added.")))


@bp.post("/reports/<int:report_id>/questions")
def add_question(report_id: int):
    found = load_report(report_id, need="report.write")
    form = QuestionForm()
    return submit(form, lambda: reporting.add_question(found, form.text.data,
                                                       form.respond_by.data),
                  page=lambda: report_page(found, question_form=form),
                  done=lambda added: see_other(services.report_path(found, "questions"),
                                               _("The question is added.")))


@bp.post("/reports/<int:report_id>/papers")
@files.accepts_uploads
def add_report_paper(report_id: int):
    found = load_report(report_id, need="report.write")
    form = files.PaperForm()
    return submit(form, lambda: reporting.add_paper(found, form.file.data, form.title.data,
                                                    current_user),
                  page=lambda: report_page(found, paper_form=form),
                  done=lambda paper: see_other(services.report_path(found, "papers"), _(
                      "“%(title)s” is attached.", title=paper.title)))


@bp.post("/reports/<int:report_id>/publish")
def publish_report(report_id: int):
    found = load_report(report_id, need="report.write")
    form = EmptyForm()
    return submit(form, lambda: reporting.publish(found, current_user),
                  page=lambda: report_page(found, publish_form=form),
                  done=lambda told: see_other(
                      services.report_path(found),
                      _("Published: %(count)d people it speaks for are told.", count=told or 0),
                      already=_("This report was already published: nobody is told again."),
                      changed=told is not None))


@bp.get("/report-papers/<int:paper_id>/<filename>")
def report_paper(paper_id: int, filename: str):
    found = load(ReportPaper, paper_id, need="report_paper.view", visible="report_paper.view",
                 log_in="report_paper.log_in")
    return files.serve_paper(found, filename, "representation.report_paper")


# --- actions agreed ------------------------------------------------------------------------------

def load_action(action_id: int, need: str) -> tuple[Action, Report]:
    found = db.session.get(Action, action_id, options=(named(selectinload(Action.updates)
                                                             .joinedload(ActionUpdate.by)),))
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
    return submit(form, lambda: reporting.update_action(found, ActionStatus(form.status.data),
                                                        form.note.data or "", current_user),
                  page=lambda: render("representation/action.html",
                                      action_context(found, report_found, form)),
                  done=lambda updated: see_other(url_for("representation.action",
                                                         action_id=found.id),
                                                 _("The action is updated.")))


# --- responses -----------------------------------------------------------------------------------

@bp.post("/reports/<int:report_id>/responses")
def respond(report_id: int):
    found = load_report(report_id, need="report.respond")
    responses = reads.responses_of(found)
    form = ResponseForm(questions=[q for q in found.questions if q.open], responses=responses)

    def send() -> ReportResponse:
        question = next((q for q in found.questions if str(q.id) == form.question.data), None)
        reply_to = next((r for r in responses if str(r.id) == form.reply_to.data), None)
        return reporting.respond(found, current_user, form.body.data, question, reply_to,
                                 form.submission.data)

    def page():
        context = report_context(found, response_form=form)
        return render("representation/report.html", context, fragments=report_blocks(context))

    return submit(form, send, once=lambda key: reads.existing_response(key, current_user),
                  page=page, done=lambda response: see_other(
                      services.report_path(found, f"r{response.id}"),
                      _("Your response is sent.")))


@bp.post("/reports/<int:report_id>/read")
def mark_read(report_id: int):
    found = load_report(report_id, need="report.read")
    return submit(EmptyForm(), lambda: reporting.mark_read(found, current_user),
                  page=lambda: abort(400),
                  done=lambda changed: see_other(
                      services.report_path(found, "read"),
                      _("Thank you: %(name)s can see the report reached you.",
                        name=found.author.name),
                      already=_("You had already said you read it. Thank you."),
                      changed=changed))


@bp.route("/report-responses/<int:response_id>/hide", methods=["GET", "POST"])
def hide_response(response_id: int):
    found = db.session.get(ReportResponse, response_id)
    if found is None:
        abort(404)
    report_found = load_report(found.report_id, need="report.moderate")
    form = HideResponseForm()
    return submit(form, lambda: reporting.hide_response(found, form.reason.data, current_user),
                  page=lambda: render("representation/response_hide.html", {
                      "response": found, "report": report_found, "form": form}),
                  done=lambda changed: see_other(
                      services.report_path(report_found, f"r{found.id}"),
                      _("The response is hidden; its author sees why."),
                      already=_("This response was already hidden."), changed=changed))
