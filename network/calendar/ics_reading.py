"""An iCalendar body read into the events a source brings in: each VEVENT, each occurrence of
a series (RRULE, RDATE, EXDATE, and the occurrences changed under their RECURRENCE-ID) within
a window of months ahead, in its own time zone (TZID, a VTIMEZONE of its own, all-day DATE
values, floating times as the borough's), read with icalendar and dateutil, as the feeds are
written. Nothing a stranger wrote is trusted: titles become one line of plain text, texts
lose their markup, links are http(s) or nothing, and whatever is outside the calendar's reach,
or past the number of events a source may have, is left out and counted."""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import nh3
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rruleset, rrulestr
from flask_babel import gettext as _
from icalendar import Calendar, vRecur

from network.calendar.fetching import FetchRefused, allowed_scheme
from network.calendar.forms import EVENT_DAYS
from network.calendar.models import DESCRIPTION_MAX, TITLE_MAX
from network.core.i18n import default_code, in_locale
from network.core.text import one_line
from network.core.time import borough_zone, local_moment, now

# How many starts a series' rule may walk through, in all, to find those in the window (a
# rule every second from the year 1 would walk for hours).
WALK_LIMIT = 200_000
PLACE_MAX, LINK_MAX = 200, 300


log = logging.getLogger(__name__)


def not_a_calendar() -> str:
    return _("This is not a calendar file (iCalendar): nothing was brought in, and what was "
             "brought in before is kept.")


class FeedRefused(FetchRefused):
    """What the body held was refused as a whole: why."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One event (or one occurrence of a series) as the source gives it, cleaned."""

    key: str  # the hash of its UID and original day: how the next import knows it (_key)
    former_key: str  # by its original moment, as imports kept it before (re-keyed)
    title: str
    description: str
    place: str
    link: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    cancelled: bool


@dataclass
class Reading:
    events: list[Incoming] = field(default_factory=list)
    left_out: int = 0  # outside the reach, or past the most a source may have


def read(body: bytes, most: int, months: int) -> Reading:
    """The events of an iCalendar body, at most `most` of them (the nearest to now kept),
    a series' occurrences up to `months` ahead; FeedRefused if it is not a calendar."""
    vevents = body.count(b"BEGIN:VEVENT")
    if vevents > most:
        raise FeedRefused(_("The calendar has %(count)s events, more than the %(most)s a "
                            "calendar may bring in: nothing was brought in.",
                            count=f"{vevents:,}", most=f"{most:,}"))
    try:
        calendar = Calendar.from_ical(body.decode("utf-8", errors="replace"))
    except (ValueError, IndexError, KeyError, TypeError) as error:
        log.warning("A calendar brought in could not be parsed: %s", one_line(str(error), 300))
        raise FeedRefused(not_a_calendar()) from None
    if getattr(calendar, "name", "") != "VCALENDAR":
        log.warning("A calendar brought in has no VCALENDAR.")
        raise FeedRefused(not_a_calendar())
    first_day, last_day = EVENT_DAYS.bounds()
    reach = (local_moment(first_day, None), local_moment(last_day + timedelta(days=1), None))
    window = (reach[0], min(reach[1], now() + relativedelta(months=months)))
    reading, found, walked, series = Reading(), {}, [0], {}
    masters, changed = [], []
    for component in calendar.walk("VEVENT"):
        (changed if component.get("RECURRENCE-ID") is not None else masters).append(component)
    for component in masters + changed:  # a changed occurrence replaces its series' own
        try:
            for incoming in _events_of(component, reach, window, walked, series):
                if incoming is None:
                    reading.left_out += 1
                else:
                    found[incoming.key] = incoming
        except (ValueError, TypeError, KeyError, OverflowError, AttributeError):
            reading.left_out += 1  # one event the libraries cannot read: the rest still can
    kept = list(found.values())  # cancelled ones too: shown as cancelled
    moment = now()
    kept.sort(key=lambda incoming: (incoming.ends_at < moment,
                                    abs(incoming.starts_at - moment)))
    reading.left_out += max(0, len(kept) - most)
    reading.events = sorted(kept[:most], key=lambda incoming: incoming.starts_at)
    return reading


def _events_of(component, reach, window, walked, series):
    """The events one VEVENT gives: itself, or each occurrence of its series in the window;
    None for each one left out. `series` keeps, by UID, each series' zone and the days it
    meets more than once, for the occurrences changed under their RECURRENCE-ID."""
    uid = one_line(str(component.get("UID") or ""), 1000)
    start = component.decoded("DTSTART")
    all_day = not isinstance(start, datetime)
    length = _length(component, start, all_day)
    texts = _texts(component)
    recurrence_id = component.get("RECURRENCE-ID")
    rules = component.get("RRULE")
    if recurrence_id is not None:
        zone, crowded = series.get(uid, (None, frozenset()))
        original = recurrence_id.dt
        yield _incoming(_key(uid, original, zone, crowded), _former_key(uid, original),
                        start, length, all_day, texts, reach)
        return
    if rules is None:
        yield _incoming(_key(uid), _former_key(uid), start, length, all_day, texts, reach)
        return
    begin, limit = window
    originals = []
    for original in _series(component, start, rules):
        walked[0] += 1
        if walked[0] > WALK_LIMIT:
            raise FeedRefused(_("The calendar's repeating events are too many to read: "
                                "nothing was brought in."))
        moment = _moment(original, all_day)
        if moment >= limit:
            break
        if moment + (timedelta(days=length) if all_day else length) <= begin:
            continue
        originals.append(original.date() if all_day else original)
    zone = None if all_day else originals[0].tzinfo if originals else None
    days = Counter(original.date() for original in originals if not all_day)
    crowded = frozenset(day for day, count in days.items() if count > 1)
    series[uid] = (zone, crowded)
    for original in originals:
        yield _incoming(_key(uid, original, zone, crowded), _former_key(uid, original),
                        original, length, all_day, texts, reach)


