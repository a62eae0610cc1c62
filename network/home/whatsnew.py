"""The home page of what is new for the person logged in: since their last visit, what they
watch, listings that fit their organisations and reports from their representatives; what
waits for them; then this week's events. Each kind is a read in its feature's reads.py, and
all of them but the events come in one query (core.lines), the first few of each with how
many more, so the page costs the same however much there is."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for

from network.board import reads as board
from network.calendar import reads as calendar
from network.core.lines import Line, gather
from network.core.text import slugify
from network.core.time import now
from network.forum import reads as forum
from network.home.visits import since_last_visit
from network.representation import reads as representation

SHOWN = 5  # lines of each kind; "more" links to the rest
WEEK = timedelta(days=7)
# A report one has not said one read stays new this long, whatever visits came between: it
# asks to be read (and may have questions with a day to answer by).
UNREAD_REPORTS_STAY = timedelta(days=60)
EVENTS_SHOWN = 8
NEW = ("thread", "listing", "report")
WAITING = ("booking", "item", "overdue", "waiting", "question")


def link(line: Line) -> str:
    """Where a line leads: the thing itself (a thread at its first unread post)."""
    if line.kind == "thread":
        return url_for("forum.first_unread", thread_id=line.ref)
    if line.kind == "listing":
        return url_for("board.listing", listing_id=line.ref, slug=slugify(line.title))
    if line.kind == "report":
        return url_for("representation.report", report_id=line.ref)
    if line.kind == "booking":
        return url_for("board.booking", booking_id=line.ref)
    if line.kind == "item":
        return url_for("representation.seat", seat_id=line.ref, _anchor=f"i{line.sub}")
    if line.kind == "overdue":
        return url_for("representation.new_report", seat_id=line.ref)
    if line.kind == "waiting":
        at = {"at": calendar.occurrence_key(line.at)} if line.sub else {}
        return url_for("calendar.event", event_id=line.ref, slug=slugify(line.title), **at)
    return url_for("representation.report", report_id=line.ref, _anchor=f"q{line.sub}")


def more_link(kind: str) -> str:
    """Where the rest of a kind is."""
    return {
        "thread": url_for("forum.index"),
        "listing": url_for("board.board"),
        "report": url_for("representation.representatives"),
        "booking": url_for("board.my_bookings"),
        "item": url_for("pages.dashboard"),
        "overdue": url_for("pages.dashboard"),
        "waiting": url_for("calendar.agenda"),
        "question": url_for("representation.representatives"),
    }[kind]


def whats_new_context(person) -> dict:
    since = since_last_visit(person)
    found = gather([
        forum.unread_watched(person),
        board.fitting(person, since.moment),
        representation.new_reports(person, min(since.moment, now() - UNREAD_REPORTS_STAY)),
        board.bookings_to_answer(person),
        representation.items_to_mark(person),
        representation.reports_overdue(person),
        calendar.places_waited_for(person),
        representation.questions_to_answer(person),
    ], SHOWN)
    return {
        "since": since, "lines": found, "link": link, "more_link": more_link,
        "new_kinds": NEW, "waiting_kinds": WAITING,
        "anything_new": any(kind in found for kind in NEW),
        "anything_waiting": any(kind in found for kind in WAITING),
        "events": calendar.coming(WEEK, EVENTS_SHOWN, seen_by=person),
    }
