"""People, their login sessions, and the single-use tokens sent to them by email."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.db import enum_type
from network.core.time import now
from network.extensions import db

if TYPE_CHECKING:
    from network.members.models import Membership


class Role(StrEnum):
    """A person's role across the network; 'org contact' is held per organisation instead."""

    ASSOCIATE = "associate"
    MEMBER = "member"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ASSOCIATE: _l("Associate"),
    Role.MEMBER: _l("Member"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Admin"),
}


FORMER_MEMBER = _l("a former member")


class Person(UserMixin, db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.MEMBER)
    show_email_to_members: Mapped[bool] = mapped_column(default=False)
    suspended_at: Mapped[datetime | None]
    suspended_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_login_at: Mapped[datetime | None]
    # Raised to make every reply-by-email address sent to them so far stop working
    # (notify.replies): with their emailed links, and when they log out everywhere.
    reply_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The language they chose (a catalogue's code: "pl"); None lets the browser decide.
    locale: Mapped[str | None] = mapped_column(String(20))
    # Whether visitors see their name on public pages; otherwise "a member of <organisation>".
    name_public: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Closed by them or for them (privacy.closing): email, name and profile erased, no login.
    closed_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        primaryjoin="and_(Person.id == Membership.person_id, Membership.left_at.is_(None))",
        viewonly=True,
    )

    # The token of the login session this object was loaded through, and what was asked about
    # its person with it (auth.services.VIEWER_FACTS): set for the person asking only.
    session_token = None
    facts = None  # a dict, once loaded

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.suspended_at is None and self.closed_at is None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def name(self) -> str:
        """Their name as others see it when logged in: "a former member" once closed."""
        return str(FORMER_MEMBER) if self.closed_at is not None else self.display_name

    @property
    def is_coordinator(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_member(self) -> bool:
        """A full member: may post and add things for an organisation they belong to."""
        return self.role != Role.ASSOCIATE

    @cached_property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(m.organisation_id for m in self.memberships)

    @cached_property
    def contact_organisation_ids(self) -> frozenset[int]:
        return frozenset(m.organisation_id for m in self.memberships if m.is_contact)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


# What showing a person's name reads (core.names.who): for load_only on list pages, so no
# name costs a query of its own.
NAME_COLUMNS = (Person.display_name, Person.closed_at, Person.name_public)


class LoginSession(db.Model):
    """One login on one device: revoked at logout, suspension or password change."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 -- a purpose, not a password
    EMAIL_CHANGE = "email_change"
    # Sent to the old address with the notice of a change: stops it without logging in.
    EMAIL_CHANGE_CANCEL = "email_change_cancel"


class AccountToken(db.Model):
    """A link sent by email to a person who has an account: password reset, new address."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Ended unused: by a password reset or change, a suspension, or a newer email change.
    cancelled_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
