"""What the calendar tells other features (and its own pages): events' occurrences in a window,
an organisation's and the home page's next ones, and the meetings of bodies another feature
keeps (Event.body_id; calendar/meetings.py is how that feature names them).

Every read is seen through the calendar's visibility scope: for the person asking (the
default), for someone named (`seen_by=person`, a Visitor for the public), or, explicitly, for
no one (`seen_by=NO_ONE_ASKING`: a seat's record and reminders count every meeting, whoever
may see it). Occurrences cancelled, and events cancelled, are left out of the lists below.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import defer, joinedload, load_only, subqueryload

from network.calendar.models import Answer, CalendarSource, Event, EventKind, Follow, Rsvp
from network.calendar.recurrence import MOVE_LIMIT, Occurrence, occurrence_key, occurrences
from network.core.lines import line
from network.core.links import site_path
from network.core.permissions import Visitor, visible
from network.core.time import now
from network.extensions import db
from network.members.models import Organisation

# Events longer than this are not found by their start alone (conferences run a few days).
LONGEST_EVENT = timedelta(days=31)
UPCOMING = timedelta(days=180)  # how far "next" looks
HELD = timedelta(days=366)  # how far back "held" looks, unless told


class NoOneAsking:
    """Read every event, whoever may see it: for counts and reminders no person asks for."""


NO_ONE_ASKING = NoOneAsking()


# --- finding events ------------------------------------------------------------------------------

def in_window(start: datetime, end: datetime):
    """The condition for events that may have an occurrence under way from start to end."""
    reach = LONGEST_EVENT + MOVE_LIMIT
    return and_(Event.starts_at < end + MOVE_LIMIT, or_(
        and_(Event.recurrence.is_(None), Event.ends_at > start - MOVE_LIMIT),
        and_(Event.recurrence.is_not(None),
             or_(Event.repeat_until.is_(None), Event.repeat_until > start - reach))))


def listed(description: bool = False):
    """What a list of occurrences reads of each event: its row (but the description, unless
    asked: feeds carry it), its changed occurrences (one query however many events:
    selectinload would ask again every 500) and its organisation's name."""
    return (subqueryload(Event.changes),
            joinedload(Event.organisation).load_only(Organisation.name),
            joinedload(Event.source).load_only(CalendarSource.name),
            *(() if description else (defer(Event.description),)))


