"""Calendar feeds (RFC 5545) that real calendar programs import, made with icalendar.

Each event is a VEVENT with its rule (RRULE), and each changed occurrence a VEVENT of its
own (same UID, RECURRENCE-ID): moved, or STATUS:CANCELLED. SEQUENCE goes up with every change
that matters, so programs replace what they hold. Times are written in the borough's zone
(TZID), with a VTIMEZONE written as rules (STANDARD and DAYLIGHT with a yearly RRULE), not as
a list of change dates, which some readers take only the first of.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from threading import Lock
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vRecur, vText
from icalendar import Event as VEvent
from sqlalchemy import literal_column, select

from network.calendar.models import CalendarSource, Event, OccurrenceChange
from network.calendar.recurrence import LATEST, has_wall_time, occurrence_key, reach
from network.core.links import absolute_url
from network.core.text import one_line
from network.core.time import borough_zone, format_day, now, today
from network.extensions import db
from network.members.models import Organisation

PRODUCT = "-//network//shared calendar//EN"
# What a feed holds for the same rows, in its ETag: raised when the feed says more of them
# (2: occurrences' reasons and notes, and their own addresses), so no poll keeps the old.
FEED_FORMAT = 2


def feed(events: list[Event], name: str) -> bytes:
    """A VCALENDAR of these events, in the borough's zone."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar writes an X- property as it is given: vText escapes it as text.
    calendar.add("x-wr-calname", vText(one_line(name)))
    zone = borough_zone()
    calendar.add("x-wr-timezone", zone.key)
    calendar.add_component(vtimezone(zone, now().year))
    for event in events:
        for component in vevents(event):
            calendar.add_component(component)
    return calendar.to_ical()


def uid(event: Event) -> str:
    """The event's own, kept with it (not made from the site's address, so a move to another
    address does not show every event twice)."""
    return event.uid


def vevents(event: Event) -> list[VEvent]:
    """The event, and one VEVENT for each occurrence changed or cancelled; none for an event
    whose times the borough's clocks cannot show (the last hours of the year 9999, east of
    UTC), nor for such a change."""
    zone = borough_zone()
    if not (has_wall_time(event.starts_at) and has_wall_time(event.ends_at)):
        return []
    master = _vevent(event, event.starts_at, event.ends_at, event.place, event.sequence,
                     note=_cancelled(event.cancel_reason) if event.cancelled_at else "")
    if event.cancelled_at is not None:
        master.add("status", "CANCELLED")
    else:
        master.add("status", "CONFIRMED")
    if event.recurrence is not None:
        master.add("rrule", vRecur.from_ical(event.recurrence))
    found = [master]
    length = event.ends_at - event.starts_at
    for change in event.changes:
        moved = change.starts_at is not None
        starts = change.starts_at if moved else change.original_start
        ends = change.ends_at if moved else reach(change.original_start, length)
        if ends == LATEST or not all(has_wall_time(moment) for moment in (
                change.original_start, starts, ends)):
            continue
        cancelled = change.cancelled or event.cancelled_at is not None
        # The reason it was cancelled, or the note on its move, as its page says them.
        note = (_cancelled(change.note or event.cancel_reason or "") if cancelled
                else change.note)
        one = _vevent(event, starts, ends,
                      change.place if change.place is not None else event.place,
                      event.sequence + change.sequence, at=change.original_start, note=note)
        one.add("recurrence-id", _moment(event, change.original_start, zone))
        one.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        found.append(one)
    return found


def _cancelled(reason: str | None) -> str:
    """"Cancelled." and the reason given, as the event's page says it."""
    return " ".join(part for part in (_("Cancelled."), reason) if part)


def _moment(event: Event, moment: datetime, zone: ZoneInfo) -> datetime | date:
    if event.all_day:
        return moment.astimezone(zone).date()
    return moment.astimezone(zone)


