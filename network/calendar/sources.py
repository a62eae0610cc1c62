"""Calendars brought in: a coordinator adds a source (an ICS address, or an uploaded file),
changes or removes it; each import (the coordinator's "Import now", `flask calendar import`
for them all) reads it and makes its events in the shared calendar what the source says:
new ones added, changed ones changed (known by UID and original day, ics_reading._key), those
gone removed. An import is all or nothing: it runs in a savepoint, and a refusal (unreadable,
too big, malformed, too many events, or a calendar that had events coming back with none or
with a tenth of them) rolls back to it and is kept as the source's last error, the events
imported before left as they were. Like every service, these change the session and
never commit. Imported events are the source's copy, not the network's record: they are
deleted when the source drops them, or is removed (the source's removal is audited)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.calendar import ics_reading
from network.calendar.fetching import FetchRefused, fetch
from network.calendar.models import CalendarSource, Event
from network.core import audit
from network.core.text import one_line
from network.core.time import now
from network.extensions import db


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    changed: int
    removed: int
    left_out: int
    error: str = ""


def live_sources() -> list[CalendarSource]:
    return list(db.session.scalars(select(CalendarSource).where(
        CalendarSource.removed_at.is_(None)).options(joinedload(CalendarSource.organisation))
        .order_by(CalendarSource.name, CalendarSource.id)))


def add_source(values: dict, body: bytes | None, by, read: Read | None = None) -> CalendarSource:
    """A new source, imported at once (`body` its file, or `read` its address read first): a
    source that cannot be read is refused (beside the address, or the file), nothing kept."""
    source = CalendarSource(created_by_id=by.id, **values)
    if body is not None:
        source.uploaded = body.decode("utf-8", errors="replace")
    db.session.add(source)
    db.session.flush()
    result = import_source(source, read.body if read else body,
                           refused=read.refused if read else "", given=True)
    if result.error:
        raise FetchRefused(result.error, "file" if source.from_file else "url")
    audit.record("calendar_source.add", source, f"Added the calendar “{source.name}”",
                 actor=by)
    return source


def edit_source(source: CalendarSource, values: dict, body: bytes | None,
                by, read: Read | None = None) -> Imported | None:
    """Its name, address, audience, kind and organisation changed (its events follow), and a
    new file read, or a new address, if one was given (refused, like a new source's, if it
    cannot be). Returns what the import did, or None when there was none."""
    refetch = body is not None or values.get("url", source.url) != source.url
    for name, value in values.items():
        setattr(source, name, value)
    if body is not None:
        source.uploaded = body.decode("utf-8", errors="replace")
    for event in _events_of(source):
        event.audience, event.kind = source.audience, source.kind
        event.organisation_id = source.organisation_id
    db.session.flush()
    if not refetch:
        result = None
    elif read is not None and body is None:  # a new address, read before this transaction
        result = import_source(source, read.body, refused=read.refused, given=True)
    else:
        result = import_source(source, body, given=True)
    if result is not None and result.error:
        raise FetchRefused(result.error, "file" if body is not None else "url")
    audit.record("calendar_source.edit", source, f"Changed the calendar “{source.name}”",
                 actor=by)
    return result


def remove_source(source: CalendarSource, by) -> bool:
    """Removed (kept, marked), its events taken out of the calendar; False if it already was."""
    if source.removed_at is not None:
        return False
    source.removed_at = now()
    events = _events_of(source)
    for event in events:
        db.session.delete(event)
    audit.record("calendar_source.remove", source, f"Removed the calendar “{source.name}” "
                 f"and its {len(events)} events", actor=by)
    return True


def _events_of(source: CalendarSource) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.source_id == source.id)))


@dataclass(frozen=True)
class Read:
    """An address read before the change's transaction (read_first): its body, or why not."""
    body: bytes | None = None
    refused: str = ""


def read_first(url: str | None) -> Read | None:
    """The address read with no transaction open, for a page's change to bring in after. On
    SQLite a request that writes holds the write lock from its first statement (core.db), so
    a calendar server slow to answer would hold every other writer up for as long."""
    if not url:
        return None
    db.session.rollback()  # only reads so far: the change opens its own transaction
    try:
        return Read(body=fetch(url))
    except FetchRefused as refusal:
        return Read(refused=refusal.message)


