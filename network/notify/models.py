from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.core.db import enum_type
from network.core.time import now
from network.extensions import db


class Delivery(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    IN_APP = "in_app"  # the list on the site, no email

    @property
    def label(self) -> str:
        return str({Delivery.IMMEDIATELY: _l("Email me at once"),
                    Delivery.DAILY: _l("In a daily email"),
                    Delivery.WEEKLY: _l("In a weekly email"),
                    Delivery.IN_APP: _l("Only on the site")}[self])


class Notification(db.Model):
    """Something a person should know about, with a link to it."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_person_unread", "person_id", "read_at"),
                      Index("ix_notification_digest", "delivery", "emailed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))  # one line, from fixed words and titles
    # A person's own words that go with it (a reason, a note), line breaks and all: shown
    # under the subject and in the body of its email, never in a header.
    detail: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    read_at: Mapped[datetime | None]
    delivery: Mapped[Delivery] = mapped_column(enum_type(Delivery))
    emailed_at: Mapped[datetime | None]  # at once or in a digest; never twice


class NotificationSetting(db.Model):
    """A person's choice of delivery for one kind; without a row, the kind's default."""

    __tablename__ = "notification_setting"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_type(Delivery))