def _vevent(event: Event, starts_at: datetime, ends_at: datetime, place: str,
            sequence: int, at: datetime | None = None, note: str = "") -> VEvent:
    """One VEVENT: the event (or its series), or with `at` its occurrence that starts then
    (its own address, and its note: a reason it was cancelled, a word on its move)."""
    zone = borough_zone()
    component = VEvent()
    component.add("uid", uid(event))
    component.add("dtstamp", event.updated_at.astimezone(UTC))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("sequence", sequence)
    component.add("summary", one_line(event.title))
    component.add("dtstart", _moment(event, starts_at, zone))
    component.add("dtend", _moment(event, ends_at, zone))
    page = absolute_url("calendar.event", event_id=event.id, slug=event.slug,
                        **({"at": occurrence_key(at)} if at is not None else {}))
    component.add("url", page)
    marks = " ".join(mark for mark in (
        _("Called at short notice.") if event.short_notice else "",
        _("Responses close on %(day)s.", day=format_day(event.closes_at))
        if event.closes_at else "",
        _("From: %(name)s", name=one_line(event.source.name)) if event.source_id else "")
        if mark)
    component.add("description", long_text("\n\n".join(part for part in (
        note, marks, event.description, one_line(event.organisation.name), page) if part)))
    if place:
        component.add("location", one_line(place))
    component.add("categories", [event.kind.label])
    component.add("class", "PUBLIC" if event.audience == "public" else "PRIVATE")
    return component


_NOT_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def long_text(value: str) -> str:
    """A person's long text for a feed: Unicode's line and paragraph separators become the
    line breaks they mean (icalendar writes those as \\n), other control characters go."""
    value = value.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _NOT_TEXT.sub("", value)


# --- what a feed is made of, and the feeds built ----------------------------------------------

@dataclass(frozen=True)
class FeedState:
    etag: str  # a digest of everything the feed's body is made from
    modified: datetime  # its latest change, or the start of today


def feed_state(name: str, *where) -> FeedState:
    """The ETag and Last-Modified of a feed named `name` of the events `where` selects, from
    two queries that read the rows it is made of as plain tuples (no event built): every
    column of each event with its organisation's and source's names, and of each changed
    occurrence, and the day (the zone's rules and the window move with it), the name, the
    language and the site's address and zone. The ETag is their digest, so the same ETag is
    the same body, whatever ids a database wiped and filled again gives out: a poll with it
    is 304, and a request without it is served the feed built before (`built`)."""
    chosen = select(Event.id).where(*where)
    connection = db.session.connection()  # rows as the driver gives them: nothing converted
    events = connection.execute(
        select(Event.updated_at, literal_column("event.*"), literal_column("organisation.name"),
               literal_column("calendar_source.name"))
        .join(Organisation, Organisation.id == Event.organisation_id)
        .outerjoin(CalendarSource, CalendarSource.id == Event.source_id)
        .where(Event.id.in_(chosen)).order_by(Event.starts_at, Event.id)).all()
    changes = connection.execute(
        select(OccurrenceChange.updated_at, literal_column("event_occurrence.*"))
        .where(OccurrenceChange.event_id.in_(chosen))
        .order_by(OccurrenceChange.event_id, OccurrenceChange.original_start,
                  OccurrenceChange.id)).all()
    day = today()
    config = current_app.config
    digest = hashlib.sha256(repr((
        FEED_FORMAT, name, day, str(get_locale()), config["BASE_URL"], config["TIME_ZONE"],
        len(events), len(changes))).encode())
    for row in (*events, *changes):
        digest.update(repr(tuple(row)).encode())
    start_of_day = datetime.combine(day, time(0), tzinfo=borough_zone()).astimezone(UTC)
    latest = max([row[0] for row in (*events, *changes)] + [start_of_day])
    return FeedState(digest.hexdigest()[:32], latest.replace(microsecond=0))


