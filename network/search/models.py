"""One row per searchable object: its words as plain text, and what the results and filters
show. The full-text index over it is the database's own (engine.py): an FTS5 table on SQLite,
a weighted tsvector column with a GIN index on PostgreSQL, both made by the migration and
kept outside these models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.core.db import enum_type
from network.extensions import db

TITLE_MAX = 300


class Kind(StrEnum):
    THREAD = "thread"
    POST = "post"
    EVENT = "event"
    LISTING = "listing"
    REPORT = "report"
    ITEM = "item"
    ACTION = "action"
    ORGANISATION = "organisation"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.THREAD: _l("Forum thread"), Kind.POST: _l("Forum post"), Kind.EVENT: _l("Event"),
    Kind.LISTING: _l("Sharing board"), Kind.REPORT: _l("Report back"),
    Kind.ITEM: _l("Item raised"), Kind.ACTION: _l("Action"),
    Kind.ORGANISATION: _l("Organisation"),
}


class SearchDocument(db.Model):
    __tablename__ = "search_document"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_document_happened_at", "happened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind))
    object_id: Mapped[int]
    # The words searched (title weighs more than body), as plain text: Markdown reduced.
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # What a result is called when its title is not its own words (a post: its thread's).
    heading: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    # A state the result says beside its title ("cancelled"), or "".
    note: Mapped[str] = mapped_column(String(24), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    # For the address: a raised item's seat (it is shown on its seat's page).
    parent_id: Mapped[int | None]
    happened_at: Mapped[datetime]
