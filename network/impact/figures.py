"""The record of what was shared over a period: the figures from each feature's reads (a
fixed number of queries however long the period), the chart's bars, and the CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from network.board import reads as board
from network.calendar import reads as calendar
from network.core.time import local_moment, today
from network.impact.forms import FURTHEST_BACK, PeriodForm
from network.representation import reads as representation

BAR_WIDTH = 200  # of a bar, in the SVG's units
FINANCIAL_YEAR_STARTS = 4  # April: the UK's financial year runs April to March


@dataclass(frozen=True, slots=True)
class Period:
    """From the first day to the last, both included, in the borough's time."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return local_moment(self.first, None)

    @property
    def end(self) -> datetime:
        return local_moment(self.last + timedelta(days=1), None)

    @property
    def args(self) -> dict[str, str]:
        return {"start": self.first.isoformat(), "end": self.last.isoformat()}


def year_back(day: date) -> date:
    """The day after the same day a year before: a year back is 365 or 366 days."""
    try:
        return day.replace(year=day.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28) + timedelta(days=1)


def choices() -> list[tuple[str, Period]]:
    """The quick choices: the past 12 months (the default), this financial year (April to
    March) so far and the last, this calendar year so far and the last."""
    day = today()
    fy = day.year if day.month >= FINANCIAL_YEAR_STARTS else day.year - 1
    return [
        (_("The past 12 months"), Period(year_back(day), day)),
        (_("This financial year"), Period(date(fy, FINANCIAL_YEAR_STARTS, 1), day)),
        (_("Last financial year"), Period(date(fy - 1, FINANCIAL_YEAR_STARTS, 1),
                                          date(fy, FINANCIAL_YEAR_STARTS, 1)
                                          - timedelta(days=1))),
        (_("This calendar year"), Period(date(day.year, 1, 1), day)),
        (_("Last calendar year"), Period(date(day.year - 1, 1, 1),
                                         date(day.year - 1, 12, 31))),
    ]


def period_of(form: PeriodForm) -> Period:
    """The period the form asks for, once validated: the past 12 months unless said (or when
    what was said is not a period); a start alone runs to today, an end alone a year back."""
    day = today()
    if form.errors or not (form.start.data or form.end.data):
        return Period(year_back(day), day)
    last = form.end.data or day
    first = form.start.data or max(year_back(last), day - timedelta(days=FURTHEST_BACK))
    return Period(first, last)


@dataclass(frozen=True, slots=True)
class Figure:
    key: str  # its colour (a class in site.css) and its column in the CSV
    label: str
    count: float

    @property
    def shown(self) -> str:
        """Whole numbers as they are; hours to two decimal places at most (1.5, 1.25)."""
        return f"{self.count:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Segment:
    figure: Figure
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Family:
    """A row of the chart and a group of the table: one thing counted, split (given and
    received, on time and late) or whole."""

    key: str
    label: str
    figures: list[Figure]

    @property
    def total(self) -> float:
        return sum(f.count for f in self.figures)

    @property
    def bar(self) -> list[Segment]:
        """The figures as the segments of one bar, by share; empty when all are nought."""
        segments, x = [], 0.0
        for figure in self.figures:
            if figure.count:
                share = round(BAR_WIDTH * figure.count / self.total, 1)
                segments.append(Segment(figure, round(x, 1), share))
                x += share
        return segments


@dataclass(frozen=True, slots=True)
class Record:
    name: str  # the organisation's, or the network's
    period: Period
    families: list[Family]

    def rows(self) -> list[list]:
        """The CSV: a header, then one row per figure."""
        rows: list[list] = [[_("Who"), _("From"), _("To"), _("What"), _("Which"),
                             _("Number")]]
        for family in self.families:
            for figure in family.figures:
                rows.append([self.name, self.period.first.isoformat(),
                             self.period.last.isoformat(), family.label, figure.label,
                             figure.shown])
        return rows


def record_of(name: str, period: Period, organisation_id: int | None = None) -> Record:
    """The record of one organisation (given and received), or of the network (each thing
    shared once). Six queries, whatever the period and however much was shared."""
    shared = board.shared_between(period.start, period.end, organisation_id)
    held, going = calendar.held_between(period.start, period.end, organisation_id)
    reported = representation.reporting_between(period.start, period.end, organisation_id)

    def split(key: str, label: str) -> Family:
        if organisation_id is None:
            return Family(key, label, [Figure("all", _("All"), shared[key])])
        return Family(key, label, [Figure("given", _("Given"), shared[f"{key}_given"]),
                                   Figure("received", _("Received"), shared[f"{key}_received"])])

    return Record(name, period, [
        split("matched", _("Listings matched")),
        split("bookings", _("Bookings")),
        split("hours", _("Hours booked")),
        Family("held", _("Events held"), [Figure("all", _("All"), held)]),
        Family("going", _("People going"), [Figure("all", _("All"), going)]),
        Family("reports", _("Reports published"), [
            Figure("on_time", _("On time"), reported["on_time"]),
            Figure("late", _("Late"), reported["late"])]),
        Family("actions", _("Actions done"), [Figure("all", _("All"), reported["actions_done"])]),
    ])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs: one starting like a formula is
    prefixed with an apostrophe."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(record: Record) -> str:
    """UTF-8 with a byte order mark (so Excel reads it as UTF-8), a header row, CRLF."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in record.rows():
        writer.writerow([cell(value) for value in row])
    return out.getvalue()
