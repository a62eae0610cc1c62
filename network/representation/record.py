"""The accountability record: for each seat, over its present term (the past 12 months when
nobody holds it), every meeting its body held and how soon the seat reported back, the items
raised and settled, and the actions open, overdue, done and dropped (shown per body and per
seat by `accountability`); what waits for a seat's holder on their dashboard; and the reminders
sent when a report is overdue (`flask representation remind`, daily).

A whole body's record costs a fixed number of queries: the meetings, the reports, and one
count each of items and actions, for all its seats at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from network.auth.models import Person
from network.calendar import reads as calendar
from network.calendar.recurrence import MOVE_LIMIT, Occurrence
from network.core.i18n import later
from network.core.text import in_subject
from network.core.time import format_day, local, local_moment, now
from network.extensions import db
from network.members.services import coordinators
from network.notify.services import notify
from network.representation import services
from network.representation.models import (
    REPORT_DUE_DAYS,
    Action,
    ActionStatus,
    Body,
    ItemStatus,
    RaisedItem,
    Report,
    ReportReminder,
    ReportState,
    Seat,
    Term,
)

REPORT_DUE = timedelta(days=REPORT_DUE_DAYS)
COORDINATORS_TOLD_AFTER = timedelta(days=21)
OVERDUE_ACTIONS_SHOWN = 3  # of one seat on its holder's dashboard; the rest are counted
WITHOUT_TERM = timedelta(days=365)  # the period of a seat nobody holds now
MOST_MEETINGS = 500  # of one body in one term: weekly for over nine years
CHART_WIDTH = 200  # of a bar, in the SVG's units (its viewBox is 300 wide)


class Standing(StrEnum):
    """How a meeting's report stands against the 14 days it is due in."""

    ON_TIME = "on_time"  # published within 14 days of the meeting
    LATE = "late"  # published after that
    OVERDUE = "overdue"  # not published, and more than 14 days have passed
    DUE = "due"  # not published, and 14 days have not yet passed

    @property
    def label(self) -> str:
        return str({Standing.ON_TIME: _l("On time"), Standing.LATE: _l("Late"),
                    Standing.OVERDUE: _l("Overdue"), Standing.DUE: _l("Due")}[self])


def standing(meeting_at: datetime, report: Report | None, moment: datetime) -> Standing:
    if report is not None and report.published:
        took = (report.published_at or moment) - report.meeting_at
        return Standing.ON_TIME if took <= REPORT_DUE else Standing.LATE
    return Standing.OVERDUE if moment - meeting_at > REPORT_DUE else Standing.DUE


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting of the seat's body in the period, and the seat's report from it."""

    at: datetime
    report: Report | None
    standing: Standing

    @property
    def days_after(self) -> int | None:
        """Days after the meeting its report was published."""
        if self.report is None or self.report.published_at is None:
            return None
        return (self.report.published_at - self.at).days

    @property
    def due_on(self) -> date:
        return local(self.at + REPORT_DUE).date()


@dataclass(frozen=True, slots=True)
class Figure:
    """One number of the record, named: a bar's segment in the chart, a row in the table."""

    key: str  # its colour (a class in site.css) and what it counts
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Segment:
    figure: Figure
    x: float
    width: float


def bar(figures: list[Figure], width: float = CHART_WIDTH) -> list[Segment]:
    """The figures as the segments of one stacked bar; empty when they are all nought."""
    total = sum(f.count for f in figures)
    segments, x = [], 0.0
    for figure in figures:
        if figure.count:
            share = round(width * figure.count / total, 1)
            segments.append(Segment(figure, round(x, 1), share))
            x += share
    return segments


