"""A disk that refuses writes, on SQLite (issue 23): a write gets a plain 503 page saying
nothing was saved, reading goes on, and nothing is half-written.

The fault is made on the connections the pool lends while it lasts, never on the machine:
`PRAGMA max_page_count` held at the database's size after a VACUUM (no free page left, so
SQLite answers SQLITE_FULL, "database or disk is full", as on a full disk), or `PRAGMA
query_only` (SQLITE_READONLY, as on a disk remounted read-only). Each connection has its
setting put back when it returns to the pool, so no later test meets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from network.extensions import db
from tests.factories import PASSWORD, build_world
from tests.test_backup import contents

KEY = "d" * 20  # a submission key, as the form carries


@contextmanager
def disk_refuses_writes(engine: sa.Engine, how: str) -> Iterator[None]:
    db.session.remove()  # the test's own connection back in the pool
    if how == "full":
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM")  # no free page left inside the file
            pages = raw.driver_connection.execute("PRAGMA page_count").fetchone()[0]
        finally:
            raw.close()
        pragma, value = "max_page_count", pages
    else:
        pragma, value = "query_only", 1

    def lent(dbapi_connection, record, proxy) -> None:
        record.info["before"] = dbapi_connection.execute(f"PRAGMA {pragma}").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA {pragma} = {value}")

    def returned(dbapi_connection, record) -> None:
        before = record.info.pop("before", None)
        if dbapi_connection is not None and before is not None:
            dbapi_connection.execute(f"PRAGMA {pragma} = {before}")

    sa.event.listen(engine, "checkout", lent)
    sa.event.listen(engine, "checkin", returned)
    try:
        yield
    finally:
        db.session.remove()
        sa.event.remove(engine, "checkout", lent)
        sa.event.remove(engine, "checkin", returned)


def settings() -> tuple:
    """The two settings as a connection from the pool has them."""
    db.session.remove()
    with db.engine.connect() as conn:
        return tuple(conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                     for name in ("query_only", "max_page_count"))


@pytest.mark.parametrize("how", ["full", "read-only"])
def test_a_write_to_a_disk_that_refuses_it_gets_a_plain_page_and_changes_nothing(
        sqlite_app, how):
    world = build_world()
    client = sqlite_app.test_client()
    assert client.post("/login", data={"email": world.member.email,
                                       "password": PASSWORD}).status_code == 303
    category, thread, title = world.category.id, world.thread.id, world.thread.title
    url = str(db.engine.url)
    # Larger than a page of the file: it needs pages the full disk cannot give.
    form = {"title": "Minibus to share", "body": "Ours seats sixteen. " * 600,
            "submission": KEY}
    before, usual = contents(url), settings()
    with disk_refuses_writes(db.engine, how):
        refused = client.post(f"/forum/c/{category}/new", data=form)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 503, page[:2000]
        assert refused.headers["Retry-After"] == "60"
        assert "The site cannot save anything right now" in page
        assert "Nothing was changed" in page and "Traceback" not in page
        client.set_cookie("lang", "pl")
        polish = client.post(f"/forum/c/{category}/new", data=form).get_data(as_text=True)
        assert "Strona nie może teraz niczego zapisać" in polish
        client.delete_cookie("lang")
        # Nothing half-written: every table as it was, row for row.
        assert contents(url) == before
        # Reading goes on (its bookkeeping, the read marker and the home page's visit, is
        # left unwritten when the disk refuses it).
        assert client.get("/").status_code == 200
        listing = client.get(f"/forum/c/{category}", follow_redirects=True)
        assert listing.status_code == 200 and title in listing.get_data(as_text=True)
        assert client.get(f"/forum/t/{thread}", follow_redirects=True).status_code == 200
        assert client.get("/dashboard").status_code == 200
    # The pool's connections have their settings back, and the same post now goes through.
    assert settings() == usual
    assert client.post(f"/forum/c/{category}/new", data=form).status_code == 303
