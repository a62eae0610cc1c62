"""The shared calendar: events (one-off or recurring), changes to single occurrences, RSVPs,
papers attached ahead of a meeting, and who follows which organisation's events.

Times are stored in UTC. A recurring event's rule is kept as RFC 5545 text and expanded in
the borough's wall time (calendar.recurrence), so a 19:00 meeting stays at 19:00 all year.
Nothing is deleted: events and occurrences are cancelled, papers replaced, RSVPs changed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.auth.models import Person
from network.core.audience import Audience
from network.core.db import enum_type
from network.core.files import PaperColumns
from network.core.text import slugify
from network.core.time import now
from network.extensions import db
from network.members.models import Area, Organisation, Theme

TITLE_MAX = 120
DESCRIPTION_MAX = 5000


class EventKind(StrEnum):
    MEETING = "meeting"
    TRAINING = "training"
    CONSULTATION = "consultation"
    SOCIAL = "social"
    CONFERENCE = "conference"
    DEADLINE = "deadline"

    @property
    def label(self) -> str:
        return str(EVENT_KIND_LABELS[self])


EVENT_KIND_LABELS = {
    EventKind.MEETING: _l("Meeting"),
    EventKind.TRAINING: _l("Training"),
    EventKind.CONSULTATION: _l("Consultation"),
    EventKind.SOCIAL: _l("Social"),
    EventKind.CONFERENCE: _l("Conference"),
    EventKind.DEADLINE: _l("Deadline"),
}

# The access information a group can give: (column, label).
ACCESS = [
    ("step_free", _l("Step-free access")),
    ("hearing_loop", _l("Hearing loop")),
    ("interpreter", _l("Interpreter (ask ahead)")),
    ("childcare", _l("Childcare")),
    ("travel_expenses", _l("Travel expenses paid")),
]


event_theme = Table(
    "event_theme",
    db.Model.metadata,
    Column("event_id", ForeignKey("event.id"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id"), primary_key=True, index=True),
)


class Event(db.Model):
    """One event, or a series of them under one rule. `starts_at`/`ends_at` are the first
    occurrence's; a series continued after a "this and following" change points back to the
    series it continues (`continues_id`)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_listing", "starts_at", "repeat_until"),
                      Index("uq_event_source_key", "source_id", "source_key", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind))
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.MEMBERS)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    all_day: Mapped[bool] = mapped_column(default=False)
    place: Mapped[str] = mapped_column(String(200), default="")
    online_link: Mapped[str] = mapped_column(String(300), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)  # its meeting
    capacity: Mapped[int | None]
    rsvp: Mapped[bool] = mapped_column(default=True)
    step_free: Mapped[bool] = mapped_column(default=False)
    hearing_loop: Mapped[bool] = mapped_column(default=False)
    interpreter: Mapped[bool] = mapped_column(default=False)
    childcare: Mapped[bool] = mapped_column(default=False)
    travel_expenses: Mapped[bool] = mapped_column(default=False)
    access_note: Mapped[str] = mapped_column(String(300), default="")
    # A consultation's closing time (responses by then).
    closes_at: Mapped[datetime | None]
    # RFC 5545 RRULE text, in the borough's wall time; None for a one-off event.
    recurrence: Mapped[str | None] = mapped_column(String(200))
    # When the last occurrence starts (UTC), or None for a series with no end: what a query
    # for a window of time filters on. Kept with `recurrence`.
    repeat_until: Mapped[datetime | None]
    continues_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    short_notice: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # RFC 5545 SEQUENCE: goes up when a change matters to a calendar that imported it.
    sequence: Mapped[int] = mapped_column(default=0)
    # The opened form that made it: the same form sent twice makes one event.
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    # Its RFC 5545 UID in feeds, made once and kept: a UUID (events from before it was kept
    # have the `event-N@host` their feeds already gave, migration 0012). Never empty; NOT
    # NULL would have SQLite rebuild the table every other table points at.
    uid: Mapped[str | None] = mapped_column(String(255), unique=True, index=True,
                                            default=lambda: str(uuid4()))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)  # feeds' ETag
    version: Mapped[int] = mapped_column(default=1)
    # Brought in from a calendar elsewhere (calendar.sources): read-only here, and known in
    # its source by the hash of its UID and original day (source_key, ics_reading._key). No
    # foreign key: a column with one cannot be added or dropped in place on SQLite, and a
    # rebuild of this table, which others point at, fails once it holds events; sources are
    # never deleted.
    source_id: Mapped[int | None]
    source_key: Mapped[str | None] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Person] = relationship()
    source: Mapped[CalendarSource | None] = relationship(
        primaryjoin="foreign(Event.source_id) == CalendarSource.id")
    area: Mapped[Area | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=event_theme, order_by=Theme.name)
    changes: Mapped[list[OccurrenceChange]] = relationship(back_populates="event",
                                                          order_by="OccurrenceChange.original_start")

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def recurring(self) -> bool:
        return self.recurrence is not None

    @property
    def imported(self) -> bool:
        return self.source_id is not None

    @property
    def access(self) -> list[str]:
        return [str(label) for column, label in ACCESS if getattr(self, column)]


