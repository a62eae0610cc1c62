"""Keeping the documents current: in the same transaction as the write that changes an
object's words or state, without any service knowing. A session listener (after each flush)
writes the document of every indexed object the flush added, changed in a way search shows, or
deleted; `rebuild()` writes them all, for a database that held objects before search."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import delete, event, func, inspect, select, update
from sqlalchemy.orm import Session, joinedload

from network.board.models import Listing, ListingStatus
from network.calendar.models import Event
from network.extensions import db
from network.forum.models import Post, PostState, Thread
from network.members.models import Organisation
from network.representation.models import (
    Action,
    Body,
    RaisedItem,
    Report,
    ReportState,
    Seat,
)
from network.search import engine
from network.search.models import TITLE_MAX, Kind, SearchDocument
from network.search.text import clean, joined, plain


def _document(kind: Kind, obj, title: str, body: str, happened_at: datetime, *,
              heading: str = "", note: str = "", organisation_id: int | None = None,
              area_id: int | None = None, parent_id: int | None = None) -> dict:
    return {"kind": kind, "object_id": obj.id, "title": clean(title)[:TITLE_MAX],
            "body": body, "heading": clean(heading)[:TITLE_MAX], "note": note,
            "organisation_id": organisation_id, "area_id": area_id, "parent_id": parent_id,
            "happened_at": happened_at}


def _one(obj, relation: str, model: type, foreign_key: str):
    """A related row: the relationship if it is set, else by its key (an object added with
    its key alone has no relationship loaded in the flush that writes it)."""
    return getattr(obj, relation) or db.session.get(model, getattr(obj, foreign_key))


def _day(value) -> datetime:
    return datetime.combine(value, time(12), tzinfo=UTC)


def thread_document(thread: Thread) -> dict:
    # Its title alone: its words are its posts', each a document that its own state hides.
    return _document(Kind.THREAD, thread, thread.title, "", thread.created_at,
                     organisation_id=thread.organisation_id,
                     note="held" if thread.held else "")


def post_document(post: Post) -> dict:
    return _document(Kind.POST, post, "", plain(post.body), post.created_at,
                     heading=_one(post, "thread", Thread, "thread_id").title,
                     organisation_id=post.organisation_id,
                     note="" if post.state == PostState.VISIBLE else str(post.state))


def event_document(found: Event) -> dict:
    return _document(Kind.EVENT, found, found.title,
                     joined(plain(found.description), found.place, found.access_note),
                     found.starts_at, organisation_id=found.organisation_id,
                     area_id=found.area_id, note="cancelled" if found.cancelled_at else "")


def listing_document(listing: Listing) -> dict:
    note = "hidden" if listing.hidden_at else (
        "" if listing.status == ListingStatus.OPEN else str(listing.status))
    return _document(Kind.LISTING, listing, listing.title,
                     plain(listing.description), listing.created_at,
                     organisation_id=listing.organisation_id, area_id=listing.area_id,
                     note=note)


def report_title(seat: Seat) -> str:
    return f"{seat.title}: {seat.body.name}"


def report_document(report: Report) -> dict:
    seat = _one(report, "seat", Seat, "seat_id")
    return _document(Kind.REPORT, report, report_title(seat),
                     joined(plain(report.summary), plain(report.decisions), plain(report.said)),
                     report.meeting_at,
                     note="draft" if report.state == ReportState.DRAFT else "")


def item_document(item: RaisedItem) -> dict:
    return _document(Kind.ITEM, item, item.title, joined(plain(item.body), plain(item.reply)),
                     item.created_at, organisation_id=item.organisation_id,
                     parent_id=item.seat_id)


def action_document(action: Action) -> dict:
    return _document(Kind.ACTION, action, action.what, clean(action.owner),
                     _day(action.due_on), note=str(action.status))


def organisation_document(org: Organisation) -> dict:
    return _document(Kind.ORGANISATION, org, org.name,
                     joined(plain(org.description), plain(org.contribution)),
                     org.approved_at or org.created_at, area_id=org.area_id)


# model: (its kind, its document, the attributes whose change changes the document,
#         what a rebuild loads with each)
INDEXED: dict[type, tuple[Kind, Callable[[Any], dict], frozenset[str], tuple]] = {
    Thread: (Kind.THREAD, thread_document, frozenset({"title", "held", "organisation_id"}),
             ()),
    Post: (Kind.POST, post_document, frozenset({"body", "state", "organisation_id"}),
           (joinedload(Post.thread).load_only(Thread.title),)),
    Event: (Kind.EVENT, event_document, frozenset({
        "title", "description", "place", "access_note", "starts_at", "cancelled_at",
        "organisation_id", "area_id"}), ()),
    Listing: (Kind.LISTING, listing_document, frozenset({
        "title", "description", "hidden_at", "status", "organisation_id",
        "area_id"}), ()),
    Report: (Kind.REPORT, report_document, frozenset({
        "summary", "decisions", "said", "state", "meeting_at", "seat_id"}),
        (joinedload(Report.seat).joinedload(Seat.body),)),
    RaisedItem: (Kind.ITEM, item_document, frozenset({
        "title", "body", "reply", "organisation_id", "seat_id"}), ()),
    Action: (Kind.ACTION, action_document, frozenset({"what", "owner", "status", "due_on"}),
             ()),
    Organisation: (Kind.ORGANISATION, organisation_document, frozenset({
        "name", "description", "contribution", "area_id", "approved_at"}), ()),
}


def _changed(obj, attributes: frozenset[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


@event.listens_for(Session, "after_flush")
def _keep_current(session: Session, flush_context) -> None:
    """Write the documents of what this flush changed, on the flush's own connection."""
    rows: list[dict] = []
    gone: list[tuple[Kind, int]] = []
    renamed: list[Thread] = []
    for obj in (*session.new, *session.dirty):
        found = INDEXED.get(type(obj))
        if found is None or obj.id is None:
            continue
        kind, document, attributes, _ = found
        if obj in session.new or _changed(obj, attributes):
            rows.append(document(obj))
            if kind == Kind.THREAD and obj not in session.new and _changed(obj, {"title"}):
                renamed.append(obj)
    # A report is found under its seat's and body's names: renaming either renames them.
    retitled = [seat for seat in session.dirty
                if isinstance(seat, Seat) and _changed(seat, frozenset({"title"}))]
    retitled += [seat for body in session.dirty
                 if isinstance(body, Body) and _changed(body, frozenset({"name"}))
                 for seat in body.seats]
    for obj in session.deleted:
        if (found := INDEXED.get(type(obj))) is not None:
            gone.append((found[0], obj.id))
    if not (rows or gone or renamed or retitled):
        return
    connection = session.connection()
    if rows:
        connection.execute(engine.upsert(rows), rows)
    for kind, object_id in gone:
        connection.execute(delete(SearchDocument).where(SearchDocument.kind == kind,
                                                        SearchDocument.object_id == object_id))
    for thread in renamed:  # its posts are found under its title
        connection.execute(update(SearchDocument).where(
            SearchDocument.kind == Kind.POST,
            SearchDocument.object_id.in_(select(Post.id).where(Post.thread_id == thread.id)))
            .values(heading=clean(thread.title)[:TITLE_MAX]))
    for seat in retitled:
        connection.execute(update(SearchDocument).where(
            SearchDocument.kind == Kind.REPORT,
            SearchDocument.object_id.in_(select(Report.id).where(Report.seat_id == seat.id)))
            .values(title=clean(report_title(seat))[:TITLE_MAX]))


