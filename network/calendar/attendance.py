"""Who is coming: answers to an occurrence, with places and a waiting list (a place given up
goes to whoever has waited longest, who is told), and a reminder the day before. Each
function changes the session and queues its notifications; the caller commits once."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from network.auth.models import NAME_COLUMNS, Person
from network.calendar.models import Answer, Event, Rsvp
from network.calendar.reads import event_path
from network.calendar.recurrence import MOVE_LIMIT, occurrence
from network.calendar.services import CalendarError, not_an_occurrence
from network.core.i18n import later
from network.core.text import in_subject
from network.core.time import format_when, now
from network.extensions import db
from network.notify.services import notify


def going_count(event: Event, at: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.event_id == event.id, Rsvp.occurrence_start == at,
        Rsvp.answer == Answer.GOING, Rsvp.waiting.is_(False))) or 0


def answer(event: Event, at: datetime, person: Person, reply: Answer) -> tuple[Rsvp, bool]:
    """Say whether one is coming to an occurrence. Past the places, "going" waits; a place
    given up goes to whoever has waited longest, who is told. Returns the answer, and False
    when it was the answer already (nothing changes, nobody is told)."""
    _lock(event)
    found = occurrence(event, at)
    if found is None:
        raise not_an_occurrence()
    if found.cancelled:
        raise CalendarError(_("This is cancelled: there is nothing to answer."))
    if found.starts_at <= now():
        raise CalendarError(_("This has already started: answers are closed."))
    if not event.rsvp:
        raise CalendarError(_("This event does not ask who is coming."))
    row = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id,
                                               Rsvp.occurrence_start == at,
                                               Rsvp.person_id == person.id))
    had_place = row is not None and row.answer == Answer.GOING and not row.waiting
    if row is None:
        row = Rsvp(event_id=event.id, occurrence_start=at, person_id=person.id, answer=reply)
        db.session.add(row)
    elif row.answer == reply:
        return row, False
    row.answer, row.answered_at = reply, now()
    row.waiting = False
    if reply == Answer.GOING and not had_place and event.capacity is not None:
        db.session.flush()
        row.waiting = going_count(event, at) - 1 >= event.capacity
    db.session.flush()
    if had_place and reply != Answer.GOING:
        _move_up(event, at)
    return row, True


def _move_up(event: Event, at: datetime) -> None:
    """Give free places to those waiting, longest first, and tell them (all of them once
    there is no limit)."""
    free = None if event.capacity is None else event.capacity - going_count(event, at)
    if free is not None and free <= 0:
        return
    waiting = db.session.scalars(select(Rsvp).where(
        Rsvp.event_id == event.id, Rsvp.occurrence_start == at, Rsvp.waiting.is_(True))
        .options(joinedload(Rsvp.person)).order_by(Rsvp.answered_at, Rsvp.id).limit(free)).all()
    for row in waiting:
        row.waiting = False
        notify(row.person, "calendar.changed",
               _l("A place came free: you are going to “%(title)s” on %(day)s",
                 title=in_subject(event.title), day=later(format_when, at)), event_path(event, at))


def free_places_after_capacity_change(event: Event) -> None:
    """After the number of places went up (or the limit went), those waiting for upcoming
    occurrences move up."""
    starts = db.session.scalars(select(Rsvp.occurrence_start).where(
        Rsvp.event_id == event.id, Rsvp.waiting.is_(True), Rsvp.occurrence_start > now())
        .distinct()).all()
    for at in starts:
        _move_up(event, at)


def most_going_upcoming(event: Event) -> int:
    """The most people going to any upcoming occurrence: places cannot go below it."""
    counts = db.session.scalars(
        select(func.count()).select_from(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.answer == Answer.GOING,
               Rsvp.waiting.is_(False), Rsvp.occurrence_start > now())
        .group_by(Rsvp.occurrence_start)).all()
    return max(counts, default=0)


def _lock(event: Event) -> None:
    """Serialise answers to one event on PostgreSQL (SQLite's writers are serial already):
    the last place is given once."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def answers_for(event: Event, at: datetime) -> list[Rsvp]:
    return list(db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.occurrence_start == at)
        .options(joinedload(Rsvp.person).load_only(*NAME_COLUMNS))
        .order_by(Rsvp.answer, Rsvp.waiting, Rsvp.answered_at)))


def places_taken(event: Event, at: datetime) -> tuple[int, int]:
    """(going with a place, waiting for one) for an occurrence."""
    counts = dict(db.session.execute(
        select(Rsvp.waiting, func.count()).where(
            Rsvp.event_id == event.id, Rsvp.occurrence_start == at,
            Rsvp.answer == Answer.GOING).group_by(Rsvp.waiting)).tuples().all())
    return counts.get(False, 0), counts.get(True, 0)


def place_in_line(row: Rsvp) -> int:
    """Where someone waiting stands (1: the next place is theirs), in the order _move_up
    gives places."""
    ahead = db.session.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.event_id == row.event_id, Rsvp.occurrence_start == row.occurrence_start,
        Rsvp.waiting.is_(True), or_(Rsvp.answered_at < row.answered_at,
                                    and_(Rsvp.answered_at == row.answered_at,
                                         Rsvp.id < row.id))))
    return (ahead or 0) + 1


# --- reminders --------------------------------------------------------------------------------

def send_reminders(moment: datetime | None = None) -> int:
    """A reminder the day before: everyone going (or maybe) to an occurrence that starts in
    the next 24 hours, once. `flask jobs run` runs it hourly (`flask calendar remind` by
    hand)."""
    moment = moment or now()
    rows = db.session.scalars(
        select(Rsvp).where(Rsvp.answer.in_([Answer.GOING, Answer.MAYBE]),
                           Rsvp.waiting.is_(False), Rsvp.reminded_at.is_(None),
                           Rsvp.occurrence_start > moment - MOVE_LIMIT,
                           Rsvp.occurrence_start < moment + timedelta(days=1) + MOVE_LIMIT)
        .options(joinedload(Rsvp.person), joinedload(Rsvp.event).selectinload(Event.changes))
        .order_by(Rsvp.occurrence_start)).all()
    sent = 0
    for row in rows:
        found = occurrence(row.event, row.occurrence_start)
        if found is None or found.cancelled or not moment < found.starts_at <= \
                moment + timedelta(days=1):
            continue
        row.reminded_at = moment
        notify(row.person, "calendar.reminder",
               _l("Tomorrow: “%(title)s” at %(day)s", title=in_subject(row.event.title),
                 day=later(format_when, found.starts_at)),
               event_path(row.event, row.occurrence_start))
        sent += 1
    return sent
