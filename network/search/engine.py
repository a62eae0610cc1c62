"""The one module that knows which database does the searching.

SQLite: `search_fts`, an FTS5 table over search_document's title, body and kind (external
content, kept by triggers; unicode61 with diacritics removed), ranked by bm25 with the title
weighing ten times the body. PostgreSQL: `search_document.search_vector`, a generated tsvector
(title weight A, body B, the 'simple' configuration: no stemming, no stop words, as FTS5) with
a GIN index, ranked by ts_rank_cd. Both made by the migration, outside the models.

Each matches among the kinds asked for (the index knows each document's kind); searching.py
narrows the matches to what the person may see, and chooses which to rank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    and_,
    any_,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql

from network.core.db import UNMODELLED, insert_for
from network.extensions import db
from network.search.models import Kind, SearchDocument
from network.search.query import Query
from network.search.text import START, STOP

FTS_TABLE = "search_fts"
VECTOR = "search_vector"
UNMODELLED.update({FTS_TABLE, VECTOR, "ix_search_document_vector"})

SNIPPET_WORDS = 24
_fts = table(FTS_TABLE, literal_column("rowid"))
_fts_name = literal_column(FTS_TABLE)
_vector = literal_column(f"search_document.{VECTOR}")
_SIMPLE = literal("simple").cast(postgresql.REGCONFIG)
_HEADLINE = (f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
             "MaxFragments=2, FragmentDelimiter=\" … \"")
_TITLE_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"


def postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def one_of(column, ids: list[int]) -> ColumnElement[bool]:
    """column among these ids. On PostgreSQL one array parameter: hundreds of parameters cost more
    to write into the query and bind than the query takes. SQLite binds them quickly, and looks
    each up by its key (it would scan the table for a JSON list's)."""
    if postgres():
        return column == any_(literal(ids, postgresql.ARRAY(Integer)))
    return column.in_(ids)


@dataclass(frozen=True)
class Match:
    """A query among some kinds, said in the database's own terms.

    source/condition: search_document and what it is matched through, and the match (the
    condition must be in any query that reads score, title or snippet); score: a matched row's
    relevance, `order` its order, best first; title/snippet: a matched row's title and body
    with the words found marked; scored_by_match: the score needs the match in its query
    (FTS5's bm25), or is read off the row (ts_rank_cd). newest(limit, *conditions): the ids of
    the last written matching documents (ids follow writing; a rebuild writes oldest first);
    among(ids): a matched row is one of them."""

    source: FromClause
    condition: ColumnElement[bool]
    score: ColumnElement[Any]
    order: Any
    scored_by_match: bool
    newest: Callable[..., Any]  # (limit, *conditions): the ids of the last written matches
    among: Callable[[list[int]], ColumnElement[bool]]  # a row is one of these documents
    exact: tuple  # the condition newest() left to check on the ids it gave, if any
    marked: Callable[[Any, list[int]], FromClause]  # (chosen, ids): what the chosen's marks
    # are read from
    title: Callable[[Any], ColumnElement[str]]
    snippet: Callable[[Any], ColumnElement[str]]


def match(query: Query, kinds: tuple[Kind, ...]) -> Match:
    if postgres():
        return _postgres(query, kinds)
    # The person's words are looked for in the title and body alone; the kind column keeps
    # the match to the kinds asked for (its values are our own words).
    expression = "({title body} : (" + query.fts5() + "))"
    if set(kinds) != set(Kind):  # a kind clause costs as much as the words
        expression += " AND (kind : (" + " OR ".join(f'"{kind.value}"' for kind in kinds) + "))"
    condition = _fts_name.op("MATCH")(expression)
    score = func.bm25(_fts_name, 10.0, 1.0, 0.0)  # lower is better
    return Match(
        source=_fts.join(SearchDocument.__table__, SearchDocument.id == _fts.c.rowid),
        condition=condition, score=score, order=score,
        scored_by_match=True,
        # FTS5 walks its matches backwards by rowid for nothing; `rowid + 0` keeps FTS5 from
        # looking each id up with the whole query again (it only filters the walk).
        newest=lambda limit, *conditions: select(_fts.c.rowid).select_from(
            _fts.join(SearchDocument.__table__, SearchDocument.id == _fts.c.rowid))
        .where(condition, *conditions).order_by(_fts.c.rowid.desc()).limit(limit),
        # A rowid range FTS5 walks alone, then the ids within it.
        among=lambda ids: and_(_fts.c.rowid >= min(ids), one_of(_fts.c.rowid + 0, ids)),
        exact=(),
        # The chosen first, then their documents: not every match's document read.
        marked=lambda chosen, ids: _fts.join(chosen, and_(chosen.c.id == _fts.c.rowid + 0,
                                                          _fts.c.rowid >= min(ids)))
        .join(SearchDocument.__table__, SearchDocument.id == chosen.c.id),
        title=lambda title: func.highlight(_fts_name, 0, START, STOP),
        snippet=lambda body: func.snippet(_fts_name, 1, START, STOP, "…", SNIPPET_WORDS))


def _postgres(query: Query, kinds: tuple[Kind, ...]) -> Match:
    tsquery = func.to_tsquery(_SIMPLE, query.tsquery())
    condition = _vector.op("@@")(tsquery) & SearchDocument.kind.in_(kinds)
    # Where the words are in a row (a phrase) is not in the GIN index: every row holding the
    # words would be read to check. The newest are found by the words alone, then checked.
    loose = (_vector.op("@@")(func.to_tsquery(_SIMPLE, query.tsquery(loose=True)))
             & SearchDocument.kind.in_(kinds)) if query.phrases else condition
    score = func.ts_rank_cd(_vector, tsquery)
    return Match(
        source=SearchDocument.__table__, condition=condition, score=score,
        order=score.desc(), scored_by_match=False,
        newest=lambda limit, *conditions: select(SearchDocument.id)
        .where(loose, *conditions).order_by(SearchDocument.id.desc()).limit(limit),
        exact=(condition,) if query.phrases else (),
        among=lambda ids: one_of(SearchDocument.id, ids),
        marked=lambda chosen, ids: SearchDocument.__table__.join(
            chosen, chosen.c.id == SearchDocument.id),
        title=lambda title: func.ts_headline(_SIMPLE, title, tsquery, _TITLE_HEADLINE),
        snippet=lambda body: func.ts_headline(_SIMPLE, body, tsquery, _HEADLINE))


def prepare() -> None:
    """PostgreSQL, for the searches of this transaction: no JIT compiling and no parallel
    workers, each of which costs a short query more (50 to 100 ms) than it saves."""
    if postgres():
        db.session.execute(text("SET LOCAL jit = off; "
                                "SET LOCAL max_parallel_workers_per_gather = 0"))


def upsert(rows: list[dict]) -> Any:
    """An INSERT of documents that replaces the one already there for the same object."""
    statement = insert_for(db.engine, SearchDocument.__table__)
    return statement.on_conflict_do_update(
        index_elements=["kind", "object_id"],
        set_={name: statement.excluded[name] for name in rows[0]
              if name not in ("kind", "object_id")})


def optimise() -> None:
    """After a rebuild: FTS5 merges its segments into one (PostgreSQL's GIN needs nothing)."""
    if not postgres():
        db.session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
