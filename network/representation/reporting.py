"""Every change to a seat's reports back: starting one for a meeting held, writing it (its
answers to the items raised), publishing it to the seat's constituency; its actions, questions
and papers; members' responses, hiding one, and "I have read it". Functions change the
session; the route commits once."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from network.auth.models import Person
from network.core import audit, files
from network.core.audience import Audience
from network.core.i18n import later
from network.core.permissions import can
from network.core.text import in_subject
from network.core.time import format_day, now, today
from network.extensions import db
from network.members.models import Membership, Organisation, OrgStatus, Theme
from network.notify.replies import Topic
from network.notify.services import notify
from network.representation.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ItemStatus,
    Question,
    RaisedItem,
    Report,
    ReportPaper,
    ReportRead,
    ReportRevision,
    ReportState,
    Response,
    Seat,
)
from network.representation.reads import items_for
from network.representation.services import (
    RepresentationError,
    report_path,
    tell_raisers,
    writers_of,
)

# --- a report ------------------------------------------------------------------------------------

def start_report(seat: Seat, meeting, by: Person) -> Report:
    """A draft report for a meeting held. One report per seat and meeting: asking again
    gives the one there."""
    if meeting.starts_at > now():
        raise RepresentationError(_("That meeting has not been held yet: report on it "
                                    "afterwards."), "meeting")
    existing = db.session.scalar(select(Report).where(
        Report.seat_id == seat.id, Report.event_id == meeting.event.id,
        Report.occurrence_start == meeting.original_start))
    if existing is not None:
        return existing
    report = Report(seat_id=seat.id, event_id=meeting.event.id,
                    occurrence_start=meeting.original_start, meeting_at=meeting.starts_at,
                    author_id=by.id)
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:  # the same meeting started twice at the same moment
        db.session.rollback()
        return start_report(seat, meeting, by)
    return report


def write_report(report: Report, values: dict, answers: dict[int, str], by: Person) -> None:
    """Save the report's text and its answers to raised items. A published report's earlier
    text is kept, and readers see when it was updated; answers given once it is published
    are sent at once."""
    if values["audience"] == Audience.PUBLIC and report.seat.body.audience != Audience.PUBLIC:
        raise RepresentationError(_("This body's reports are for members only."), "audience")
    text = ("summary", "decisions", "said")
    if report.published and any(getattr(report, k) != values[k] for k in text):
        db.session.add(ReportRevision(
            report_id=report.id, written_at=report.edited_at or report.published_at,
            replaced_by_id=by.id, **{k: getattr(report, k) for k in text}))
        report.edited_at = now()
    for name, value in values.items():
        setattr(report, name, value)
    for item in items_for(report):
        answer = answers.get(item.id, "")
        if answer and answer != item.reply:
            item.reply, item.report_id = answer, report.id
            if report.published:
                _answer(item, report, by)


def _answer(item: RaisedItem, report: Report, by: Person) -> None:
    item.status, item.replied_at = ItemStatus.ANSWERED, now()
    tell_raisers(item, _l("“%(title)s” is answered in the report from %(body)s",
                          title=in_subject(item.title), body=in_subject(report.seat.body.name)),
                  report_path(report, f"i{item.id}"), by)


def add_action(report: Report, what: str, owner: str, due_on: date, by: Person) -> Action:
    action = Action(seat_id=report.seat_id, report_id=report.id, what=what, owner=owner,
                    due_on=due_on)
    db.session.add(action)
    db.session.flush()
    db.session.add(ActionUpdate(action_id=action.id, status=ActionStatus.OPEN, by_id=by.id,
                                note=_("Agreed at the meeting.")))
    return action


def update_action(action: Action, status: ActionStatus, note: str, by: Person) -> None:
    """A dated step in an action's life; done and dropped close it."""
    if status == action.status and not note:
        raise RepresentationError(_("Change the status or say what has happened."), "note")
    action.status, action.updated_at = status, now()
    action.closed_at = action.updated_at if status.closed else None
    db.session.add(ActionUpdate(action_id=action.id, status=status, note=note, by_id=by.id))


def add_question(report: Report, text: str, respond_by: date) -> Question:
    if respond_by < today():
        raise RepresentationError(_("The day to respond by has passed: give a day from today "
                                    "on."), "respond_by")
    question = Question(report_id=report.id, text=text, respond_by=respond_by)
    db.session.add(question)
    return question


def add_paper(report: Report, upload: files.Upload, title: str, by: Person) -> ReportPaper:
    return files.add_paper(ReportPaper, upload, title, by.id, report_id=report.id)


