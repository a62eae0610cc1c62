"""Every change to representation: bodies, seats and their terms; items raised, reports back,
their actions, questions, papers and responses. Functions change the session; the route
commits once. Also who speaks for whom ("my representatives")."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, false, func, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from network.auth.models import Person
from network.calendar import reading as calendar
from network.core import audit
from network.core.audience import Audience
from network.core.forms import Refused
from network.core.links import site_path
from network.core.permissions import seen_by, visible
from network.core.text import in_subject
from network.core.time import format_day, local_moment, now, today
from network.extensions import db
from network.members.models import (
    Area,
    Membership,
    Organisation,
    OrgStatus,
    Theme,
    organisation_theme,
)
from network.notify.services import notify
from network.representation.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Body,
    ItemStatus,
    ItemSupport,
    Question,
    RaisedItem,
    Report,
    ReportPaper,
    ReportRead,
    ReportRevision,
    ReportState,
    Response,
    Seat,
    Term,
    seat_area,
    seat_organisation,
    seat_theme,
)


class RepresentationError(Refused):
    """A change to a body, a seat or a term refused."""


# --- bodies --------------------------------------------------------------------------------------

def _name_free(name: str, body: Body | None = None) -> None:
    taken = db.session.scalar(select(Body.id).where(Body.name == name))
    if taken is not None and (body is None or taken != body.id):
        raise RepresentationError(_("There is a body of that name already."), "name")


def create_body(values: dict, by: Person) -> Body:
    _name_free(values["name"])
    body = Body(**values)
    db.session.add(body)
    try:
        db.session.flush()
    except IntegrityError:  # the same name added at the same moment
        raise RepresentationError(_("There is a body of that name already."), "name") from None
    audit.record("body.create", body, f"Added the body “{body.name}”", actor=by)
    return body


def edit_body(body: Body, values: dict, by: Person) -> None:
    _name_free(values["name"], body)
    changed = audit.changes(body, list(values), values)
    for name, value in values.items():
        setattr(body, name, value)
    if changed:
        audit.record("body.edit", body, f"Changed the body “{body.name}”", actor=by, **changed)


# --- seats ---------------------------------------------------------------------------------------

def _constituency(seat: Seat, chosen: dict) -> None:
    seat.areas = _rows(Area, chosen["areas"])
    seat.themes = _rows(Theme, chosen["themes"])
    seat.organisations = _rows(Organisation, chosen["organisations"])


def _rows(model, ids: list[int]) -> list:
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def create_seat(body: Body, title: str, description: str, chosen: dict, by: Person) -> Seat:
    seat = Seat(body_id=body.id, title=title, description=description)
    _constituency(seat, chosen)
    db.session.add(seat)
    db.session.flush()
    audit.record("seat.create", seat, f"Added the seat “{title}” on “{body.name}”", actor=by)
    return seat


def edit_seat(seat: Seat, title: str, description: str, chosen: dict, by: Person) -> None:
    before = _speaks_for(seat)
    seat.title, seat.description = title, description
    _constituency(seat, chosen)
    audit.record("seat.edit", seat, f"Changed the seat “{title}”", actor=by,
                 speaks_for=[before, _speaks_for(seat)])


def _speaks_for(seat: Seat) -> str:
    return ", ".join(x.name for x in [*seat.areas, *seat.themes, *seat.organisations])


def _no_overlap(seat_id: int, values: dict, other_than: int | None = None) -> None:
    """Refuse a term that would overlap another of the seat's, saying which end to move."""
    clash = db.session.scalar(select(Term).where(
        Term.seat_id == seat_id, Term.starts_on <= values["ends_on"],
        Term.ends_on >= values["starts_on"], Term.id != (other_than or 0))
        .order_by(Term.starts_on))
    if clash is not None:
        held = {"name": clash.holder.display_name, "start": format_day(clash.starts_on),
                "end": format_day(clash.ends_on)}
        if clash.starts_on > values["starts_on"]:  # a later term: this one must end sooner
            raise RepresentationError(_(
                "%(name)s is recorded for this seat from %(start)s until %(end)s: two people "
                "cannot hold one seat at once. End this term before %(start)s.", **held),
                "ends_on")
        raise RepresentationError(_(
            "%(name)s is recorded for this seat from %(start)s until %(end)s: two people "
            "cannot hold one seat at once. Start this term after %(end)s.", **held),
            "starts_on")