def read_body(source: CalendarSource) -> bytes:
    """What the source says now: its address read (FetchRefused if it cannot be), or its
    file. `flask calendar import` fetches before its transaction begins (cli.py)."""
    if source.from_file:
        return (source.uploaded or "").encode()
    return fetch(source.url)


def import_source(source: CalendarSource, body: bytes | None = None,
                  refused: str = "", given: bool = False) -> Imported:
    """Bring the source's events up to date from `body` (read now if not given), or record
    why it could not be (`refused`: a fetch that failed before). A calendar coming back with
    none of its events, or a tenth of them, is refused, unless the coordinator has just
    `given` it (a new file or address). Returns what it did."""
    config = current_app.config
    savepoint = db.session.begin_nested()
    try:
        if refused:
            raise FetchRefused(refused)
        reading = ics_reading.read(read_body(source) if body is None else body,
                                   config["CALENDAR_IMPORT_MAX_EVENTS"],
                                   config["CALENDAR_IMPORT_MONTHS"])
        result = _apply(source, reading, guarded=not given)
        savepoint.commit()
    except FetchRefused as refusal:
        savepoint.rollback()
        result = Imported(0, 0, 0, 0, error=one_line(refusal.message, 500))
    source.imported_at = now()
    source.added, source.changed, source.removed = result.added, result.changed, result.removed
    source.left_out, source.error = result.left_out, result.error
    return result


# A calendar that had this many events or more, coming back with less than a tenth of them,
# is refused as a calendar that had some coming back with none is.
SHARP_DROP_FROM = 20


def _refuse_a_sudden_drop(had: int, has: int) -> None:
    if had and not has:
        raise FetchRefused(ngettext(
            "The calendar came back empty, where it had %(num)d event: it is kept. If the "
            "calendar really is empty now, remove it.",
            "The calendar came back empty, where it had %(num)d events: they are kept. If the "
            "calendar really is empty now, remove it.", had))
    if had >= SHARP_DROP_FROM and has * 10 < had:
        raise FetchRefused(ngettext(
            "The calendar came back with %(num)d event of the %(had)d it had: they are kept. "
            "If that is right, remove the calendar and bring it in again.",
            "The calendar came back with %(num)d events of the %(had)d it had: they are kept. "
            "If that is right, remove the calendar and bring it in again.",
            has, had=had))


def _apply(source: CalendarSource, reading: ics_reading.Reading, guarded: bool) -> Imported:
    existing = {event.source_key: event for event in _events_of(source)}
    if guarded:
        _refuse_a_sudden_drop(len(existing), len(reading.events))
    added = changed = 0
    moment = now()
    for incoming in reading.events:
        values = {"title": incoming.title, "description": incoming.description,
                  "place": incoming.place, "online_link": incoming.link,
                  "starts_at": incoming.starts_at, "ends_at": incoming.ends_at,
                  "all_day": incoming.all_day}
        event = existing.pop(incoming.key, None) or existing.pop(incoming.former_key, None)
        if event is not None:
            event.source_key = incoming.key  # kept by its former key: known by the new one
        cancelled_at = (event.cancelled_at or moment) if incoming.cancelled else None
        if event is None:
            event = Event(source_id=source.id, source_key=incoming.key,
                          organisation_id=source.organisation_id,
                          created_by_id=source.created_by_id, kind=source.kind,
                          audience=source.audience, rsvp=False,
                          cancelled_at=cancelled_at, **values)
            db.session.add(event)
            added += 1
            continue
        values["cancelled_at"] = cancelled_at
        if any(getattr(event, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(event, name, value)
            event.sequence += 1  # calendars that took it from our feeds see it change
            changed += 1
    for event in existing.values():
        db.session.delete(event)
    db.session.flush()
    return Imported(added, changed, len(existing), reading.left_out)


def last_import(source: CalendarSource) -> Imported:
    return Imported(source.added, source.changed, source.removed, source.left_out, source.error)


def summary(result: Imported) -> str:
    """What an import did, in words."""
    if result.error:
        return _("Nothing changed: %(error)s", error=result.error)
    text = _("%(added)d added, %(changed)d changed, %(removed)d removed.",
             added=result.added, changed=result.changed, removed=result.removed)
    if result.left_out:
        text += " " + _("%(count)d left out: outside the calendar's reach, or past the "
                        "%(most)d events a calendar may bring in.", count=result.left_out,
                        most=current_app.config["CALENDAR_IMPORT_MAX_EVENTS"])
    return text