BATCH = 1000

# When each kind of object happened, in SQL (as its document's happened_at): a rebuild writes
# the documents oldest first, so that their ids follow time as those written day by day do.
WHEN = {Thread: Thread.created_at, Post: Post.created_at, Event: Event.starts_at,
        Listing: Listing.created_at, Report: Report.meeting_at,
        RaisedItem: RaisedItem.created_at, Action: Action.due_on,
        Organisation: func.coalesce(Organisation.approved_at, Organisation.created_at)}


def _moment(value) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):  # SQLite gives coalesce() back as text
        value = datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return _day(value)


def rebuild(kinds: Iterable[type] | None = None) -> dict[str, int]:
    """Every document written afresh from its object, oldest first (in the caller's
    transaction): {kind: how many}."""
    models = list(kinds or INDEXED)
    timeline = sorted((_moment(when), order, object_id)
                      for order, model in enumerate(models)
                      for when, object_id in db.session.execute(select(WHEN[model], model.id)))
    counts = {str(INDEXED[model][0]): 0 for model in models}
    for model in models:
        db.session.execute(delete(SearchDocument).where(
            SearchDocument.kind == INDEXED[model][0]))
    session = db.session()
    kept = set(session.identity_map.keys())
    for start in range(0, len(timeline), BATCH):
        batch = timeline[start:start + BATCH]
        loaded = {}
        for order, model in enumerate(models):
            ids = [object_id for _, of, object_id in batch if of == order]
            if ids:
                options = INDEXED[model][3]
                loaded.update({(order, obj.id): obj for obj in db.session.scalars(
                    select(model).options(*options).where(model.id.in_(ids)))})
        rows = [INDEXED[models[order]][1](loaded[order, object_id])
                for _, order, object_id in batch]
        db.session.execute(engine.upsert(rows), rows)
        for row in rows:
            counts[str(row["kind"])] += 1
        for key, obj in list(session.identity_map.items()):
            if key not in kept:
                session.expunge(obj)
    engine.optimise()
    return counts
