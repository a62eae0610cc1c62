"""Meetings of bodies: an event may be a meeting of a body that another feature keeps
(Event.body_id, a link to the "body" table by name). The calendar does not know what a body
is: the feature that keeps them says, once, at import time, through `provide`:

    meetings.provide(BodiesForTheCalendar())

Until one does (the calendar alone), no event is offered as a meeting of anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from network.calendar.models import Event


@dataclass(frozen=True, slots=True)
class MeetingOf:
    """The body an event is a meeting of, as its page shows it."""

    name: str
    url: str


class MeetingBodies(Protocol):
    def choices(self, person: Any, keep_id: int | None) -> list[tuple[int, str]]:
        """(id, name) of the bodies whose meetings the person may put in the calendar, and
        `keep_id` (the body an event being changed has already), by name."""

    def of(self, event: Event, person: Any) -> MeetingOf | None:
        """The body the event is a meeting of, if the person may see it."""


class _NoBodies:
    def choices(self, person: Any, keep_id: int | None) -> list[tuple[int, str]]:
        return []

    def of(self, event: Event, person: Any) -> MeetingOf | None:
        return None


_provider: MeetingBodies = _NoBodies()


def provide(provider: MeetingBodies) -> None:
    global _provider
    _provider = provider


def body_choices(person: Any, keep_id: int | None = None) -> list[tuple[int, str]]:
    return _provider.choices(person, keep_id)


def meeting_of(event: Event, person: Any) -> MeetingOf | None:
    return _provider.of(event, person) if event.body_id else None
