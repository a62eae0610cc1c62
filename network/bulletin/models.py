"""An issue of the bulletin a week, and who was sent it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.core.time import now
from network.extensions import db


class BulletinIssue(db.Model):
    """One week's bulletin: built once, numbered in order. What it holds is read when it is
    sent or shown, as each reader may see it."""

    __tablename__ = "bulletin_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column(unique=True)  # the Monday of its week
    number: Mapped[int] = mapped_column(unique=True)
    built_at: Mapped[datetime] = mapped_column(default=now)


class BulletinDelivery(db.Model):
    """An issue sent to one person: written in the transaction that queues the email, so
    nobody gets the same issue twice, however often the command runs or wherever it stops."""

    __tablename__ = "bulletin_delivery"
    __table_args__ = (UniqueConstraint("issue_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("bulletin_issue.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_email.id"))
    queued_at: Mapped[datetime] = mapped_column(default=now)
