"""Rules of the calendar: public events for everyone, members' events for everyone signed in;
an organisation's members (and coordinators) add, change and cancel its events; signed-in
people answer invitations; the organiser and coordinators see who is coming."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import true

from network.calendar.models import Event
from network.core.audience import Audience
from network.core.permissions import coordinator, policies_from, policy, scope, signed_in


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


@scope(Event)
def events_seen(person):
    return true() if signed_in(person) else Event.audience == Audience.PUBLIC


@dataclass(frozen=True, slots=True)
class EventAccess:
    """What one person may do with one event, decided once for its page."""

    view: bool
    organise: bool  # change, cancel, attach papers, see who is coming
    rsvp: bool


def event_access(person, event: Event) -> EventAccess:
    view = event.audience == Audience.PUBLIC or signed_in(person)
    organise = view and (coordinator(person) or (
        signed_in(person) and person.is_member
        and event.organisation_id in person.organisation_ids))
    return EventAccess(view=view, organise=organise,
                       rsvp=view and signed_in(person) and event.rsvp)


policies_from(event_access, {"event.view": "view", "event.organise": "organise",
                             "event.rsvp": "rsvp"})