def occurrences_of(events: Iterable[Event], start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence of these events under way from start to end, in order of start."""
    found = [found for event in events for found in occurrences(event, start, end)]
    return sorted(found, key=lambda found: (found.starts_at, found.event.title))


def event_path(event: Event, at: datetime | None = None) -> str:
    """An event's page, or its occurrence's (of a series) that originally starts at `at`."""
    values = {"event_id": event.id, "slug": event.slug}
    if at is not None and event.recurring:
        values["at"] = occurrence_key(at)
    return site_path("calendar.event", **values)  # in a request or a command (reminders)


def _events(*where, start: datetime, end: datetime, seen_by: Any,
            limit: int | None = None) -> list[Event]:
    """The events `where` says that may be on from start to end, not cancelled, seen by
    `seen_by` (None: the person asking), with what their occurrences need."""
    query = select(Event).where(*where, Event.cancelled_at.is_(None), in_window(start, end))
    if seen_by is not NO_ONE_ASKING:
        query = visible(query, Event, person=seen_by)
    query = query.options(*listed())
    if limit is not None:
        query = query.order_by(Event.starts_at).limit(limit)
    return db.session.scalars(query).unique().all()


def _upcoming(*where, limit: int, seen_by: Any = None,
              within: timedelta = UPCOMING) -> list[Occurrence]:
    """The next occurrences (within six months unless said; one under way counts) of the
    events `where` says."""
    start, end = now(), now() + within
    events = _events(*where, start=start, end=end, seen_by=seen_by, limit=limit * 8)
    return [found for found in occurrences_of(events, start, end)
            if not found.cancelled][:limit]


# --- for other features --------------------------------------------------------------------------

def upcoming_public(limit: int) -> list[Occurrence]:
    """The next occurrences everyone may see, for the home page."""
    return _upcoming(limit=limit, seen_by=Visitor(), within=timedelta(days=120))


def upcoming_for(organisation_id: int, limit: int) -> list[Occurrence]:
    """An organisation's next occurrences that the person asking may see."""
    return _upcoming(Event.organisation_id == organisation_id, limit=limit)


def follows(person, organisation_id: int) -> bool:
    """Whether the person hears of the organisation's new events."""
    return person.is_authenticated and \
        db.session.get(Follow, (person.id, organisation_id)) is not None


def meetings(body_ids: Iterable[int], start: datetime, end: datetime, *,
             seen_by: Any = None) -> list[Occurrence]:
    """The bodies' meetings under way from start to end, in order of start."""
    events = _events(Event.body_id.in_(set(body_ids)), start=start, end=end, seen_by=seen_by)
    return [found for found in occurrences_of(events, start, end) if not found.cancelled]


def upcoming_meetings(body_ids: Iterable[int], *, limit: int,
                      seen_by: Any = None) -> list[Occurrence]:
    """The bodies' next meetings within six months (one under way counts), soonest first."""
    return _upcoming(Event.body_id.in_(set(body_ids)), limit=limit, seen_by=seen_by)


def held_meetings(body_ids: Iterable[int], *, limit: int, since: datetime | None = None,
                  seen_by: Any = None) -> list[Occurrence]:
    """The bodies' latest meetings started since then (the past year unless said), most
    recent first."""
    start, end = since or now() - HELD, now()
    held = [found for found in meetings(body_ids, start, end, seen_by=seen_by)
            if found.starts_at < end]
    return held[::-1][:limit]


def held_and_upcoming_meetings(body_ids: Iterable[int], *, limit: int,
                               seen_by: Any = None) -> tuple[list[Occurrence],
                                                             list[Occurrence]]:
    """held_meetings and upcoming_meetings in one reading of the events: the latest `limit`
    held this past year, most recent first, and the next `limit` within six months."""
    moment = now()
    found = meetings(body_ids, moment - HELD, moment + UPCOMING, seen_by=seen_by)
    return ([o for o in found if o.starts_at < moment][::-1][:limit],
            [o for o in found if o.ends_at > moment][:limit])


def held_between(start: datetime, end: datetime,
                 organisation_id: int | None = None) -> tuple[int, int]:
    """For the impact record: the occurrences held (begun from start until end, and by now;
    neither they nor their event cancelled) of an organisation's events, or every event,
    whoever may see them; and the answers "going" with a place to them. Three queries,
    however long the period (events brought in from other calendars are not the network's
    and not counted): one-off events are counted in SQL (they have no changed
    occurrences), series are expanded."""
    end = min(end, now())
    if end <= start:
        return 0, 0
    where = (Event.cancelled_at.is_(None), Event.source_id.is_(None),
             *(() if organisation_id is None else (Event.organisation_id == organisation_id,)))
    once, once_going = db.session.execute(
        select(func.count(func.distinct(Event.id)), func.count(Rsvp.id)).select_from(Event)
        .outerjoin(Rsvp, and_(Rsvp.event_id == Event.id, Rsvp.occurrence_start == Event.starts_at,
                              Rsvp.answer == Answer.GOING, Rsvp.waiting.is_(False)))
        .where(*where, Event.recurrence.is_(None), Event.starts_at >= start,
               Event.starts_at < end)).one()
    series = Event.recurrence.is_not(None)
    held = [found for found in occurrences_of(db.session.scalars(
        select(Event).where(*where, series, in_window(start, end))
        .options(load_only(Event.id, Event.starts_at, Event.ends_at, Event.recurrence,
                           Event.repeat_until, Event.cancelled_at, Event.place, Event.title),
                 joinedload(Event.changes))).unique().all(), start, end)
        if not found.cancelled and start <= found.starts_at < end]
    going = {(event_id, at): count for event_id, at, count in db.session.execute(
        select(Rsvp.event_id, Rsvp.occurrence_start, func.count())
        .where(Rsvp.event_id.in_(select(Event.id).where(*where, series, in_window(start, end))),
               Rsvp.answer == Answer.GOING, Rsvp.waiting.is_(False),
               Rsvp.occurrence_start >= start - MOVE_LIMIT,
               Rsvp.occurrence_start < end + MOVE_LIMIT)
        .group_by(Rsvp.event_id, Rsvp.occurrence_start))} if held else {}
    return once + len(held), once_going + sum(
        going.get((found.event.id, found.original_start), 0) for found in held)
# --- for the home page and the bulletin ----------------------------------------------------------

def coming(within: timedelta, limit: int, *, seen_by: Any = None,
           start: datetime | None = None) -> list[Occurrence]:
    """The next occurrences (one under way counts) from now (or start) within that time,
    that the person asking (or `seen_by`) may see: this week's events on the home page, the
    fortnight's in the bulletin."""
    start = start or now()
    events = _events(start=start, end=start + within, seen_by=seen_by, limit=limit * 8)
    return [found for found in occurrences_of(events, start, start + within)
            if not found.cancelled][:limit]


def closing(within: timedelta, limit: int, *, seen_by: Any = None,
            start: datetime | None = None) -> list[Event]:
    """Consultations that close from now (or start) within that time, that the person may
    see, soonest first."""
    start = start or now()
    query = select(Event).where(Event.kind == EventKind.CONSULTATION,
                                Event.cancelled_at.is_(None), Event.closes_at > start,
                                Event.closes_at <= start + within)
    query = visible(query, Event, person=seen_by).options(
        joinedload(Event.organisation).load_only(Organisation.name), defer(Event.description))
    return list(db.session.scalars(query.order_by(Event.closes_at, Event.id).limit(limit)))


def places_waited_for(person) -> Select:
    """Upcoming occurrences the person is on the waiting list for, soonest first, as lines
    (core.lines): sub is 1 for an occurrence of a series (its page takes the moment)."""
    return select(*line(
        "waiting", Event.id, Event.title, at=Rsvp.occurrence_start,
        sub=case((Event.recurrence.is_not(None), 1), else_=0),
        order=(Rsvp.occurrence_start, Event.id))).join(Event, Event.id == Rsvp.event_id).where(
        Rsvp.person_id == person.id, Rsvp.waiting.is_(True), Rsvp.answer == Answer.GOING,
        Rsvp.occurrence_start > now(), Event.cancelled_at.is_(None))
