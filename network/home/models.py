"""A person's visits to their home page of what is new: where "since my last visit" starts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db


class Visit(db.Model):
    """One row per person: the visit under way (its first and latest look at the home
    page) and when the one before it ended. A visit ends after an hour without a look."""

    __tablename__ = "home_visit"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
    since: Mapped[datetime | None]  # the end of the visit before; None on the first
