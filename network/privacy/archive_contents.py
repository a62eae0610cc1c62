"""What a person wrote and did, for their archive: a file per kind of thing (forum, calendar,
board, representation), each its README text, its columns and its rows, read a batch at a
time. Only the person's own rows, and of what they belong to only what the person saw there
(a thread's title, an event's name), never another person's words or name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from network.board.models import Booking, Conversation, Listing, Message
from network.calendar.models import CalendarSource, Event, Follow, Paper, Rsvp
from network.core.links import absolute_url
from network.core.time import local
from network.extensions import db
from network.forum.models import (
    Category,
    Flag,
    Post,
    PostRevision,
    Thread,
    ThreadRead,
    ThreadWatch,
)
from network.members.models import Organisation
from network.representation.models import (
    Action,
    ActionUpdate,
    Body,
    ItemSupport,
    RaisedItem,
    Report,
    ReportPaper,
    ReportRead,
    ReportRevision,
    Response,
    Seat,
    Term,
)

YIELD_PER = 500  # rows read from the database at a time


@dataclass(frozen=True)
class ArchiveFile:
    name: str
    about: Any  # for README.txt: a lazy_gettext, in the reader's language when written
    columns: tuple[str, ...]
    rows: Callable[[int], Iterable[tuple]]  # the person's id -> rows, in the columns' order


def archive_file(name: str, about: str, *columns: str):
    """Make the decorated `rows(person_id)` an ArchiveFile."""
    return lambda rows: ArchiveFile(name, about, columns, rows)


def stream(query: Select) -> Iterator:
    """The query's rows, YIELD_PER at a time (a server-side cursor on PostgreSQL)."""
    return iter(db.session.execute(query.execution_options(yield_per=YIELD_PER)))


def value(each) -> str:
    """A value as text: times in the borough's wall time as the site shows them, to the
    second, in a form spreadsheets read as a date and time (2026-12-06 09:30:00); days ISO;
    yes/no; an enum's value."""
    if each is None:
        return ""
    if isinstance(each, bool):
        return "yes" if each else "no"
    if isinstance(each, datetime):
        return local(each).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(each, date | time):
        return each.isoformat()
    if isinstance(each, Enum):
        return str(each.value)
    return str(each)


class Link:
    """An endpoint's address on BASE_URL (core.links) for many ids: built once, filled in."""

    MARK = "987654321"

    def __init__(self, endpoint: str, key: str) -> None:
        self.before, self.after = absolute_url(endpoint, **{key: int(self.MARK)}).split(self.MARK)

    def __call__(self, object_id: int | None) -> str:
        return "" if object_id is None else f"{self.before}{object_id}{self.after}"


# --- the forum ---------------------------------------------------------------------------------

@archive_file("posts.csv",
              _l("Your forum posts, each with its thread's title and a link to it: its state "
                 "(visible, held for approval, or hidden by a coordinator, with the reason "
                 "you were given) and its text as it is now."),
              "post_id", "thread_id", "thread_title", "link", "created_at", "edited_at", "state",
              "hidden_reason", "body")
def posts(person_id: int):
    link = Link("forum.post", "post_id")
    for row in stream(select(Post.id, Post.thread_id, Thread.title, Post.created_at,
                             Post.edited_at, Post.state, Post.moderation_reason, Post.body)
                      .join(Thread, Thread.id == Post.thread_id)
                      .where(Post.author_id == person_id).order_by(Post.id)):
        yield (row[0], row[1], row[2], link(row[0]), *row[3:])


@archive_file("post_revisions.csv",
              _l("The earlier versions of your posts: each text as it was before an edit, "
                 "when it was written and when it was replaced."),
              "post_id", "written_at", "replaced_at", "body")
def post_revisions(person_id: int):
    yield from stream(select(PostRevision.post_id, PostRevision.written_at,
                             PostRevision.replaced_at, PostRevision.body)
                      .join(Post, Post.id == PostRevision.post_id)
                      .where(Post.author_id == person_id).order_by(PostRevision.id))


@archive_file("threads.csv",
              _l("The threads you started (their first post is in posts.csv)."),
              "thread_id", "title", "category", "link", "created_at")
def threads(person_id: int):
    link = Link("forum.thread", "thread_id")
    for thread_id, title, category, created in stream(
            select(Thread.id, Thread.title, Category.name, Thread.created_at)
            .join(Category, Category.id == Thread.category_id)
            .where(Thread.author_id == person_id).order_by(Thread.id)):
        yield thread_id, title, category, link(thread_id), created