@dataclass(frozen=True, slots=True)
class SeatRecord:
    seat: Seat
    term: Term | None
    since: datetime
    meetings: list[Meeting]  # most recent first
    items_raised: int
    items_settled: int  # answered or not taken
    actions: dict[str, int]  # open (and in progress), overdue, done, dropped

    @property
    def report_figures(self) -> list[Figure]:
        counts = {s: 0 for s in Standing}
        for meeting in self.meetings:
            counts[meeting.standing] += 1
        return [Figure(s.value, s.label, counts[s]) for s in Standing]

    @property
    def action_figures(self) -> list[Figure]:
        labels = {"open": _("Open"), "overdue": _("Overdue"), "done": _("Done"),
                  "dropped": _("Dropped")}
        return [Figure(key, label, self.actions.get(key, 0)) for key, label in labels.items()]

    @property
    def report_bar(self) -> list[Segment]:
        return bar(self.report_figures)

    @property
    def action_bar(self) -> list[Segment]:
        return bar(self.action_figures)

    @property
    def item_figures(self) -> list[Figure]:
        return [Figure("raised", _("Raised"), self.items_raised),
                Figure("settled", _("Answered or not taken"), self.items_settled),
                Figure("waiting", _("Still open"), self.items_raised - self.items_settled)]


def period_start(seat: Seat, moment: datetime) -> datetime:
    term = seat.current_term
    return local_moment(term.starts_on, time.min) if term else moment - WITHOUT_TERM


def _in_period(column, starts: dict[int, datetime], seat_column):
    return or_(*(and_(seat_column == seat_id, column >= since) for seat_id, since in
                 starts.items()))


def records_for(seats: list[Seat], moment: datetime | None = None) -> list[SeatRecord]:
    """The record of each seat (their terms loaded), from the meetings the person asking
    may see."""
    if not seats:
        return []
    moment = moment or now()
    starts = {seat.id: period_start(seat, moment) for seat in seats}
    earliest = min(starts.values())
    held = calendar.held_meetings({seat.body_id for seat in seats}, limit=MOST_MEETINGS,
                                  since=earliest)
    reports = {(r.seat_id, r.event_id, r.occurrence_start): r for r in db.session.scalars(
        select(Report).where(Report.seat_id.in_(starts),
                             Report.occurrence_start >= earliest - MOVE_LIMIT))}
    settled = RaisedItem.status.in_([ItemStatus.ANSWERED, ItemStatus.NOT_TAKEN])
    items = {seat_id: (raised, settled_count) for seat_id, raised, settled_count in
             db.session.execute(
                 select(RaisedItem.seat_id, func.count(), func.count().filter(settled))
                 .where(_in_period(RaisedItem.created_at, starts, RaisedItem.seat_id))
                 .group_by(RaisedItem.seat_id))}
    actions = _action_counts(starts, moment)
    return [SeatRecord(
        seat=seat, term=seat.current_term, since=starts[seat.id],
        meetings=[_meeting(found, report, moment) for found in held
                  if found.event.body_id == seat.body_id and found.starts_at >= starts[seat.id]
                  and ((report := reports.get((seat.id, found.event.id, found.original_start)))
                       or seat.current_term is not None)],  # a vacant seat owes no report
        items_raised=items.get(seat.id, (0, 0))[0], items_settled=items.get(seat.id, (0, 0))[1],
        actions=actions.get(seat.id, {})) for seat in seats]


def _meeting(found: Occurrence, report: Report | None, moment: datetime) -> Meeting:
    at = report.meeting_at if report is not None else found.starts_at
    return Meeting(at=at, report=report, standing=standing(at, report, moment))


def _action_counts(starts: dict[int, datetime], moment: datetime) -> dict[int, dict[str, int]]:
    """Per seat: its actions still open (overdue or not), and those done or dropped in the
    period."""
    still_open = Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    past_due = Action.due_on < local(moment).date()
    rows = db.session.execute(
        select(Action.seat_id,
               func.count().filter(still_open, ~past_due),
               func.count().filter(still_open, past_due),
               func.count().filter(Action.status == ActionStatus.DONE),
               func.count().filter(Action.status == ActionStatus.DROPPED))
        .where(Action.seat_id.in_(starts),
               or_(still_open, _in_period(Action.closed_at, starts, Action.seat_id)))
        .group_by(Action.seat_id))
    return {seat_id: dict(zip(("open", "overdue", "done", "dropped"), counts, strict=True))
            for seat_id, *counts in rows}


