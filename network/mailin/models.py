"""What reply by email keeps: each message received (so one delivered twice is handled once)
and the last explanation sent under each key (so one goes out an hour at most)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from network.core.time import now
from network.extensions import db


class ReceivedMail(db.Model):
    """One message received, by its Message-ID (or its content's hash when it has none),
    written in the transaction that posts it: a second delivery finds it and does nothing."""

    __tablename__ = "received_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=now)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    outcome: Mapped[str] = mapped_column(String(24))  # receiving.Outcome
    posted_path: Mapped[str | None] = mapped_column(String(300))


class MailNotice(db.Model):
    """When an explanation was last sent under a key: to an address not proven to be its
    person's, the address; to a proven sender, `#<person id>:<kind>` (receiving._notice_key),
    which holds no "@" and so is never an address."""

    __tablename__ = "mail_notice"

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    sent_at: Mapped[datetime]