@archive_file("thread_watches.csv",
              _l("Threads you watch or muted, and how far you had read each thread (the last "
                 "post shown to you)."),
              "thread_id", "title", "link", "watching", "muted", "last_read_post_id")
def thread_watches(person_id: int):
    link = Link("forum.thread", "thread_id")
    for thread_id, title, muted, last_read in stream(
            select(Thread.id, Thread.title, ThreadWatch.muted, ThreadRead.last_read_post_id)
            .outerjoin(ThreadWatch, (ThreadWatch.thread_id == Thread.id)
                       & (ThreadWatch.person_id == person_id))
            .outerjoin(ThreadRead, (ThreadRead.thread_id == Thread.id)
                       & (ThreadRead.person_id == person_id))
            .where(or_(ThreadWatch.person_id.is_not(None), ThreadRead.person_id.is_not(None)))
            .order_by(Thread.id)):
        yield thread_id, title, link(thread_id), muted is False, bool(muted), last_read


@archive_file("flags.csv",
              _l("Posts you reported to the coordinators: the reason you gave, and whether it "
                 "was dealt with (the post itself is another person's: a link only)."),
              "post_link", "reason", "created_at", "resolved_at", "resolution")
def flags(person_id: int):
    link = Link("forum.post", "post_id")
    for post_id, *rest in stream(select(Flag.post_id, Flag.reason, Flag.created_at,
                                        Flag.resolved_at, Flag.resolution)
                                 .where(Flag.person_id == person_id).order_by(Flag.id)):
        yield link(post_id), *rest


# --- the calendar ------------------------------------------------------------------------------

@archive_file("events.csv",
              _l("The events you added to the calendar, as they are now."),
              "event_id", "title", "organisation", "kind", "audience", "starts_at", "ends_at",
              "all_day", "repeats", "place", "online_link", "capacity", "cancelled_at",
              "cancel_reason", "created_at", "link", "description")
def events(person_id: int):
    link = Link("calendar.event", "event_id")
    for row in stream(select(Event.id, Event.title, Organisation.name, Event.kind,
                             Event.audience, Event.starts_at, Event.ends_at, Event.all_day,
                             Event.recurrence, Event.place, Event.online_link, Event.capacity,
                             Event.cancelled_at, Event.cancel_reason, Event.created_at,
                             Event.description)
                      .join(Organisation, Organisation.id == Event.organisation_id)
                      .where(Event.created_by_id == person_id).order_by(Event.id)):
        yield *row[:15], link(row[0]), row[15]


@archive_file("answers.csv",
              _l("Your answers to events (going, maybe, can't go), for each occurrence, and "
                 "whether you were on its waiting list. Who else answered is not in it."),
              "event_id", "event_title", "link", "occurrence_start", "answer", "waiting",
              "answered_at", "reminded_at")
def answers(person_id: int):
    link = Link("calendar.event", "event_id")
    for event_id, title, *rest in stream(
            select(Rsvp.event_id, Event.title, Rsvp.occurrence_start, Rsvp.answer, Rsvp.waiting,
                   Rsvp.answered_at, Rsvp.reminded_at)
            .join(Event, Event.id == Rsvp.event_id)
            .where(Rsvp.person_id == person_id).order_by(Rsvp.id)):
        yield event_id, title, link(event_id), *rest


@archive_file("follows.csv",
              _l("The organisations whose new events you follow."),
              "organisation", "since")
def follows(person_id: int):
    yield from stream(select(Organisation.name, Follow.created_at)
                      .join(Organisation, Organisation.id == Follow.organisation_id)
                      .where(Follow.person_id == person_id).order_by(Follow.created_at))


@archive_file("papers.csv",
              _l("The papers you attached to events and reports: their titles and file names "
                 "(the files belong to the event or report: follow the link)."),
              "attached_to", "title", "filename", "uploaded_at", "link")
def papers(person_id: int):
    event = Link("calendar.event", "event_id")
    for event_id, *rest in stream(select(Paper.event_id, Paper.title, Paper.filename,
                                         Paper.uploaded_at)
                                  .where(Paper.uploaded_by_id == person_id).order_by(Paper.id)):
        yield "event", *rest, event(event_id)
    report = Link("representation.report", "report_id")
    for report_id, *rest in stream(select(ReportPaper.report_id, ReportPaper.title,
                                          ReportPaper.filename, ReportPaper.uploaded_at)
                                   .where(ReportPaper.uploaded_by_id == person_id)
                                   .order_by(ReportPaper.id)):
        yield "report", *rest, report(report_id)


