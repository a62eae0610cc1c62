"""What representation reads for its pages and for other modules: the seats in use and who
they speak for ("my representatives"), the bodies whose meetings someone may put in the
calendar, a seat's next meeting and its items, a report's items, actions, responses, papers
and reads. Nothing here changes the session (`services` and `reporting` do)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, case, false, func, null, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from network.auth.models import Person
from network.calendar import reads as calendar
from network.core.lines import line
from network.core.pagination import Page, paginate
from network.core.permissions import seen_by, visible
from network.core.time import local_moment, now, today
from network.extensions import db
from network.members.models import (
    Area,
    Membership,
    Organisation,
    OrgStatus,
    Theme,
    organisation_theme,
)
from network.members.reads import named
from network.representation.models import (
    REPORT_DUE_DAYS,
    Action,
    ActionStatus,
    Body,
    ItemStatus,
    ItemSupport,
    Question,
    RaisedItem,
    Report,
    ReportPaper,
    ReportRead,
    ReportReminder,
    ReportState,
    Response,
    Seat,
    Term,
    seat_area,
    seat_organisation,
    seat_theme,
)

# --- who speaks for whom -------------------------------------------------------------------------

def live_seats(*where, body_id: int | None = None) -> list[Seat]:
    """Seats in use on bodies the person asking may see (and as `where` says), with whom
    they speak for and who held them, by body."""
    return list(db.session.scalars(_live_seats(*where, body_id=body_id)))


def _live_seats(*where, body_id: int | None = None) -> Select:
    query = visible(select(Seat).join(Body).where(Seat.archived_at.is_(None)), Body).options(
        contains_eager(Seat.body), selectinload(Seat.areas), selectinload(Seat.themes),
        selectinload(Seat.organisations),
        selectinload(Seat.terms).options(named(joinedload(Term.holder)),
                                         named(joinedload(Term.deputy))))
    if body_id is not None:
        query = query.where(Seat.body_id == body_id)
    if where:
        query = query.where(*where)
    return query.order_by(Body.name, Seat.title, Seat.id)


def seats_for(person: Person) -> Page:
    """The seats that speak for a person (speaking_for): for one of their organisations by
    name, for its area or one of its themes, or for the whole network; a page of them
    (PAGE_SIZE, by body and title: a real borough's few read whole, and a large one's
    hundreds, as the bench makes them, cost one page)."""
    return paginate(_live_seats(speaking_for(person)))


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


# --- a seat: its next meeting, its items ---------------------------------------------------------

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


def existing_response(key: str, author: Person) -> Response | None:
    return db.session.scalar(select(Response).where(Response.submission_key == key,
                                                    Response.author_id == author.id))


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
        .options(named(joinedload(Response.author))).order_by(Response.id)).unique())


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


# --- the impact record -------------------------------------------------------------------------

def _member_when(person_id, organisation_id: int, moment):
    """The condition that the person belonged to the organisation at that moment (had not
    left it: when they joined is not known for memberships older than the site)."""
    return select(Membership.id).where(
        Membership.person_id == person_id, Membership.organisation_id == organisation_id,
        or_(Membership.left_at.is_(None), Membership.left_at > moment)).exists()


def reporting_between(start: datetime, end: datetime,
                      organisation_id: int | None = None) -> dict[str, int]:
    """For the impact record: reports published from start until end, on time (within
    REPORT_DUE_DAYS of their meeting) or late, and actions marked done then; for one
    organisation, those its people wrote (the report's author a member when it was
    published; an action's report's, when it was done). One query, however long the
    period."""
    reports = select(Report.meeting_at, Report.published_at).where(
        Report.state == ReportState.PUBLISHED, Report.published_at >= start,
        Report.published_at < end)
    done = select(Action.closed_at, null()).join(Report, Report.id == Action.report_id) \
        .where(Action.status == ActionStatus.DONE, Action.closed_at >= start,
               Action.closed_at < end)
    if organisation_id is not None:
        reports = reports.where(_member_when(Report.author_id, organisation_id,
                                             Report.published_at))
        done = done.where(_member_when(Report.author_id, organisation_id, Action.closed_at))
    due = timedelta(days=REPORT_DUE_DAYS)
    found = {"on_time": 0, "late": 0, "actions_done": 0}
    for meeting_at, published_at in db.session.execute(union_all(reports, done)):
        if published_at is None:  # an action's row
            found["actions_done"] += 1
        else:
            found["on_time" if published_at - meeting_at <= due else "late"] += 1
    return found
# --- for the home page and the bulletin ----------------------------------------------------------

def speaking_for(person):
    """The condition for seats that speak for the person (seats_for in SQL): for one of their
    member organisations by name, its area or one of its themes, or for the whole network."""
    theirs = (select(Organisation.id).join(Membership)
              .where(Membership.person_id == person.id, Membership.left_at.is_(None),
                     Organisation.status == OrgStatus.APPROVED))
    areas = select(Organisation.area_id).where(Organisation.id.in_(theirs))
    themes = select(organisation_theme.c.theme_id).where(
        organisation_theme.c.organisation_id.in_(theirs))
    return and_(theirs.exists(), or_(
        Seat.organisations.any(Organisation.id.in_(theirs)), Seat.areas.any(Area.id.in_(areas)),
        Seat.themes.any(Theme.id.in_(themes)),
        and_(~Seat.areas.any(), ~Seat.themes.any(), ~Seat.organisations.any())))


def _holding(person):
    """The seats the person holds or deputises today."""
    return select(Term.seat_id).where(or_(Term.holder_id == person.id,
                                          Term.deputy_id == person.id),
                                      Term.starts_on <= today(), Term.ends_on >= today())


def new_reports(person, since) -> Select:
    """Reports published since then by seats that speak for the person, that they may read
    and have not said they read, the latest first; as lines (core.lines): body and seat."""
    unread = ~select(ReportRead.report_id).where(ReportRead.report_id == Report.id,
                                                 ReportRead.person_id == person.id).exists()
    return (select(*line("report", Report.id, Body.name + ": " + Seat.title,
                         at=Report.meeting_at,
                         order=(Report.published_at.desc(), Report.id.desc())))
            .select_from(Report).join(Seat, Seat.id == Report.seat_id).join(Body)
            .where(Report.state == ReportState.PUBLISHED, Report.published_at >= since,
                   seen_by(Report, person), speaking_for(person), unread,
                   Seat.archived_at.is_(None)))


def items_to_mark(person) -> Select:
    """Items raised for seats the person holds or deputises that wait to be marked taken or
    not, the oldest first; as lines: ref is the seat."""
    return select(*line("item", RaisedItem.seat_id, RaisedItem.title,
                        at=RaisedItem.created_at, sub=RaisedItem.id,
                        order=(RaisedItem.created_at, RaisedItem.id))).where(
        RaisedItem.status == ItemStatus.OPEN, RaisedItem.seat_id.in_(_holding(person)))


def reports_overdue(person) -> Select:
    """Meetings of seats the person holds or deputises whose report is overdue (the holder
    has been reminded: `flask representation remind` marks each one) and still not
    published; as lines: ref is the seat, at the meeting."""
    published = select(Report.id).where(
        Report.seat_id == ReportReminder.seat_id, Report.event_id == ReportReminder.event_id,
        Report.occurrence_start == ReportReminder.occurrence_start,
        Report.state == ReportState.PUBLISHED).exists()
    return (select(*line("overdue", ReportReminder.seat_id, Body.name + ": " + Seat.title,
                         at=ReportReminder.occurrence_start,
                         order=(ReportReminder.occurrence_start, ReportReminder.seat_id)))
            .select_from(ReportReminder).join(Seat, Seat.id == ReportReminder.seat_id)
            .join(Body).where(ReportReminder.stage == 1, ~published,
                              ReportReminder.seat_id.in_(_holding(person))))


def questions_to_answer(person) -> Select:
    """Questions back to the person from seats that speak for them, on reports they may
    read, still open and not answered by them, the soonest due first; as lines: ref is the
    report, sub the question."""
    answered = select(Response.id).where(Response.question_id == Question.id,
                                         Response.author_id == person.id).exists()
    return (select(*line("question", Question.report_id, Question.text,
                         day=Question.respond_by, sub=Question.id,
                         order=(Question.respond_by, Question.id)))
            .select_from(Question).join(Report, Report.id == Question.report_id)
            .join(Seat, Seat.id == Report.seat_id)
            .where(Question.respond_by >= today(), Report.state == ReportState.PUBLISHED,
                   seen_by(Report, person), speaking_for(person), ~answered))


def reports_published(person, since, limit: int) -> list[Report]:
    """Reports published since then that the person may read, the latest first, with their
    seat and body (for the bulletin)."""
    return list(db.session.scalars(
        select(Report).join(Report.seat).join(Seat.body)
        .where(Report.state == ReportState.PUBLISHED, Report.published_at >= since,
               seen_by(Report, person))
        .options(contains_eager(Report.seat).contains_eager(Seat.body))
        .order_by(Report.published_at.desc(), Report.id.desc()).limit(limit)))


def questions_open(person, limit: int) -> list[tuple[Question, Report]]:
    """Questions back to members still open, on reports the person may read, the soonest
    due first, with their report, seat and body (for the bulletin)."""
    return list(db.session.execute(
        select(Question, Report).join(Report, Report.id == Question.report_id)
        .join(Report.seat).join(Seat.body)
        .where(Question.respond_by >= today(), Report.state == ReportState.PUBLISHED,
               seen_by(Report, person))
        .options(contains_eager(Report.seat).contains_eager(Seat.body))
        .order_by(Question.respond_by, Question.id).limit(limit)).tuples())
