"""`make run` delivers the outbox by itself (issue 19): the app as `make run` starts it (gunicorn,
two preloaded workers, gunicorn.conf.py, no MAIL_SERVER) writes mail waiting in the outbox to
its log within seconds, with no request, and mail a command queues while it runs; with
JOBS_IN_WORKERS, as `make run` sets it, its workers run the scheduled jobs too."""

from __future__ import annotations

import sqlite3

from bench.server import flask, prepare, run_gunicorn, wait_for

LOGGED = "Email (no MAIL_SERVER set, so written here instead)"


def outbox(database) -> tuple[int, int]:
    """(rows, of them not yet sent)."""
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT count(*), count(*) - count(sent_at) "
                            "FROM outbox_email").fetchone()


def jobs_seen(database) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT count(DISTINCT job) FROM job_run").fetchone()[0]


def scheduled() -> list[str]:
    """The jobs with a schedule when BACKUP_DIR is not set (the backup's is off)."""
    import network.tasks  # noqa: F401 -- registers them
    from network.core.jobs import JOBS

    return [name for name in JOBS if name != "backup"]


def test_the_running_app_delivers_the_outbox_within_seconds_with_no_request(tmp_path):
    log = tmp_path / "gunicorn.log"
    with prepare() as dataset:
        dataset.env["JOBS_IN_WORKERS"] = "1"  # as make run
        dataset.env.pop("BACKUP_DIR", None)
        rows, unsent = outbox(dataset.database)
        assert rows >= 20 and unsent == 0  # the demo's mail went as it loaded
        with sqlite3.connect(dataset.database) as conn:  # as if the app had stopped first
            conn.execute("UPDATE outbox_email SET sent_at = NULL")
        with run_gunicorn(dataset, log=log):
            assert wait_for(lambda: outbox(dataset.database)[1] == 0, seconds=10), (
                outbox(dataset.database))
            flask(dataset.env, "digest", "send", "daily")  # cron, queuing outside a request
            more = outbox(dataset.database)[0] - rows
            assert more >= 1
            assert wait_for(lambda: outbox(dataset.database)[1] == 0, seconds=10), (
                outbox(dataset.database))
            # Each worker's job runner has made its first pass: every job is known, to run
            # from its next due time (tests/test_jobs.py runs them).
            assert wait_for(lambda: jobs_seen(dataset.database) == len(scheduled()),
                            seconds=10)
    assert log.read_text().count(LOGGED) == rows + more  # each once, by one worker or other