# --- what a holder has to do (their dashboard) ---------------------------------------------------

@dataclass(frozen=True, slots=True)
class SeatDuty:
    """A seat someone holds or deputises now, and what waits for them on it."""

    term: Term
    deputy: bool  # they are its deputy, not its holder
    items_waiting: int  # raised and not yet marked taken, not taken or answered
    overdue: int  # meetings this term whose report is overdue
    meeting: Meeting | None  # the oldest overdue, else the one due: the report to write now
    draft: Report | None  # that meeting's report, started and not yet published
    overdue_actions: list[Action]  # open and past their day, the longest overdue first
    actions_overdue: int  # how many there are, shown or not

    @property
    def seat(self) -> Seat:
        return self.term.seat


def seat_duties(person: Person, moment: datetime | None = None) -> list[SeatDuty]:
    """The seats a person holds or deputises now, each with the items waiting to be marked,
    the report due or overdue (as the reminders count them: meetings in the present term
    without a published report) and the actions overdue. Five queries however many seats,
    items, meetings and actions; one for someone who holds none."""
    moment = moment or now()
    day = local(moment).date()
    waiting = (select(func.count()).where(RaisedItem.seat_id == Seat.id,
                                          RaisedItem.status == ItemStatus.OPEN)
               .correlate(Seat).scalar_subquery())
    rows = db.session.execute(
        select(Term, waiting).join(Term.seat).join(Seat.body)
        .where(or_(Term.holder_id == person.id, Term.deputy_id == person.id),
               Term.starts_on <= day, Term.ends_on >= day,
               Seat.archived_at.is_(None), Body.archived_at.is_(None))
        .options(contains_eager(Term.seat).contains_eager(Seat.body))
        .order_by(Body.name, Seat.title)).all()
    if not rows:
        return []
    starts = {term.seat_id: local_moment(term.starts_on, time.min) for term, _ in rows}
    held = _held({term.seat.body_id for term, _ in rows}, min(starts.values()), moment)
    reports = {(r.seat_id, r.event_id, r.occurrence_start): r for r in db.session.scalars(
        select(Report).where(Report.seat_id.in_(starts),
                             Report.occurrence_start >= min(starts.values()) - MOVE_LIMIT))}
    late_actions = _overdue_actions(list(starts), day)
    duties = []
    for term, items_waiting in rows:
        owed = []
        for found in held:  # oldest first
            report = reports.get((term.seat_id, found.event.id, found.original_start))
            if (found.event.body_id == term.seat.body_id
                    and found.starts_at >= starts[term.seat_id]
                    and (report is None or not report.published)):
                owed.append(_meeting(found, report, moment))
        overdue = [m for m in owed if m.standing == Standing.OVERDUE]
        now_due = (overdue or owed or [None])[0]
        shown, late = late_actions.get(term.seat_id, ([], 0))
        duties.append(SeatDuty(term=term, deputy=term.holder_id != person.id,
                               items_waiting=items_waiting, overdue=len(overdue),
                               meeting=now_due, draft=now_due.report if now_due else None,
                               overdue_actions=shown, actions_overdue=late))
    return duties


def _overdue_actions(seat_ids: list[int], day: date) -> dict[int, tuple[list[Action], int]]:
    """Per seat: its first few actions still open and past their day (the longest overdue
    first), and how many there are; one query, however many there are."""
    ranked = (select(Action.id,
                     func.row_number().over(partition_by=Action.seat_id,
                                            order_by=(Action.due_on, Action.id)).label("place"),
                     func.count().over(partition_by=Action.seat_id).label("late"))
              .where(Action.seat_id.in_(seat_ids), Action.due_on < day,
                     Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]))
              .subquery())
    found: dict[int, tuple[list[Action], int]] = {}
    for action, late in db.session.execute(
            select(Action, ranked.c.late).join(ranked, ranked.c.id == Action.id)
            .where(ranked.c.place <= OVERDUE_ACTIONS_SHOWN)
            .order_by(Action.due_on, Action.id)):
        found.setdefault(action.seat_id, ([], late))[0].append(action)
    return found


