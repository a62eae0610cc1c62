"""The archives people ask for, and the privacy page's versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.auth.models import Person
from network.core.time import now
from network.extensions import db


class DataExport(db.Model):
    """One request for one's own archive: a single-use link that expires (the token hashed)."""

    __tablename__ = "data_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()


class PrivacyNotice(db.Model):
    """One version of the privacy page, as a coordinator saved it: the newest is shown, and
    every earlier one is kept."""

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    created_by: Mapped[Person | None] = relationship()