@archive_file("calendars_added.csv",
              _l("Calendars from elsewhere you brought into the network's calendar "
                 "(coordinators only)."),
              "name", "address", "website", "created_at", "removed_at")
def calendars_added(person_id: int):
    yield from stream(select(CalendarSource.name, CalendarSource.url, CalendarSource.website,
                             CalendarSource.created_at, CalendarSource.removed_at)
                      .where(CalendarSource.created_by_id == person_id)
                      .order_by(CalendarSource.id))


# --- the board ---------------------------------------------------------------------------------

@archive_file("listings.csv",
              _l("The offers and requests you put on the board, as they are now."),
              "listing_id", "organisation", "kind", "category", "title", "status", "urgency",
              "available_from", "available_until", "expires_on", "bookable", "hidden_at",
              "hidden_reason", "created_at", "updated_at", "link", "description")
def listings(person_id: int):
    link = Link("board.listing", "listing_id")
    for row in stream(select(Listing.id, Organisation.name, Listing.kind, Listing.category,
                             Listing.title, Listing.status, Listing.urgency,
                             Listing.available_from, Listing.available_until,
                             Listing.expires_on, Listing.bookable, Listing.hidden_at,
                             Listing.hidden_reason, Listing.created_at, Listing.updated_at,
                             Listing.description)
                      .join(Organisation, Organisation.id == Listing.organisation_id)
                      .where(Listing.created_by_id == person_id).order_by(Listing.id)):
        yield *row[:15], link(row[0]), row[15]


@archive_file("listing_messages.csv",
              _l("The messages you wrote in conversations about listings (the other side's "
                 "messages are theirs: the link leads to the conversation)."),
              "listing_title", "conversation_link", "created_at", "body")
def listing_messages(person_id: int):
    link = Link("board.conversation", "conversation_id")
    for title, conversation_id, created, body in stream(
            select(Listing.title, Message.conversation_id, Message.created_at, Message.body)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(Listing, Listing.id == Conversation.listing_id)
            .where(Message.author_id == person_id).order_by(Message.id)):
        yield title, link(conversation_id), created, body


@archive_file("bookings.csv",
              _l("The bookings you asked for, with what became of them and the reason given "
                 "when one was declined or called off."),
              "listing_title", "for_organisation", "starts_at", "ends_at", "purpose", "note",
              "status", "reason", "created_at", "decided_at", "link")
def bookings(person_id: int):
    link = Link("board.booking", "booking_id")
    for booking_id, *rest in stream(
            select(Booking.id, Listing.title, Organisation.name, Booking.starts_at,
                   Booking.ends_at, Booking.purpose, Booking.note, Booking.status,
                   Booking.reason, Booking.created_at, Booking.decided_at)
            .join(Listing, Listing.id == Booking.listing_id)
            .join(Organisation, Organisation.id == Booking.organisation_id)
            .where(Booking.requested_by_id == person_id).order_by(Booking.id)):
        yield *rest, link(booking_id)


# --- representation ----------------------------------------------------------------------------

@archive_file("seats.csv",
              _l("The seats you held or deputised on, and for when."),
              "body", "seat", "as", "selection", "selection_note", "starts_on", "ends_on")
def seats(person_id: int):
    for body, seat, holder_id, selection, note, starts, ends in stream(
            select(Body.name, Seat.title, Term.holder_id, Term.selection, Term.selection_note,
                   Term.starts_on, Term.ends_on)
            .join(Seat, Seat.id == Term.seat_id).join(Body, Body.id == Seat.body_id)
            .where(or_(Term.holder_id == person_id, Term.deputy_id == person_id))
            .order_by(Term.id)):
        yield body, seat, "holder" if holder_id == person_id else "deputy", selection, note, \
            starts, ends


@archive_file("raised_items.csv",
              _l("The items you raised for a representative to take to a meeting, and the "
                 "answer you were given."),
              "seat", "title", "status", "created_at", "replied_at", "link", "body", "reply")
