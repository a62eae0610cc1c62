"""Rules of the calendar: public events for everyone, members' events for everyone signed in;
an organisation's members (and coordinators) add, change and cancel its events; signed-in
people answer invitations; the organiser and coordinators see who is coming."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import true

from network.calendar.models import CalendarSource, Event, Paper
from network.core.audience import Audience
from network.core.permissions import coordinator, policies_from, policy, scope, signed_in
from network.extensions import db


@policy("calendar.view")
def view_calendar(person, _) -> bool:
    return True


@policy("calendar.add")
def add_events(person, _) -> bool:
    """Members of a member organisation, and coordinators (for any organisation)."""
    return coordinator(person) or (signed_in(person) and person.is_member
                                   and bool(person.organisation_ids))


@policy("calendar.feed")
def own_feed(person, _) -> bool:
    return signed_in(person)


@policy("calendar.sources")
def manage_sources(person, _) -> bool:
    """Coordinators bring in calendars kept elsewhere."""
    return coordinator(person)


@policy("calendar_source.view")
def source_there(person, source: CalendarSource) -> bool:
    return source.removed_at is None


@policy("calendar_source.manage")
def manage_source(person, source: CalendarSource) -> bool:
    return coordinator(person)


@dataclass(frozen=True, slots=True)
class CalendarAccess:
    """What one person may do on the calendar's views, decided once for the page."""

    add: bool
    own_feed: bool  # a feed of their own, beside the public one
    only_mine: bool  # narrow the views to their organisations' events and those they answered
    sources: bool  # the calendars brought in


def calendar_access(person) -> CalendarAccess:
    return CalendarAccess(add=add_events(person, None), own_feed=own_feed(person, None),
                          only_mine=signed_in(person), sources=manage_sources(person, None))


@scope(Event)
def events_seen(person):
    return true() if signed_in(person) else Event.audience == Audience.PUBLIC


@dataclass(frozen=True, slots=True)
class EventAccess:
    """What one person may do with one event, decided once for its page."""

    view: bool
    organise: bool  # change, cancel, attach papers, see who is coming (not an imported one's)
    rsvp: bool
    change: bool  # offered Change and Cancel: organise, while the event is not cancelled
    log_in_to_answer: bool  # a visitor, where people are asked whether they are coming


def event_access(person, event: Event) -> EventAccess:
    view = event.audience == Audience.PUBLIC or signed_in(person)
    organise = view and not event.imported and (coordinator(person) or (
        signed_in(person) and person.is_member
        and event.organisation_id in person.organisation_ids))
    return EventAccess(view=view, organise=organise,
                       rsvp=view and signed_in(person) and event.rsvp and not event.imported,
                       change=organise and event.cancelled_at is None,
                       log_in_to_answer=view and not signed_in(person) and event.rsvp
                       and not event.imported)


policies_from(event_access, {"event.view": "view", "event.organise": "organise",
                             "event.rsvp": "rsvp"})


def paper_access(person, paper: Paper) -> EventAccess:
    """An event's paper is for whoever may see the event."""
    return event_access(person, db.session.get(Event, paper.event_id))


policies_from(paper_access, {"event_paper.view": "view"})