def add_term(seat: Seat, values: dict, by: Person) -> Term:
    """Record who holds the seat, when. Two people never hold one seat at once: a term that
    overlaps another is refused (the seat's row is locked first on PostgreSQL)."""
    db.session.execute(select(Seat.id).where(Seat.id == seat.id).with_for_update())
    _no_overlap(seat.id, values)
    term = Term(seat_id=seat.id, **values)
    db.session.add(term)
    db.session.flush()
    audit.record("seat.term", term, f"{term.holder.display_name} holds “{seat.title}” from "
                 f"{term.starts_on.isoformat()} to {term.ends_on.isoformat()}", actor=by,
                 selection=term.selection.value)
    path = body_path(seat.body)
    notify(term.holder, "representation.seat", _(
        "You hold the seat “%(seat)s” on %(body)s from %(start)s until %(end)s",
        seat=in_subject(seat.title), body=in_subject(seat.body.name),
        start=format_day(term.starts_on), end=format_day(term.ends_on)), path)
    if term.deputy is not None:
        notify(term.deputy, "representation.seat", _(
            "You are the deputy for the seat “%(seat)s” on %(body)s from %(start)s until "
            "%(end)s", seat=in_subject(seat.title), body=in_subject(seat.body.name),
            start=format_day(term.starts_on), end=format_day(term.ends_on)), path)
    return term


def body_path(body: Body) -> str:
    return site_path("representation.body", body_id=body.id, slug=body.slug)


# --- who speaks for whom -------------------------------------------------------------------------

def live_seats(*where, body_id: int | None = None) -> list[Seat]:
    """Seats in use on bodies the person asking may see (and as `where` says), with whom
    they speak for and who held them, by body."""
    query = visible(select(Seat).join(Body).where(Seat.archived_at.is_(None)), Body).options(
        contains_eager(Seat.body), selectinload(Seat.areas), selectinload(Seat.themes),
        selectinload(Seat.organisations),
        selectinload(Seat.terms).options(joinedload(Term.holder), joinedload(Term.deputy)))
    if body_id is not None:
        query = query.where(Seat.body_id == body_id)
    if where:
        query = query.where(*where)
    return list(db.session.scalars(query.order_by(Body.name, Seat.title)))


def seats_for(person: Person) -> list[Seat]:
    """The seats that speak for a person: for one of their organisations by name, for its
    area or one of its themes, or for the whole network."""
    rows = db.session.execute(  # each organisation with each of its themes, in one query
        select(Organisation.id, Organisation.area_id, organisation_theme.c.theme_id)
        .join(Membership).outerjoin(organisation_theme)
        .where(Membership.person_id == person.id, Membership.left_at.is_(None),
               Organisation.status == OrgStatus.APPROVED)).all()
    if not rows:
        return []  # seats speak for member organisations
    areas = {area for _, area, _ in rows if area}
    themes = {theme for _, _, theme in rows if theme}
    return live_seats(or_(
        Seat.organisations.any(Organisation.id.in_({org for org, _, _ in rows})),
        Seat.areas.any(Area.id.in_(areas)), Seat.themes.any(Theme.id.in_(themes)),
        and_(~Seat.areas.any(), ~Seat.themes.any(), ~Seat.organisations.any())))


def meeting_bodies(person, keep: int | None = None) -> list[Body]:
    """The bodies whose meetings a person may put in the calendar: any live one for
    coordinators, those where they hold or deputise a seat now for members (and `keep`, the
    body an event being changed already has)."""
    if not person.is_authenticated:
        return []
    query = select(Body).where(or_(Body.archived_at.is_(None), Body.id == keep))
    if not person.is_coordinator:
        holding = select(Seat.body_id).join(Term).where(
            or_(Term.holder_id == person.id, Term.deputy_id == person.id),
            Term.starts_on <= today(), Term.ends_on >= today())
        query = query.where(or_(Body.id.in_(holding), Body.id == keep))
    return list(db.session.scalars(query.order_by(Body.name)))


def people_who_can_hold() -> list[Person]:
    """Members of member organisations, by name: who may hold or deputise a seat."""
    return list(db.session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.left_at.is_(None), Organisation.status == OrgStatus.APPROVED,
               Person.suspended_at.is_(None))
        .distinct().order_by(Person.display_name)))


# --- items raised before a meeting ---------------------------------------------------------------

def writers_of(seat: Seat) -> list[Person]:
    """Who is told of what happens on a seat: its present holder and deputy."""
    term = seat.current_term
    return [p for p in (term.holder, term.deputy) if p is not None] if term else []


