"""The sharing board reads a page of its open listings, not all of them (issue 23): each query
the page runs over listings and bookings finds its rows by an index (no scan of the table) and
reads the newest in the index's order (no sort of every open listing before the page's 20).
Plans, not times: on PostgreSQL with scans and sorts priced out, as a table of thousands
would price them; on SQLite as its planner chooses."""

from __future__ import annotations

import sqlalchemy as sa

from network.extensions import db

BIG_TABLES = ("listing", "listing_booking")


def page_statements(client, path: str) -> list[tuple[str, object]]:
    """The statements (with their parameters) a request for `path` runs over the big tables."""
    ran: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and any(
                f"FROM {table}" in statement or f"JOIN {table}" in statement
                for table in BIG_TABLES):
            ran.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return ran


def plan(statement: str, parameters) -> str:
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(row[-1] for row in rows)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql("SET LOCAL enable_sort = off")
        conn.exec_driver_sql("SET LOCAL enable_hashjoin = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in rows)


def scans_a_big_table(text: str) -> bool:
    return any(f"Seq Scan on {table} " in text or f"SCAN {table}\n" in text + "\n"
               or f"SCAN {table} " in text + " " for table in BIG_TABLES)


def test_the_boards_queries_read_by_index_and_sort_nothing(client, world, login):
    login(world.member)
    ran = page_statements(client, "/board")
    plans = {statement: plan(statement, parameters) for statement, parameters in ran}
    assert len(plans) >= 3, list(plans)  # the page, its count, what was shared this year
    for statement, text in plans.items():
        assert not scans_a_big_table(text), f"{statement}\n{text}"
    if db.engine.dialect.name == "postgresql":  # (SQLite, with no statistics, prefers the
        # range of ix_listing_board and sorts what it finds: see docs/decisions.md)
        page = next(text for statement, text in plans.items()
                    if "ORDER BY listing.created_at DESC" in statement)
        assert "ix_listing_newest" in page and "Sort" not in page, page
    shared_statement, shared = next(
        (statement, text) for statement, text in plans.items() if "settled_at >=" in statement)
    # each booking's owner by its key: a join let PostgreSQL hash every listing to match them
    assert "JOIN listing" not in shared_statement, shared_statement
    assert "ix_listing_settled" in shared and "ix_listing_booking_decided" in shared, shared


def test_a_listings_page_looks_its_rows_listing_up_not_all_its_organisations(
        client, world, login):
    """Whose conversations and bookings one reads is asked of each row's listing (EXISTS), not
    by listing every listing of one's organisations (IN (SELECT ...)): PostgreSQL read all of
    them, hundreds at a large size, for the few rows of one listing's page."""
    from network.board.models import Listing

    login(world.member)
    listing = db.session.scalar(sa.select(Listing).where(
        Listing.organisation_id == world.org_a.id).order_by(Listing.id).limit(1))
    response = client.get(f"/board/l/{listing.id}", follow_redirects=True)
    assert response.status_code == 200
    ran = page_statements(client, response.request.path)
    assert ran and not [statement for statement, _ in ran
                        if "IN (SELECT listing.id" in statement], ran
