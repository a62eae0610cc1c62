"""What an issue holds, as one reader may see it: each feature's reads asked as that person
(a Visitor for the public), bounded so an issue fits two sides of A4."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from network.auth.models import Person
from network.board import reads as board
from network.board.models import Listing, ListingKind
from network.bulletin.models import BulletinIssue
from network.calendar import reads as calendar
from network.calendar.models import Event
from network.core.time import local_moment, now, today
from network.extensions import db
from network.forum import reads as forum
from network.forum.models import Thread
from network.representation import reads as representation
from network.representation.models import Question, Report

if TYPE_CHECKING:
    from network.calendar.recurrence import Occurrence

FORTNIGHT = timedelta(days=14)
WEEK = timedelta(days=7)
EVENTS = 12
CLOSING = 3
LISTINGS = 4
REPORTS = 3
QUESTIONS = 3
THREADS = 4


def week_of(day: date) -> date:
    """The Monday of a day's week: what an issue is for."""
    return day - timedelta(days=day.weekday())


@dataclass
class Contents:
    week: date
    events: list[Occurrence]
    closing: list[Event]
    offers: list[Listing]
    requests: list[Listing]
    reports: list[Report]
    questions: list[tuple[Question, Report]]
    threads: list[tuple[Thread, int]]

    @property
    def empty(self) -> bool:
        return not any((self.events, self.closing, self.offers, self.requests, self.reports,
                        self.questions, self.threads))


def contents(reader: Person, week: date, moment: datetime | None = None) -> Contents:
    """An issue as one reader may see it: the fortnight's events from now (from its Monday,
    for an issue of a week gone), and what is new over the week before."""
    moment = moment or now()
    start = local_moment(week, time.min)
    if start <= moment < start + WEEK:  # this week's: from now
        start = moment
    since = start - WEEK
    listings = board.new_listings(reader, since, LISTINGS * 2)
    return Contents(
        week=week,
        events=calendar.coming(FORTNIGHT, EVENTS, seen_by=reader, start=start),
        closing=calendar.closing(FORTNIGHT, CLOSING, seen_by=reader, start=start),
        offers=[x for x in listings if x.kind == ListingKind.OFFER][:LISTINGS],
        requests=[x for x in listings if x.kind == ListingKind.REQUEST][:LISTINGS],
        reports=representation.reports_published(reader, since, REPORTS),
        questions=representation.questions_open(reader, QUESTIONS),
        threads=forum.busiest_threads(reader, since, THREADS),
    )


def latest_issue() -> BulletinIssue | None:
    return db.session.scalar(select(BulletinIssue).order_by(BulletinIssue.number.desc())
                             .limit(1))


def issue_numbered(number: int) -> BulletinIssue | None:
    return db.session.scalar(select(BulletinIssue).where(BulletinIssue.number == number))


def issue_of_week(week: date) -> BulletinIssue | None:
    return db.session.scalar(select(BulletinIssue).where(BulletinIssue.week == week))


def next_number() -> int:
    return (db.session.scalar(select(func.max(BulletinIssue.number))) or 0) + 1


def this_week() -> date:
    return week_of(today())