def seat_path(seat: Seat, anchor: str = "") -> str:
    return site_path("representation.seat", seat_id=seat.id) + (f"#{anchor}" if anchor else "")


def next_meeting(seat: Seat, *, as_seen: bool = True):
    """The body's next meeting in the calendar (an Occurrence), or None: of those the person
    asking may see, unless as_seen is False."""
    if as_seen:
        found = calendar.upcoming_meetings([seat.body_id], limit=1)
        return found[0] if found else None
    start = now()
    return next((found for found in calendar.meetings(
        [seat.body_id], start, start + timedelta(days=180), seen_by=calendar.NO_ONE_ASKING)
        if found.starts_at >= start), None)


def existing_item(key: str, author: Person) -> RaisedItem | None:
    return db.session.scalar(select(RaisedItem).where(RaisedItem.submission_key == key,
                                                      RaisedItem.author_id == author.id))


def raise_item(seat: Seat, author: Person, title: str, body: str, organisation_id: int | None,
               key: str | None) -> RaisedItem:
    meeting = next_meeting(seat, as_seen=False)
    item = RaisedItem(seat_id=seat.id, author_id=author.id, organisation_id=organisation_id,
                      title=title, body=body, submission_key=key)
    if meeting is not None:
        item.event_id, item.occurrence_start = meeting.event.id, meeting.original_start
        item.meeting_at = meeting.starts_at
    db.session.add(item)
    db.session.flush()
    for person in writers_of(seat):
        if person.id != author.id:
            notify(person, "representation.item", _(
                "%(name)s raised “%(title)s” for your seat “%(seat)s”",
                name=in_subject(author.display_name), title=in_subject(title),
                seat=in_subject(seat.title)), seat_path(seat, f"i{item.id}"))
    return item


def back_item(item: RaisedItem, person: Person, on: bool) -> bool:
    """"This matters to us too", or not any more. False when it was already so."""
    existing = db.session.get(ItemSupport, (item.id, person.id))
    if on and existing is None:
        db.session.add(ItemSupport(item_id=item.id, person_id=person.id))
        return True
    if not on and existing is not None:
        db.session.delete(existing)
        return True
    return False


def _tell_raisers(item: RaisedItem, subject: str, url: str, by: Person,
                  detail: str = "") -> None:
    for person in [item.author, *(s.person for s in item.supporters)]:
        if person.id != by.id:
            notify(person, "representation.item", subject, url, detail)


def mark_item(item: RaisedItem, status: ItemStatus, reply: str, by: Person) -> bool:
    """The representative's answer to a raised item: taken to the meeting, not taken (why),
    or answered. Who raised it and who backed it are told. False when it was already so
    (the same mark, the same words): nobody is told again."""
    if status in (ItemStatus.NOT_TAKEN, ItemStatus.ANSWERED) and not reply:
        raise RepresentationError(
            _("Say why it was not taken.") if status == ItemStatus.NOT_TAKEN
            else _("Give the answer."), "reply")
    if status == item.status and reply == item.reply:
        return False
    item.status, item.reply, item.replied_at = status, reply, now()
    title = in_subject(item.title)
    subject = {
        ItemStatus.TAKEN: _("“%(title)s” will be taken to the meeting", title=title),
        ItemStatus.NOT_TAKEN: _("“%(title)s” was not taken to the meeting", title=title),
        ItemStatus.ANSWERED: _("“%(title)s” is answered", title=title),
        ItemStatus.OPEN: _("“%(title)s” is open again", title=title),
    }[status]
    _tell_raisers(item, subject, seat_path(item.seat, f"i{item.id}"), by, detail=reply)
    return True


def items_of(seat: Seat, settled_limit: int = 10) -> tuple[list[RaisedItem], list[RaisedItem]]:
    """Items still to deal with (raised or taken), oldest first; and the latest answered or
    not taken. One query, who backs each included."""
    still_open = RaisedItem.status.in_([ItemStatus.OPEN, ItemStatus.TAKEN])
    latest_settled = (select(RaisedItem.id).where(RaisedItem.seat_id == seat.id, ~still_open)
                      .order_by(RaisedItem.replied_at.desc()).limit(settled_limit))
    items = db.session.scalars(
        select(RaisedItem).where(RaisedItem.seat_id == seat.id,
                                 or_(still_open, RaisedItem.id.in_(latest_settled)))
        .options(joinedload(RaisedItem.author), joinedload(RaisedItem.organisation),
                 joinedload(RaisedItem.supporters).joinedload(ItemSupport.person))
        .order_by(RaisedItem.created_at)).unique().all()
    return ([item for item in items if not item.settled],
            sorted((item for item in items if item.settled),
                   key=lambda item: item.replied_at or item.created_at, reverse=True))


