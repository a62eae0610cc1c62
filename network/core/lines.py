"""Lines of a summary page gathered from several features in one query.

A page that shows a few of many kinds of thing (the home page of what is new for me) asks
each feature's reads.py for a statement of its lines in one shape (`line`), and `gather`
runs them all as one UNION ALL, the first `limit` of each kind with how many there are in
all: one query however many kinds, and however many rows each has."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)

from network.core.db import UTCDateTime
from network.extensions import db


def line(kind: str, ref: Any, title: Any, *, order: Iterable[Any], sub: Any = None,
         at: Any = None, day: Any = None, note: Any = None) -> tuple:
    """The columns of one kind's lines: what it is (kind), the id its link needs (ref, and
    sub), a title, a moment or a day, a short note; its place in order, and how many in all."""
    return (literal(kind, String(20)).label("kind"), _typed(ref, Integer).label("ref"),
            _typed(sub, Integer).label("sub"), _typed(title, String(300)).label("title"),
            _typed(at, UTCDateTime).label("at"), _typed(day, Date).label("day"),
            _typed(note, String(40)).label("note"),
            func.row_number().over(order_by=list(order)).label("place"),
            func.count().over().label("total"))


def _typed(value: Any, kind: Any) -> Any:
    """A column of the shape: a missing one a NULL cast to its type (PostgreSQL matches the
    types of a UNION's columns), a present one only typed for Python (SQLite's CAST would
    make a moment a number)."""
    return cast(null(), kind) if value is None else type_coerce(value, kind)


@dataclass
class Line:
    kind: str
    ref: int
    sub: int | None
    title: str
    at: datetime | None
    day: date | None
    note: str | None


@dataclass
class Lines:
    """One kind's first lines, and how many there are in all."""

    items: list[Line] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def gather(statements: Iterable[Select], limit: int) -> dict[str, Lines]:
    """Run every kind's statement as one query: {kind: its first `limit` lines}."""
    parts = []
    for statement in statements:
        found = statement.subquery()
        parts.append(select(found).where(found.c.place <= limit))
    if not parts:
        return {}
    every = union_all(*parts).subquery()
    gathered: dict[str, Lines] = {}
    rows = db.session.execute(select(every).order_by(every.c.kind, every.c.place))
    for row in rows:
        lines = gathered.setdefault(row.kind, Lines(total=row.total))
        lines.items.append(Line(row.kind, row.ref, row.sub, row.title, row.at, row.day,
                                row.note))
    return gathered