def constituency(seat: Seat) -> list[Person]:
    """The people a seat speaks for: members of the organisations it names, in its areas or
    with its themes (every member, for a whole-network seat)."""
    query = (select(Person).join(Membership, Membership.person_id == Person.id)
             .join(Organisation, Organisation.id == Membership.organisation_id)
             .where(Membership.left_at.is_(None), Organisation.status == OrgStatus.APPROVED,
                    Person.suspended_at.is_(None)))
    if not seat.whole_network:
        query = query.where(or_(
            Organisation.id.in_([o.id for o in seat.organisations]),
            Organisation.area_id.in_([a.id for a in seat.areas]),
            Organisation.themes.any(Theme.id.in_([t.id for t in seat.themes]))))
    return list(db.session.scalars(query.distinct()))


def publish(report: Report, by: Person) -> int | None:
    """Publish a draft: its answers go to who raised the items, and the seat's constituency
    is told. Returns how many people were told of the report; None when it was already
    published (nothing changes, nobody is told again)."""
    if report.published:
        return None
    if not report.summary:
        raise RepresentationError(_("Say in short what happened at the meeting before "
                                    "publishing."))
    report.state, report.published_at = ReportState.PUBLISHED, now()
    for item in items_for(report):
        if item.report_id == report.id and item.status != ItemStatus.ANSWERED:
            _answer(item, report, by)
    seat = report.seat
    told = 0
    for person in constituency(seat):
        if person.id != by.id and notify(person, "representation.report", _l(
                "Report back from %(body)s (%(seat)s), %(day)s", body=in_subject(seat.body.name),
                seat=in_subject(seat.title), day=later(format_day, report.meeting_at)),
                report_path(report), about=report_topic(report, person)) is not None:
            told += 1
    audit.record("report.publish", report, f"Published the report from “{seat.body.name}” "
                 f"({seat.title}) on {report.meeting_at.date().isoformat()}", actor=by,
                 told=told)
    return told


# --- responses and reads -------------------------------------------------------------------------

def respond(report: Report, author: Person, body: str, question: Question | None,
            reply_to: Response | None, key: str | None) -> Response:
    """A comment on a report, an answer to one of its questions, or a reply to a response.
    Writers are told of responses; a response's author of the reply to it."""
    if question is not None and not question.open:
        raise RepresentationError(_("Answers to this question closed on %(day)s: write a "
                                    "comment instead.", day=format_day(question.respond_by)),
                                  "question")
    response = Response(report_id=report.id, author_id=author.id, body=body,
                        question_id=question.id if question else None,
                        reply_to_id=reply_to.id if reply_to else None, submission_key=key)
    db.session.add(response)
    db.session.flush()
    url = report_path(report, f"r{response.id}")
    told = {author.id}
    # A reply by email goes under the response it answers (one level), or under this one.
    under = reply_to or response
    if reply_to is not None and reply_to.author_id not in told:
        notify(reply_to.author, "representation.response", _l(
            "%(name)s replied to you on the report from %(body)s",
            name=in_subject(author.name), body=in_subject(report.seat.body.name)), url,
            about=report_topic(report, reply_to.author, under),
            quote=body if can("report.view", report, reply_to.author) else "")
        told.add(reply_to.author_id)
    for person in writers_of(report.seat):
        if person.id not in told:
            notify(person, "representation.response", _l(
                "%(name)s responded to your report from %(body)s",
                name=in_subject(author.name), body=in_subject(report.seat.body.name)), url,
                about=report_topic(report, person, under),
                quote=body if can("report.view", report, person) else "")
    return response


def report_topic(report: Report, person: Person, response: Response | None = None) -> Topic:
    """A report back (or a response on it), as its email is about it: answered by email while
    the person may respond to the report."""
    return Topic("response" if response else "report", response.id if response else report.id,
                 f"report-{report.id}", lambda: can("report.respond", report, person))


def hide_response(response: Response, reason: str, by: Person) -> bool:
    """Hide a response; its author is told why. False when it was already hidden."""
    if response.hidden_at is not None:
        return False
    response.hidden_at, response.hidden_reason = now(), reason
    report = db.session.get(Report, response.report_id)
    notify(response.author, "representation.response", _l(
        "Your response on the report from %(body)s is hidden",
        body=in_subject(report.seat.body.name)), report_path(report, f"r{response.id}"),
        detail=reason)
    audit.record("report.response.hide", response, f"Hid a response on report "
                 f"{response.report_id}", actor=by, reason=reason)
    return True


def mark_read(report: Report, person: Person) -> bool:
    """"I have read it", once: False when they had said so already."""
    if db.session.get(ReportRead, (report.id, person.id)) is not None:
        return False
    db.session.add(ReportRead(report_id=report.id, person_id=person.id))
    return True
