"""A search as one person sees it: each kind of document narrowed by its feature's own scope
(core.permissions: the rule its lists and pages use), then matched, counted and ranked among
what is left. Nothing else decides who sees what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import url_for
from markupsafe import Markup
from sqlalchemy import ColumnElement, False_, True_, and_, false, or_, select

from network.board.models import Listing
from network.calendar.models import Event
from network.core.pagination import Page
from network.core.permissions import seen_by
from network.core.text import slugify
from network.core.time import local_moment
from network.extensions import db
from network.forum.models import Post, Thread
from network.forum.policies import post_words_seen
from network.members.models import Organisation
from network.representation.models import Action, RaisedItem, Report
from network.search import engine
from network.search.models import Kind, SearchDocument
from network.search.query import Query
from network.search.text import marked

# Which rows of each kind a person may see: the feature's scope for its model (posts: the
# posts whose words they may read, which leaves out hidden posts' text).
SCOPES: dict[Kind, tuple[type, Callable]] = {
    Kind.THREAD: (Thread, lambda person: seen_by(Thread, person)),
    Kind.POST: (Post, post_words_seen),
    Kind.EVENT: (Event, lambda person: seen_by(Event, person)),
    Kind.LISTING: (Listing, lambda person: seen_by(Listing, person)),
    Kind.REPORT: (Report, lambda person: seen_by(Report, person)),
    Kind.ITEM: (RaisedItem, lambda person: seen_by(RaisedItem, person)),
    Kind.ACTION: (Action, lambda person: seen_by(Action, person)),
    Kind.ORGANISATION: (Organisation, lambda person: seen_by(Organisation, person)),
}

MAX_PAGE = 50  # 1,000 results: nobody reads further, and deep pages cost the most


def seen(person, kinds: tuple[Kind, ...]) -> ColumnElement[bool]:
    """The documents the person may see among these kinds: for each, those whose object
    passes its scope (none of a kind whose scope admits nothing, all of one that admits
    everything)."""
    each = []
    for kind in kinds:
        model, scope = SCOPES[kind]
        condition = scope(person)
        if isinstance(condition, False_):
            continue
        if isinstance(condition, True_):
            each.append(SearchDocument.kind == kind)
            continue
        # OFFSET 0 keeps PostgreSQL from turning this into a hash of every row the person
        # may see: it looks up each matched row's object by its key instead.
        each.append(and_(SearchDocument.kind == kind, select(model.id).where(
            model.id == SearchDocument.object_id, condition).offset(0).exists()))
    return or_(*each) if each else false()


@dataclass(frozen=True, slots=True)
class Filters:
    kind: Kind | None = None
    area_id: int | None = None
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found = []
        if self.area_id is not None:
            found.append(SearchDocument.area_id == self.area_id)
        if self.since is not None:
            found.append(SearchDocument.happened_at >= local_moment(self.since, time()))
        if self.until is not None:
            found.append(SearchDocument.happened_at
                         < local_moment(self.until + timedelta(days=1), time()))
        return found


@dataclass(frozen=True, slots=True)
class Result:
    kind: Kind
    object_id: int
    title: Markup
    snippet: Markup
    note: str
    organisation: str | None
    happened_at: datetime
    url: str


# Ranked among all matches up to this many; beyond it, among the POOL last written
# (docs/decisions.md: ranking every document a common word is in costs more than a search may
# take). A search's work grows with the pool (its three queries read, check and rank each
# of its documents): 500 is 25 pages of results, and holds a common word's search at 100,000
# posts to its cost at the demo's size.
POOL = 500


@dataclass(frozen=True, slots=True)
class Found:
    page: Page  # its total: what paging reaches (MAX_PAGE pages at most)
    total: int  # how many the person may see (of the POOL last written, when pooled)
    pooled: bool = False  # more than POOL matched


def search(query: Query, person, filters: Filters, page: int, per_page: int) -> Found:
    """One page of results, best first, and how many there are: two queries on SQLite,
    three on PostgreSQL (and the settings of a short query)."""
    items, total, pooled = _search(query, person, filters, page, per_page)
    reach = min(total, MAX_PAGE * per_page)
    return Found(Page(items=items, page=page, per_page=per_page, total=reach), total, pooled)


def _search(query: Query, person, filters: Filters, page: int,
            per_page: int) -> tuple[list[Result], int, bool]:
    kinds = tuple(kind for kind in ((filters.kind,) if filters.kind else tuple(Kind))
                  if not isinstance(SCOPES[kind][1](person), False_))
    if not kinds:
        return [], 0, False
    engine.prepare()
    match = engine.match(query, kinds)
    document = SearchDocument
    # The matches, last written first: all of them, or the POOL last written. SQLite checks
    # what the person may see as it walks them, so what they may not see never fills the
    # pool; PostgreSQL's planner makes that a walk of every match (p95 164 ms in
    # bench/search.py), so there the pool is of the newest matches, and what the person may
    # see is kept from it (docs/decisions.md).
    seen_first = (seen(person, kinds),) if not engine.postgres() else ()
    ids = list(db.session.execute(match.newest(
        POOL + 1, *filters.conditions(), *seen_first)).scalars())
    if not ids:
        return [], 0, False
    pooled, ids = len(ids) > POOL, ids[:POOL]
    if match.exact or not seen_first:  # a phrase on PostgreSQL: where its words stand too
        ids = list(db.session.execute(select(document.__table__.c.id).where(
            engine.one_of(document.id, ids), *match.exact,
            *(() if seen_first else (seen(person, kinds),)))).scalars())
    total = len(ids)
    if not total:
        return [], 0, pooled
    source, matched = ((match.source, (match.condition,)) if match.scored_by_match
                       else (document.__table__, ()))
    chosen = (select(document.id.label("id"), match.score.label("score"))
              .select_from(source).where(*matched, match.among(ids))
              .order_by(match.order, document.happened_at.desc(), document.id.desc())
              .limit(per_page).offset((page - 1) * per_page).cte("chosen"))
    ranked = chosen.c.score if match.order is match.score else chosen.c.score.desc()
    rows = db.session.execute(
        select(document.kind, document.object_id, document.title, document.heading,
               document.note, document.happened_at, document.parent_id,
               match.title(document.title).label("marked_title"),
               match.snippet(document.body).label("snippet"), Organisation.name)
        .select_from(match.marked(chosen, ids))
        .outerjoin(Organisation, Organisation.id == document.organisation_id)
        .where(*_again(match))
        .order_by(ranked, document.happened_at.desc(), document.id.desc())).all()
    return [_result(row) for row in rows], total, pooled


def _again(match) -> tuple:
    """SQLite's snippet() and highlight() need the MATCH in the query that calls them."""
    return () if engine.postgres() else (match.condition,)


