"""Since my last visit: a visit is a run of looks at the home page none more than an hour
apart; what is new is what came after the visit before this one ended.

Reading the home page notes the look, like the forum's read marker: bookkeeping of what the
person was shown, written on a connection of its own (docs/decisions.md, 2026-12-05)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from network.core.db import insert_for, write_aside
from network.core.time import now
from network.extensions import db
from network.home.models import Visit

VISIT_ENDS_AFTER = timedelta(hours=1)  # without a look at the home page
NOTED_EVERY = timedelta(minutes=5)  # a look within this of the last one is not written
FIRST_LOOK_BACK = timedelta(days=30)  # "new" on a first visit: the last month


@dataclass(frozen=True)
class Since:
    moment: datetime  # what is new came after this
    first: bool  # no visit before this one


def since_last_visit(person, moment: datetime | None = None) -> Since:
    """Where what is new starts for this person's visit under way, and the look noted."""
    moment = moment or now()
    visit = db.session.get(Visit, person.id)
    if visit is None:
        _note(person.id, started_at=moment, seen_at=moment, since=None, insert=True)
        return Since(moment - FIRST_LOOK_BACK, first=True)
    if moment - visit.seen_at > VISIT_ENDS_AFTER:  # a new visit: the last one ended then
        _note(person.id, started_at=moment, seen_at=moment, since=visit.seen_at)
        return Since(visit.seen_at, first=False)
    if moment - visit.seen_at >= NOTED_EVERY:
        _note(person.id, seen_at=moment)
    if visit.since is None:
        return Since(visit.started_at - FIRST_LOOK_BACK, first=True)
    return Since(visit.since, first=False)


def _note(person_id: int, *, insert: bool = False, **values) -> None:
    """The one write this GET makes, aside from the page's own reading (core.db.write_aside,
    as the forum's read marker; left unwritten on a disk that refuses writes). Two first looks
    at once: one row."""
    if insert:
        write_aside(db.engine, insert_for(db.engine, Visit).values(person_id=person_id, **values)
                    .on_conflict_do_nothing(index_elements=[Visit.person_id]))
    else:
        write_aside(db.engine, update(Visit).where(Visit.person_id == person_id)
                    .values(**values))
