"""Times are stored in UTC and shown in the borough's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, format_datetime


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def now() -> datetime:
    """The one clock: an aware UTC datetime, as every column stores."""
    return datetime.now(UTC)


def borough_zone() -> ZoneInfo:
    return _zone(current_app.config["TIME_ZONE"])


def local(value: datetime) -> datetime:
    return value.astimezone(borough_zone())


def today() -> date:
    """Today in the borough."""
    return now().astimezone(borough_zone()).date()


def format_when(value: datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(local(value), "d MMM yyyy, HH:mm" if style == "medium" else style)


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, "d MMMM yyyy")