def speaks_for(seat: Seat) -> list[str]:
    """The names of the areas, themes and organisations a seat speaks for, in one query."""
    return list(db.session.scalars(union_all(
        select(Area.name).join(seat_area).where(seat_area.c.seat_id == seat.id),
        select(Theme.name).join(seat_theme).where(seat_theme.c.seat_id == seat.id),
        select(Organisation.name).join(seat_organisation)
        .where(seat_organisation.c.seat_id == seat.id))))


# --- reports back --------------------------------------------------------------------------------

def report_path(report: Report, anchor: str = "") -> str:
    return site_path("representation.report", report_id=report.id) + (
        f"#{anchor}" if anchor else "")


def meetings_to_report(seat: Seat) -> list:
    """The body's meetings held over the present term (the past year at least) that the seat
    has no report for yet, most recent first."""
    term = seat.current_term
    since = now() - timedelta(days=366)
    if term is not None:
        since = min(since, local_moment(term.starts_on, time.min))
    held = calendar.held_meetings([seat.body_id], limit=100, since=since)
    reported = set(db.session.execute(select(Report.event_id, Report.occurrence_start)
                                      .where(Report.seat_id == seat.id)).all())
    return [m for m in held if (m.event.id, m.original_start) not in reported]


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


def items_for(report: Report) -> list[RaisedItem]:
    """The items a report answers: those raised for its meeting, and any raised for no
    meeting before it that are still open or taken, or that this report answered."""
    for_meeting = and_(RaisedItem.event_id == report.event_id,
                       RaisedItem.occurrence_start == report.occurrence_start)
    unplaced = and_(RaisedItem.event_id.is_(None), RaisedItem.created_at < report.meeting_at,
                    RaisedItem.status.in_([ItemStatus.OPEN, ItemStatus.TAKEN]))
    return list(db.session.scalars(
        select(RaisedItem).where(RaisedItem.seat_id == report.seat_id,
                                 or_(for_meeting, unplaced, RaisedItem.report_id == report.id))
        .options(joinedload(RaisedItem.author), joinedload(RaisedItem.organisation))
        .order_by(RaisedItem.created_at)))


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
    _tell_raisers(item, _("“%(title)s” is answered in the report from %(body)s",
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


def add_paper(report: Report, upload, title: str, by: Person) -> ReportPaper:
    paper = ReportPaper(report_id=report.id, file=upload.store(), title=title,
                        filename=upload.filename, uploaded_by_id=by.id)
    db.session.add(paper)
    return paper


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
                                    "publishing."), "summary")
    report.state, report.published_at = ReportState.PUBLISHED, now()
    for item in items_for(report):
        if item.report_id == report.id and item.status != ItemStatus.ANSWERED:
            _answer(item, report, by)
    seat = report.seat
    told = 0
    for person in constituency(seat):
        if person.id != by.id and notify(person, "representation.report", _(
                "Report back from %(body)s (%(seat)s), %(day)s", body=in_subject(seat.body.name),
                seat=in_subject(seat.title), day=format_day(report.meeting_at)),
                report_path(report)) is not None:
            told += 1
    audit.record("report.publish", report, f"Published the report from “{seat.body.name}” "
                 f"({seat.title}) on {report.meeting_at.date().isoformat()}", actor=by,
                 told=told)
    return told


def existing_response(key: str, author: Person) -> Response | None:
    return db.session.scalar(select(Response).where(Response.submission_key == key,
                                                    Response.author_id == author.id))


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
    if reply_to is not None and reply_to.author_id not in told:
        notify(reply_to.author, "representation.response", _(
            "%(name)s replied to you on the report from %(body)s",
            name=in_subject(author.display_name), body=in_subject(report.seat.body.name)), url)
        told.add(reply_to.author_id)
    for person in writers_of(report.seat):
        if person.id not in told:
            notify(person, "representation.response", _(
                "%(name)s responded to your report from %(body)s",
                name=in_subject(author.display_name), body=in_subject(report.seat.body.name)), url)
    return response