def raised_items(person_id: int):
    link = Link("representation.seat", "seat_id")
    for seat_id, seat, title, status, created, replied, body, reply in stream(
            select(RaisedItem.seat_id, Seat.title, RaisedItem.title, RaisedItem.status,
                   RaisedItem.created_at, RaisedItem.replied_at, RaisedItem.body,
                   RaisedItem.reply)
            .join(Seat, Seat.id == RaisedItem.seat_id)
            .where(RaisedItem.author_id == person_id).order_by(RaisedItem.id)):
        yield seat, title, status, created, replied, link(seat_id), body, reply


@archive_file("backings.csv",
              _l("The items raised by others that you backed (\"this matters to us too\"): "
                 "their titles only."),
              "seat", "item_title", "backed_at", "link")
def backings(person_id: int):
    link = Link("representation.seat", "seat_id")
    for seat_id, seat, title, backed in stream(
            select(Seat.id, Seat.title, RaisedItem.title, ItemSupport.created_at)
            .join(RaisedItem, RaisedItem.id == ItemSupport.item_id)
            .join(Seat, Seat.id == RaisedItem.seat_id)
            .where(ItemSupport.person_id == person_id).order_by(ItemSupport.created_at)):
        yield seat, title, backed, link(seat_id)


@archive_file("reports.csv",
              _l("The reports back you wrote from meetings, drafts included, as they are now "
                 "(earlier versions in report_revisions.csv)."),
              "report_id", "body", "seat", "meeting_at", "state", "audience", "published_at",
              "edited_at", "created_at", "link", "summary", "decisions", "said")
def reports(person_id: int):
    link = Link("representation.report", "report_id")
    for row in stream(select(Report.id, Body.name, Seat.title, Report.meeting_at, Report.state,
                             Report.audience, Report.published_at, Report.edited_at,
                             Report.created_at, Report.summary, Report.decisions, Report.said)
                      .join(Seat, Seat.id == Report.seat_id).join(Body, Body.id == Seat.body_id)
                      .where(Report.author_id == person_id).order_by(Report.id)):
        yield *row[:9], link(row[0]), *row[9:]


@archive_file("report_revisions.csv",
              _l("Your reports' earlier versions: the text as it was before each edit after "
                 "publishing."),
              "report_id", "written_at", "replaced_at", "summary", "decisions", "said")
def report_revisions(person_id: int):
    yield from stream(select(ReportRevision.report_id, ReportRevision.written_at,
                             ReportRevision.replaced_at, ReportRevision.summary,
                             ReportRevision.decisions, ReportRevision.said)
                      .join(Report, Report.id == ReportRevision.report_id)
                      .where(Report.author_id == person_id).order_by(ReportRevision.id))


@archive_file("responses.csv",
              _l("Your responses to reports back: comments, answers to their questions, and "
                 "replies (the ids say which question or response it answered)."),
              "response_id", "report_link", "question_id", "reply_to_response_id", "created_at",
              "hidden_at", "hidden_reason", "body")
def responses(person_id: int):
    link = Link("representation.report", "report_id")
    for response_id, report_id, *rest in stream(
            select(Response.id, Response.report_id, Response.question_id, Response.reply_to_id,
                   Response.created_at, Response.hidden_at, Response.hidden_reason,
                   Response.body)
            .where(Response.author_id == person_id).order_by(Response.id)):
        yield response_id, link(report_id), *rest


@archive_file("action_updates.csv",
              _l("The updates you gave on actions agreed at meetings."),
              "action", "status", "note", "created_at", "link")
def action_updates(person_id: int):
    link = Link("representation.action", "action_id")
    for action_id, *rest in stream(
            select(ActionUpdate.action_id, Action.what, ActionUpdate.status, ActionUpdate.note,
                   ActionUpdate.created_at)
            .join(Action, Action.id == ActionUpdate.action_id)
            .where(ActionUpdate.by_id == person_id).order_by(ActionUpdate.id)):
        yield *rest, link(action_id)


@archive_file("reports_read.csv",
              _l("The reports back you said you had read."),
              "report_link", "read_at")
def reports_read(person_id: int):
    link = Link("representation.report", "report_id")
    for report_id, read in stream(select(ReportRead.report_id, ReportRead.read_at)
                                  .where(ReportRead.person_id == person_id)
                                  .order_by(ReportRead.read_at)):
        yield link(report_id), read


CONTENT_FILES = (posts, post_revisions, threads, thread_watches, flags, events, answers,
                 follows, papers, calendars_added, listings, listing_messages, bookings, seats,
                 raised_items, backings, reports, report_revisions, responses, action_updates,
                 reports_read)
