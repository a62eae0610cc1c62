"""Rules of representation: a public body, its seats and holders are for everyone; a members'
body for everyone signed in; coordinators set bodies and seats up and record who holds them.

A seat's present holder and deputy (and coordinators) write its reports, answer the items
raised for it and keep its actions up to date. Members raise items, back them and respond to
reports; raised items are for people signed in only, whatever the body. A report is seen by
its writers while a draft; once published, by whom its audience says (never beyond its body's).

A public report shows a visitor the representative's answers without the members' names: of
the items raised, those answered (or not taken, and why), by their one line and the answer;
members' responses by their words alone, the representative's under their name. The forms
say so before anyone writes (`report_items`, `named_responses`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true

from network.core.audience import Audience
from network.core.permissions import coordinator, policies_from, policy, scope, signed_in
from network.core.time import today
from network.extensions import db
from network.representation import meetings  # noqa: F401  (tells the calendar of its bodies)
from network.representation.models import (
    Action,
    Body,
    RaisedItem,
    Report,
    ReportPaper,
    ReportState,
    Response,
    Seat,
    Term,
)


@policy("bodies.manage")
def manage_bodies(person, _) -> bool:
    return coordinator(person)


@policy("representatives.view")
def my_representatives(person, _) -> bool:
    return signed_in(person)


@scope(Body)
def bodies_seen(person):
    if coordinator(person):
        return true()
    live = Body.archived_at.is_(None)
    if signed_in(person):
        return live
    return and_(live, Body.audience == Audience.PUBLIC)


@dataclass(frozen=True, slots=True)
class BodyAccess:
    view: bool
    manage: bool  # change it, add seats, record holders
    # A visitor is asked to log in, not told it is not there: everyone signed in sees it (a
    # member following an emailed link). What only coordinators or writers see stays 404.
    log_in: bool


def body_access(person, body: Body) -> BodyAccess:
    live = body.archived_at is None
    view = coordinator(person) or (live and (signed_in(person)
                                             or body.audience == Audience.PUBLIC))
    return BodyAccess(view=view, manage=coordinator(person),
                      log_in=live and not signed_in(person))


policies_from(body_access, {"body.view": "view", "body.manage": "manage",
                            "body.log_in": "log_in"})


def member(person, in_organisation: bool | None = None) -> bool:
    """A member of a member organisation. `in_organisation` when the page knows already
    (the seats that speak for someone are their organisations'), sparing the query."""
    if in_organisation is None:
        in_organisation = signed_in(person) and bool(person.organisation_ids)
    return signed_in(person) and person.is_member and in_organisation


def writes_for(person, seat: Seat) -> bool:
    """The seat's present holder or deputy, or a coordinator."""
    if coordinator(person):
        return True
    term = seat.current_term
    return signed_in(person) and term is not None and person.id in (term.holder_id,
                                                                     term.deputy_id)


@dataclass(frozen=True, slots=True)
class SeatAccess:
    view: bool
    write: bool  # its reports, answers to items, actions
    items: bool  # see what members raised
    raise_item: bool
    log_in: bool  # a visitor is asked to log in (as for its body)


def seat_access(person, seat: Seat, *, in_organisation: bool | None = None) -> SeatAccess:
    """An archived seat stays on record for whoever sees its body; nobody writes for it."""
    live = seat.archived_at is None and seat.body.archived_at is None
    body = body_access(person, seat.body)
    view = body.view
    return SeatAccess(view=view, write=view and live and writes_for(person, seat),
                      items=view and signed_in(person),
                      raise_item=view and live and member(person, in_organisation),
                      log_in=body.log_in)


policies_from(seat_access, {"seat.view": "view", "seat.write": "write", "seat.items": "items",
                            "seat.raise": "raise_item", "seat.log_in": "log_in"})


def _seats_seen(person):
    return select(Seat.id).join(Body).where(bodies_seen(person))


def _seats_written(person):
    return select(Term.seat_id).where(or_(Term.holder_id == person.id,
                                          Term.deputy_id == person.id),
                                      Term.starts_on <= today(), Term.ends_on >= today())


@scope(RaisedItem)
def items_seen(person):
    if coordinator(person):
        return true()
    if not signed_in(person):
        return false()
    return RaisedItem.seat_id.in_(_seats_seen(person))


@dataclass(frozen=True, slots=True)
class ItemAccess:
    view: bool
    back: bool  # "this matters to us too"
    answer: bool
    log_in: bool  # a visitor is asked to log in: items are for everyone signed in


def item_access(person, item: RaisedItem, seat: SeatAccess | None = None) -> ItemAccess:
    seat = seat or seat_access(person, item.seat)
    mine = signed_in(person) and item.author_id == person.id
    return ItemAccess(view=seat.items, back=seat.raise_item and not mine and not item.settled,
                      answer=seat.write, log_in=seat.log_in)


policies_from(item_access, {"item.view": "view", "item.back": "back", "item.answer": "answer",
                            "item.log_in": "log_in"})


@scope(Report)
def reports_seen(person):
    if coordinator(person):
        return true()
    published = and_(Report.state == ReportState.PUBLISHED,
                     Report.seat_id.in_(_seats_seen(person)))
    if not signed_in(person):
        return and_(published, Report.audience == Audience.PUBLIC)
    return or_(published, Report.seat_id.in_(_seats_written(person)))


@dataclass(frozen=True, slots=True)
class ReportAccess:
    view: bool
    write: bool  # change it, add actions, questions and papers; publish; see who read it
    respond: bool
    mark_read: bool
    moderate: bool  # hide a response
    names: bool  # every item raised for it, who raised and backs each, who responded
    log_in: bool  # a visitor is asked to log in: published for members (a draft stays 404)


def report_access(person, report: Report, seat: SeatAccess | None = None) -> ReportAccess:
    seat = seat or seat_access(person, report.seat)
    readable = report.published and (report.audience == Audience.PUBLIC or signed_in(person))
    view = seat.view and (seat.write or readable)
    return ReportAccess(view=view, write=seat.write,
                        respond=view and report.published and (member(person) or seat.write),
                        mark_read=view and report.published and signed_in(person),
                        moderate=view and coordinator(person),
                        names=view and seat.items, log_in=seat.log_in and report.published)


policies_from(report_access, {"report.view": "view", "report.write": "write",
                              "report.respond": "respond", "report.read": "mark_read",
                              "report.moderate": "moderate", "report.names": "names",
                              "report.log_in": "log_in"})


@scope(Action)
def actions_seen(person):
    """An action is read on its report's page and its own: for whoever may read the report."""
    return Action.report_id.in_(select(Report.id).where(reports_seen(person)))


def action_access(person, action: Action) -> ReportAccess:
    return report_access(person, db.session.get(Report, action.report_id))


policies_from(action_access, {"action.view": "view"})


def paper_access(person, paper: ReportPaper) -> ReportAccess:
    """A report's paper is for whoever may read the report."""
    return report_access(person, db.session.get(Report, paper.report_id))


policies_from(paper_access, {"report_paper.view": "view", "report_paper.log_in": "log_in"})


def report_items(access: ReportAccess, items: list[RaisedItem]) -> list[RaisedItem]:
    """The items raised for a report that its reader sees: every one, signed in; a visitor
    of a public report sees only those the representative answered or gave a reason not to
    take (their line and the answer; `access.names` says whether who raised them shows)."""
    if access.names:
        return items
    return [item for item in items if item.settled and item.reply]


def representatives_of(report: Report) -> set[int]:
    """Who speaks for the seat on its report: its writer, the present holder and deputy."""
    term = report.seat.current_term
    return {report.author_id, *((term.holder_id, term.deputy_id) if term else ())} - {None}


def named_responses(access: ReportAccess, report: Report,
                    responses: list[Response]) -> set[int]:
    """The responses whose writer the reader is shown: all, to people signed in; to a
    visitor of a public report, the representative's alone (members' words show unnamed)."""
    if access.names:
        return {response.id for response in responses}
    speakers = representatives_of(report)
    return {response.id for response in responses if response.author_id in speakers}


@scope(Response)
def responses_seen(person):
    if coordinator(person):
        return true()
    shown = Response.hidden_at.is_(None)
    return or_(shown, Response.author_id == person.id) if signed_in(person) else shown


@dataclass(frozen=True, slots=True)
class ResponseAccess:
    view: bool  # as responses_seen says: a hidden one for its author and coordinators alone
    show_body: bool  # its words, and why it was hidden
    reply: bool  # one level: a reply is not replied to
    hide: bool


def response_access(person, response: Response, report: ReportAccess) -> ResponseAccess:
    """One response on a report, given the reader's access to that report."""
    own = signed_in(person) and response.author_id == person.id
    view = report.view and (response.hidden_at is None or own or coordinator(person))
    return ResponseAccess(view=view, show_body=view,
                          reply=view and report.respond and response.reply_to_id is None,
                          hide=view and report.moderate and response.hidden_at is None)