def hide_response(response: Response, reason: str, by: Person) -> bool:
    """Hide a response; its author is told why. False when it was already hidden."""
    if response.hidden_at is not None:
        return False
    response.hidden_at, response.hidden_reason = now(), reason
    report = db.session.get(Report, response.report_id)
    notify(response.author, "representation.response", _(
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


def seat_actions(seat_id: int, *, open_only: bool = False) -> list[Action]:
    query = select(Action).where(Action.seat_id == seat_id)
    if open_only:
        query = query.where(Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]))
    return list(db.session.scalars(query.order_by(Action.due_on, Action.id)))


def report_actions(report: Report) -> list[Action]:
    """The actions agreed at the report's meeting, then those from earlier meetings of the
    seat still open."""
    carried = and_(Action.report_id != report.id, Action.created_at < report.created_at,
                   Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]))
    return list(db.session.scalars(
        select(Action).where(Action.seat_id == report.seat_id,
                             or_(Action.report_id == report.id, carried))
        .order_by(Action.report_id != report.id, Action.due_on, Action.id)))


def responses_of(report: Report) -> list[Response]:
    return list(db.session.scalars(
        visible(select(Response).where(Response.report_id == report.id))
        .options(joinedload(Response.author)).order_by(Response.id)))


def top_responses(responses: list[Response]) -> list[Response]:
    """The responses shown first on a report: those that answer none, and replies whose
    response the reader may not see (hidden), which would otherwise vanish with it."""
    shown = {response.id for response in responses}
    return [r for r in responses if r.reply_to_id is None or r.reply_to_id not in shown]


def replies_by_response(responses: list[Response]) -> dict[int, list[Response]]:
    replies: dict[int, list[Response]] = {}
    for response in responses:
        if response.reply_to_id is not None:
            replies.setdefault(response.reply_to_id, []).append(response)
    return replies


def papers_of(report: Report) -> list[ReportPaper]:
    return list(db.session.scalars(select(ReportPaper).where(ReportPaper.report_id == report.id)
                                   .order_by(ReportPaper.id)))


def reads_of(report: Report, person) -> tuple[int, bool]:
    """How many have said they read the report, and whether this person has."""
    mine = ReportRead.person_id == person.id if person.is_authenticated else false()
    count, read = db.session.execute(
        select(func.count(), func.coalesce(func.max(case((mine, 1), else_=0)), 0))
        .where(ReportRead.report_id == report.id)).one()
    return count, bool(read)


def latest_reports(seat_ids: list[int]) -> dict[int, Report]:
    """Each seat's latest report the person asking may read, by seat id."""
    if not seat_ids:
        return {}
    latest = (select(Report.seat_id, func.max(Report.meeting_at).label("meeting_at"))
              .where(Report.seat_id.in_(seat_ids), seen_by(Report),
                     Report.state == ReportState.PUBLISHED)
              .group_by(Report.seat_id).subquery())
    return {report.seat_id: report for report in db.session.scalars(
        select(Report).join(latest, and_(Report.seat_id == latest.c.seat_id,
                                         Report.meeting_at == latest.c.meeting_at)))}


# --- changing a term, archiving ------------------------------------------------------------------

def change_term(term: Term, values: dict, by: Person) -> bool:
    """Correct a term or end it early (a resignation): the same rule as a new term, two
    people never hold one seat at once, checked against the seat's other terms. False when
    nothing changed (a term ended on the day it already ends)."""
    changed = audit.changes(term, list(values), values)
    if not changed:
        return False
    db.session.execute(select(Seat.id).where(Seat.id == term.seat_id).with_for_update())
    _no_overlap(term.seat_id, values, other_than=term.id)
    for name, value in values.items():
        setattr(term, name, value)
    audit.record("seat.term.edit", term, f"Changed the term of "
                 f"{term.holder.display_name} on “{term.seat.title}”", actor=by, **changed)
    return True


def archive(thing: Body | Seat, archived: bool, by: Person) -> bool:
    """Take a body or a seat out of use (its record stays), or bring it back. False when it
    was already so."""
    if (thing.archived_at is not None) == archived:
        return False
    thing.archived_at = now() if archived else None
    kind = "body" if isinstance(thing, Body) else "seat"
    name = thing.name if isinstance(thing, Body) else thing.title
    audit.record(f"{kind}.{'archive' if archived else 'restore'}", thing,
                 f"{'Archived' if archived else 'Restored'} “{name}”", actor=by)
    return True
