"""The harness: every test runs against SQLite, and against PostgreSQL when it is configured.

- TEST_DATABASE_URL points at PostgreSQL (CI sets it; CI without it is an error, not a skip).
- Requests from the test client run in a context of their own, as in production: their own
  app context, session and `g`. The test's own session ends its transaction before each request.
- Mail goes to a real SMTP server (aiosmtpd) on loopback.
- No test reads the machine's clock. `core.time.now()` is set to TEST_CLOCK (an ISO moment;
  an ordinary winter Wednesday morning unless given) before anything runs, and put back to that
  moment at the start of every test, so a test passes or fails the same on any day. The
  `clock` fixture moves it (`clock.advance(days=15)`, `clock.set(moment)`).
"""

from __future__ import annotations

import contextvars
import email.policy
import importlib.util
import os
import re
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from network import create_app
from network.config import TestConfig
from network.core import time as clock_module
from network.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _own_database(url: str) -> str:
    """Under pytest-xdist each worker has a database of its own: network_test_gw0, ..."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    url = sa.engine.make_url(url)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = _own_database(os.environ.get("TEST_DATABASE_URL", ""))
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
TEST_CLOCK = datetime.fromisoformat(os.environ.get("TEST_CLOCK", "2027-01-13T10:00:00+00:00"))


def _compile_catalogues() -> None:
    """What `make translations` does, for pytest run on its own: each catalogue's .mo written
    when missing or older than its .po (atomically: xdist's workers may all arrive at once)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).parent.parent / "network" / "translations"
    for po in folder.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_name(f"messages.{os.getpid()}.mo")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo)


def pytest_configure(config):
    _compile_catalogues()
    if TEST_CLOCK.tzinfo is None:
        raise pytest.UsageError("TEST_CLOCK needs a UTC offset, e.g. 2027-03-28T00:30:00+00:00")
    clock_module.set_clock(TEST_CLOCK)  # session fixtures (the browsers' demo) see it too
    if IN_CI and not POSTGRES_URL.startswith("postgresql"):
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL does not point at PostgreSQL: "
                                "the PostgreSQL run must not be skipped in CI.")
    if IN_CI and not REDIS_URL.startswith("redis"):
        raise pytest.UsageError("CI=true but TEST_REDIS_URL is not set: the Redis-backed "
                                "login limits must be tested in CI.")


# Tests that share one worker under pytest-xdist (`make test` runs two, --dist loadgroup):
# the browser tests (one chromium, one live server per worker: the walks of every page, and
# the journeys, so the two workers share them), the pages the W3C checker reads (built once
# per module), and the Redis tests (one Redis database, emptied by each, the two-server test
# too). Grouped by path in a scheduler of our own: pytest-xdist 3.8's xdist_group marks are
# lost on pytest 9 (it renames item._nodeid, which pytest 9 no longer reads).
XDIST_GROUPS = {"tests/browser/test_accessibility.py": "browser walks",
                "tests/browser/test_layout.py": "browser walks", "tests/browser/": "browser",
                "tests/test_html.py": "html",
                "tests/test_throttle.py": "redis", "tests/test_two_servers.py": "redis",
                "tests/test_fuzz.py": "fuzz"}  # the forms found on SQLite, sent on PostgreSQL


def xdist_group(nodeid: str) -> str:
    """The unit a worker runs whole: a test's group, or the test alone."""
    return next((group for prefix, group in XDIST_GROUPS.items() if nodeid.startswith(prefix)),
                nodeid)


