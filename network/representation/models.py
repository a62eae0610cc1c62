"""Representation: the bodies the network sends representatives to (a strategic partnership
board, a health and wellbeing board), their seats, and who held each seat when.

Nothing is deleted: a body or a seat is archived; a seat's past terms stay on record.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.auth.models import Person
from network.core.audience import Audience
from network.core.db import enum_type
from network.core.text import slugify
from network.core.time import now, today
from network.extensions import db
from network.members.models import Area, Organisation, Theme

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
