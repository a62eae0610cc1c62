"""The one module that knows which database does the searching.

SQLite: `search_fts`, an FTS5 table over search_document's title and body (external content,
kept by triggers; unicode61 with diacritics removed), ranked by bm25 with the title weighing
ten times the body. PostgreSQL: `search_document.search_vector`, a generated tsvector (title
weight A, body B, the 'simple' configuration: no stemming, no stop words, as FTS5) with a GIN
index, ranked by ts_rank_cd. Both made by the migration, outside the models. Ties: newer
first."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, FromClause, func, literal, literal_column, table, text
from sqlalchemy.dialects import postgresql, sqlite

from network.core.db import UNMODELLED
from network.extensions import db
from network.search.models import SearchDocument
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


@dataclass(frozen=True)
class Match:
    """A query, said in the database's own terms: what search_document is matched through,
    the condition, the order (best first, then newer first), and the marked title and
    snippet of a matched row."""

    source: FromClause
    condition: ColumnElement[bool]
    order: tuple
    title: Callable[[Any], ColumnElement[str]]
    snippet: Callable[[Any], ColumnElement[str]]


def match(query: Query) -> Match:
    if postgres():
        tsquery = func.to_tsquery(_SIMPLE, query.tsquery())
        score = func.ts_rank_cd(_vector, tsquery)
        return Match(
            source=SearchDocument.__table__, condition=_vector.op("@@")(tsquery),
            order=(score.desc(), SearchDocument.happened_at.desc(), SearchDocument.id.desc()),
            title=lambda title: func.ts_headline(_SIMPLE, title, tsquery, _TITLE_HEADLINE),
            snippet=lambda body: func.ts_headline(_SIMPLE, body, tsquery, _HEADLINE))
    score = func.bm25(_fts_name, 10.0, 1.0)  # lower is better
    return Match(
        source=_fts.join(SearchDocument.__table__, SearchDocument.id == _fts.c.rowid),
        condition=_fts_name.op("MATCH")(query.fts5()),
        order=(score, SearchDocument.happened_at.desc(), SearchDocument.id.desc()),
        title=lambda title: func.highlight(_fts_name, 0, START, STOP),
        snippet=lambda body: func.snippet(_fts_name, 1, START, STOP, "…", SNIPPET_WORDS))


def upsert(rows: list[dict]) -> Any:
    """An INSERT of documents that replaces the one already there for the same object."""
    dialect = postgresql if postgres() else sqlite
    statement = dialect.insert(SearchDocument.__table__)
    return statement.on_conflict_do_update(
        index_elements=["kind", "object_id"],
        set_={name: statement.excluded[name] for name in rows[0]
              if name not in ("kind", "object_id")})


def optimise() -> None:
    """After a rebuild: FTS5 merges its segments into one (PostgreSQL's GIN needs nothing)."""
    if not postgres():
        db.session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
