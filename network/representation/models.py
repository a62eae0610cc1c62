"""Representation: the bodies the network sends representatives to (a strategic partnership
board, a health and wellbeing board), their seats, and who held each seat when; the items
members raise for a seat's next meeting, the reports back after it, the actions agreed and
followed across reports, and what members answer.

A meeting is one occurrence of a body's event: (event_id, occurrence_start), the occurrence's
original start, as RSVPs name it.

Nothing is deleted: a body or a seat is archived; a seat's past terms stay on record; a
report's earlier texts are kept; responses are hidden, not removed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.auth.models import Person
from network.core.audience import Audience
from network.core.db import enum_type
from network.core.files import PaperColumns
from network.core.text import slugify
from network.core.time import now, today
from network.extensions import db
from network.members.models import Area, Organisation, Theme

if TYPE_CHECKING:
    from network.calendar.models import Event

NAME_MAX = 120


class Body(db.Model):
    """A board or group the network sends representatives to."""

    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    meets: Mapped[str] = mapped_column(String(200), default="")  # "Every two months"
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.MEMBERS)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)

    seats: Mapped[list[Seat]] = relationship(back_populates="body", order_by="Seat.title")

    @property
    def slug(self) -> str:
        return slugify(self.name)


seat_area = Table(
    "seat_area", db.Model.metadata,
    Column("seat_id", ForeignKey("seat.id"), primary_key=True),
    Column("area_id", ForeignKey("area.id"), primary_key=True, index=True),
)
seat_theme = Table(
    "seat_theme", db.Model.metadata,
    Column("seat_id", ForeignKey("seat.id"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id"), primary_key=True, index=True),
)
seat_organisation = Table(
    "seat_organisation", db.Model.metadata,
    Column("seat_id", ForeignKey("seat.id"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True, index=True),
)


class Seat(db.Model):
    """One place on a body, and whom it speaks for: areas, themes, named organisations (none
    of them: the whole network)."""

    __tablename__ = "seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    title: Mapped[str] = mapped_column(String(NAME_MAX))  # "Voluntary sector seat"
    description: Mapped[str] = mapped_column(String(500), default="")
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)

    body: Mapped[Body] = relationship(back_populates="seats")
    areas: Mapped[list[Area]] = relationship(secondary=seat_area, order_by=Area.name)
    themes: Mapped[list[Theme]] = relationship(secondary=seat_theme, order_by=Theme.name)
    organisations: Mapped[list[Organisation]] = relationship(secondary=seat_organisation,
                                                             order_by=Organisation.name)
    terms: Mapped[list[Term]] = relationship(back_populates="seat",
                                             order_by="Term.starts_on.desc()")

    @property
    def whole_network(self) -> bool:
        return not (self.areas or self.themes or self.organisations)

    @property
    def current_term(self) -> Term | None:
        return next((term for term in self.terms if term.current), None)


class Selection(StrEnum):
    ELECTED = "elected"
    NOMINATED = "nominated"
    COOPTED = "coopted"

    @property
    def label(self) -> str:
        return str({Selection.ELECTED: _l("Elected"), Selection.NOMINATED: _l("Nominated"),
                    Selection.COOPTED: _l("Co-opted")}[self])


class Term(db.Model):
    """Who holds a seat from one day to another, with a deputy, and how they were chosen.
    The terms of one seat never overlap."""

    __tablename__ = "seat_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seat.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    selection: Mapped[Selection] = mapped_column(enum_type(Selection))
    selection_note: Mapped[str] = mapped_column(String(500), default="")  # the vote, who
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=now)

    seat: Mapped[Seat] = relationship(back_populates="terms")
    holder: Mapped[Person] = relationship(foreign_keys=[holder_id])
    deputy: Mapped[Person | None] = relationship(foreign_keys=[deputy_id])

    @property
    def current(self) -> bool:
        return self.starts_on <= today() <= self.ends_on


# --- before a meeting: items raised --------------------------------------------------------------

class ItemStatus(StrEnum):
    OPEN = "open"  # not yet looked at by the representative
    TAKEN = "taken"  # to the meeting
    NOT_TAKEN = "not_taken"  # with why
    ANSWERED = "answered"  # with the answer, often in a report

    @property
    def label(self) -> str:
        return str({ItemStatus.OPEN: _l("Raised"), ItemStatus.TAKEN: _l("Taken to the meeting"),
                    ItemStatus.NOT_TAKEN: _l("Not taken"),
                    ItemStatus.ANSWERED: _l("Answered")}[self])


class RaisedItem(db.Model):
    """A question, concern or evidence a member raises for a seat's representative, for the
    next meeting of its body (none when no meeting is in the calendar)."""

    __tablename__ = "raised_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seat.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    occurrence_start: Mapped[datetime | None]
    meeting_at: Mapped[datetime | None]  # as it was when raised
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ItemStatus] = mapped_column(enum_type(ItemStatus), default=ItemStatus.OPEN)
    reply: Mapped[str] = mapped_column(Text, default="")  # why not taken, or the answer
    replied_at: Mapped[datetime | None]
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)

    seat: Mapped[Seat] = relationship()
    author: Mapped[Person] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    supporters: Mapped[list[ItemSupport]] = relationship(order_by="ItemSupport.created_at")

    @property
    def settled(self) -> bool:
        return self.status in (ItemStatus.NOT_TAKEN, ItemStatus.ANSWERED)


class ItemSupport(db.Model):
    """"This matters to us too": another member behind a raised item."""

    __tablename__ = "raised_item_support"

    item_id: Mapped[int] = mapped_column(ForeignKey("raised_item.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    person: Mapped[Person] = relationship()


# --- after a meeting: the report back ------------------------------------------------------------

REPORT_DUE_DAYS = 14  # a report later than this after its meeting is overdue


class ReportState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Report(db.Model):
    """What a seat's representative reports back from one meeting."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("seat_id", "event_id", "occurrence_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seat.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    occurrence_start: Mapped[datetime]
    meeting_at: Mapped[datetime]  # when it was held
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    said: Mapped[str] = mapped_column(Text, default="")  # what was said on our behalf
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.MEMBERS)
    state: Mapped[ReportState] = mapped_column(enum_type(ReportState),
                                               default=ReportState.DRAFT, index=True)
    published_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]  # after publishing
    created_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    seat: Mapped[Seat] = relationship()
    event: Mapped[Event] = relationship()
    author: Mapped[Person] = relationship()
    questions: Mapped[list[Question]] = relationship(order_by="Question.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def published(self) -> bool:
        return self.state == ReportState.PUBLISHED

    @property
    def days_late(self) -> int:
        """Days after the meeting it was published (or until today, for a draft)."""
        return ((self.published_at or now()) - self.meeting_at).days


class ReportRevision(db.Model):
    """A published report's text as it was before an edit."""

    __tablename__ = "report_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text)
    said: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=now)
    replaced_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return str({ActionStatus.OPEN: _l("Open"), ActionStatus.IN_PROGRESS: _l("In progress"),
                    ActionStatus.DONE: _l("Done"), ActionStatus.DROPPED: _l("Dropped")}[self])

    @property
    def closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.DROPPED)