def _series(component, start, rules):
    """Every start of the series, in order: its rules (wall time in its own zone), RDATEs,
    less its EXDATEs."""
    dtstart = _naive_midnight(start) if not isinstance(start, datetime) else \
        (start if start.tzinfo else start.replace(tzinfo=borough_zone()))
    series = rruleset()
    for rule in rules if isinstance(rules, list) else [rules]:
        series.rrule(rrulestr(_rule_text(rule, dtstart), dtstart=dtstart))
    for name, add in (("RDATE", series.rdate), ("EXDATE", series.exdate)):
        values = component.get(name)
        for value in values if isinstance(values, list) else [values] if values else []:
            for moment in value.dts:
                moment = moment.dt[0] if isinstance(moment.dt, tuple) else moment.dt
                add(_like(moment, dtstart))
    return iter(series)


def _rule_text(rule: vRecur, dtstart: datetime) -> str:
    """The rule as dateutil reads it from this start: UNTIL made aware (or not) as the start
    is, which RFC 5545 asks and feeds do not always do."""
    parts = vRecur(dict(rule))
    if "UNTIL" in parts:
        parts["UNTIL"] = [_like(parts["UNTIL"][0], dtstart, end_of_day=True)]
        if dtstart.tzinfo is not None:
            parts["UNTIL"] = [parts["UNTIL"][0].astimezone(UTC)]
    return parts.to_ical().decode()


def _like(value, dtstart: datetime, end_of_day: bool = False) -> datetime:
    """A date or time from the feed as the series' starts are: aware in the start's zone, or
    naive (an all-day series, counted in the borough's days)."""
    zone: tzinfo | None = dtstart.tzinfo
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(23, 59, 59) if end_of_day else dtstart.time())
        return value.replace(tzinfo=zone) if zone else value
    if zone is None:
        return value.astimezone(borough_zone()).replace(tzinfo=None) if value.tzinfo else value
    return value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)


def _naive_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0))


def _moment(value, all_day: bool) -> datetime:
    """A start as an aware UTC moment: an all-day one at the borough's midnight."""
    if all_day or not isinstance(value, datetime):
        day = value.date() if isinstance(value, datetime) else value
        return local_moment(day, None)
    if value.tzinfo is None:
        value = value.replace(tzinfo=borough_zone())
    return value.astimezone(UTC)


def _length(component, start, all_day: bool):
    """How long it lasts: whole days for an all-day event (one unless said), else a span."""
    if component.get("DTEND") is not None:
        end = component.decoded("DTEND")
        if all_day:
            end_day = end.date() if isinstance(end, datetime) else end
            return max((end_day - start).days, 1)
        end = end if isinstance(end, datetime) else datetime.combine(end, time(0, 0))
        return max(_moment(end, False) - _moment(start, False), timedelta(0))
    if component.get("DURATION") is not None:
        span = component.decoded("DURATION")
        return max(span.days, 1) if all_day else max(span, timedelta(0))
    return 1 if all_day else timedelta(0)


def _incoming(key: str, former_key: str, start, length, all_day: bool, texts: dict,
              reach) -> Incoming | None:
    if all_day:
        day = start.date() if isinstance(start, datetime) else start
        starts_at = local_moment(day, None)
        ends_at = local_moment(day + timedelta(days=length), None)
    else:
        starts_at = _moment(start, False)
        ends_at = starts_at + length
    if not (reach[0] <= starts_at and ends_at <= reach[1]):
        return None
    return Incoming(key=key, former_key=former_key, starts_at=starts_at, ends_at=ends_at,
                    all_day=all_day, **texts)


def _key(uid: str, original=None, zone: tzinfo | None = None,
         crowded: frozenset = frozenset()) -> str:
    """The hash of the UID and the occurrence's original day in its series' zone: a series
    whose time changes keeps its occurrences (and their addresses). A day the series meets
    more than once (`crowded`) tells them apart by their original moment."""
    if isinstance(original, datetime):
        local = original.astimezone(zone) if zone is not None and original.tzinfo else original
        if local.date() not in crowded:
            original = local.date()
    return _former_key(uid, original)


def _former_key(uid: str, original=None) -> str:
    """The hash of the UID and the occurrence's original start (a day, or a UTC moment)."""
    if original is None:
        text = ""
    elif isinstance(original, datetime):
        text = _moment(original, False).strftime("%Y%m%dT%H%M%SZ")
    else:
        text = original.isoformat()
    return hashlib.sha256(f"{uid}\n{text}".encode()).hexdigest()


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(value) -> str:
    """A stranger's text with its markup gone and its entities read: what a reader sees."""
    text = html.unescape(nh3.clean(str(value or ""), tags=set()))
    return _CONTROLS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def untitled() -> str:
    """A title for an event that has none. Stored, so in the site's own language, as the
    calendar's own titles are: not in the language of whoever pressed Import."""
    with in_locale(default_code()):
        return _("Untitled")


def _texts(component) -> dict:
    title = one_line(plain_text(component.get("SUMMARY")), TITLE_MAX)
    description = _BLANK_LINES.sub("\n\n", plain_text(component.get("DESCRIPTION")).strip())
    link = one_line(str(component.get("URL") or ""), 1000)
    return {"title": title or untitled(),
            "description": description[:DESCRIPTION_MAX],
            "place": one_line(plain_text(component.get("LOCATION")), PLACE_MAX),
            "link": link if allowed_scheme(link) and len(link) <= LINK_MAX else "",
            "cancelled": str(component.get("STATUS") or "").upper() == "CANCELLED"}