def _result(row) -> Result:
    kind = Kind(row.kind)
    if kind == Kind.POST:
        title = Markup("{}").format(row.heading)
    else:
        title = marked(row.marked_title) or Markup("{}").format(row.title)
    return Result(kind=kind, object_id=row.object_id, title=title, snippet=marked(row.snippet),
                  note=row.note, organisation=row.name, happened_at=row.happened_at,
                  url=address(kind, row.object_id, row.title or row.heading, row.parent_id))


def address(kind: Kind, object_id: int, title: str, parent_id: int | None) -> str:
    slug = slugify(title)
    if kind == Kind.THREAD:
        return url_for("forum.thread", thread_id=object_id, slug=slug)
    if kind == Kind.POST:
        return url_for("forum.post", post_id=object_id)
    if kind == Kind.EVENT:
        return url_for("calendar.event", event_id=object_id, slug=slug)
    if kind == Kind.LISTING:
        return url_for("board.listing", listing_id=object_id, slug=slug)
    if kind == Kind.REPORT:
        return url_for("representation.report", report_id=object_id)
    if kind == Kind.ITEM:
        return url_for("representation.seat", seat_id=parent_id) + f"#i{object_id}"
    if kind == Kind.ACTION:
        return url_for("representation.action", action_id=object_id)
    return url_for("members.organisation", org_id=object_id, slug=slug)