class Action(db.Model):
    """Something agreed at a meeting: who does what by when. It carries on across reports
    until it is done or dropped."""

    __tablename__ = "report_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seat.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(120))  # a person or a body: "Council housing"
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus),
                                                 default=ActionStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime | None]  # the last update after it was agreed
    closed_at: Mapped[datetime | None]

    updates: Mapped[list[ActionUpdate]] = relationship(order_by="ActionUpdate.id")

    @property
    def overdue(self) -> bool:
        return not self.status.closed and self.due_on < today()


class ActionUpdate(db.Model):
    """A dated change to an action's status, with a note."""

    __tablename__ = "report_action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("report_action.id"), index=True)
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus))
    note: Mapped[str] = mapped_column(String(500), default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    by: Mapped[Person] = relationship()


class Question(db.Model):
    """A question back to the seat's constituency, to answer by a day."""

    __tablename__ = "report_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    respond_by: Mapped[date]

    @property
    def open(self) -> bool:
        return today() <= self.respond_by


class Response(db.Model):
    """A member's comment on a report, an answer to one of its questions, or the
    representative's reply to either."""

    __tablename__ = "report_response"
    __table_args__ = (Index("ix_report_response_report", "report_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("report_question.id"))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("report_response.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    hidden_at: Mapped[datetime | None]  # by a coordinator
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)

    author: Mapped[Person] = relationship()


class ReportRead(db.Model):
    """A member who says they have read a report: the representative sees how many."""

    __tablename__ = "report_read"

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=now)


class ReportPaper(PaperColumns, db.Model):
    """A paper from the meeting attached to its report."""

    __tablename__ = "report_paper"

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)


class ReportReminder(db.Model):
    """A reminder sent for a meeting's overdue report: to the holder, then a coordinator."""

    __tablename__ = "report_reminder"

    seat_id: Mapped[int] = mapped_column(ForeignKey("seat.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), primary_key=True)
    occurrence_start: Mapped[datetime] = mapped_column(primary_key=True)
    stage: Mapped[int] = mapped_column(primary_key=True)  # 1 the holder, 2 coordinators
    sent_at: Mapped[datetime] = mapped_column(default=now)
