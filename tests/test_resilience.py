"""PRODUCT.md, Safety and reliability; issue 23's faults. A real gunicorn under mixed load
(visitors reading; logged-in members posting, answering an event, booking, responding to a
report; visitors applying), each write marked so that it can be counted afterwards:

- on SQLite, a worker killed mid-run: no 5xx, no "database is locked", every acknowledged
  write stored exactly once, integrity_check ok;
- on PostgreSQL, a worker killed, then the database "restarted" (bench.proxy cuts every
  connection and refuses new ones for two seconds; the machine's server is never touched):
  the 503 page while it is away, nothing else; no 5xx once it is back; every write stored
  exactly once, those sent again after a 503 or a cut too.

`python -m bench.resilience --seconds 60 --users 300` is the long run, with its figures.
The database unreachable in process (a closed port): the 503 page, translated.

Budget: 40 s for the file. Measured 72 s on a 2-core machine at load 8-9 (shared): most of it
is making each database (migrations, the demo) and starting gunicorn, not the load itself.
"""

import socket
import sqlite3

import pytest
import sqlalchemy as sa
from flask import g
from psycopg import errors as pg_errors
from sqlalchemy.exc import OperationalError

from bench.resilience import WRITES, Outcome, run
from network import create_app, unreachable
from network.config import TestConfig
from network.extensions import db
from tests.conftest import IN_CI, POSTGRES_URL, _ensure_postgres_database


def assert_resilient(outcome: Outcome) -> None:
    assert outcome.killed_worker
    assert outcome.not_503 == 0, outcome.statuses
    assert outcome.errors_outside_outage == 0, outcome.statuses
    assert outcome.locked == 0, "'database is locked' in the servers' log"
    assert outcome.lost == []
    assert outcome.duplicated == []
    # Nothing else was written: only what was sent, acknowledged or not.
    assert outcome.strays == []
    acknowledged = outcome.kinds()
    assert all(acknowledged[kind][0] for kind in WRITES), acknowledged


def test_mixed_writes_on_sqlite_with_a_worker_killed():
    outcome = run(users=60, writers=20, seconds=5)

    assert_resilient(outcome)
    assert outcome.server_errors == 0, outcome.statuses
    assert outcome.integrity == "ok"


@pytest.mark.skipif(not POSTGRES_URL.startswith("postgresql") and not IN_CI,
                    reason="PostgreSQL not tested: TEST_DATABASE_URL does not point at it")
def test_mixed_writes_on_postgresql_with_a_worker_killed_then_the_database_restarted():
    url = sa.engine.make_url(POSTGRES_URL)
    url = url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)

    outcome = run(users=60, writers=20, seconds=8, postgres=url, faults=("kill", "restart"),
                  outage=2)

    assert_resilient(outcome)
    assert outcome.unavailable_while_down, "no request met the database away"
    assert outcome.errors_after_back == 0
    assert outcome.retries, "no write was sent again"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(("language", "title"), [
    ("en", "The site is unavailable for a moment"),
    ("pl", "Strona jest chwilowo niedostępna")])
def test_a_database_out_of_reach_gets_the_503_page(language, title):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/network"
    app = create_app(TestConfig(url))
    client = app.test_client()
    client.set_cookie("lang", language)

    response = client.get("/organisations")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert title in page
    assert "Traceback" not in page


def test_a_restart_in_progress_is_unreachable_but_other_database_errors_are_not():
    starting = pg_errors.CannotConnectNow("the database system is starting up")
    assert unreachable(OperationalError("SELECT 1", {}, starting))
    cut = pg_errors.AdminShutdown("terminating connection due to administrator command")
    assert unreachable(OperationalError("SELECT 1", {}, cut))
    deadlock = pg_errors.DeadlockDetected("deadlock detected")
    assert not unreachable(OperationalError("SELECT 1", {}, deadlock))
    locked = sqlite3.OperationalError("database is locked")
    assert not unreachable(OperationalError("SELECT 1", {}, locked))


@pytest.mark.skipif(not POSTGRES_URL.startswith("postgresql") and not IN_CI,
                    reason="PostgreSQL not tested: TEST_DATABASE_URL does not point at it")
def test_a_connection_lost_after_the_answer_does_not_turn_it_into_an_error():
    """The database gone between the view's answer and the session's closing rollback (a
    restart at that moment: here pg_terminate_backend on this test's own connection)."""
    _ensure_postgres_database(POSTGRES_URL)
    app = create_app(TestConfig(POSTGRES_URL))
    killer = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")

    @app.get("/test/backend")
    def backend():
        g.backend = db.session.scalar(sa.text("SELECT pg_backend_pid()"))  # a transaction
        return "answered"

    @app.after_request
    def terminate(response):
        with killer.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": g.backend})
            for _ in range(1000):  # until the backend has gone
                if not conn.scalar(sa.text("SELECT count(*) FROM pg_stat_activity "
                                           "WHERE pid = :pid"), {"pid": g.backend}):
                    break
        return response

    response = app.test_client().get("/test/backend")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "answered"
    with app.app_context():  # the pool gives a live connection afterwards
        assert db.session.scalar(sa.text("SELECT 1")) == 1
        db.session.remove()
        db.engine.dispose()
    killer.dispose()
