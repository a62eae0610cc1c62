"""When an event happens: its rule expanded in the borough's wall time, changes applied.

A rule is RFC 5545 RRULE text (made with icalendar's vRecur, never by hand), read by
dateutil's rrule from the first start *in the borough's zone*: each occurrence keeps the
wall-clock time, so a 19:00 weekly meeting is at 19:00 in winter and in summer, and its UTC
time moves by an hour at the clock changes. UNTIL is in UTC, as RFC 5545 asks when the start
has a time zone. An occurrence is known by its original start (its RECURRENCE-ID), which a
change (cancelled, moved) and an RSVP refer to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice, takewhile

from babel.dates import format_date
from dateutil.rrule import rrulestr
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import vRecur

from network.core.time import borough_zone

# What the form offers: a pattern, and the RRULE parts it makes from the first start.
PATTERNS = {
    "weekly": _l("Every week"),
    "fortnightly": _l("Every two weeks"),
    "monthly_date": _l("Every month, on the same date"),
    "monthly_weekday": _l("Every month, on the same weekday (say, the second Tuesday)"),
    "yearly": _l("Every year"),
}
# No page expands more than this many occurrences of one event: a rule with no end runs
# forever, and what is shown is a window of it.
MAX_OCCURRENCES = 1000
# An occurrence may be moved this far from where its rule puts it.
MOVE_LIMIT = timedelta(days=62)

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ORDINALS = {1: _l("first"), 2: _l("second"), 3: _l("third"), 4: _l("fourth"), -1: _l("last")}
DAY_NAMES = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
             _l("Saturday"), _l("Sunday")]


def week_of_month(day: date) -> int:
    """Which of its weekday the date is in its month: 1 to 4, or -1 for a fifth (the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def make_rule(pattern: str, first_start: datetime, until: date | None = None,
              count: int | None = None) -> str:
    """RRULE text for a pattern from the first start (aware), ending on a day (the borough's,
    inclusive), after a number of times, or never."""
    local = first_start.astimezone(borough_zone())
    parts: dict = {
        "weekly": {"FREQ": "WEEKLY"},
        "fortnightly": {"FREQ": "WEEKLY", "INTERVAL": 2},
        "monthly_date": {"FREQ": "MONTHLY", "BYMONTHDAY": local.day},
        "monthly_weekday": {"FREQ": "MONTHLY",
                            "BYDAY": f"{week_of_month(local.date())}{WEEKDAYS[local.weekday()]}"},
        "yearly": {"FREQ": "YEARLY"},
    }[pattern]
    if until is not None:
        end_of_day = datetime.combine(until, time(23, 59, 59), tzinfo=borough_zone())
        parts["UNTIL"] = end_of_day.astimezone(UTC)
    elif count is not None:
        parts["COUNT"] = count
    return vRecur(parts).to_ical().decode()


def read_rule(rule: str) -> dict:
    """The form's view of a rule: pattern, until (a date) and count."""
    parts = vRecur.from_ical(rule)
    frequency, interval = parts["FREQ"][0], parts.get("INTERVAL", [1])[0]
    if frequency == "WEEKLY":
        pattern = "fortnightly" if interval == 2 else "weekly"
    elif frequency == "MONTHLY":
        pattern = "monthly_weekday" if "BYDAY" in parts else "monthly_date"
    else:
        pattern = "yearly"
    until = parts.get("UNTIL", [None])[0]
    return {"pattern": pattern,
            "until": until.astimezone(borough_zone()).date() if until else None,
            "count": parts.get("COUNT", [None])[0]}


def describe(rule: str, first_start: datetime) -> str:
    """In words: "Every two weeks on Thursday, until 4 March 2027"."""
    from network.core.time import format_day

    local = first_start.astimezone(borough_zone())
    form = read_rule(rule)
    day_name = DAY_NAMES[local.weekday()]
    # A date some months lack is skipped in them; 29 February, outside leap years.
    on_date = ordinal_day(local.day)
    in_year = day_and_month(local.date())
    text = {
        "weekly": _("Every week on %(day)s", day=day_name),
        "fortnightly": _("Every two weeks on %(day)s", day=day_name),
        "monthly_date": _("Every month on the %(date)s", date=on_date) if local.day <= 28
        else _("Every month on the %(date)s (in months that have one)", date=on_date),
        "monthly_weekday": _("Every month on the %(nth)s %(day)s",
                             nth=ORDINALS[week_of_month(local.date())], day=day_name),
        "yearly": _("Every year on %(date)s (in leap years)", date=in_year)
        if (local.month, local.day) == (2, 29) else _("Every year on %(date)s", date=in_year),
    }[form["pattern"]]
    if form["until"]:
        return _("%(rule)s, until %(day)s", rule=text, day=format_day(form["until"]))
    if form["count"]:
        return _("%(rule)s, %(count)d times", rule=text, count=form["count"])
    return text


def day_and_month(day: date) -> str:
    """3 March."""
    from network.core.i18n import locale_name

    return format_date(day, "d MMMM", locale=locale_name())


def ordinal_day(day: int) -> str:
    """3rd in English; another language's translation of "on the %(date)s" is given the
    number alone, to write as its grammar asks ("3." in Polish)."""
    from network.core.i18n import is_english

    if not is_english():
        return str(day)
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _rule(rule: str, first_start: datetime, near: datetime | None = None):
    """The rule read from its first start, in the borough's wall time; or, given `near`, from
    a start of its own pattern shortly before that moment (see walk_start)."""
    zone = borough_zone()
    start = first_start.astimezone(zone)
    if near is not None:
        start = walk_start(rule, start, near.astimezone(zone))
    return _parsed(rule, start)


@lru_cache(maxsize=1024)
def _parsed(rule: str, start: datetime):
    """A rule read from a start, kept: reading one (dateutil's rrulestr) costs more than
    walking a year of it, and a page of many series reads the same ones on every request.
    dateutil's rules are not changed by iterating them (their cache is off)."""
    return rrulestr(rule, dtstart=start)


@lru_cache(maxsize=1024)
def _parts(rule: str) -> dict:
    """A rule's parts (icalendar's reading), kept; read, never changed, by walk_start."""
    return vRecur.from_ical(rule)


def walk_start(rule: str, first: datetime, near: datetime) -> datetime:
    """Where to start expanding a rule to find its occurrences from `near` on (both in the
    borough's wall time). dateutil walks every occurrence from the start it is given, so a
    rule with no end, asked about the year 9999, would walk there week by week (seconds of
    CPU); this is a start of the rule's own pattern one or two periods before `near` (whole
    weeks, months or years of it, the wall-clock time kept), from which the rule gives the
    same occurrences. A rule that counts its occurrences (COUNT) starts at its first: it has
    at most COUNT of them, and counting needs them all."""
    parts = _parts(rule)
    if near <= first or "COUNT" in parts or not set(parts) <= _JUMPABLE:
        return first
    frequency, interval = parts["FREQ"][0], int(parts.get("INTERVAL", [1])[0])
    explicit_day = "BYMONTHDAY" in parts or "BYDAY" in parts
    wall = first.replace(tzinfo=None)
    if frequency in ("DAILY", "WEEKLY"):
        step = interval * (7 if frequency == "WEEKLY" else 1)
        periods = (near.date() - first.date()).days // step - 1
        if periods > 0:
            wall += timedelta(days=periods * step)
    elif frequency == "MONTHLY" and (explicit_day or first.day <= 28):
        periods = ((near.year - first.year) * 12 + near.month - first.month) // interval - 1
        if periods > 0:
            month = first.month - 1 + periods * interval
            wall = wall.replace(year=first.year + month // 12, month=month % 12 + 1,
                                day=1 if explicit_day else first.day)
    elif frequency == "YEARLY":
        # 29 February comes back with the whole Gregorian cycle, 400 years.
        step = interval * (400 if (first.month, first.day) == (2, 29) else 1)
        periods = (near.year - first.year) // step - 1
        if periods > 0:
            wall = wall.replace(year=first.year + periods * step)
    return wall.replace(tzinfo=first.tzinfo)


# The parts of a rule whose pattern repeats whole periods from any start of it (no BYSETPOS,
# BYWEEKNO, BYYEARDAY...: the app's rules use none, and one that does is walked from its first).
_JUMPABLE = {"FREQ", "INTERVAL", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"}

# The moments Python can count: a window reaching past them is cut to them.
EARLIEST, LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)


def reach(moment: datetime, by: timedelta) -> datetime:
    """moment + by, held between EARLIEST and LATEST (an event in the year 9999 has a window
    around it too)."""
    try:
        return moment + by
    except OverflowError:
        return EARLIEST if by < timedelta(0) else LATEST


def has_wall_time(moment: datetime) -> bool:
    """Whether the moment has a time on the borough's clocks: the last hours of the year 9999
    in UTC are in the year 10000 east of it (and the first of the year 1, west of it)."""
    try:
        moment.astimezone(borough_zone())
    except OverflowError:
        return False
    return True


def starts_between(rule: str, first_start: datetime, start: datetime,
                   end: datetime) -> list[datetime]:
    """The original starts (UTC) of a rule's occurrences from start (inclusive) to end."""
    # None is earlier; and the first start has a wall time, where the year 1 may not.
    # dateutil drops a first start's microseconds, so its first occurrence is that whole second.
    start = max(start, first_start.replace(microsecond=0))
    found = _rule(rule, first_start, near=start).xafter(start.astimezone(borough_zone()),
                                                        inc=True)
    # Stop at the first start past the window: filtering instead would walk a rule with no
    # end to the year 9999 whenever the window holds fewer than MAX_OCCURRENCES.
    return [moment.astimezone(UTC) for moment in
            islice(takewhile(lambda moment: moment < end, _until_year_9999(found)),
                   MAX_OCCURRENCES)]


def _until_year_9999(starts: Iterator[datetime]) -> Iterator[datetime]:
    """The rule's starts, ending where dateutil would step past the year 9999 (it raises
    "year 10000 is out of range" looking for the start after the last one there)."""
    try:
        yield from starts
    except OverflowError:
        return
    except ValueError as error:
        if "out of range" not in str(error):
            raise


def last_start(rule: str, first_start: datetime) -> datetime | None:
    """When the last occurrence starts (UTC), or None if the rule never ends."""
    parts = vRecur.from_ical(rule)
    if "UNTIL" not in parts and "COUNT" not in parts:
        return None
    every = list(islice(_rule(rule, first_start), MAX_OCCURRENCES))
    return every[-1].astimezone(UTC) if every else first_start


def is_occurrence(rule: str | None, first_start: datetime, moment: datetime) -> bool:
    """Whether the rule puts an occurrence at exactly this moment."""
    if rule is None:
        return moment == first_start
    if moment < first_start.replace(microsecond=0):
        return False
    return moment in starts_between(rule, first_start, moment,
                                    reach(moment, timedelta(seconds=1)))


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One time an event happens, as it stands after any change to it."""

    event: object  # calendar.models.Event
    original_start: datetime  # UTC: what identifies it (RSVPs, changes, RECURRENCE-ID)
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    moved: bool
    place: str
    note: str

    @property
    def key(self) -> str:
        """The occurrence in an address: its original start, 20261203T190000Z."""
        return occurrence_key(self.original_start)


def occurrence_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_key(key: str | None) -> datetime | None:
    try:
        return datetime.strptime(key or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def occurrences(event, start: datetime, end: datetime) -> list[Occurrence]:
    """An event's occurrences under way at some time from start to end, changes applied
    (moved ones where they were moved to; cancelled ones kept, marked), in order."""
    duration = event.ends_at - event.starts_at
    changes = {change.original_start: change for change in event.changes}
    if event.recurrence is None:
        originals = [event.starts_at]
    else:
        originals = _originals(event, changes, start, end, duration)
    found = []
    for original in originals:
        change = changes.get(original)
        moved = change is not None and change.starts_at is not None
        starts_at = change.starts_at if moved else original
        ends_at = change.ends_at if moved else reach(original, duration)
        if ends_at == LATEST or not (has_wall_time(starts_at) and has_wall_time(ends_at)):
            continue  # it would end after the year 9999 here: beyond what can be shown
        if not (starts_at < end and ends_at > start):  # under way in the window
            continue
        found.append(Occurrence(
            event=event, original_start=original, starts_at=starts_at, ends_at=ends_at,
            cancelled=event.cancelled_at is not None or (change is not None and change.cancelled),
            moved=moved, place=(change.place if change and change.place is not None
                                else event.place),
            note=change.note if change else ""))
    return sorted(found, key=lambda found: found.starts_at)


def _originals(event, changes: dict, start: datetime, end: datetime,
               duration: timedelta) -> list[datetime]:
    """The original starts of a series' occurrences that may be under way from start to end:
    the rule expanded over the window alone (an occurrence where its rule puts it is under
    way in it only if it starts from start - duration to end), and, of those moved, the ones
    whose rule puts them up to MOVE_LIMIT outside it (each checked against the rule). The
    same starts as expanding the window widened by MOVE_LIMIT each side, without walking the
    four months that widening adds (docs/decisions.md, 2026-12-06, the calendar's views)."""
    earliest = reach(start, -duration)
    found = starts_between(event.recurrence, event.starts_at, earliest, end)
    wide_start, wide_end = reach(earliest, -MOVE_LIMIT), reach(end, MOVE_LIMIT)
    moved = [original for original, change in changes.items()
             if change.starts_at is not None and not earliest <= original < end
             and wide_start <= original < wide_end
             and is_occurrence(event.recurrence, event.starts_at, original)]
    return sorted(found + moved) if moved else found


def occurrence(event, original_start: datetime) -> Occurrence | None:
    """One occurrence by its original start, if the event has one there."""
    if not is_occurrence(event.recurrence, event.starts_at, original_start):
        return None
    for found in occurrences(event, reach(original_start, -MOVE_LIMIT),
                             reach(original_start, MOVE_LIMIT)):
        if found.original_start == original_start:
            return found
    return None
