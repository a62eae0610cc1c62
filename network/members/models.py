"""Member organisations, who belongs to them, how they join, and their areas and themes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.auth.models import Person
from network.core.db import enum_type
from network.core.text import slugify
from network.core.time import now
from network.extensions import db


def name_key(name: str) -> str:
    """What two names must not share: case, accents, spacing and punctuation ignored."""
    return slugify(name)


class OrgKind(StrEnum):
    COMMUNITY_GROUP = "community_group"
    VOLUNTARY_ORGANISATION = "voluntary_organisation"
    CO_OP = "co_op"
    SOCIAL_ENTERPRISE = "social_enterprise"
    SMALL_BUSINESS = "small_business"
    SOLE_TRADER = "sole_trader"
    STATUTORY_PARTNER = "statutory_partner"

    @property
    def label(self) -> str:
        return str(ORG_KIND_LABELS[self])


ORG_KIND_LABELS = {
    OrgKind.COMMUNITY_GROUP: _l("Community group"),
    OrgKind.VOLUNTARY_ORGANISATION: _l("Voluntary organisation"),
    OrgKind.CO_OP: _l("Co-operative"),
    OrgKind.SOCIAL_ENTERPRISE: _l("Social enterprise"),
    OrgKind.SMALL_BUSINESS: _l("Small business"),
    OrgKind.SOLE_TRADER: _l("Sole trader"),
    OrgKind.STATUTORY_PARTNER: _l("Statutory partner"),
}


class OrgStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    DECLINED = "declined"
    SUSPENDED = "suspended"
    LEFT = "left"

    @property
    def label(self) -> str:
        return str(ORG_STATUS_LABELS[self])


ORG_STATUS_LABELS = {
    OrgStatus.APPLIED: _l("Applied"),
    OrgStatus.APPROVED: _l("Member"),
    OrgStatus.DECLINED: _l("Declined"),
    OrgStatus.SUSPENDED: _l("Suspended"),
    OrgStatus.LEFT: _l("Left"),
}


class ListEntryMixin:
    """A coordinator-managed list entry (an area, a theme): retired, never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    archived_at: Mapped[datetime | None]

    @property
    def slug(self) -> str:
        return slugify(self.name)


class Area(ListEntryMixin, db.Model):
    """A neighbourhood partnership area."""

    __tablename__ = "area"


class Theme(ListEntryMixin, db.Model):
    """A field of work: health, housing, youth, safety, environment..."""

    __tablename__ = "theme"


organisation_theme = Table(
    "organisation_theme",
    db.Model.metadata,
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id"), primary_key=True, index=True),
)


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        # A declined application frees its name for another try.
        Index(
            "uq_organisation_name_key_live",
            "name_key",
            unique=True,
            sqlite_where=text("status != 'declined'"),
            postgresql_where=text("status != 'declined'"),
        ),
        Index("ix_organisation_listing", "status", "name"),  # the directory, by name
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    contribution: Mapped[str] = mapped_column(Text, default="")
    governing_document: Mapped[str] = mapped_column(String(300), default="")
    registered_number: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    public_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[OrgStatus] = mapped_column(enum_type(OrgStatus), default=OrgStatus.APPLIED,
                                              index=True)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    mou_agreed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    approved_at: Mapped[datetime | None]
    confirmed_active_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    area: Mapped[Area | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=organisation_theme,
                                               order_by="Theme.name")
    memberships: Mapped[list[Membership]] = relationship(
        primaryjoin="and_(Organisation.id == Membership.organisation_id, "
        "Membership.left_at.is_(None))",
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def slug(self) -> str:
        return slugify(self.name)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r} {self.status}>"


class Membership(db.Model):
    """A person in an organisation; removal sets left_at, so the record stays."""

    __tablename__ = "membership"
    __table_args__ = (
        Index(
            "uq_membership_current",
            "person_id",
            "organisation_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_contact: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=now)
    left_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    organisation: Mapped[Organisation] = relationship()


class Application(db.Model):
    """An organisation's application to join, and the coordinator's decision on it."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    contact_name: Mapped[str] = mapped_column(String(80))
    contact_email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=now, index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decision_reason: Mapped[str] = mapped_column(String(1000), default="")
    # The language they applied in: the coordinator's answer is written in it.
    locale: Mapped[str | None] = mapped_column(String(20))

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])


class Invitation(db.Model):
    """An emailed link to join an organisation; works once, until it expires."""

    __tablename__ = "invitation"
    __table_args__ = (
        Index(
            "uq_invitation_pending",
            "organisation_id",
            "email",
            unique=True,
            sqlite_where=text("accepted_at IS NULL AND cancelled_at IS NULL"),
            postgresql_where=text("accepted_at IS NULL AND cancelled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(80), default="")
    as_contact: Mapped[bool] = mapped_column(default=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    invited_by: Mapped[Person | None] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > now
