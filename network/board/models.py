"""The resource board: what organisations offer each other and what they ask for (rooms,
equipment, time, skills), the private conversations a reply opens, what was shared, and the
bookings of offers that can be booked (a hall, a minibus, a projector).

Nothing is deleted: a listing is matched, closed, left to expire or hidden by a coordinator
with a reason; a conversation keeps every message; a request is declined or withdrawn, a
booking cancelled.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.auth.models import Person
from network.core.db import enum_type
from network.core.text import slugify
from network.core.time import now, today
from network.extensions import db
from network.members.models import Area, Organisation

TITLE_MAX = 120
DESCRIPTION_MAX = 5000
MESSAGE_MAX = 5000
PURPOSE_MAX = 120
BOOKING_NOTE_MAX = 1000


class ListingKind(StrEnum):
    OFFER = "offer"
    REQUEST = "request"

    @property
    def label(self) -> str:
        return str(_l("Offer") if self == ListingKind.OFFER else _l("Request"))

    @property
    def other(self) -> ListingKind:
        return ListingKind.REQUEST if self == ListingKind.OFFER else ListingKind.OFFER


class Category(StrEnum):
    ROOMS = "rooms"
    EQUIPMENT = "equipment"
    ICT = "ict"
    PEOPLE = "people"
    SKILLS = "skills"
    TRAINING = "training"
    TRANSPORT = "transport"
    FUNDING = "funding"
    INFORMATION = "information"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    Category.ROOMS: _l("Rooms and premises"),
    Category.EQUIPMENT: _l("Equipment"),
    Category.ICT: _l("ICT and digital"),
    Category.PEOPLE: _l("Volunteers and staff time"),
    Category.SKILLS: _l("Skills and expertise"),
    Category.TRAINING: _l("Training"),
    Category.TRANSPORT: _l("Transport"),
    Category.FUNDING: _l("Funding and bids"),
    Category.INFORMATION: _l("Information"),
    Category.OTHER: _l("Other"),
}


class Urgency(StrEnum):
    WHENEVER = "whenever"
    SOON = "soon"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return str({Urgency.WHENEVER: _l("Whenever"), Urgency.SOON: _l("Soon"),
                    Urgency.URGENT: _l("Urgent")}[self])


class ListingStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"  # shared: with `matched_with`, counted in "shared this year"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str({ListingStatus.OPEN: _l("Open"), ListingStatus.MATCHED: _l("Matched"),
                    ListingStatus.CLOSED: _l("Closed")}[self])


class Listing(db.Model):
    """An offer or a request of one organisation's. It leaves the board when matched, closed,
    hidden or past `expires_on`, and stays on its organisation's page as history."""

    __tablename__ = "listing"
    __table_args__ = (
        Index("ix_listing_board", "status", "expires_on", "created_at"),
        Index("ix_listing_matching", "category", "kind", "status"),
        # the board's newest first, read in order and stopped at a page (not every open
        # listing sorted), and what was matched since a day ("shared this year")
        Index("ix_listing_newest", "status", "created_at", "id"),
        Index("ix_listing_settled", "status", "settled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[ListingKind] = mapped_column(enum_type(ListingKind))
    category: Mapped[Category] = mapped_column(enum_type(Category))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    available_from: Mapped[date | None]
    available_until: Mapped[date | None]
    urgency: Mapped[Urgency] = mapped_column(enum_type(Urgency), default=Urgency.WHENEVER)
    expires_on: Mapped[date]
    status: Mapped[ListingStatus] = mapped_column(enum_type(ListingStatus),
                                                  default=ListingStatus.OPEN)
    matched_with_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    settled_at: Mapped[datetime | None]  # matched or closed
    # The words it is matched on: its title's and description's, lower case, without the
    # commonest ("a", "the", "for"), space separated. Kept with the text.
    keywords: Mapped[str] = mapped_column(String(1000), default="")
    expiry_warned_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # An offer that can be booked, and its rules: on which weekdays ("0".."6", Monday first;
    # empty: any), between which times of day (in the borough), with how many days' notice,
    # and whether a free time is approved without its organisation answering.
    bookable: Mapped[bool] = mapped_column(default=False)
    book_days: Mapped[str] = mapped_column(String(7), default="")
    book_from: Mapped[time | None]
    book_until: Mapped[time | None]
    notice_days: Mapped[int] = mapped_column(default=0)
    auto_approve: Mapped[bool] = mapped_column(default=False)
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    matched_with: Mapped[Organisation | None] = relationship(foreign_keys=[matched_with_id])
    created_by: Mapped[Person] = relationship(foreign_keys=[created_by_id])
    area: Mapped[Area | None] = relationship()

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_on < today()

    @property
    def bookable_offer(self) -> bool:
        """A resource lent by the hour: what it shares is its bookings, never one match."""
        return self.bookable and self.kind == ListingKind.OFFER

    @property
    def takes_bookings(self) -> bool:
        """Bookable, open and not hidden: a closed one (and one marked matched before bookable
        offers were shared by their bookings) takes none; those approved stand."""
        return self.bookable_offer and not self.hidden and self.status == ListingStatus.OPEN


class Conversation(db.Model):
    """A reply to a listing: the listing's organisation and the replier's, privately (and the
    coordinators). One per listing and replying organisation."""

    __tablename__ = "listing_conversation"
    __table_args__ = (UniqueConstraint("listing_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_message_at: Mapped[datetime] = mapped_column(default=now)

    listing: Mapped[Listing] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Message(db.Model):
    __tablename__ = "listing_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("listing_conversation.id"),
                                                 index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(Text)
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    author: Mapped[Person] = relationship()
    conversation: Mapped[Conversation] = relationship()


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # approved, then called off by either side
    WITHDRAWN = "withdrawn"  # called off by the asking side while it waited for an answer

    @property
    def label(self) -> str:
        return str({BookingStatus.REQUESTED: _l("Waiting for an answer"),
                    BookingStatus.APPROVED: _l("Booked"),
                    BookingStatus.DECLINED: _l("Declined"),
                    BookingStatus.CANCELLED: _l("Cancelled"),
                    BookingStatus.WITHDRAWN: _l("Withdrawn")}[self])


class Booking(db.Model):
    """A time asked for on a bookable listing by one organisation. Approved bookings of one
    listing never overlap: approving locks the listing's row and looks first."""

    __tablename__ = "listing_booking"
    __table_args__ = (Index("ix_listing_booking_slots", "listing_id", "status", "starts_at"),
                      # bookings approved since a day ("shared this year")
                      Index("ix_listing_booking_decided", "status", "decided_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX))
    note: Mapped[str] = mapped_column(Text, default="")
    to_calendar: Mapped[bool] = mapped_column(default=False)  # the booker's wish
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))  # once approved
    status: Mapped[BookingStatus] = mapped_column(enum_type(BookingStatus),
                                                  default=BookingStatus.REQUESTED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]  # approved, declined, cancelled or withdrawn
    reason: Mapped[str] = mapped_column(String(500), default="")  # declined, called off
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    listing: Mapped[Listing] = relationship()
    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped[Person] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