class OccurrenceChange(db.Model):
    """One occurrence of a series cancelled or moved (its RECURRENCE-ID is original_start)."""

    __tablename__ = "event_occurrence"
    __table_args__ = (UniqueConstraint("event_id", "original_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    original_start: Mapped[datetime]
    cancelled: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[datetime | None]  # moved to
    ends_at: Mapped[datetime | None]
    place: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500), default="")
    sequence: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    event: Mapped[Event] = relationship(back_populates="changes")


class Answer(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"

    @property
    def label(self) -> str:
        return str({Answer.GOING: _l("Going"), Answer.MAYBE: _l("Maybe"),
                    Answer.NOT_GOING: _l("Can't go")}[self])


class Rsvp(db.Model):
    """A person's answer for one occurrence (original_start: the occurrence's identity). With
    a capacity, a "going" past it waits (`waiting`) and moves up, oldest first."""

    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("event_id", "occurrence_start", "person_id"),
                      Index("ix_rsvp_person", "person_id", "occurrence_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    occurrence_start: Mapped[datetime]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    answer: Mapped[Answer] = mapped_column(enum_type(Answer))
    waiting: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime] = mapped_column(default=now)  # a waiting list's order
    reminded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()


class Paper(PaperColumns, db.Model):
    """A document for an event (agenda, minutes, a consultation document). A new version
    replaces the old, which is kept (`replaced_by_id`)."""

    __tablename__ = "event_paper"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("event_paper.id"))

    uploaded_by: Mapped[Person] = relationship()


class FeedKey(db.Model):
    """What a person's private calendar feed address is made from: resetting it (a new
    generation) kills the old address at once."""

    __tablename__ = "calendar_feed_key"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    generation: Mapped[int] = mapped_column(default=1)
    reset_at: Mapped[datetime] = mapped_column(default=now)


class Follow(db.Model):
    """A person who wants to hear of an organisation's new events."""

    __tablename__ = "follow"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"),
                                                 primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class CalendarSource(db.Model):
    """A calendar kept elsewhere (the council's committee dates, a funder's deadlines), read
    from its ICS address or from a file a coordinator uploaded (kept, `uploaded`, so that each
    import can read it again as its window moves on). Its events are Event rows with its id;
    removing it (`removed_at`) takes them out of the calendar."""

    __tablename__ = "calendar_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500), default="")
    uploaded: Mapped[str | None] = mapped_column(Text, deferred=True)
    website: Mapped[str] = mapped_column(String(300), default="")
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.MEMBERS)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind), default=EventKind.MEETING)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    removed_at: Mapped[datetime | None]
    # The last import: when, what it did, and why it failed (empty when it did not).
    imported_at: Mapped[datetime | None]
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    left_out: Mapped[int] = mapped_column(default=0)  # events past the limits, not brought in
    error: Mapped[str] = mapped_column(String(500), default="")

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Person] = relationship()

    @property
    def from_file(self) -> bool:
        return not self.url