class Built:
    """The feeds this worker built lately, by their ETag (the digest of what they are made
    of): the same feed asked for again is sent without building it (icalendar takes 1–2 ms
    an event: 300 events, half a second). At most `most` of them and `most_bytes` in all,
    the least lately asked for going first; a feed larger than that is not kept."""

    def __init__(self, most: int, most_bytes: int):
        self.most, self.most_bytes = most, most_bytes
        self.kept: OrderedDict[str, bytes] = OrderedDict()
        self.lock = Lock()

    def get(self, etag: str, build: Callable[[], bytes]) -> bytes:
        with self.lock:
            if (body := self.kept.get(etag)) is not None:
                self.kept.move_to_end(etag)
                return body
        body = build()
        if len(body) <= self.most_bytes:
            with self.lock:
                self.kept[etag] = body
                while len(self.kept) > self.most or \
                        sum(map(len, self.kept.values())) > self.most_bytes:
                    self.kept.popitem(last=False)
        return body

    def clear(self) -> None:
        with self.lock:
            self.kept.clear()


# The public feed at the bench's 100x is ~0.5 MB; a person's own are smaller.
built = Built(most=16, most_bytes=2_000_000)


# --- the time zone, as rules ---------------------------------------------------------------------

def _transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """(the UTC instant, offset before, offset after) of each change of a zone's offset in a
    year, found to the minute."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    before = moment.astimezone(zone).utcoffset()
    while moment < end:
        after = (moment + step).astimezone(zone).utcoffset()
        if after != before:
            low, high = moment, moment + step  # narrow it down to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append((high, before, after))
            before = after
        moment += step
    return found


def _weekday_rule(day: date) -> str:
    """The nth (or last) weekday of the month, as BYDAY: 2SU, -1SU."""
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.weekday()]
    if (day + timedelta(days=7)).month != day.month:
        return f"-1{weekday}"
    return f"{(day.day - 1) // 7 + 1}{weekday}"


def _on_rule(day: date, rule: str, year: int) -> date:
    """The day a BYDAY rule for the day's month falls on in another year."""
    nth, weekday = int(rule[:-2]), ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(rule[-2:])
    first = date(year, day.month, 1)
    if nth > 0:
        offset = (weekday - first.weekday()) % 7
        return first + timedelta(days=offset + (nth - 1) * 7)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@cache
def vtimezone(zone: ZoneInfo, year: int) -> Timezone:
    """The zone's present rules as a VTIMEZONE: one STANDARD and one DAYLIGHT observance
    with a yearly RRULE (or a STANDARD alone where the clocks never change), from 1970.
    Where a zone's changes follow no weekday rule, the exact dates of a few years are given
    instead (icalendar's own, RDATEs)."""
    timezone = Timezone()
    timezone.add("tzid", zone.key)
    changes = _transitions(zone, year)
    if not changes:
        offset = datetime(year, 1, 1, tzinfo=zone).utcoffset()
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 -- local, as RFC 5545 has it
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", datetime(year, 1, 1, tzinfo=zone).tzname())
        timezone.add_component(standard)
        return timezone
    observances = []
    for instant, before, after in changes:
        local = (instant + before).replace(tzinfo=None)  # the wall clock as it changes
        rule = _weekday_rule(local.date())
        next_year = _transitions(zone, year + 1)
        if len(next_year) != len(changes) or not any(
                (moment + was).date() == _on_rule(local.date(), rule, year + 1)
                for moment, was, _now in next_year):
            return Timezone.from_tzinfo(zone, first_date=date(year - 5, 1, 1),
                                        last_date=date(year + 10, 1, 1))
        kind = TimezoneDaylight() if after > min(b for _i, b, _a in changes) else \
            TimezoneStandard()
        start_1970 = _on_rule(local.date(), rule, 1970)
        kind.add("dtstart", datetime.combine(start_1970, local.time()))
        kind.add("rrule", vRecur({"FREQ": "YEARLY", "BYMONTH": local.month, "BYDAY": rule}))
        kind.add("tzoffsetfrom", before)
        kind.add("tzoffsetto", after)
        kind.add("tzname", (instant + timedelta(minutes=1)).astimezone(zone).tzname())
        observances.append(kind)
    for observance in observances:
        timezone.add_component(observance)
    return timezone
