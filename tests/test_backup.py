"""`flask backup` while writes go on, and `flask restore` (issue 23), on SQLite and PostgreSQL.

A writer on a connection of its own commits transactions of three rows in three tables (a
person, their audit entry, an email to them) while the backup is taken. The backup, restored
into a fresh database, holds each writer transaction whole or not at all, and the ones it
holds are the first m in order: a copy of the database at one moment. Every table of it
(count and checksum of its rows) equals the source's as it stood at that moment. A backup
taken at rest restores exactly: every table, and PostgreSQL's sequences, equal the source's.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.pool import NullPool

from network import create_app
from network.config import TestConfig
from network.extensions import db
from tests.conftest import IN_CI
from tests.factories import add_states, build_world

WRITER = re.compile(r"^Writer (\d+)$")


def invoke(app, *args: str, input: str | None = None):
    """A `flask` command run against `app` (outside the test's own app context)."""
    db.session.rollback()
    runner = app.test_cli_runner()
    return contextvars.Context().run(runner.invoke, args=list(args), input=input)


def contents(url: str, leave_out: Callable[[tuple], bool] = lambda row: False,
             sequences: bool = True) -> dict[str, tuple[int, str]]:
    """Every table's (row count, SHA-256 of its rows in a fixed order), rows for which
    `leave_out` is true left out; PostgreSQL's sequences as one more entry. Read on a
    connection of its own, the test's session's transaction ended first (on SQLite it holds
    the write lock: outside a request every transaction begins IMMEDIATE)."""
    if has_app_context():
        db.session.rollback()
    engine = sa.create_engine(url, poolclass=NullPool)
    found: dict[str, tuple[int, str]] = {}
    try:
        with engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names():
                rows = sorted(repr(tuple(row)) for row in
                              conn.exec_driver_sql(f'SELECT * FROM "{table}"')
                              if not leave_out(tuple(row)))
                found[table] = (len(rows), hashlib.sha256("\n".join(rows).encode())
                                .hexdigest())
            if sequences and engine.dialect.name == "postgresql":
                found["(sequences)"] = (0, repr(conn.execute(sa.text(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = 'public' ORDER BY sequencename")).all()))
    finally:
        engine.dispose()
    return found


def batches(url: str) -> dict[str, list[int]]:
    """The writer's transactions found in each of its three tables, in order."""
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        found = {table: sorted(int(WRITER.match(name)[1]) for name in conn.scalars(sa.text(
            f"SELECT {column} FROM {table} WHERE {column} LIKE 'Writer %'")))
            for table, column in (("person", "display_name"), ("audit_entry", "summary"),
                                  ("outbox_email", "subject"))}
    engine.dispose()
    return found


class Writer(threading.Thread):
    """Commits `Writer n` transactions of three rows each until told to stop."""

    LIMIT = 100_000

    def __init__(self, url: str) -> None:
        super().__init__(name="writer", daemon=True)
        self.engine = sa.create_engine(url, poolclass=NullPool)
        self.committed = 0
        self.going = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.engine.connect() as conn:
                for n in range(1, self.LIMIT):
                    if self.stop.is_set():
                        return
                    with conn.begin():
                        self.write(conn, n)
                    self.committed = n
                    if n == 5:
                        self.going.set()
        except BaseException as error:  # noqa: BLE001 -- the test reports it
            self.error = error
            self.going.set()
        finally:
            self.engine.dispose()

    @staticmethod
    def write(conn, n: int) -> None:
        name = f"Writer {n}"
        person = conn.scalar(sa.text(
            "INSERT INTO person (email, display_name, password_hash, role, "
            "show_email_to_members, created_at, reply_generation) VALUES "
            "(:email, :name, 'x', 'member', false, CURRENT_TIMESTAMP, 0) RETURNING id"),
            {"email": f"writer{n}@example.org", "name": name})
        conn.execute(sa.text(
            "INSERT INTO audit_entry (at, actor_id, action, target_type, target_id, summary, "
            "details) VALUES (CURRENT_TIMESTAMP, :id, 'writer.batch', 'person', :id, :name, "
            "'{}')"), {"id": person, "name": name})
        conn.execute(sa.text(
            "INSERT INTO outbox_email (to_address, subject, body, headers, created_at, "
            "attempts, next_attempt_at, last_error) VALUES (:email, :name, 'Hello', '{}', "
            "CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP, '')"),
            {"email": f"writer{n}@example.org", "name": name})


@contextmanager
def fresh_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind: a new file, or PostgreSQL's `<test database>_restored`
    with an empty schema (made once and kept: making and dropping a database costs seconds)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url = sa.engine.make_url(database_url)
    url = url.set(database=f"{url.database}_restored")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             poolclass=NullPool)
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                           {"name": url.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield url.render_as_string(hide_password=False)


def need_pg_tools(database_url: str) -> None:
    if database_url.startswith("postgresql") and not (shutil.which("pg_dump")
                                                      and shutil.which("pg_restore")):
        if IN_CI:
            pytest.fail("CI=true but pg_dump/pg_restore are not installed (postgresql-client)",
                        pytrace=False)
        pytest.skip("pg_dump/pg_restore not installed (apt-get install postgresql-client)")


def test_a_backup_taken_while_writing_restores_whole_and_one_at_rest_exactly(
        app, database_url, tmp_path):
    need_pg_tools(database_url)
    add_states(build_world())  # threads, posts, search documents, audit entries, mail ...
    db.session.rollback()
    writer = Writer(database_url)
    writer.start()
    try:
        assert writer.going.wait(timeout=30) and writer.error is None, writer.error
        before = writer.committed
        result = invoke(app, "backup", str(tmp_path / "busy.backup"))
        after = writer.committed
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert not writer.is_alive() and writer.error is None, writer.error
    assert after > before, "no write was committed while the backup was taken"

    with fresh_database(database_url, tmp_path) as fresh_url:
        fresh = create_app(TestConfig(fresh_url))
        try:
            result = invoke(fresh, "restore", "--yes", str(tmp_path / "busy.backup"))
            assert result.exit_code == 0, result.output
            # Each writer transaction whole or not at all, and those in it the first m.
            world_people = db.session.scalar(sa.text(
                "SELECT count(*) FROM person WHERE display_name NOT LIKE 'Writer %'"))
            db.session.rollback()

            def source_people(writers: int | list) -> int:
                return world_people + (writers if isinstance(writers, int) else len(writers))

            found = batches(fresh_url)
            held = found["person"]
            assert found["audit_entry"] == found["outbox_email"] == held
            assert held == list(range(1, len(held) + 1))
            assert before <= len(held) <= after, (before, len(held), after)
            # Everything else as the source held it then: the source now, less the writer's
            # later transactions (PostgreSQL's sequences have moved on since).

            def later(row: tuple) -> bool:
                return any(isinstance(value, str) and (match := WRITER.match(value))
                           and int(match[1]) > len(held) for value in row)

            assert contents(fresh_url, sequences=False) == contents(
                database_url, leave_out=later, sequences=False)

            # At rest: a second backup, restored over the first restore while a connection
            # of a running site stays open on it, is exact; that connection reads it next.
            result = invoke(app, "backup", str(tmp_path / "quiet.backup"))
            assert result.exit_code == 0, result.output
            site = sa.create_engine(fresh_url, poolclass=NullPool)
            people = sa.text("SELECT count(*) FROM person")
            with site.connect() as open_connection:
                assert open_connection.scalar(people) == source_people(held)
                open_connection.rollback()
                result = invoke(fresh, "restore", "--yes", str(tmp_path / "quiet.backup"))
                assert result.exit_code == 0, result.output
                assert open_connection.scalar(people) == source_people(writer.committed)
                open_connection.rollback()
            site.dispose()
            source = contents(database_url)
            assert contents(fresh_url) == source
            assert source["person"][0] >= writer.committed > 0
            # The site runs on what was restored.
            restored_client = fresh.test_client()
            assert restored_client.get("/").status_code == 200
        finally:
            with fresh.app_context():
                db.engine.dispose()


def test_restore_asks_first_and_refuses_what_is_not_a_backup(app, database_url, tmp_path):
    need_pg_tools(database_url)
    build_world()
    before = contents(database_url)
    result = invoke(app, "backup", str(tmp_path / "site.backup"))
    assert result.exit_code == 0, result.output
    answered_no = invoke(app, "restore", str(tmp_path / "site.backup"), input="n\n")
    assert answered_no.exit_code != 0 and "Anything written since" in answered_no.output
    not_one = tmp_path / "notes.txt"
    not_one.write_text("not a backup")
    refused = invoke(app, "restore", "--yes", str(not_one))
    assert refused.exit_code != 0 and "not a" in refused.output
    if database_url.startswith("sqlite"):  # another program's database, and a damaged one
        other = tmp_path / "other.db"
        with contextlib.closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
            conn.execute(f"INSERT INTO notes VALUES ('{'x' * 9000}')")
            conn.commit()
        refused = invoke(app, "restore", "--yes", str(other))
        assert refused.exit_code != 0 and "not a backup of this site" in refused.output
        damaged = tmp_path / "damaged.db"
        data = bytearray((tmp_path / "site.backup").read_bytes())
        # A whole page in the middle: damage inside a text value alone is not detectable.
        page_size = int.from_bytes(data[16:18], "big")
        middle = len(data) // page_size // 2 * page_size
        data[middle:middle + page_size] = b"\xff" * page_size
        damaged.write_bytes(bytes(data))
        refused = invoke(app, "restore", "--yes", str(damaged))
        assert refused.exit_code != 0 and "is damaged" in refused.output, refused.output
    assert contents(database_url) == before  # nothing changed
