"""The calendar's blueprint, and what its route modules share: loading an event with access,
the occurrence an address names, and the words for a consultation's deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from network.calendar.forms import OccurrenceForm
from network.calendar.models import Event
from network.calendar.reads import occurrences_of
from network.calendar.recurrence import Occurrence, occurrence
from network.core.permissions import load
from network.core.time import borough_zone, now, today
from network.members.models import Organisation

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def load_event(event_id: int, need: str = "event.view") -> Event:
    """A members' event is no secret: a visitor (a member following a link before logging
    in, perhaps) is asked to log in, never told it is not there."""
    return load(Event, event_id, need=need, options=(
        selectinload(Event.changes), joinedload(Event.organisation).load_only(Organisation.name),
        selectinload(Event.themes), joinedload(Event.area), joinedload(Event.source)))


def occurrence_asked() -> OccurrenceForm:
    """The address's ?at=, read by its field."""
    return OccurrenceForm(request.args)


def asked_at() -> datetime | None:
    """The original start the address's ?at= names, if it names one rightly."""
    return occurrence_asked().at.data


def chosen_occurrence(event: Event) -> Occurrence:
    """The occurrence the address names (?at=), or the next one (or the last, if all are
    past); 404 for a time the event has no occurrence at, or an event with none to show."""
    asked = occurrence_asked().at
    if event.recurring and asked.given:
        found = occurrence(event, asked.data) if asked.data else None
        if found is None:
            abort(404)
        return found
    if not event.recurring:
        found = occurrence(event, event.starts_at)
    else:
        upcoming = occurrences_of([event], now(), now() + timedelta(days=400))
        last = event.repeat_until or event.starts_at
        found = upcoming[0] if upcoming else (
            occurrence(event, last) or occurrence(event, event.starts_at))
    if found is None:  # none it has can be shown (recurrence.has_wall_time)
        abort(404)
    return found


@bp.app_template_global()
def closing(event: Event) -> str:
    """A consultation's deadline in words: "Closes in 5 days", "Closes today", "Closed"."""
    days = (event.closes_at.astimezone(borough_zone()).date() - today()).days
    if event.closes_at <= now():
        return _("Closed")
    if days == 0:
        return _("Closes today")
    if days == 1:
        return _("Closes tomorrow")
    return _("Closes in %(num)d days", num=days)
