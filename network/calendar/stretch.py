"""What a view of a stretch of time reads (the list, the week, the month, the feeds), bounded
in SQL at any size: the rows read and the occurrences expanded do not grow with the number of
events, only with the days shown (docs/decisions.md, 2026-12-06).

- One-off events are read by LIMIT: for the week and the month a few on each day (one
  UNION ALL of a LIMITed select per day), for the list the first ones from its first day;
  how many more there are is counted in the same query, and only MORE_COUNTED past those
  read ("at least 100 more").
- Series are read up to SERIES_MOST (their occurrences cannot be found in SQL), each
  expanded over the window alone (recurrence.starts_between stops at the window's end).
- A feed holds the events of a window (three months back, a year ahead), the nearest first,
  up to a count of each: upcoming one-offs, past ones, series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import TIMESTAMP, Select, cast, func, literal, select, union_all

from network.calendar.models import Event
from network.calendar.reads import in_window, listed, occurrences_of
from network.calendar.recurrence import Occurrence
from network.core.db import UNMODELLED
from network.core.time import borough_zone, local_moment, now
from network.extensions import db

WEEK_DAY_MOST = 12  # occurrences on one day of the week view; then "N more"
MONTH_DAY_MOST = 4  # on one day of the month grid
AGENDA_MOST = 50  # on one page of the list (whole days; a day alone is cut here too)
SERIES_MOST = 100  # series one view reads (each expanded over the window alone)
MORE_COUNTED = 100  # a full day's events past those read are counted up to this many

FEED_BACK = timedelta(days=92)  # a feed's window: three months back...
FEED_AHEAD = timedelta(days=366)  # ...and a year ahead
FEED_UPCOMING_MOST = 200  # one-off events to come in a feed, the soonest
FEED_PAST_MOST = 50  # one-off events held, the latest
FEED_SERIES_MOST = 50  # series, the latest begun


@dataclass
class Stretch:
    """What one view shows: each day with something on and its first occurrences, how many
    more each day has (at least: `counted` marks a count that stopped at MORE_COUNTED), and
    whether more series are on than were read."""

    days: list[tuple[date, list[Occurrence]]]
    more: dict[date, int] = field(default_factory=dict)
    counted: set[date] = field(default_factory=set)
    series_cut: bool = False

    @property
    def count(self) -> int:
        return sum(len(items) for _day, items in self.days)


def day_starts(first: date, last: date) -> list[datetime]:
    """The moments (UTC) each borough day from first to last begins, and the one after it."""
    return [local_moment(first + timedelta(days=n), None)
            for n in range((last - first).days + 2)]


def by_day(found, first: date, last: date) -> list[tuple[date, list]]:
    """Occurrences grouped under each day they are on (a long one under each of its days)."""
    days: dict[date, list] = {}
    zone = borough_zone()
    for item in found:
        day = max(item.starts_at.astimezone(zone).date(), first)
        end_day = (item.ends_at - timedelta(seconds=1)).astimezone(zone).date()
        while day <= min(end_day, last):
            days.setdefault(day, []).append(item)
            day += timedelta(days=1)
    return sorted(days.items())


# --- the rows ------------------------------------------------------------------------------------

def _one_offs(where: tuple, start: datetime, end: datetime) -> Select:
    """The ids of one-off events that begin from start to end, soonest first."""
    return (select(Event.id).where(*where, Event.recurrence.is_(None), Event.starts_at >= start,
                                   Event.starts_at < end)
            .order_by(Event.starts_at, Event.id))


def _under_way(where: tuple, start: datetime, most: int) -> Select:
    """The ids of one-off events begun before start and still on, the latest begun first.
    The rows read stop at `most`; the database's scan of the index stops there too, unless
    fewer are on, when it walks back through the one-off events begun before (an event may
    last any length). On PostgreSQL the span's GiST index (UNDER_WAY_INDEX) finds those on
    at start alone, however many began before."""
    on = ()
    if db.session.get_bind().dialect.name == "postgresql":
        on = (func.tstzrange(Event.starts_at, func.greatest(Event.ends_at, Event.starts_at))
              .op("@>")(cast(start, TIMESTAMP(timezone=True))),)
    return (select(Event.id).where(*where, Event.recurrence.is_(None), Event.starts_at < start,
                                   Event.ends_at > start, *on)
            .order_by(Event.starts_at.desc(), Event.id).limit(most))


def _parts(parts: list[tuple[int, Select]]) -> dict[int, list[int]]:
    """Several LIMITed selects of ids in one query: {part: its ids, in order}."""
    found: dict[int, list[int]] = {n: [] for n, _query in parts}
    if not parts:
        return found
    union = union_all(*(select(literal(n).label("part"), inner.c.id) for n, query in parts
                        for inner in (query.subquery(),)))
    for part, event_id in db.session.execute(union):
        found[part].append(event_id)
    return found


# PostgreSQL's alone (migration 0019): one-off events' spans (GiST), and series by start.
UNDER_WAY_INDEX, SERIES_INDEX = "ix_event_under_way", "ix_event_series"
UNMODELLED.update({UNDER_WAY_INDEX, SERIES_INDEX})

COUNTED = 10_000  # the parts of _parts that count, one a day, are numbered from here


def _counted(where: tuple, start: datetime, end: datetime, up_to: int) -> Select:
    """How many one-off events begin from start to end, counted up to `up_to` (as a part of
    _parts: one row, its count in the column `id`)."""
    return select(func.count().label("id")).select_from(
        _one_offs(where, start, end).limit(up_to).subquery())


def _events(ids) -> list[Event]:
    """The events of these ids, with what their occurrences need (two queries)."""
    ids = set(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(Event).where(Event.id.in_(ids))
                                   .options(*listed())).unique())


SERIES = -2  # the part of _parts that reads series
UNDER_WAY = -1  # and one-off events begun before the window and still on


def _series(where: tuple, start: datetime, end: datetime) -> Select:
    """The ids of series that may be on from start to end, those begun first, up to one past
    SERIES_MOST (which says there are more)."""
    return (select(Event.id).where(*where, Event.recurrence.is_not(None), in_window(start, end))
            .order_by(Event.starts_at, Event.id).limit(SERIES_MOST + 1))


def _read(where: tuple, starts: list[datetime], parts: list[tuple[int, Select]],
          most: int) -> tuple[dict[int, list[int]], list[Event], bool]:
    """The ids of each part, of series and of events under way at the start, in one query;
    the events they name in two more; and whether series were left unread."""
    ids = _parts([*parts, (UNDER_WAY, _under_way(where, starts[0], most)),
                  (SERIES, _series(where, starts[0], starts[-1]))])
    cut = len(ids[SERIES]) > SERIES_MOST
    ids[SERIES] = ids[SERIES][:SERIES_MOST]
    return ids, _events(i for part, got in ids.items() if part < COUNTED for i in got), cut


# --- the views -----------------------------------------------------------------------------------

def each_day(where: tuple, first: date, last: date, most: int, keep=None) -> Stretch:
    """The week and the month: each day's first `most` occurrences, and how many more.
    `keep` narrows the occurrences found (only mine)."""
    starts = day_starts(first, last)
    days = len(starts) - 1
    up_to = most + MORE_COUNTED
    parts = [(n, _one_offs(where, starts[n], starts[n + 1]).limit(most)) for n in range(days)]
    counting = [(COUNTED + n, _counted(where, starts[n], starts[n + 1], up_to))
                for n in range(days)]
    ids, events, cut = _read(where, starts, parts + counting, most)
    counts = {n: ids[COUNTED + n][0] for n in range(days)}
    found = occurrences_of(events, starts[0], starts[-1])
    if keep is not None:
        found = keep(found)
    stretch = Stretch([], series_cut=cut)
    for day, items in by_day(found, first, last):
        n = (day - first).days
        # One-off events beginning this day that were not read (past its LIMIT).
        unread = counts[n] - len(ids[n])
        if len(items) > most or unread:
            stretch.more[day] = len(items) - min(len(items), most) + unread
            if counts[n] == up_to:
                stretch.counted.add(day)
        stretch.days.append((day, items[:most]))
    return stretch


def first_ones(where: tuple, first: date, last: date, most: int, keep=None) -> \
        tuple[Stretch, date]:
    """The list: from the first day, whole days up to `most` occurrences (a first day with
    more alone, cut, and how many more), and the day the next page begins."""
    starts = day_starts(first, last)
    up_to = most + 1 + MORE_COUNTED  # what may be read of a day, and MORE_COUNTED more
    # Each day's count is read with the rest, for the day a page may have to cut: the same
    # queries whether or not one does.
    counting = [(COUNTED + n, _counted(where, starts[n], starts[n + 1], up_to))
                for n in range(len(starts) - 1)]
    ids, events, cut = _read(where, starts, [
        (0, _one_offs(where, starts[0], starts[-1]).limit(most + 1)), *counting], most)
    found = occurrences_of(events, starts[0], starts[-1])
    if keep is not None:
        found = keep(found)
    whole_until = last + timedelta(days=1)  # the days before it are whole
    if len(ids[0]) > most:  # the one-offs read stop on some day: it is not whole
        unread = next(event for event in events if event.id == ids[0][-1])
        whole_until = unread.starts_at.astimezone(borough_zone()).date()
    stretch, shown, following = Stretch([], series_cut=cut), 0, whole_until
    for day, items in by_day(found, first, last):
        if stretch.days and (day >= whole_until or shown + len(items) > most):
            following = day
            break
        if day >= whole_until or len(items) > most:  # a day alone holds more than a page
            start, end = local_moment(day, None), local_moment(day + timedelta(days=1), None)
            counted = ids[COUNTED + (day - first).days][0] if day >= whole_until else 0
            read = sum(1 for item in items if item.event.recurrence is None
                       and start <= item.starts_at < end)
            stretch.days.append((day, items[:most]))
            stretch.more[day] = len(items) - min(len(items), most) + max(counted - read, 0)
            if counted == up_to:
                stretch.counted.add(day)
            following = day + timedelta(days=1)
            break
        stretch.days.append((day, items))
        shown += len(items)
    return stretch, following


# --- the feeds -----------------------------------------------------------------------------------

def feed_ids(*where) -> Select:
    """The events a feed holds, of those `where` selects, as a select of their ids: one-off
    events of the window, the soonest to come and the latest held, and series that may be on
    in it, the latest begun; each up to its count."""
    moment = now()
    start, end = moment - FEED_BACK, moment + FEED_AHEAD
    one_off = (*where, Event.recurrence.is_(None), in_window(start, end))
    parts = [
        select(Event.id).where(*one_off, Event.starts_at >= moment)
        .order_by(Event.starts_at, Event.id).limit(FEED_UPCOMING_MOST),
        select(Event.id).where(*one_off, Event.starts_at < moment)
        .order_by(Event.starts_at.desc(), Event.id).limit(FEED_PAST_MOST),
        select(Event.id).where(*where, Event.recurrence.is_not(None), in_window(start, end))
        .order_by(Event.starts_at.desc(), Event.id).limit(FEED_SERIES_MOST)]
    return union_all(*(select(inner.c.id) for query in parts for inner in (query.subquery(),)))
