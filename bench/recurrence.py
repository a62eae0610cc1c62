"""How long expanding recurrence takes: a year of a weekly event, and a month of the demo
borough's calendar grown many times, as the agenda and the feeds expand them.

    python -m bench.recurrence            (prints figures; the issue's target: < 50 ms)

Times are the median of repeated runs in this process, on events built in memory: the
expansion alone, without the database.
"""

from __future__ import annotations

import statistics
import time as clock
from datetime import UTC, datetime, timedelta

from network import create_app
from network.calendar.models import Event, EventKind, OccurrenceChange
from network.calendar.recurrence import make_rule, occurrence, occurrences, starts_between
from network.config import TestConfig
from network.core.time import borough_zone

RUNS = 30


def weekly_event(first: datetime, changes: int = 0) -> Event:
    event = Event(id=1, title="Weekly meeting", kind=EventKind.MEETING, starts_at=first,
                  ends_at=first + timedelta(hours=2), all_day=False, place="Hall")
    event.recurrence = make_rule("weekly", first)
    event.changes = [OccurrenceChange(original_start=first + timedelta(weeks=4 * n),
                                      cancelled=n % 2 == 0,
                                      starts_at=first + timedelta(weeks=4 * n, hours=1),
                                      ends_at=first + timedelta(weeks=4 * n, hours=3))
                     for n in range(changes)]
    return event


def timed(work) -> float:
    times = []
    for _ in range(RUNS):
        started = clock.perf_counter()
        work()
        times.append(clock.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    app = create_app(TestConfig("sqlite://"))
    with app.app_context():
        zone = borough_zone()
        first = datetime(2026, 1, 6, 19, tzinfo=zone).astimezone(UTC)
        year_end = first + timedelta(days=365)
        one = weekly_event(first)
        changed = weekly_event(first, changes=12)
        many = [weekly_event(first + timedelta(hours=n % 12), changes=2) for n in range(50)]
        month = first + timedelta(days=150), first + timedelta(days=178)
        far = starts_between(one.recurrence, first, datetime(9999, 12, 1, tzinfo=UTC),
                             datetime(9999, 12, 31, tzinfo=UTC))[0]
        far_month = datetime(2199, 12, 1, tzinfo=UTC), datetime(2199, 12, 29, tzinfo=UTC)
        figures = [
            ("a year of one weekly event (52 occurrences)",
             timed(lambda: occurrences(one, first, year_end))),
            ("the same with 12 occurrences cancelled or moved",
             timed(lambda: occurrences(changed, first, year_end))),
            ("four weeks of 50 weekly series (the agenda's window)",
             timed(lambda: [occurrences(e, *month) for e in many])),
            ("a year of 50 weekly series (a feed: 2,600 occurrences)",
             timed(lambda: [occurrences(e, first, year_end) for e in many])),
            ("an occurrence in December 9999 of a weekly series with no end (?at=)",
             timed(lambda: occurrence(one, far))),
            ("four weeks of December 2199 of 50 weekly series with no end",
             timed(lambda: [occurrences(e, *far_month) for e in many])),
        ]
    print(f"Recurrence expansion, median of {RUNS} runs (target: a year of weekly < 50 ms):")
    for name, ms in figures:
        print(f"  {ms:8.2f} ms  {name}")


if __name__ == "__main__":
    main()
