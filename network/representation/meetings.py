"""The bodies the calendar's events may be meetings of: representation tells the calendar
(calendar/meetings.py) which bodies a person may hold meetings of, and what an event's body
is called and where its page is, for those who may see it."""

from __future__ import annotations

from network.calendar import meetings
from network.calendar.meetings import MeetingOf
from network.core.permissions import can
from network.extensions import db
from network.representation.models import Body
from network.representation.reads import meeting_bodies
from network.representation.services import body_path


class BodiesForTheCalendar:
    def choices(self, person, keep_id: int | None) -> list[tuple[int, str]]:
        return [(body.id, body.name) for body in meeting_bodies(person, keep_id)]

    def of(self, event, person) -> MeetingOf | None:
        body = db.session.get(Body, event.body_id) if event.body_id else None
        if body is None or not can("body.view", body, person=person):
            return None
        return MeetingOf(name=body.name, url=body_path(body))


meetings.provide(BodiesForTheCalendar())