# --- reminders -----------------------------------------------------------------------------------

def _term_on(seat: Seat, day: date) -> Term | None:
    return next((t for t in seat.terms if t.starts_on <= day <= t.ends_on), None)


def _held(body_ids: Iterable[int], since: datetime, until: datetime) -> list[Occurrence]:
    """The bodies' meetings held from since to until, whoever may see them (no one asks)."""
    return [found for found in calendar.meetings(body_ids, since, until,
                                                 seen_by=calendar.NO_ONE_ASKING)
            if since <= found.starts_at < until]


def remind_overdue_reports(moment: datetime | None = None) -> int:
    """For each meeting in a seat's present term whose report is not published 14 days
    after: tell the holder and deputy, and after 21 days every coordinator, once each (a
    ReportReminder row per stage). Returns how many people were told."""
    moment = moment or now()
    day = local(moment).date()
    seats = db.session.scalars(
        select(Seat).join(Body).where(Seat.archived_at.is_(None), Body.archived_at.is_(None))
        .options(contains_eager(Seat.body),
                 selectinload(Seat.terms).options(joinedload(Term.holder),
                                                  joinedload(Term.deputy)))).unique().all()
    terms = {seat.id: term for seat in seats if (term := _term_on(seat, day)) is not None}
    if not terms:
        return 0
    starts = {seat_id: local_moment(term.starts_on, time.min) for seat_id, term in terms.items()}
    held = _held({seat.body_id for seat in seats if seat.id in terms},
                 min(starts.values()), moment - REPORT_DUE)
    published = set(db.session.execute(
        select(Report.seat_id, Report.event_id, Report.occurrence_start)
        .where(Report.seat_id.in_(terms), Report.state == ReportState.PUBLISHED)).all())
    sent = set(db.session.execute(
        select(ReportReminder.seat_id, ReportReminder.event_id,
               ReportReminder.occurrence_start, ReportReminder.stage)
        .where(ReportReminder.seat_id.in_(terms))).all())
    staff: list[Person] | None = None
    told = 0
    for seat in seats:
        term = terms.get(seat.id)
        if term is None:
            continue
        writers = [p for p in (term.holder, term.deputy) if p is not None]
        writer_ids = {p.id for p in writers}
        for found in held:
            key = (seat.id, found.event.id, found.original_start)
            if (found.event.body_id != seat.body_id or found.starts_at < starts[seat.id]
                    or key in published):
                continue
            meeting_day = later(format_day, found.starts_at)
            if (*key, 1) not in sent:
                db.session.add(ReportReminder(seat_id=seat.id, event_id=found.event.id,
                                              occurrence_start=found.original_start, stage=1,
                                              sent_at=moment))
                told += _tell(writers, _l("Your report from %(body)s, %(day)s, is overdue",
                                         body=in_subject(seat.body.name), day=meeting_day), seat)
            if moment - found.starts_at > COORDINATORS_TOLD_AFTER and (*key, 2) not in sent:
                staff = coordinators() if staff is None else staff
                db.session.add(ReportReminder(seat_id=seat.id, event_id=found.event.id,
                                              occurrence_start=found.original_start, stage=2,
                                              sent_at=moment))
                told += _tell([p for p in staff if p.id not in writer_ids], _l(
                    "The report for “%(seat)s” from %(body)s, %(day)s, is overdue",
                    seat=in_subject(seat.title), body=in_subject(seat.body.name),
                    day=meeting_day), seat)
    return told


def _tell(people: list[Person], subject: str, seat: Seat) -> int:
    url = services.seat_path(seat)
    return sum(notify(person, "representation.reminder", subject, url) is not None
               for person in people)
