"""SQLite set up for a busy small server: WAL, foreign keys, busy timeout, IMMEDIATE writes."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from network.extensions import db
from network.members.models import Area
from tests.factories import PASSWORD


def test_pragmas(sqlite_app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_a_post_begins_immediate_and_a_get_begins_deferred(sqlite_app):
    from tests.factories import build_world

    world = build_world()
    client = sqlite_app.test_client()
    statements = []

    def listener(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            statements.append(statement)

    from sqlalchemy import event

    client.post("/login", data={"email": world.member.email, "password": PASSWORD})
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get("/dashboard")
        gets = list(statements)
        statements.clear()
        client.post("/account", data={"display_name": "New name"})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert gets and set(gets) == {"BEGIN"}
    assert statements and set(statements) == {"BEGIN IMMEDIATE"}


def test_concurrent_writers_wait_their_turn_instead_of_failing(sqlite_app):
    """Many requests writing at once: none fails with 'database is locked', none is lost."""
    from tests.factories import build_world

    world = build_world()
    clients = []
    for _ in range(8):
        client = sqlite_app.test_client()
        client.post("/login", data={"email": world.coordinator.email, "password": PASSWORD})
        clients.append(client)
    statuses = []

    def add_areas(client, worker):
        for n in range(5):
            response = client.post("/coordinate/areas", data={"name": f"Area {worker}-{n}"})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=add_areas, args=(c, i)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 40
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Area)) == 2 + 40