if importlib.util.find_spec("xdist") is not None:
    def pytest_xdist_make_scheduler(config, log):
        from xdist.scheduler import LoadScopeScheduling

        class GroupedScheduling(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return xdist_group(nodeid)

        if config.getvalue("dist") == "loadgroup":
            return GroupedScheduling(config, log)
        return None


def pytest_report_header(config):
    return [
        f"clock: {TEST_CLOCK.isoformat()} (TEST_CLOCK)",
        "databases: sqlite" + (", postgresql" if POSTGRES_URL else
                               " (set TEST_DATABASE_URL to run PostgreSQL too)"),
        "login limits: database" + (", redis" if REDIS_URL else
                                    " (set TEST_REDIS_URL to test Redis too)"),
    ]


# --- building apps -------------------------------------------------------------------------------

def _remember_url_builders() -> None:
    """Nine tenths of create_app() is Werkzeug compiling each route's URL builder: a function
    made from the rule's parts alone (it reaches the rule's converters through its argument),
    so one compiled for a rule serves that rule in every app the suite builds."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def remembered(rule: Rule, append_unknown: bool = True):
        defaults = rule.defaults or {}
        if any(is_dynamic and part in defaults for is_dynamic, part in rule._trace):
            return compile_builder(rule, append_unknown)  # a default folded into the URL
        key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = remembered


_remember_url_builders()


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(
        not POSTGRES_URL, reason="PostgreSQL tests skipped: TEST_DATABASE_URL is not set")),
]


# --- the clock -------------------------------------------------------------------------------

class Clock:
    """The app's clock as a test sees it: it runs on at the machine's pace from where it is set."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def now(self) -> datetime:
        return clock_module.now()

    def today(self):
        return clock_module.today()

    def set(self, moment: datetime) -> None:
        clock_module.set_clock(moment)

    def advance(self, **delta) -> None:
        clock_module.set_clock(clock_module.now() + timedelta(**delta))


@pytest.fixture(autouse=True)
def clock(request):
    """Every test starts at TEST_CLOCK. Browser tests share a server whose demo was written on
    the session's running clock, so they go on from where it is rather than back."""
    session_offset = clock_module.clock_offset()
    if request.node.get_closest_marker("browser") is None:
        clock_module.set_clock(TEST_CLOCK)
    yield Clock(TEST_CLOCK)
    clock_module.set_clock_offset(session_offset)


# --- databases -------------------------------------------------------------------------------

def _ensure_postgres_database(url: str) -> None:
    """Create the test database if the server lacks it (CI starts from a bare server). Its
    commits do not wait for the disk (synchronous_commit off): a test database need not
    survive a crash of the server, and setting up each test's world commits some forty times."""
    engine_url = sa.engine.make_url(url)
    admin = sa.create_engine(engine_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                             {"name": engine_url.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{engine_url.database}"'))
        conn.execute(sa.text(f'ALTER DATABASE "{engine_url.database}" '
                             "SET synchronous_commit = off"))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A database with the schema built by the migrations, once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        _ensure_postgres_database(POSTGRES_URL)
        url = POSTGRES_URL
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory):
    """A migrated SQLite database for tests about pages rather than databases (page weight)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.db'}"
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def demo_app(build_app, sqlite_database_url):
    """An app on SQLite with the demo borough loaded, in an app context."""
    from network.demo import load_demo

    app = build_app(sqlite_database_url)
    with app.app_context():
        load_demo()
        yield app
        db.session.remove()


# What each test database holds, while the suite knows: "empty" after wipe(), or the name of
# the snapshot last restored into it. Any commit to it, through any engine, forgets.
_contents: dict[str, str] = {}


_commits: dict[str, int] = {}


@sa.event.listens_for(sa.engine.Engine, "commit")
def _forget_contents(conn) -> None:
    url = str(conn.engine.url)
    _contents.pop(url, None)
    _commits[url] = _commits.get(url, 0) + 1


def commits(engine: sa.Engine) -> int:
    """How many transactions have been committed to the database so far, through any engine."""
    return _commits.get(str(engine.url), 0)


@sa.event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context) -> None:
    session.info["flushed"] = True


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_flush(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("flushed", None)


def holds(engine: sa.Engine) -> str | None:
    """What the database holds if the suite knows ("empty", or a snapshot's name), counting the
    test's own session: anything it added, or wrote and has not committed, makes it unknown."""
    session = db.session
    if session.new or session.dirty or session.deleted or session.info.get("flushed"):
        return None
    return _contents.get(str(engine.url))


def now_holds(engine: sa.Engine, name: str) -> None:
    """The database holds what snapshot `name` saved (it was just taken)."""
    _contents[str(engine.url)] = name


def wipe(engine: sa.Engine) -> None:
    """Every table emptied and every id counting from 1 again (SQLite's rowids do by themselves).
    DELETE, not TRUNCATE: a test leaves a few rows, and PostgreSQL's TRUNCATE of fifty tables
    costs ten times as long. On PostgreSQL it is one round trip."""
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "".join(f'DELETE FROM "{table.name}"; ' for table in tables)
                + "SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'")
        else:
            for table in tables:
                conn.execute(table.delete())
    _contents[str(engine.url)] = "empty"


@dataclass
class Snapshot:
    """Every row of every table, and where PostgreSQL's id sequences stood."""

    name: str
    rows: dict[sa.Table, list[dict]]
    sequences: dict[str, int | None]


def snapshot(engine: sa.Engine, name: str = "a snapshot") -> Snapshot:
    """Every row of every table, to put back with restore(): quicker than building again."""
    db.session.rollback()  # the test's own reads hold no lock on SQLite meanwhile
    with engine.connect() as conn:
        rows = {table: [dict(row._mapping) for row in conn.execute(table.select())]
                for table in db.metadata.sorted_tables}
        sequences = {}
        if engine.dialect.name == "postgresql":
            sequences = dict(conn.execute(sa.text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema()")).all())
    return Snapshot(name, rows, sequences)


def restore(engine: sa.Engine, saved: Snapshot) -> None:
    """The database as snapshot() found it, ids and all; the test's objects reload."""
    db.session.rollback()
    if _contents.get(str(engine.url)) != "empty":
        wipe(engine)
    with engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if saved.rows[table]:
                conn.execute(table.insert(), saved.rows[table])
        if saved.sequences:
            conn.execute(sa.text("SELECT " + ", ".join(
                f"setval('\"{name}\"', {value or 1}, {'true' if value else 'false'})"
                for name, value in saved.sequences.items())))
    _contents[str(engine.url)] = saved.name


# --- the app and its client ------------------------------------------------------------------

class Client(FlaskClient):
    """Each request runs in a fresh context, as it would in a server, never in the test's."""

    def open(self, *args, **kwargs):
        if has_app_context():  # not when following a redirect, already inside the request's
            db.session.rollback()  # end the test's transaction; its objects reload afterwards
        return contextvars.Context().run(FlaskClient.open, self, *args, **kwargs)


# The app of each test database, built once and lent to one test at a time: building one
# costs more than most tests (its URL map, templates compiled on first use, its engine's cache
# of compiled SQL). Its settings are put back after each test; apps with settings of a test's
# own, and a second app in the same test, are built afresh.
_shared_apps: dict[str, tuple[Flask, dict]] = {}


@pytest.fixture
def build_app(smtp_server):
    """build_app(url, **config) -> an app whose mail goes to the test SMTP server."""
    made: list[Flask] = []

    def build(url: str, **overrides):
        shared = _shared_apps.get(url) if not overrides else None
        if shared is not None and shared[0] not in made:
            made.append(shared[0])
            return shared[0]
        config = TestConfig(url)
        config.MAIL_SERVER = "127.0.0.1"
        config.MAIL_PORT = smtp_server.port
        config.MAIL_USE_TLS = False
        for key, value in overrides.items():
            setattr(config, key, value)
        app = create_app(config)
        app.test_client_class = Client
        if not overrides and shared is None:
            _shared_apps[url] = (app, dict(app.config))
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            wipe(db.engine)
            settings = next((settings for shared, settings in _shared_apps.values()
                             if shared is app), None)
            if settings is not None:
                app.config.clear()
                app.config.update(settings)
            else:
                db.engine.dispose()


@pytest.fixture
def make_app(build_app, database_url):
    """make_app(**config) -> an app on the database under test (SQLite, then PostgreSQL)."""
    return lambda **overrides: build_app(database_url, **overrides)


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def sqlite_app(build_app, sqlite_database_url):
    """For tests about SQLite itself: runs once, never parametrized by backend."""
    app = build_app(sqlite_database_url)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


# --- mail --------------------------------------------------------------------------------------

class Mailbox:
    """What reached the SMTP server during one test."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.raw_messages: list[bytes] = []

    def handle(self, envelope) -> None:
        self.raw_messages.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=email.policy.default))

    def raw(self, message: Message) -> bytes:
        """The message as the SMTP server received it, before any decoding."""
        return next(raw for m, raw in zip(self.messages, self.raw_messages, strict=True)
                    if m is message)

    def raw_header(self, message: Message, name: str) -> str:
        """One header exactly as sent, undecoded; a folded header keeps its CRLF and spaces."""
        head = self.raw(message).split(b"\r\n\r\n", 1)[0].decode("ascii")
        found: list[str] = []
        for line in head.split("\r\n"):
            if found and line[:1] in (" ", "\t"):
                found[-1] += "\r\n" + line
            elif line.lower().startswith(name.lower() + ":"):
                found.append(line[len(name) + 1:].lstrip(" "))
        assert len(found) == 1, f"{len(found)} {name} headers in:\n{head}"
        return found[0]

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str) -> Message:
        found = self.to(address)
        assert found, f"no email to {address}; got {[m['To'] for m in self.messages]}"
        return found[-1]

    @staticmethod
    def body(message: Message) -> str:
        return message.get_payload(decode=True).decode()

    def link(self, address: str, path_contains: str = "/") -> str:
        """The path of the first link in the newest email to this address."""
        body = self.body(self.last_to(address))
        for url in re.findall(r"https?://\S+", body):
            if path_contains in url:
                return re.sub(r"^https?://[^/]+", "", url)
        raise AssertionError(f"no link containing {path_contains!r} in:\n{body}")


class _Handler:
    def __init__(self) -> None:
        self.mailbox = Mailbox()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's name
        self.mailbox.handle(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = _Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    controller.handler_ref = handler
    controller.port = port
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """Empty at the start of the test; `deliver()` sends the outbox to it."""
    smtp_server.handler_ref.mailbox = Mailbox()
    return smtp_server.handler_ref.mailbox


@pytest.fixture
def deliver(app, mailbox):
    from network.core.mail import deliver_due

    def send():
        db.session.rollback()
        return deliver_due()

    return send


# --- queries -----------------------------------------------------------------------------------

NOT_QUERIES = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)\b", re.I)


@contextmanager
def count_queries(engine: sa.Engine):
    """Collects the SQL statements run inside the block (transaction control left out)."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if not NOT_QUERIES.match(statement):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


@pytest.fixture
def queries(app):
    """`with queries() as statements: client.get(...)`, then assert on len(statements)."""
    return lambda: count_queries(db.engine)


# --- people ------------------------------------------------------------------------------------

@pytest.fixture
def world(app):
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def login(client):
    from tests.factories import PASSWORD

    def log_in(person, password=PASSWORD, c=None):
        response = (c or client).post("/login", data={"email": person.email,
                                                      "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return response

    return log_in


@pytest.fixture
def login_as(client, login):
    """Log in as someone else, logging out whoever was (a second login alone would be sent
    home, still as the first person)."""
    def switch(person):
        client.post("/logout")
        return login(person)
    return switch
