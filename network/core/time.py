"""Times are stored in UTC and shown in the borough's time zone. `now()` is the one clock:
nothing else in the app or its tests reads the machine's, so tests can set it (`set_clock`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names
from flask import current_app

from network.core.i18n import locale_name


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


_offset = timedelta(0)  # how far the clock is set from the machine's; only tests change it


def now() -> datetime:
    """The one clock: an aware UTC datetime, as every column stores."""
    return datetime.now(UTC) + _offset


def set_clock(moment: datetime) -> None:
    """From here on, now() reads `moment` and runs on from it at the machine's pace (so two
    rows written one after the other still differ). For tests and benchmarks only."""
    if moment.tzinfo is None:
        raise ValueError("the clock is set to an aware datetime")
    set_clock_offset(moment - datetime.now(UTC))


def clock_offset() -> timedelta:
    return _offset


def set_clock_offset(offset: timedelta) -> None:
    global _offset
    _offset = offset


def borough_zone() -> ZoneInfo:
    return _zone(current_app.config["TIME_ZONE"])


def local(value: datetime) -> datetime:
    return value.astimezone(borough_zone())


def local_moment(day: date, clock: time | None) -> datetime:
    """A date and time in the borough, in UTC."""
    return datetime.combine(day, clock or time(0, 0), tzinfo=borough_zone()).astimezone(UTC)


def today() -> date:
    """Today in the borough."""
    return now().astimezone(borough_zone()).date()


@cache
def _months(locale: str, width: str) -> dict[int, str]:
    """The locale's month names, looked up once: Babel's pattern formatting costs about 25 µs
    a date, and a thread page shows twenty."""
    return dict(get_month_names(width, locale=locale))


def format_when(value: datetime | None) -> str:
    """3 Nov 2026, 19:00 in the borough's time: Babel's "d MMM yyyy, HH:mm"."""
    if value is None:
        return ""
    moment = local(value)
    month = _months(locale_name(), "abbreviated")[moment.month]
    return f"{moment.day} {month} {moment.year}, {moment.hour:02d}:{moment.minute:02d}"


def format_day(value: date | datetime | None) -> str:
    """3 November 2026: Babel's "d MMMM yyyy"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value.day} {_months(locale_name(), 'wide')[value.month]} {value.year}"


@cache
def _weekdays(locale: str, width: str) -> dict[int, str]:
    return dict(get_day_names(width, locale=locale))


def format_clock(value: datetime | None) -> str:
    """19:00, the borough's time."""
    if value is None:
        return ""
    moment = local(value)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_weekday(value: date | datetime | None) -> str:
    """Thursday 3 December 2026: Babel's "EEEE d MMMM yyyy"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{_weekdays(locale_name(), 'wide')[value.weekday()]} {format_day(value)}"


def weekday_name(index: int) -> str:
    """Monday for 0, as date.weekday() counts."""
    return _weekdays(locale_name(), "wide")[index]


def format_month(value: date) -> str:
    """December 2026."""
    return f"{_months(locale_name(), 'wide')[value.month]} {value.year}"


def format_dayname(value: date) -> str:
    """Mon: the short name of the day."""
    return _weekdays(locale_name(), "abbreviated")[value.weekday()]
