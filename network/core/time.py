"""Times are stored in UTC and shown in the borough's time zone. `now()` is the one clock:
nothing else in the app or its tests reads the machine's, so tests can set it (`set_clock`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal
from flask import current_app

from network.core.i18n import locale_name

# The text's own language, written the way the site always has (not quite CLDR's en_GB: no
# comma after the weekday).
ENGLISH = "en_GB"


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
    a date, and a thread page shows twenty. English is written by hand from these names;
    other languages go through Babel with their own patterns (_patterns)."""
    return dict(get_month_names(width, locale=locale))


@cache
def _patterns(locale: str) -> dict[str, str]:
    """The locale's own way (CLDR's) to write each kind of date: Polish says "3 gru 2026, 19:00",
    "czwartek, 3 grudnia 2026" and "grudzień 2026" (the month's name in the nominative)."""
    found = Locale.parse(locale)
    day, clock = found.date_formats["medium"].pattern, found.time_formats["short"].pattern
    return {
        "when": found.datetime_formats["medium"].replace("{1}", day).replace("{0}", clock),
        "day": found.date_formats["long"].pattern,
        "weekday": found.date_formats["full"].pattern,
        "clock": clock,
        "month": found.datetime_skeletons["yMMMM"].pattern,
    }


def _in_locale(kind: str, value: date | datetime, locale: str) -> str:
    pattern = _patterns(locale)[kind]
    if isinstance(value, datetime):
        return babel_format_datetime(value, pattern, locale=locale)
    return babel_format_date(value, pattern, locale=locale)


def format_when(value: datetime | None) -> str:
    """3 Nov 2026, 19:00 in the borough's time: Babel's "d MMM yyyy, HH:mm"."""
    if value is None:
        return ""
    moment = local(value)
    locale = locale_name()
    if locale != ENGLISH:
        return _in_locale("when", moment, locale)
    month = _months(locale, "abbreviated")[moment.month]
    return f"{moment.day} {month} {moment.year}, {moment.hour:02d}:{moment.minute:02d}"


def format_day(value: date | datetime | None) -> str:
    """3 November 2026: Babel's "d MMMM yyyy"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    locale = locale_name()
    if locale != ENGLISH:
        return _in_locale("day", value, locale)
    return f"{value.day} {_months(locale, 'wide')[value.month]} {value.year}"


@cache
def _weekdays(locale: str, width: str, context: str = "format") -> dict[int, str]:
    return dict(get_day_names(width, context=context, locale=locale))


def format_clock(value: datetime | None) -> str:
    """19:00, the borough's time."""
    if value is None:
        return ""
    moment = local(value)
    locale = locale_name()
    if locale != ENGLISH:
        return _in_locale("clock", moment, locale)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_weekday(value: date | datetime | None) -> str:
    """Thursday 3 December 2026: Babel's "EEEE d MMMM yyyy"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    locale = locale_name()
    if locale != ENGLISH:
        return _in_locale("weekday", value, locale)
    return f"{_weekdays(locale, 'wide')[value.weekday()]} {format_day(value)}"


def weekday_name(index: int) -> str:
    """Monday for 0, as date.weekday() counts."""
    return _weekdays(locale_name(), "wide", "stand-alone")[index]


def format_month(value: date) -> str:
    """December 2026."""
    locale = locale_name()
    if locale != ENGLISH:
        return _in_locale("month", value, locale)
    return f"{_months(locale, 'wide')[value.month]} {value.year}"


def format_dayname(value: date) -> str:
    """Mon: the short name of the day."""
    return _weekdays(locale_name(), "abbreviated", "stand-alone")[value.weekday()]


def format_number(value: int | float) -> str:
    """1,234 in English, 1234 or 12 345 in Polish: the locale's grouping."""
    locale = locale_name()
    if locale == ENGLISH:
        return f"{value:,}"
    return format_decimal(value, locale=locale)
